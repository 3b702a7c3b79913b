"""signals: (kind, key, created_at) index instead of (kind, key)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Signal lookups filter on kind and key and read the newest first (``ORDER BY created_at DESC
LIMIT n``). With only (kind, key) and (kind, created_at) indexes, SQLite's planner picks the second
to avoid a sort and then walks every signal of the kind: a device-link lookup against 5,000
enrolled devices cost about 190 ms. The composite index serves filter and order at once.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_signals_kind_key_created", "signals", ["kind", "key", "created_at"])
    op.drop_index("ix_signals_kind_key", table_name="signals")


def downgrade() -> None:
    op.create_index("ix_signals_kind_key", "signals", ["kind", "key"])
    op.drop_index("ix_signals_kind_key_created", table_name="signals")
