"""Plugin registration of capture-session intelligence: checks, the scoring endpoint, commands.

Lifecycle of device history: ``behavior_velocity`` links the session's device to earlier ones and
counts sessions and accounts per device, IP and subnet; when the decision is stored,
:meth:`BehaviorPlugin.on_decision` writes this session's device fingerprint (sealed), blocking
keys and "seen" signals (blinded keys) in the decision's transaction, and mirrors the counts to
Redis when it is configured. ``behavior_replay`` compares the session's pointer strokes with
earlier sessions'; on_decision stores them (sealed, under blinded keys) for later sessions, and
:meth:`BehaviorPlugin.retention` (run by the service at start and every hour) drops those
older than ``stroke_retention_days``. Erasing a session deletes its signals
(the store does that).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openidv.plugins.base import BasePlugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from openidv.checks.base import Check, Environment
    from openidv.domain import Decision, Session
    from openidv.store.signals import Signal, SignalWriter

log = logging.getLogger(__name__)


class BehaviorPlugin(BasePlugin):
    name = "behavior"

    def checks(self) -> Sequence[Check]:
        from openidv.behavior.checks import (
            BehaviorBotCheck,
            BehaviorDeviceCheck,
            BehaviorReplayCheck,
            BehaviorVelocityCheck,
        )

        return (BehaviorBotCheck(), BehaviorDeviceCheck(), BehaviorVelocityCheck(), BehaviorReplayCheck())

    def routers(self) -> Sequence[APIRouter]:
        from openidv.behavior.api import build_router

        return (build_router(),)

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        from openidv.behavior.cli import app

        return {"behavior": app}

    def setup(self, env: Environment) -> None:
        """Rebuild the device index's value frequencies from the store (models load on first use)."""
        from openidv.behavior.runtime import services

        svc = services(env)
        if env.signals is not None:
            svc.device_index(env.signals)

    def retention(self, env: Environment) -> int:
        """Drop stored strokes past ``stroke_retention_days`` (the lookup never reads past it anyway)."""
        from openidv.behavior.replay import purge_expired

        return purge_expired(env.signals, env.settings.stroke_retention_days) if env.signals is not None else 0

    def on_erase(self, session_id: str, env: Environment, signals: Sequence[Signal] = ()) -> None:
        """Forget an erased session outside the store: its device fingerprints in this process's
        index (cache and value counts) and its entries in the Redis velocity windows."""
        from openidv.behavior.device.velocity import KIND
        from openidv.behavior.runtime import services

        svc = services(env)
        index = svc.built_device_index()
        if index is not None:
            index.forget(signals)
        redis = svc.redis()
        if redis is not None:
            entity_of = {kind: entity for entity, kind in KIND.items()}
            for s in signals:
                if s.kind in entity_of:
                    redis.forget(entity_of[s.kind], s.key, session_id, s.attrs.get("account"))

    def on_decision(self, session: Session, decision: Decision, writer: SignalWriter, env: Environment) -> None:
        """Remember this session's device and network for linking and velocity, and its strokes for
        replay detection."""
        from openidv.behavior.device.velocity import now_s, record_signals
        from openidv.behavior.replay import record
        from openidv.behavior.runtime import services
        from openidv.domain import Outcome

        strokes = next((c for c in decision.checks if c.check == "behavior_replay"), None)
        if strokes is not None and env.signals is not None:
            desc = strokes.artifacts.get("stroke_descriptors")
            if desc is None and strokes.outcome is Outcome.ERROR:  # timed out or failed: still remember them
                desc = _session_strokes(session)
            if desc is not None:
                record(writer, desc)
        result = next((c for c in decision.checks if c.check == "behavior_velocity"), None)
        if result is None or result.outcome in (Outcome.ERROR, Outcome.NOT_APPLICABLE) or env.signals is None:
            return
        art = result.artifacts
        if not art.get("keys"):
            log.warning("behavior_velocity result without artifacts for session %s; nothing recorded", session.id)
            return
        svc = services(env)
        if art.get("fingerprint") is not None:
            svc.device_index(env.signals).enrol(writer, art["device_id"], art["fingerprint"])
        record_signals(writer, art["keys"], art.get("account"))
        redis = svc.redis()
        if redis is not None:
            now = now_s()
            for entity, key in art["keys"].items():
                redis.record(entity, key, session.id, art.get("account"), now)

    def reason_catalogue(self) -> Path | None:
        return Path(__file__).with_name("reason_codes.yaml")


plugin = BehaviorPlugin()


def _session_strokes(session: Session) -> Any:
    """Stroke descriptors from a session's telemetry, or None when it has none or it is invalid."""
    from openidv.behavior.checks import telemetry_payload
    from openidv.behavior.events import parse_events
    from openidv.behavior.replay import stroke_descriptors
    from openidv.behavior.schema import validate_telemetry

    payload = telemetry_payload(session)
    if not payload or validate_telemetry(payload):
        return None
    try:  # inside the decision's transaction: whatever made the check fail must not fail the decision
        desc = stroke_descriptors(parse_events(payload.get("events") or []).mouse)
    except Exception:
        log.warning("strokes of session %s not stored: their descriptors failed", session.id, exc_info=True)
        return None
    return desc if len(desc) else None
