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

    def retention(self, env: Environment) -> int:
        """Delete what liveness keeps once it is no longer needed: attempt records after twice the
        rate-limit window, challenges and their tickets a day after they expired (a used ticket
        only has to outlive its challenge), capture hashes after ``capture_hash_retention_days``."""
        from datetime import UTC, datetime, timedelta

        from openidv.liveness.challenge import OPEN_KIND, SIGNAL_KIND, SUPERSEDED_KIND, USED_KIND
        from openidv.liveness.ratelimit import ATTEMPT_KIND, LivenessLimits
        from openidv.liveness.replay import SIGNAL_KIND as HASH_KIND

        if env.signals is None:
            return 0
        now, limits = datetime.now(UTC), LivenessLimits()
        n = env.signals.purge(ATTEMPT_KIND, now - timedelta(seconds=2 * limits.window_s))
        for kind in (SIGNAL_KIND, OPEN_KIND, USED_KIND, SUPERSEDED_KIND):
            n += env.signals.purge(kind, now - timedelta(seconds=limits.challenge_ttl_s) - timedelta(days=1))
        days = env.settings.capture_hash_retention_days
        if days > 0:
            n += env.signals.purge(HASH_KIND, now - timedelta(days=days))
        return n

    def reason_catalogue(self) -> Path | None:
        return None


plugin = LivenessPlugin()
