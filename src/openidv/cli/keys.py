"""``openidv keys``: API keys with scopes (client, reviewer, admin)."""

from __future__ import annotations

import getpass
import json

import typer

app = typer.Typer(help="API keys.", no_args_is_help=True)


def _actor() -> str:
    """Who ran the command, for the audit log (keys are managed from a shell, not over HTTP)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "cli:unknown"


@app.command("create")
def create(
    name: str = typer.Option(..., help="Who the key is for."),
    scopes: str = typer.Option("client", help="Comma-separated: client, reviewer, admin."),
) -> None:
    """Create a key; the secret is printed once and only its hash is stored."""
    from openidv.config import get_settings
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    settings = get_settings()
    db = Database(settings.resolved_database_url())
    db.create_all()
    secret, row = ApiKeys(db).create(name, [s.strip() for s in scopes.split(",") if s.strip()], actor=_actor())
    typer.echo(json.dumps({"id": row.id, "name": name, "scopes": row.scopes, "key": secret}))


@app.command("list")
def list_keys() -> None:
    from openidv.config import get_settings
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    db = Database(get_settings().resolved_database_url())
    for row in ApiKeys(db).list():
        typer.echo(json.dumps(row))


@app.command("revoke")
def revoke(key_id: str) -> None:
    from openidv.config import get_settings
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    db = Database(get_settings().resolved_database_url())
    ApiKeys(db).revoke(key_id, actor=_actor())
    typer.echo(json.dumps({"revoked": key_id}))
