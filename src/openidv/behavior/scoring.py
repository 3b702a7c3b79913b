"""Real-time behaviour scoring: events -> bot score, anomaly score, decision and reasons.

The shipped models are loaded once per process (hash-checked by the model registry) and reused.
A session is scored on its mouse/pen stream: short sessions as one window, recordings longer than
two minutes in 60 s windows whose median is reported (the models were trained on windows of 10 s
to 2 min). Windows start at events (idle time makes none), and past 120 windows the busiest are
scored, so neither a long idle gap nor a crowd of one-move windows can hide the movement that
matters; and one window over the bot threshold sends a session whose median looks human to review
(a minute of bot movement between two human ones). Deterministic automation signatures are checked
alongside the models:

- events the browser marks as synthetic (``isTrusted`` false: dispatched by page script);
- key strokes no finger can make (dwell under 5 ms for nearly every key, or the same dwell and
  flight to the millisecond key after key);
- clicks at new places with no pointer movement before them (the pointer teleported).

These signatures set ``bot_score`` to 1: they are facts about the events, not estimates. Touch
streams are not scored by the models (trained on mouse movement); touch mixed with mouse movement
in one session, or a behaviour anomaly, is sent to review.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from openidv.behavior.anomaly import AnomalyModel
from openidv.behavior.events import Interaction, Keys, Pointer
from openidv.behavior.features import FEATURE_NAMES, PointerFeatures, pointer_features

if TYPE_CHECKING:
    from openidv.policy.thresholds import ThresholdSet

PACKAGE = "openidv.behavior"
WINDOW_MS = 60_000.0
LONG_MS = 120_000.0
MAX_WINDOWS = 120  # two hours of movement; beyond, the windows with the most samples are scored
MIN_UNTRUSTED = 3
MIN_KEYS = 10
SYNTHETIC_DWELL_MS = 5.0
CONSTANT_TIMING_MS = 1.0  # dwell and flight spread (IQR) under this, key after key: a script's timer
MIN_NOAPPROACH_CLICKS = 3
MIN_MIXED_SAMPLES = 10  # touch and mouse streams both at least this long: one device does not do both

HUMAN, BOT, REVIEW = "human", "bot", "review"


class BehaviorModels:
    """The ONNX bot classifier and the anomaly model, loaded and verified once."""

    def __init__(self) -> None:
        from openidv.models.registry import load_onnx_session, model_path

        self.session = load_onnx_session(PACKAGE, "bot_gbm", threads=1)
        self.anomaly = AnomalyModel.load(model_path(PACKAGE, "behavior_anomaly"))
        if self.anomaly.names != FEATURE_NAMES:
            from openidv.errors import ModelIntegrityError

            raise ModelIntegrityError("behavior_anomaly was trained on other features; retrain")

    def bot(self, feats_x: np.ndarray) -> np.ndarray:
        out = self.session.run(None, {"features": feats_x.astype(np.float32)})[0]
        return np.asarray(out, dtype=np.float64).reshape(-1)


_models: BehaviorModels | None = None
_lock = threading.Lock()


def models() -> BehaviorModels:
    """The process-wide models (loaded lazily on first use)."""
    global _models
    with _lock:
        if _models is None:
            _models = BehaviorModels()
        return _models


@dataclass(frozen=True)
class Thresholds:
    """Operating points in score units: bot iff bot_score > bot, review iff > review."""

    bot: float
    review: float
    anomaly: float
    ref: str  # "name@version" for evidence and provenance

    @classmethod
    def from_set(cls, ts: ThresholdSet) -> Thresholds:
        return cls(ts["bot"], ts["review"], ts["anomaly"], f"{ts.name}@{ts.version}")


def packaged_thresholds() -> Thresholds:
    """The shipped operating points (for the CLI and the standalone endpoint)."""
    from openidv.policy.thresholds import ThresholdRegistry

    return Thresholds.from_set(ThresholdRegistry.load().get("behavior_bot"))


@dataclass
class PointerScore:
    bot_score: float | None
    anomaly_score: float | None
    windows: int
    features: PointerFeatures | None  # of the first scored window (evidence)
    noapproach_clicks: int = 0
    clicks: int = 0
    max_window_bot: float | None = None  # the most bot-like window's score


def _windows(p: Pointer) -> list[Pointer]:
    """The stream in windows of WINDOW_MS, each starting at the first event after the previous one
    (time without events makes no window, so a day-long gap costs nothing); past MAX_WINDOWS the
    windows with the most samples, in time order."""
    if p.span_ms() <= LONG_MS:
        return [p]
    times = np.sort(np.concatenate([p.t, p.down_t, p.up_t]))
    starts: list[float] = []
    i = 0
    while i < times.size:
        starts.append(float(times[i]))
        i = int(np.searchsorted(times, times[i] + WINDOW_MS, side="left"))
    if len(starts) > MAX_WINDOWS:
        counts = [int(np.searchsorted(times, a + WINDOW_MS) - np.searchsorted(times, a)) for a in starts]
        keep = sorted(np.argsort(counts, kind="stable")[::-1][:MAX_WINDOWS])
        starts = [starts[k] for k in keep]
    return [p.window(a, a + WINDOW_MS) for a in starts]


def score_pointer(p: Pointer, m: BehaviorModels) -> PointerScore:
    """Model scores of a mouse/pen stream (None when there is too little movement to judge)."""
    feats = [f for f in (pointer_features(w) for w in _windows(p)) if f.scorable]
    clicks = sum(f.clicks for f in feats)
    noapproach = sum(f.noapproach_clicks for f in feats)
    if not feats:
        return PointerScore(None, None, 0, None)
    feats_x = np.vstack([f.vector for f in feats])
    per_window = m.bot(feats_x)
    bot = float(np.median(per_window))
    anomaly = float(np.median(m.anomaly.score(feats_x)))
    return PointerScore(bot, anomaly, len(feats), feats[0], noapproach, clicks, float(per_window.max()))


def key_stats(k: Keys) -> dict[str, float | int | None]:
    """Dwell and flight timing of key strokes (no key values exist to report)."""
    d = k.dwell[np.isfinite(k.dwell)]
    out: dict[str, float | int | None] = {"keys": k.n, "dwell_median_ms": None, "flight_median_ms": None,
                                          "synthetic_dwell_share": None}
    if d.size:
        out["dwell_median_ms"] = round(float(np.median(d)), 1)
        out["synthetic_dwell_share"] = round(float(np.mean(d < SYNTHETIC_DWELL_MS)), 3)
    if k.n >= 2:
        flight = np.diff(k.t) - np.nan_to_num(k.dwell[:-1])
        out["flight_median_ms"] = round(float(np.median(flight)), 1)
    return out


@dataclass
class Assessment:
    """Everything the check, the endpoint and the CLI report about one session's behaviour."""

    bot_score: float | None
    anomaly_score: float | None
    decision: str  # human | bot | review
    reason_codes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def scorable(self) -> bool:
        return self.bot_score is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bot_score": None if self.bot_score is None else round(self.bot_score, 6),
            "anomaly_score": None if self.anomaly_score is None else round(self.anomaly_score, 6),
            "decision": self.decision,
            "reason_codes": self.reason_codes,
            "signatures": self.signatures,
            **self.evidence,
        }


def signatures(inter: Interaction, ps: PointerScore) -> list[str]:
    """Deterministic automation signatures present in the events."""
    found = []
    if inter.untrusted >= MIN_UNTRUSTED:
        found.append("synthetic_events")
    d = inter.keys.dwell[np.isfinite(inter.keys.dwell)]
    if d.size >= MIN_KEYS and (float(np.mean(d < SYNTHETIC_DWELL_MS)) >= 0.9 or _constant_timing(inter.keys)):
        found.append("synthetic_keystrokes")
    if teleport_signature(ps.noapproach_clicks, ps.clicks):
        found.append("pointer_teleport")
    return found


def _constant_timing(k: Keys) -> bool:
    """Dwell and flight the same to the millisecond key after key (a script's timer; human dwell
    spreads over tens of milliseconds)."""
    d = k.dwell[np.isfinite(k.dwell)]
    if d.size < MIN_KEYS or k.n < MIN_KEYS:
        return False
    flight = np.diff(k.t) - np.nan_to_num(k.dwell[:-1])
    iqr = lambda v: float(np.subtract(*np.percentile(v, [75, 25])))  # noqa: E731
    return iqr(d) < CONSTANT_TIMING_MS and iqr(flight) < CONSTANT_TIMING_MS


def teleport_signature(noapproach_clicks: int, sum_clicks: int) -> bool:
    """Most clicks (and at least three) landed somewhere new with no pointer movement before them."""
    return noapproach_clicks >= MIN_NOAPPROACH_CLICKS and noapproach_clicks >= 0.5 * max(sum_clicks, 1)


def assess(inter: Interaction, t: Thresholds, m: BehaviorModels | None = None) -> Assessment:
    """Bot and anomaly scores, the decision at the shipped thresholds, and reason codes."""
    m = m or models()
    ps = score_pointer(inter.mouse, m)
    sig = signatures(inter, ps)
    bot = ps.bot_score
    if sig:
        bot = 1.0
    codes: list[str] = []
    if "synthetic_events" in sig or "synthetic_keystrokes" in sig:
        codes.append("AUTOMATION_DETECTED")
    if bot is None:
        decision = BOT if codes else REVIEW
    elif sig or bot > t.bot:
        decision = BOT
    elif bot > t.review:
        decision = REVIEW
    else:
        decision = HUMAN
    if decision == HUMAN and ps.max_window_bot is not None and ps.max_window_bot > t.bot:
        decision = REVIEW  # a bot-like minute between human ones: the median alone would hide it
    if decision != HUMAN and bot is not None and "BOT_SUSPECTED" not in codes and not codes:
        codes.append("BOT_SUSPECTED")
    if ps.anomaly_score is not None and ps.anomaly_score > t.anomaly:
        codes.append("BEHAVIOR_ANOMALY")
        if decision == HUMAN:
            decision = REVIEW
    mixed = inter.touch.n >= MIN_MIXED_SAMPLES and inter.mouse.n >= MIN_MIXED_SAMPLES
    if mixed:  # the touch stream is not scored: moves relabelled as touch must not ride on a human mouse
        codes.append("DEVICE_INCONSISTENT")
        if decision == HUMAN:
            decision = REVIEW
    evidence: dict[str, Any] = {
        "windows": ps.windows, "thresholds": t.ref,
        "pointer": {"samples": inter.mouse.n, "clicks": int(inter.mouse.down_t.size),
                    "strokes": ps.features.strokes if ps.features else 0,
                    "touch_samples": inter.touch.n},
        "keys": key_stats(inter.keys),
        "context": {"pastes": inter.pastes, "pasted_chars": inter.pasted_chars, "untrusted_events": inter.untrusted,
                    "hidden": inter.hidden_changes, "steps": [name for _, name in inter.steps][:32]},
    }
    if ps.bot_score is not None:
        evidence["model_bot_score"] = round(ps.bot_score, 6)
    if ps.max_window_bot is not None and ps.windows > 1:
        evidence["max_window_bot_score"] = round(ps.max_window_bot, 6)
    if mixed:
        evidence["mixed_pointer_types"] = True
    if ps.features is not None and ps.anomaly_score is not None and ps.anomaly_score > t.anomaly:
        evidence["most_unusual"] = m.anomaly.top_features(ps.features.vector)
    if bot is None:
        evidence["insufficient_data"] = "fewer than 2 measurable strokes and 3 pointer movements"
    return Assessment(bot, ps.anomaly_score, decision, codes, sig, evidence)


def with_device(out: dict[str, Any], automation: bool, inconsistent: bool) -> dict[str, Any]:
    """An assessment's dict with the device findings folded in, decision included: an automated
    browser is a bot whatever its movement, inconsistent attributes at least review (the endpoint
    and the command answer as the pipeline decides)."""
    extra = (["AUTOMATION_DETECTED"] if automation else []) + (["DEVICE_INCONSISTENT"] if inconsistent else [])
    merged = {**out, "reason_codes": sorted(set(out.get("reason_codes", [])) | set(extra))}
    if automation:
        merged["decision"] = BOT
    elif inconsistent and merged.get("decision") == HUMAN:
        merged["decision"] = REVIEW
    return merged
