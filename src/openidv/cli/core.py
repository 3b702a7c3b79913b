"""Core commands: serve, verify, demo, checks, db."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("verify")(verify)
    app.command("demo")(demo)
    app.command("checks")(list_checks)
    app.command("db-upgrade")(db_upgrade)


def serve(
    host: str = typer.Option(None, help="Default: settings.host."),
    port: int = typer.Option(None, help="Default: settings.port."),
) -> None:
    """Run the HTTP service (one worker; put several behind a load balancer to scale)."""
    import uvicorn

    from openidv.config import get_settings
    from openidv.service.app import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
    )


def verify(
    document_front: Path = typer.Option(None, "--document-front", exists=True, dir_okay=False),
    document_back: Path = typer.Option(None, "--document-back", exists=True, dir_okay=False),
    selfie: Path = typer.Option(None, "--selfie", exists=True, dir_okay=False),
    portrait: Path = typer.Option(None, "--portrait", exists=True, dir_okay=False),
    frames: list[Path] = typer.Option([], "--frame", exists=True, dir_okay=False, help="Repeat, in order."),
    applicant: Path = typer.Option(None, "--applicant", exists=True, dir_okay=False, help="JSON of declared data."),
    telemetry: Path = typer.Option(None, "--telemetry", exists=True, dir_okay=False),
    country: str = typer.Option(None),
    flow: str = typer.Option("signup"),
) -> None:
    """Verify one session from local files; print the decision JSON (no database needed)."""
    from openidv.runtime import Runtime, session_from_files

    runtime = Runtime.build(with_store=False)
    session = session_from_files(
        runtime.settings,
        document_front=document_front,
        document_back=document_back,
        selfie=selfie,
        portrait=portrait,
        frames=frames,
        applicant=applicant,
        telemetry=telemetry,
        country=country,
        flow=flow,
    )
    decision = runtime.pipeline.verify(session)
    typer.echo(decision.model_dump_json(indent=2))


def demo(
    sessions: int = typer.Option(12, help="How many synthetic sessions to seed."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the service after seeding."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Seed a synthetic demo cohort into the store, print keys and URLs, then serve."""
    from openidv.demo.seed import seed_demo

    info = seed_demo(sessions)
    typer.echo(json.dumps(info, indent=2))
    if serve_after:
        typer.echo(f"OpenIDV is running at http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
        serve(host=host, port=port)


def list_checks() -> None:
    """List installed checks with their dependencies and score meaning."""
    from openidv.runtime import Runtime

    runtime = Runtime.build(with_store=False)
    for name in runtime.pipeline.order:
        c = runtime.pipeline.checks[name]
        typer.echo(
            json.dumps(
                {
                    "name": c.name,
                    "version": c.version,
                    "requires": list(c.requires),
                    "reason_codes": list(c.reason_codes),
                    "score_meaning": c.score_meaning,
                }
            )
        )


def db_upgrade() -> None:
    """Apply database migrations (Alembic) to the configured store."""
    from openidv.config import get_settings
    from openidv.store.db import Database

    db = Database(get_settings().resolved_database_url())
    db.upgrade()
    typer.echo(json.dumps({"database": db.safe_url, "revision": db.current_revision()}))
