"""Pipeline checks of capture-session intelligence (they apply when a session carries telemetry).

- ``behavior_bot``: the interaction events -> bot score and anomaly score (models + signatures);
- ``behavior_device``: device attributes -> automation, emulator and consistency findings;
- ``behavior_velocity``: the device linked to earlier sessions (fuzzy), and sessions / accounts per
  device, IP and subnet in sliding windows. Needs the store: without one it is not applicable.
- ``behavior_replay``: the session's longest pointer strokes against every earlier session's
  (:mod:`openidv.behavior.replay`): recorded movement played back again (needs the store), and
  against each other: one recorded segment looped within the session (needs no store).

Invalid telemetry (against the schema) is itself a finding: outcome review, TELEMETRY_INVALID.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from openidv.behavior.device.fingerprint import fingerprint, form_factor
from openidv.behavior.device.integrity import assess_device
from openidv.behavior.device.network import subnet
from openidv.behavior.device.velocity import Counts, entity_keys, exceeded, now_s
from openidv.behavior.events import parse_events
from openidv.behavior.replay import (
    LOOP_MIN_STROKES,
    featureless,
    find_looped,
    find_replayed,
    retention_start,
    timed_stroke_descriptors,
)
from openidv.behavior.runtime import services
from openidv.behavior.schema import validate_telemetry
from openidv.behavior.scoring import BOT, REVIEW, Thresholds, assess
from openidv.checks.base import BaseCheck, CheckContext
from openidv.domain import CheckResult, Outcome, Session

INVALID = "TELEMETRY_INVALID"


def telemetry_payload(session: Session) -> dict[str, Any] | None:
    return None if session.telemetry is None else session.telemetry.model_dump(mode="json")


def _invalid(check: BaseCheck, errors: list[str]) -> CheckResult:
    return check.result(Outcome.REVIEW, reason_codes=[INVALID], evidence={"schema_errors": errors[:5]})


class _EventsCheck(BaseCheck):
    """A check of the session's interaction events: applies when there are any, and telemetry that
    fails the schema is the finding (review, TELEMETRY_INVALID) instead of the check's own."""

    def applies(self, session: Session) -> bool:
        return session.telemetry is not None and bool(session.telemetry.events)

    def valid_payload(self, ctx: CheckContext) -> tuple[dict[str, Any], CheckResult | None]:
        payload = telemetry_payload(ctx.session) or {}
        errors = validate_telemetry(payload)
        return payload, _invalid(self, errors) if errors else None


# "Too little movement to judge" is itself a finding only when the events are degenerate: at least
# MIN_UNSCORABLE_SAMPLES pointer samples whose timestamps collapse (fewer distinct times than a
# quarter of them: a script stamping a burst at once), or MAX_UNSTROKED_SAMPLES samples still without
# two measurable strokes (one endless stroke: five seconds of a 60 Hz mouse that never pauses). A short
# genuine move to one button (a second of samples, each its own time) stays not applicable.
MIN_UNSCORABLE_SAMPLES = 20
MAX_UNSTROKED_SAMPLES = 300


def _degenerate(mouse: Any) -> bool:
    n = int(mouse.n)
    if n >= MAX_UNSTROKED_SAMPLES:
        return True
    return n >= MIN_UNSCORABLE_SAMPLES and len(set(mouse.t.tolist())) < 0.25 * n


class BehaviorBotCheck(_EventsCheck):
    name = "behavior_bot"
    version = "1.1.0"  # 1.1.0: unscorable movement reviewed, mixed pointer types, one bot window reviewed
    timeout_s = 5.0
    reason_codes = ("BOT_SUSPECTED", "AUTOMATION_DETECTED", "BEHAVIOR_ANOMALY", "DEVICE_INCONSISTENT",
                    "BEHAVIOR_UNSCORABLE", INVALID)
    score_meaning = "1 - bot_score: 1 minus the bot classifier's probability (0 when an automation signature fires)"

    def run(self, ctx: CheckContext) -> CheckResult:
        payload, invalid = self.valid_payload(ctx)
        if invalid is not None:
            return invalid
        t = Thresholds.from_set(ctx.thresholds.set("behavior_bot"))
        inter = parse_events(payload.get("events") or [])
        a = assess(inter, t, services(ctx.env).models())
        evidence = a.as_dict()
        if not a.scorable and not a.reason_codes:
            if _degenerate(inter.mouse):
                # plenty of pointer events that still make no measurable movement (timestamps
                # collapsed, one endless stroke): not a pass - a human looks
                return self.result(Outcome.REVIEW, reason_codes=["BEHAVIOR_UNSCORABLE"], evidence=evidence)
            return self.result(Outcome.NOT_APPLICABLE, evidence=evidence)
        if a.decision == BOT:
            outcome = Outcome.FAIL
        elif a.decision == REVIEW or a.reason_codes:
            outcome = Outcome.REVIEW
        else:
            outcome = Outcome.PASS
        score = None if a.bot_score is None else 1.0 - a.bot_score
        return self.result(outcome, score=score, reason_codes=a.reason_codes, evidence=evidence)


class BehaviorDeviceCheck(BaseCheck):
    name = "behavior_device"
    version = "1.0.0"
    timeout_s = 2.0
    reason_codes = ("AUTOMATION_DETECTED", "DEVICE_INCONSISTENT", INVALID)
    score_meaning = "1 - device risk grade: 1 clean, 0.5 inconsistent attributes, 0 automation or emulator"

    def applies(self, session: Session) -> bool:
        return session.telemetry is not None and bool(session.telemetry.device)

    def run(self, ctx: CheckContext) -> CheckResult:
        payload = telemetry_payload(ctx.session) or {}
        errors = validate_telemetry(payload)
        if errors:
            return _invalid(self, errors)
        network = services(ctx.env).network(payload.get("network") or {})
        integrity = assess_device(payload.get("device") or {}, network)
        codes = ["AUTOMATION_DETECTED"] if integrity.automation else []
        if integrity.inconsistent:
            codes.append("DEVICE_INCONSISTENT")
        outcome = Outcome.FAIL if integrity.automation else Outcome.REVIEW if codes else Outcome.PASS
        evidence = {
            "findings": [{"grade": f.grade, "code": f.code, "detail": f.detail} for f in integrity.findings],
            "network_flags": {k: network[k] for k in ("datacenter", "vpn", "tor", "proxy", "asn", "country")
                              if k in network},
        }
        return self.result(outcome, score=1.0 - integrity.risk, reason_codes=codes, evidence=evidence)


def account_key(session: Session) -> str | None:
    """Who the session is for, to count accounts: the client's reference, else contact details."""
    a = session.applicant
    for prefix, value in (("ref", session.external_ref), ("email", a.email), ("phone", a.phone),
                          ("doc", a.document_number)):
        if value:
            return f"{prefix}:{value.strip().lower()}"
    return None


class BehaviorVelocityCheck(BaseCheck):
    name = "behavior_velocity"
    version = "1.0.0"
    timeout_s = 3.0
    reason_codes = ("DEVICE_VELOCITY",)
    score_meaning = "no score"

    def applies(self, session: Session) -> bool:
        t = session.telemetry
        return t is not None and (bool(t.device) or bool(t.network.get("ip")))

    def run(self, ctx: CheckContext) -> CheckResult:
        signals = ctx.env.signals
        if signals is None:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"reason": "no store: no session history to count"})
        payload = telemetry_payload(ctx.session) or {}
        svc = services(ctx.env)
        network = svc.network(payload.get("network") or {})
        fp = fingerprint(payload.get("device") or {}, network)
        link = None
        if fp.values:
            key = "link_mobile" if form_factor(fp) == "mobile" else "link"
            link = svc.device_index(signals).match(fp, ctx.thresholds.value("behavior_device", key))
        device_id = (link.device_id if link and link.device_id else None) or ("dev_" + uuid.uuid4().hex)
        ip = str(network.get("ip") or "")
        net = subnet(ip)
        keys = entity_keys(device_id if fp.values else None, signals.blind("ip:" + ip) if net else None,
                           signals.blind("net:" + net) if net else None)
        account = account_key(ctx.session)
        account_b = signals.blind("acct:" + account) if account else None
        backend = svc.velocity(signals)
        now = now_s()
        counts: dict[str, Counts] = {e: backend.counts(e, k, now, account_b) for e, k in keys.items()}
        limits = ctx.thresholds.set("behavior_velocity").values
        over = exceeded(counts, limits)
        result = self.result(
            Outcome.FAIL if over else Outcome.PASS, reason_codes=["DEVICE_VELOCITY"] if over else [],
            evidence={
                "device_id": device_id if fp.values else None,
                "link": {"method": link.method, "score": None if link.score in (float("inf"), float("-inf"))
                         else round(link.score, 3), "candidates": link.candidates} if link else None,
                "counts": {e: {"sessions": dict(c.sessions), "other_accounts": dict(c.accounts)}
                           for e, c in counts.items()},
                "exceeded": over,
            },
        )
        result.artifacts.update({"fingerprint": fp if fp.values else None, "device_id": device_id, "keys": keys,
                                 "account": account_b})
        return result


class BehaviorReplayCheck(_EventsCheck):
    """Strokes another session already made: a replay of recorded movement (MOVEMENT_REPLAYED).

    The bot model cannot tell replayed human movement from a human; strokes that come back, to
    within the matching distance (a fraction of a percent of their length), from another session
    can. The session's own strokes are stored at its decision (``BehaviorPlugin.on_decision``),
    whether this check passed, failed or errored, so the first use of a recording is what later
    uses are found against; sessions whose telemetry is invalid store none.

    Two distinct strokes of the session itself within ``loop_max_distance`` (not overlapping in
    time) are a recorded segment looped: MOVEMENT_REPLAYED too, with the pair as evidence, store or
    not. A session with fewer than two strokes is not judged by that rule.
    """

    name = "behavior_replay"
    version = "1.1.0"
    timeout_s = 5.0
    reason_codes = ("MOVEMENT_REPLAYED", INVALID)
    score_meaning = "no score"

    def run(self, ctx: CheckContext) -> CheckResult:
        payload, invalid = self.valid_payload(ctx)
        if invalid is not None:
            return invalid
        events = parse_events(payload.get("events") or [])
        descriptors, times = timed_stroke_descriptors(events.mouse)
        if not len(descriptors):
            reason = ("touch only: no operating point for touch strokes (tuned on mouse recordings)"
                      if events.touch.n and not events.mouse.n else "no mouse or pen stroke of 30 px")
            return self.result(Outcome.NOT_APPLICABLE, evidence={"reason": reason})
        t = ctx.thresholds.set("behavior_replay")
        # an operator's threshold file from before 1.1.0 has no loop distance: the loop rule is then
        # not judged (said in the evidence) rather than every session failing on the missing key
        loop_d = t["loop_max_distance"] if "loop_max_distance" in t.values else None
        loops = [] if loop_d is None else find_looped(descriptors, times, loop_d)
        shaped = int(np.count_nonzero(~featureless(descriptors)))
        looped = {
            "judged": loop_d is not None and shaped >= LOOP_MIN_STROKES,
            "strokes_with_shape": shaped,
            "pairs": len(loops),
            "max_distance": loop_d,
            "closest": None if not loops else {
                "strokes": [loops[0].stroke, loops[0].other],
                "at_ms": [[round(float(v), 1) for v in times[i]] for i in (loops[0].stroke, loops[0].other)],
                "distance": round(loops[0].distance, 5),
            },
        }
        signals = ctx.env.signals
        if signals is None:
            if loops:
                result = self.result(Outcome.FAIL, reason_codes=["MOVEMENT_REPLAYED"],
                                     evidence={"strokes": len(descriptors), "looped": looped,
                                               "reason": "no store: looked within the session only"})
                result.artifacts["stroke_descriptors"] = descriptors
                return result
            return self.result(Outcome.NOT_APPLICABLE, evidence={"reason": "no store: no earlier sessions to compare",
                                                                 "looped": looped})
        since = retention_start(ctx.env.settings.stroke_retention_days)
        matches = find_replayed(signals, descriptors, ctx.session.id, t["max_distance"], since=since)
        replayed = len(matches) >= t["min_strokes"] or bool(loops)
        result = self.result(
            Outcome.FAIL if replayed else Outcome.PASS,
            reason_codes=["MOVEMENT_REPLAYED"] if replayed else [],
            evidence={
                "strokes": len(descriptors),
                "matched_strokes": len(matches),
                "earlier_sessions": sorted({m.session_id for m in matches})[:5],
                "closest_distance": round(min(m.distance for m in matches), 5) if matches else None,
                "max_distance": t["max_distance"],
                "min_strokes": t["min_strokes"],
                "looped": looped,
            },
        )
        result.artifacts["stroke_descriptors"] = descriptors
        return result
