"""Entry point of the ``openidv`` command.

Core commands: ``serve``, ``verify``, ``demo``, ``audit verify``, ``keys``, ``db``, ``checks``.
Every installed plugin with a CLI is mounted under its own name (``openidv eval ...``,
``openidv mrz ...``) under the names it asks for, discovered when the command runs, not at import.
"""

from __future__ import annotations

import json
import sys

import typer

from openidv.errors import OpenIDVError


def build_app() -> typer.Typer:
    from openidv.cli import audit, core, keys
    from openidv.plugins import load_plugins

    app = typer.Typer(
        name="openidv",
        help="OpenIDV: open identity verification (documents, face, liveness, session risk).",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    core.register(app)
    app.add_typer(audit.app, name="audit")
    app.add_typer(keys.app, name="keys")
    for plugin in load_plugins():
        for name, sub in plugin.commands().items():
            if isinstance(sub, typer.Typer):
                app.add_typer(sub, name=name)
            else:  # a plain command function: mounted as `openidv <name>`
                app.command(name=name)(sub)
    return app


def main() -> None:
    try:
        build_app()()
    except OpenIDVError as exc:
        print(json.dumps({"error": exc.to_problem()}), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
