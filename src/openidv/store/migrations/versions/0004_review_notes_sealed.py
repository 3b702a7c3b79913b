"""review notes sealed at rest

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

A reviewer's free-text notes describe the applicant ("DOB on card 1990-01-01, name matches") and
were the one personal field stored in clear. New notes are sealed like applicant data
(``notes_key_id`` + ``notes_sealed``, AES-GCM bound to the session); ``notes`` is kept for notes
written before this revision, which are still read (and blanked on erasure) as they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_actions") as batch:
        batch.add_column(sa.Column("notes_key_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("notes_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_actions") as batch:
        batch.drop_column("notes_sealed")
        batch.drop_column("notes_key_id")
