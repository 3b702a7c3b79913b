"""Plugin registration of this capability: its checks, routes and commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from openidv.checks.base import Check, Environment
from openidv.plugins.base import BasePlugin


class DocumentsPlugin(BasePlugin):
    name = "documents"

    def checks(self) -> Sequence[Check]:
        from openidv.documents.checks import (
            DocumentAuthenticityCheck,
            DocumentBarcodeCheck,
            DocumentConsistencyCheck,
            DocumentDetectCheck,
            DocumentMRZCheck,
            DocumentValidityCheck,
            DocumentVIZCheck,
        )

        return (DocumentDetectCheck(), DocumentMRZCheck(), DocumentBarcodeCheck(), DocumentVIZCheck(),
                DocumentConsistencyCheck(), DocumentValidityCheck(), DocumentAuthenticityCheck())

    def reason_catalogue(self) -> Path | None:
        return Path(__file__).with_name("reason_codes.yaml")

    def setup(self, env: Environment) -> None:
        """Load and verify the shipped models once, so the first session does not pay for it
        (a missing or altered weight file fails here, at start, not on a live session)."""
        from openidv.documents.authenticity.detector import _load as load_tamper
        from openidv.documents.mrz.classifier import _load as load_glyphs

        env.services["documents.mrz_glyphs"] = load_glyphs()
        env.services["documents.doc_tamper"] = load_tamper()

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        from openidv.documents.cli import mrz

        return {"mrz": mrz}


plugin = DocumentsPlugin()
