"""Rate limiting of liveness attempts per session, per device and per applicant.

Every issued challenge counts as one attempt for its session, its device and its applicant (the
last two blinded). The session's own limit holds whatever the caller sends: the device id is the
caller's to choose and a session need not name its applicant, so those two alone can be dodged.
Past the limit within the window, issuing another raises :class:`openidv.errors.RateLimited`
(HTTP 429): an attacker iterating over instruments or replays gets a few tries, not thousands.
Limits are operational settings (``OPENIDV_LIVENESS_*``), not measured operating points.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from openidv.errors import RateLimited

ATTEMPT_KIND = "liveness_attempt"


class LivenessLimits(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENIDV_LIVENESS_", extra="ignore")

    max_attempts_per_session: int = 5
    max_attempts_per_device: int = 10
    max_attempts_per_applicant: int = 5
    window_s: int = 3600
    challenge_ttl_s: int = 120


class MemoryCounter:
    """Sliding-window counts for running without a database."""

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _count(self, key: str, window_s: float, now: float) -> int:
        q = self._events[key]
        while q and q[0] <= now - window_s:
            q.popleft()
        return len(q)

    def count_and_add(self, key: str, window_s: float, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            n = self._count(key, window_s, now)
            self._events[key].append(now)
            return n

    def admit(self, caps: dict[str, int], window_s: float, now: float | None = None) -> str | None:
        """All-or-nothing: the first key at or over its cap (nothing is counted), else None
        (one attempt is counted for every key)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for key, cap in caps.items():
                if self._count(key, window_s, now) >= cap:
                    return key
            for key in caps:
                self._events[key].append(now)
            return None


def _keys(
    session_id: str, device_id: str | None, applicant_ref: str | None, tenant: str | None = None
) -> list[tuple[str, str]]:
    """Counting keys. Device and applicant keys are the client's own (``tenant``, its API key id):
    one integrator's attempts must neither lock an applicant out at another nor tell it that the
    identifier was used there."""
    scope = f"{tenant}:" if tenant else ""
    keys = [("session", f"liveness-session:{session_id}")]
    if device_id:
        keys.append(("device", f"liveness-device:{scope}{device_id}"))
    if applicant_ref:
        keys.append(("applicant", f"liveness-applicant:{scope}{applicant_ref}"))
    return keys


def _refuse(who: str, limits: LivenessLimits) -> RateLimited:
    return RateLimited(f"too many liveness attempts for this {who}; try again later", retry_after_s=limits.window_s)


def enforce(
    env: Any,
    session_id: str,
    device_id: str | None,
    applicant_ref: str | None,
    limits: LivenessLimits,
    tenant: str | None = None,
) -> None:
    """Count this attempt, raising RateLimited when the session, the device or the applicant is over
    its limit.

    A refused attempt counts against nothing: every limit is checked before any is counted (an
    applicant over their limit does not use up their device's attempts, nor the reverse)."""
    caps = {
        "session": limits.max_attempts_per_session,
        "device": limits.max_attempts_per_device,
        "applicant": limits.max_attempts_per_applicant,
    }
    keys = _keys(session_id, device_id, applicant_ref, tenant)
    if env.signals is None:
        counter: MemoryCounter = env.services.setdefault("liveness.attempts", MemoryCounter())
        over = counter.admit({key: caps[who] for who, key in keys}, limits.window_s)
        if over is not None:
            raise _refuse(next(who for who, key in keys if key == over), limits)
        return
    since = datetime.now(UTC) - timedelta(seconds=limits.window_s)
    blinded = {env.signals.blind(key): who for who, key in keys}
    # one step (count and record together): a burst of concurrent requests cannot all read "under"
    over = env.signals.admit(session_id, ATTEMPT_KIND, [(k, caps[who]) for k, who in blinded.items()], since,
                             attrs=[{"who": who} for who in blinded.values()])
    if over is not None:
        raise _refuse(blinded[over], limits)
