"""Verifying a challenge response: frame metadata and timing, the colour nonce, the head action.

The verifier only trusts what it can measure in the pixels; the client's metadata is checked
for consistency (ids, contiguous indices, monotonic timestamps at a plausible frame rate) but a
consistent lie still has to produce the right colours on the face in the right order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.liveness.challenge import N_COLOURS, Challenge
from openidv.liveness.colour import FlashReading, chroma_shift, measure_flash, region_means, unclipped
from openidv.liveness.pose import ActionMeasure, TimedPose, judge_action, measure_action, pose_from_landmarks
from openidv.liveness.stabilise import Refiner, default_refiner, stable_landmarks

FaceBox = tuple[float, float, float, float]
Landmarks = tuple[FaceBox, NDArray[np.float32]]
Landmarker = Callable[[NDArray[np.uint8]], "list[Landmarks]"]  # every face in the frame


@dataclass(frozen=True)
class Frame:
    """One frame of a response: pixels plus the client's claims about it."""

    rgb: NDArray[np.uint8]
    frame_index: int
    timestamp_ms: float
    challenge_id: str | None


@dataclass(frozen=True)
class ActiveParams:
    """Operating points (from the ``liveness_active`` threshold set) and protocol limits."""

    min_flash_magnitude: float
    min_flash_cosine: float
    max_flash_misses: int
    min_turn: float
    min_nod: float
    min_fps: float = 6.0
    max_fps: float = 61.0
    max_gap_ms: float = 450.0
    max_missing_faces: float = 0.25
    detect_stride: int = 3  # landmarks on every n-th colour-phase frame (boxes barely move)
    action_stride: int = 1  # and on every n-th action-phase frame (all: the movement is averaged over time)

    @classmethod
    def from_thresholds(cls, t: Any) -> ActiveParams:
        """The operating points of a ``liveness_active`` threshold set (anything indexable by name)."""
        return cls(
            float(t["min_flash_magnitude"]),
            float(t["min_flash_cosine"]),
            int(t["max_flash_misses"]),
            float(t["min_turn"]),
            float(t["min_nod"]),
        )


@dataclass
class ActiveVerdict:
    ok: bool
    failures: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0
    # the tracked subject's face box per frame, in frame_index order (None where not found or not
    # tried): the face that was measured, for checks that must compare that same face
    subject_boxes: tuple[tuple[float, ...] | None, ...] = ()


def default_landmarker(rgb: NDArray[np.uint8]) -> list[Landmarks]:
    from openidv.face.detection import detect_faces, detect_faces_with

    dets = detect_faces_with(rgb, "hog", 0) or detect_faces(rgb, upsample=1)
    return [(tuple(float(v) for v in d.box), d.landmarks5) for d in dets]  # type: ignore[misc]


def _size(box: Sequence[float]) -> float:
    return float(max(box[2] - box[0], box[3] - box[1], 1.0))


def track(
    faces: Sequence[Landmarks], last: FaceBox | None, frame_centre: tuple[float, float] | None = None
) -> Landmarks | None:
    """The subject among the faces of one frame, then the same person in later frames.

    First: the face nearest the frame's centre among those at least half as large as the largest
    (the capture screen's guide centres the user; a larger bystander may stand off-centre). Then:
    the face nearest the subject's last box, within half its size and of a similar size, so that
    someone behind the user (or a false detection) never takes over the pose or the colour
    readings halfway through.
    """
    if not faces:
        return None
    if last is None:
        if frame_centre is None:
            raise ValueError("the first frame needs its centre to choose the subject")
        big = max(_size(f[0]) for f in faces)
        mid = frame_centre
        cands = [f for f in faces if _size(f[0]) >= 0.5 * big]
        last = min(cands, key=lambda f: np.hypot((f[0][0] + f[0][2]) / 2 - mid[0], (f[0][1] + f[0][3]) / 2 - mid[1]))[0]
    cx, cy = (last[0] + last[2]) / 2, (last[1] + last[3]) / 2

    def dist(f: Landmarks) -> float:
        b = f[0]
        return float(np.hypot((b[0] + b[2]) / 2 - cx, (b[1] + b[3]) / 2 - cy))

    near = [f for f in faces if dist(f) <= 0.5 * _size(last) and 0.6 <= _size(f[0]) / _size(last) <= 1.6]
    return min(near, key=dist) if near else None


def check_timing(frames: Sequence[Frame], ch: Challenge, p: ActiveParams) -> list[str]:
    """Metadata consistency: ids, contiguous indices, monotonic plausible timing, full coverage."""
    problems: list[str] = []
    if any(f.challenge_id != ch.id for f in frames):
        problems.append("challenge_id_mismatch")
    if [f.frame_index for f in frames] != list(range(len(frames))):
        problems.append("frame_indices_not_contiguous")
    t = np.array([f.timestamp_ms for f in frames], np.float64)
    dt = np.diff(t)
    if len(dt) == 0 or (dt <= 0).any():
        return [*problems, "timestamps_not_increasing"]
    med = float(np.median(dt))
    if not (1000.0 / p.max_fps <= med <= 1000.0 / p.min_fps):
        problems.append("implausible_frame_rate")
    if float(dt.max()) > p.max_gap_ms:
        problems.append("frame_gap")
    if t[0] > 0.5 * ch.baseline_ms or t[-1] < ch.action_start_ms + 0.6 * ch.action_ms:
        problems.append("sequence_does_not_cover_challenge")
    return problems


def _observe(
    frames: Sequence[Frame], ch: Challenge, p: ActiveParams, landmarker: Landmarker
) -> tuple[list[Any], int, int]:
    """Landmarks for every action frame and every `detect_stride`-th other frame.

    A skipped frame reuses the box of the last frame tried only if that try found the subject: after
    a failed try nothing is measured until the subject is found again, so a colour phase without a
    face gives no colour readings (it fails) rather than readings of whatever sits in an old box.
    Returns the per-frame observations, the tries that found no subject, and the tries.
    """
    found: list[Any] = [None] * len(frames)
    missing = tried = 0
    subject: FaceBox | None = None
    last: Any = None
    for i, f in enumerate(frames):
        stride = p.detect_stride if f.timestamp_ms < ch.action_start_ms else p.action_stride
        if i % stride:
            found[i] = (last[0], None) if last is not None else None
            continue
        tried += 1
        found[i] = last = track(landmarker(f.rgb), subject, (f.rgb.shape[1] / 2, f.rgb.shape[0] / 2))
        missing += found[i] is None
        subject = found[i][0] if found[i] is not None else subject
    return found, missing, tried


def colour_box(frames: Sequence[Frame], obs: Sequence[Any], ch: Challenge) -> tuple[float, ...] | None:
    """One face box for the whole colour phase: the median of its detections.

    The face barely moves before the head action, but detected boxes jitter by a few pixels, and
    a region that moves over a face changes its mean colour (more cheek, less forehead) by as much
    as a weak flash does: per-frame boxes misread about one genuine session in twenty-five.
    """
    boxes = [
        o[0]
        for f, o in zip(frames, obs, strict=True)
        if o is not None and o[1] is not None and f.timestamp_ms < ch.action_start_ms
    ]
    return tuple(float(v) for v in np.median(np.asarray(boxes, np.float64), axis=0)) if boxes else None


def read_colours(frames: Sequence[Frame], obs: Sequence[Any], ch: Challenge) -> list[FlashReading]:
    """One threshold-free reading per flash window, against the baseline frames."""
    box = colour_box(frames, obs, ch)
    if box is None:
        return [FlashReading(c, None, 0.0, 0.0, 0) for c in ch.colours]
    keep = unclipped([f.rgb for f in frames if 0.25 * ch.baseline_ms <= f.timestamp_ms < ch.baseline_ms], box)
    means = [region_means(f.rgb, box, keep) if o is not None else None for f, o in zip(frames, obs, strict=True)]
    base = [
        m
        for f, m in zip(frames, means, strict=True)
        if m is not None and 0.25 * ch.baseline_ms <= f.timestamp_ms < ch.baseline_ms
    ]
    if not base:
        return [FlashReading(c, None, 0.0, 0.0, 0) for c in ch.colours]
    face0 = np.mean([m[0] for m in base], axis=0)
    bg0 = np.mean([m[1] for m in base], axis=0)
    readings = []
    for colour, start, end in ch.schedule():
        lo, hi = start + 0.3 * ch.flash_ms, end + 0.05 * ch.flash_ms
        shifts = [
            chroma_shift(m[0], face0, m[1], bg0)
            for f, m in zip(frames, means, strict=True)
            if m is not None and lo <= f.timestamp_ms < hi
        ]
        readings.append(measure_flash(shifts, colour))
    return readings


def _poses(frames: Sequence[Frame], obs: Sequence[Any], lo: float, hi: float) -> list[TimedPose]:
    return [
        TimedPose(f.timestamp_ms, pose_from_landmarks(o[1]))
        for f, o in zip(frames, obs, strict=True)
        if o is not None and o[1] is not None and lo <= f.timestamp_ms < hi
    ]


@dataclass(frozen=True)
class Observation:
    """Everything measured on a response, before any operating point is applied."""

    n_frames: int
    timing_problems: list[str]
    faces_missing: int
    flashes: list[FlashReading]
    action: ActionMeasure
    faces_tried: int = 0  # frames the detector ran on (0 in observations cached before stop 17: all frames)
    subject_boxes: tuple[tuple[float, ...] | None, ...] = ()  # per frame, frame_index order (stop 34)


def observe_response(
    frames: Sequence[Frame],
    ch: Challenge,
    p: ActiveParams,
    landmarker: Landmarker = default_landmarker,
    refiner: Refiner = default_refiner,
) -> Observation:
    """Measure a frame sequence against the challenge it claims to answer (no thresholds).
    Head poses come from landmarks re-predicted on a stable box (:mod:`openidv.liveness.stabilise`)."""
    frames = sorted(frames, key=lambda f: f.frame_index)
    if not frames:
        empty = [FlashReading(c, None, 0.0, 0.0, 0) for c in ch.colours]
        return Observation(0, ["no_frames"], 0, empty, ActionMeasure(ch.action, 0.0, 0.0, 0, 0))
    timing = check_timing(frames, ch, p)
    if len(ch.colours) < N_COLOURS:  # the operating points assume this many flashes (guessing odds)
        timing.append("challenge_has_too_few_colours")
    obs, missing, tried = _observe(frames, ch, p, landmarker)
    obs = stable_landmarks([f.rgb for f in frames], obs, refiner)
    action = measure_action(
        ch.action,
        [tp.pose for tp in _poses(frames, obs, 0.0, ch.action_start_ms)],
        _poses(frames, obs, ch.action_start_ms, ch.duration_ms + 500),
    )
    boxes = tuple(tuple(float(v) for v in o[0]) if o is not None else None for o in obs)
    return Observation(len(frames), timing, missing, read_colours(frames, obs, ch), action, tried, boxes)


def judge(o: Observation, p: ActiveParams) -> ActiveVerdict:
    """Apply the operating points to an observation."""
    failures = list(o.timing_problems)
    tries = o.faces_tried or o.n_frames
    if tries and o.faces_missing > p.max_missing_faces * tries:
        failures.append("face_missing")
    misses = sum(not r.ok(p.min_flash_magnitude, p.min_flash_cosine) for r in o.flashes)
    if misses > p.max_flash_misses:
        failures.append("colour_sequence_mismatch")
    # A flash read clearly as another colour counts as one miss, like an unread one: refusing it outright
    # (a recording relabelled with one colour off would then fail) was measured at stop 32 and cost 2 of
    # 130 genuine responses on a fresh simulated set (97.7% -> 96.2%), under the 98% the challenge must
    # keep - genuine flashes are misread as a neighbouring colour too. See docs/liveness.md, Limits.
    action = judge_action(o.action, p.min_turn, p.min_nod)
    if not action.ok:
        failures.append("action_not_performed")
    evidence = {
        "frames": o.n_frames,
        "faces_missing": o.faces_missing,
        "faces_tried": o.faces_tried,
        "flashes": [
            {
                "expected": r.expected,
                "observed": r.observed(p.min_flash_magnitude, p.min_flash_cosine),
                "cosine": round(r.cosine, 3),
                "magnitude": round(r.magnitude, 4),
                "frames": r.n_frames,
            }
            for r in o.flashes
        ],
        "action": {
            "asked": o.action.asked,
            "measured": round(o.action.measured, 3),
            "problem": action.reason,
        },
    }
    colour_score = 1.0 - misses / max(len(o.flashes), 1)
    score = 0.0 if failures else colour_score
    return ActiveVerdict(not failures, failures, evidence, score, o.subject_boxes)


def verify_response(
    frames: Sequence[Frame],
    ch: Challenge,
    p: ActiveParams,
    landmarker: Landmarker = default_landmarker,
    refiner: Refiner = default_refiner,
) -> ActiveVerdict:
    """Judge a frame sequence against the challenge it claims to answer."""
    return judge(observe_response(frames, ch, p, landmarker, refiner), p)
