"""Plugin registration of this capability: its checks, routes and commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import typer

from openidv.checks.base import Check
from openidv.plugins.base import BasePlugin


class DocumentsPlugin(BasePlugin):
    name = "documents"

    def checks(self) -> Sequence[Check]:
        from openidv.documents.checks import (
            DocumentBarcodeCheck,
            DocumentConsistencyCheck,
            DocumentDetectCheck,
            DocumentMRZCheck,
            DocumentValidityCheck,
            DocumentVIZCheck,
        )

        return (DocumentDetectCheck(), DocumentMRZCheck(), DocumentBarcodeCheck(), DocumentVIZCheck(),
                DocumentConsistencyCheck(), DocumentValidityCheck())

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        from openidv.documents.cli import mrz

        return {"mrz": mrz}


plugin = DocumentsPlugin()
