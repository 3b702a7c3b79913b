"""Plugin registration of the evaluation layer (CLI only: it adds no checks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from openidv.plugins.base import BasePlugin

if TYPE_CHECKING:
    import typer


class EvaluationPlugin(BasePlugin):
    name = "evaluation"

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        """``openidv eval run|tune|gate|report|manifest`` (imported only when the CLI is built)."""
        from openidv.evaluation.cli import app

        return {"eval": app}


plugin = EvaluationPlugin()
