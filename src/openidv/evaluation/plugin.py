"""Plugin registration of the evaluation layer (CLI only: it adds no checks)."""

from __future__ import annotations

from openidv.plugins.base import BasePlugin


class EvaluationPlugin(BasePlugin):
    name = "evaluation"


plugin = EvaluationPlugin()
