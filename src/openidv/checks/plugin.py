"""The core plugin: checks that every deployment runs, whatever capabilities are installed."""

from __future__ import annotations

from collections.abc import Sequence

from openidv.checks.base import Check
from openidv.checks.usability import ImageUsabilityCheck
from openidv.plugins.base import BasePlugin


class CorePlugin(BasePlugin):
    name = "core"

    def checks(self) -> Sequence[Check]:
        return (ImageUsabilityCheck(),)


plugin = CorePlugin()
