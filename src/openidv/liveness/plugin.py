"""Plugin registration of this capability: its checks, routes, commands and decision hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from openidv.plugins.base import BasePlugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from openidv.checks.base import Check, Environment
    from openidv.domain import Decision, Session
    from openidv.store.signals import SignalWriter


class LivenessPlugin(BasePlugin):
    name = "liveness"

    def checks(self) -> Sequence[Check]:
        from openidv.liveness.checks import (
            LivenessActiveCheck,
            LivenessIntegrityCheck,
            LivenessPassiveCheck,
            LivenessReplayCheck,
        )

        found = (
            LivenessPassiveCheck(),
            LivenessActiveCheck(),
            LivenessIntegrityCheck(),
            LivenessReplayCheck(),
        )
        # BaseCheck declares ClassVars where the Check protocol has instance attributes (a core typing issue).
        return cast("Sequence[Check]", found)

    def routers(self) -> Sequence[APIRouter]:
        from openidv.liveness.router import build_router

        return (build_router(),)

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        from openidv.liveness.cli import app

        return {"liveness": app}

    def setup(self, env: Environment) -> None:
        from openidv.liveness.services import challenge_store

        challenge_store(env)  # the model itself loads on first use (it costs nothing until a selfie arrives)

    def on_decision(self, session: Session, decision: Decision, writer: SignalWriter, env: Environment) -> None:
        """Remember this session's capture hashes so a later replay of them is caught."""
        from openidv.liveness.checks import session_hashes
        from openidv.liveness.replay import record_hashes

        hashes = session_hashes(session)
        if hashes:
            record_hashes(writer, hashes, {"decision": decision.decision.value})

    def reason_catalogue(self) -> Path | None:
        return None


plugin = LivenessPlugin()
