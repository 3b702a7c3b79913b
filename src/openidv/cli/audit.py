"""``openidv audit``: verify the hash chain of the audit log."""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="Audit-log integrity.", no_args_is_help=True)


@app.command("verify")
def verify(
    database_url: str = typer.Option(None, "--database-url", help="Default: the configured store."),
) -> None:
    """Recompute the audit hash chain; exit 1 if any row was edited, inserted or removed."""
    from openidv.config import get_settings
    from openidv.store.audit import verify_chain
    from openidv.store.db import Database

    settings = get_settings()
    db = Database(database_url or settings.resolved_database_url())
    report = verify_chain(db)
    typer.echo(json.dumps(report.as_dict(), indent=2))
    raise typer.Exit(0 if report.ok else 1)
