"""Tune the face-quality thresholds on real faces and measure them on held-out identities.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m openidv.face.training.quality \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1 \
        --report var/reports/face_quality.json

Method (identity-disjoint throughout):

* tune half (identity half 0): every face the pipeline found is measured; each one-sided
  threshold is the ``--clean-quantile`` quantile of the clean distribution on its bad side, so each
  component alone rejects about that share of real LFW faces.
* held-out half (identity half 1): the pass rate on clean faces (all, and those the matcher gets
  right when a match threshold exists), and for each synthetic degradation
  (:mod:`openidv.face.degrade`) the share rejected with the expected reason code.

Writes ``src/openidv/policy/data/thresholds/face_quality.yaml`` with the method in ``source``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from openidv.face import occlusion
from openidv.face.analysis import assess_image
from openidv.face.degrade import CONTROLS, EXPECTED, KINDS, degrade
from openidv.face.detection import FaceDetection, detect_faces
from openidv.face.embedding import default_embedder
from openidv.face.extract import choose_face
from openidv.face.quality import QualityMeasures, assess, measure_quality
from openidv.face.training.lfw_data import LfwCorpus, subject_of
from openidv.face.training.occlusion import training_indices
from openidv.policy.thresholds import ThresholdSet

THRESHOLD_FILE = Path(__file__).resolve().parents[2] / "policy/data/thresholds/face_quality.yaml"
VERSION_PREFIX = "1"

# threshold key -> (measure field, True if higher values are worse, transform)
LIMITS: dict[str, tuple[str, bool, Callable[[float], float]]] = {
    "max_other_face_ratio": ("other_face_ratio", True, float),
    "min_inter_eye_px": ("inter_eye_px", False, float),
    "min_sharpness": ("sharpness", False, float),
    "min_face_luma": ("mean_luma", False, float),
    "max_face_luma": ("mean_luma", True, float),
    "max_dark_clip": ("dark_clip", True, float),
    "max_bright_clip": ("bright_clip", True, float),
    "max_abs_yaw": ("yaw", True, abs),
    "min_pitch": ("pitch", False, float),
    "max_pitch": ("pitch", True, float),
    "max_abs_roll_deg": ("roll_deg", True, abs),
    "max_occlusion": ("occlusion", True, float),
    "max_blockiness": ("blockiness", True, float),
    "min_face_width_px": ("face_width_px", False, float),
}


def live_codes(rgb: np.ndarray, t: ThresholdSet) -> tuple[str, ...]:
    """The live pipeline's verdict on one image (openidv.face.analysis.assess_image)."""
    return assess_image("eval", "selfie", rgb, t, default_embedder()).reason_codes


def clean_measures(data: LfwCorpus, idx: np.ndarray, model: occlusion.OcclusionModel) -> list[QualityMeasures]:
    out = []
    t0 = time.monotonic()
    for n, (k, rgb, det) in enumerate(data.iter_faces(idx), 1):
        if n % 250 == 0:
            print(f"clean {n}/{len(idx)} {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
        dets: list[FaceDetection] = [det]
        if data.corpus.n_faces[k] > 1:
            dets = detect_faces(rgb)
            det = choose_face(dets, rgb.shape, "largest")
        out.append(measure_quality(rgb, det, dets, model))
    return out


MULTI_FACE_GRID = (0.25, 0.35, 0.5, 0.7, 1.0)
MULTI_FACE_BUDGET = 0.01


def multi_face_limit(measures: list[QualityMeasures]) -> float:
    """The strictest ratio on the grid that rejects at most 1% of the clean faces.

    Not a tail quantile: LFW photos are cropped from press pictures where a second person is
    common (5% of images), whereas in a selfie a second complete face is itself the problem.
    """
    ratios = np.array([m.other_face_ratio for m in measures])
    for limit in MULTI_FACE_GRID:
        if float((ratios > limit).mean()) <= MULTI_FACE_BUDGET:
            return limit
    return MULTI_FACE_GRID[-1]


def tune(measures: list[QualityMeasures], unseen: np.ndarray, quantile: float) -> dict[str, float]:
    """Quantile limits; the occlusion limit only from faces the occlusion model was not trained on."""
    values: dict[str, float] = {"max_other_face_ratio": multi_face_limit(measures)}
    for key, (field, higher_worse, fn) in LIMITS.items():
        if key in values:
            continue
        rows = [m for m, u in zip(measures, unseen, strict=True) if u or field != "occlusion"]
        col = np.array([fn(getattr(m, field)) for m in rows], dtype=np.float64)
        q = 1.0 - quantile if higher_worse else quantile
        values[key] = round(float(np.quantile(col, q)), 4)
    return values


PARTIAL_BUDGET = 0.02


def partial_margin_limit(data: LfwCorpus, idx: np.ndarray, seed: int) -> tuple[float, dict[str, Any]]:
    """``min_partial_margin``: the lowest half-face detector margin (>= -1, the search's floor) at which at
    most :data:`PARTIAL_BUDGET` of faceless photos (the face fully covered, no full face left to
    detect) would still yield a visible half, i.e. be told FACE_OCCLUDED instead of FACE_NOT_FOUND.
    """
    from openidv.face.degrade import covered
    from openidv.face.extract import auto_upsample
    from openidv.face.partial import find_partial_faces

    rng = np.random.default_rng(seed)
    best: list[float] = []
    for _k, rgb, det in data.iter_faces(idx):
        img = covered(rgb, det, rng)
        if detect_faces(img, auto_upsample(img.shape)):
            continue  # a bystander's face: the no-face diagnosis would not run
        found = find_partial_faces(img, min_margin=-1.0)
        best.append(max((p.margin for p in found), default=-1.0))
    margins = np.array(best, dtype=np.float64)
    limit = max(-1.0, float(np.quantile(margins, 1.0 - PARTIAL_BUDGET))) if len(margins) else 0.0
    stats = {"faceless_photos": len(margins), "budget": PARTIAL_BUDGET, "above_zero": float((margins >= 0).mean())}
    return round(limit, 4), stats


HIDDEN_GRID = (1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0)
HIDDEN_BUDGET = 0.01
HIDDEN_KINDS = ("clean", "blur", "dark", "overexposed", "tiny", "two_faces")  # every kind but "occluded"


def other_kind_images(data: LfwCorpus, idx: np.ndarray, seed: int) -> Iterator[tuple[str, np.ndarray]]:
    """Each tuning photo as it is and under every degradation but occlusion (:data:`HIDDEN_KINDS`).

    The thresholds that let the occlusion evidence overrule a face's own outcome are tuned on these:
    the same draws for every such threshold (one seeded stream, photos and kinds in order).
    """
    rng = np.random.default_rng(seed)
    others = rng.permutation(idx)
    for (_k, rgb, det), o in zip(data.iter_faces(idx), others, strict=True):
        for kind in HIDDEN_KINDS:
            other = data.image(int(o)) if kind == "two_faces" else None
            yield kind, rgb if kind == "clean" else degrade(kind, rgb, det, rng, other)


def hidden_ratio_limit(
    data: LfwCorpus, idx: np.ndarray, values: dict[str, float], seed: int
) -> tuple[float, dict[str, Any]]:
    """``min_hidden_face_ratio``: the smallest ratio on :data:`HIDDEN_GRID` at which at most
    :data:`HIDDEN_BUDGET` of the faces :func:`openidv.face.diagnose.hidden_subject` would examine
    (clean photos and every degradation but occlusion, on tuning photos) would be re-labelled
    FACE_OCCLUDED, i.e. lose their own right reason or their pass.
    """
    from openidv.face.analysis import hidden_subject_suspected
    from openidv.face.partial import find_partial_faces

    ts = ThresholdSet("face_quality", "tuning", values)  # no min_hidden_face_ratio yet: the live test is off
    embedder = default_embedder()
    ratios: list[float] = []
    for _kind, img in other_kind_images(data, idx, seed):
        a = assess_image("tuning", "selfie", img, ts, embedder)
        if a.sample is None or a.assessment is None:
            continue
        face = a.sample.detection  # the live detection; the corpus one drove the degradations
        if not hidden_subject_suspected(face, img.shape, a.assessment):
            continue
        halves = find_partial_faces(img, values["min_partial_margin"])
        ratios.append(max((h.face_width / max(face.width, 1) for h in halves), default=0.0))
    r = np.array(ratios, dtype=np.float64)
    limit = next((g for g in HIDDEN_GRID if len(r) and float((r >= g).mean()) <= HIDDEN_BUDGET), HIDDEN_GRID[-1])
    stats = {"examined_faces": len(r), "budget": HIDDEN_BUDGET, "relabelled_at_limit": int((r >= limit).sum())}
    return limit, stats


PROB_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999)


def _network_cost(a: Any, expected: str) -> float:
    """The probability of the hidden-half window that cost an analysis its right outcome, else 0.

    ``expected`` is the reason code the photo should get ("" for a clean photo, which should pass).
    """
    for part in (a.no_face, a.hidden):
        if part is not None:
            half = part[1].get("visible_half") or {}
            lost = expected not in a.reason_codes if expected else bool(a.reason_codes)
            if half.get("detector") == "cnn" and lost:
                return float(half["margin"])
    return 0.0


def hidden_prob_limit(
    data: LfwCorpus, idx: np.ndarray, faceless_idx: np.ndarray, values: dict[str, float], seed: int
) -> tuple[float, dict[str, Any]]:
    """``min_hidden_face_prob``: the lowest probability on :data:`PROB_GRID` at which the hidden-half
    network (:mod:`openidv.face.hidden_net`) costs at most :data:`HIDDEN_BUDGET` of the tuning photos
    of every kind but occlusion their right outcome (a pass, or their own reason code), and at most
    :data:`PARTIAL_BUDGET` of faceless (fully covered) photos their FACE_NOT_FOUND.

    Each photo is assessed once by the live pipeline with the network at the grid's floor; the
    network decides an outcome at threshold ``p`` exactly when the window it relied on there has a
    probability of at least ``p`` (the best window that qualifies is the one used).
    """
    from openidv.face.degrade import covered

    floor = dict(values, min_hidden_face_prob=PROB_GRID[0])
    ts = ThresholdSet("face_quality", "tuning", floor)
    embedder = default_embedder()
    used: list[float] = []
    for kind, img in other_kind_images(data, idx, seed):
        a = assess_image("tuning", "selfie", img, ts, embedder)
        used.append(_network_cost(a, "" if kind == "clean" else EXPECTED[kind]))
    faceless: list[float] = []
    crng = np.random.default_rng(seed + 1)
    for _k, rgb, det in data.iter_faces(faceless_idx):
        a = assess_image("tuning", "selfie", covered(rgb, det, crng), ts, embedder)
        faceless.append(_network_cost(a, EXPECTED["covered"]))
    u, f = np.array(used), np.array(faceless)

    def ok(g: float) -> bool:
        return float((u >= g).mean()) <= HIDDEN_BUDGET and float((f >= g).mean()) <= PARTIAL_BUDGET

    limit = next((g for g in PROB_GRID if ok(g)), 1.0)
    stats = {
        "tuning_images": len(u),
        "faceless_images": len(f),
        "lost_right_outcome_at_limit": int((u >= limit).sum()),
        "faceless_with_half_at_limit": int((f >= limit).sum()),
    }
    return limit, stats


def degraded_results(
    data: LfwCorpus, idx: np.ndarray, model: occlusion.OcclusionModel, t: ThresholdSet, seed: int
) -> dict[str, dict[str, Any]]:
    """Per degradation kind: how many were rejected with the expected reason, and what was said."""
    rng = np.random.default_rng(seed)
    control_rng = np.random.default_rng(seed + 1)
    others = rng.permutation(idx)
    results: dict[str, dict[str, Any]] = {k: {"n": 0, "right_reason": 0, "codes": {}} for k in KINDS + CONTROLS}
    t0 = time.monotonic()
    for n, ((k, rgb, det), o) in enumerate(zip(data.iter_faces(idx), others, strict=True), 1):
        if n % 25 == 0:
            print(f"degraded {n}/{len(idx)} {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
        if subject_of(data.corpus.paths[int(o)]) == subject_of(data.corpus.paths[k]):
            o = others[(int(np.searchsorted(others, o)) + 1) % len(others)]
        for kind in KINDS + CONTROLS:
            stream = rng if kind in KINDS else control_rng  # controls do not shift the kinds' draws
            img = degrade(kind, rgb, det, stream, data.image(int(o)) if kind == "two_faces" else None)
            codes = live_codes(img, t)
            r = results[kind]
            r["n"] += 1
            r["right_reason"] += int(EXPECTED[kind] in codes)
            key = ",".join(codes) or "pass"
            r["codes"][key] = r["codes"].get(key, 0) + 1
    for r in results.values():
        r["rate"] = r["right_reason"] / max(r["n"], 1)
    return results


MATCHED_CORRECTLY = (
    "held-out photos of people with at least two photos whose cached flip-averaged embedding, at the shipped "
    "face_match.match threshold (calibrated score), matches at least one other photo of the same person and "
    "no photo of anyone else in the held-out half"
)


def matched_correctly(data: LfwCorpus, idx: np.ndarray) -> set[str]:
    """Photos the 1:1 matcher gets right at the shipped threshold (see :data:`MATCHED_CORRECTLY`)."""
    from openidv.face.matching import shipped_calibration
    from openidv.policy.thresholds import ThresholdRegistry

    cal, t = shipped_calibration(), ThresholdRegistry.load().get("face_match")["match"]
    emb = data.corpus.embeddings(default_embedder().tta)[idx].astype(np.float64)
    names = np.array([subject_of(data.corpus.paths[int(k)]) for k in idx])
    sq = (emb * emb).sum(axis=1)
    sims = 1.0 - np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * emb @ emb.T, 0.0))
    lo, hi = -1.0, 1.0  # the similarity at which the calibrated score reaches the threshold
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if cal.score(mid) >= t else (mid, hi)
    accept = sims >= hi
    np.fill_diagonal(accept, False)
    same = names[:, None] == names[None, :]
    ok = (accept & same).any(axis=1) & ~(accept & ~same).any(axis=1)
    return {data.corpus.paths[int(k)] for k, good in zip(idx, ok, strict=True) if good}


def hidden_relabels(data: LfwCorpus, idx: np.ndarray, measures: list[QualityMeasures], t: ThresholdSet) -> set[int]:
    """Positions of the clean faces the live pipeline re-labels FACE_OCCLUDED (diagnose.hidden_subject)."""
    from openidv.face.analysis import hidden_subject_suspected
    from openidv.face.diagnose import hidden_subject

    out: set[int] = set()
    for pos, ((k, rgb, det), m) in enumerate(zip(data.iter_faces(idx), measures, strict=True)):
        if data.corpus.n_faces[k] > 1:
            det = choose_face(detect_faces(rgb), rgb.shape, "largest")
        if hidden_subject_suspected(det, rgb.shape, assess(m, t)) and hidden_subject(rgb, det, t) is not None:
            out.add(pos)
    return out


def pass_rate(
    measures: list[QualityMeasures], t: ThresholdSet, relabelled: set[int] | frozenset[int] = frozenset()
) -> dict[str, Any]:
    """Pass rate and rejection codes; ``relabelled`` positions are told FACE_OCCLUDED instead."""
    codes: dict[str, int] = {}
    passed = 0
    for pos, m in enumerate(measures):
        a = assess(m, t)
        found = ("FACE_OCCLUDED",) if pos in relabelled else a.reason_codes
        passed += int(not found)
        for c in found:
            codes[c] = codes.get(c, 0) + 1
    return {"n": len(measures), "passed": passed, "rate": passed / max(len(measures), 1), "rejections": codes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--clean-quantile", type=float, default=0.001)
    ap.add_argument("--degraded-per-half", type=int, default=300)
    ap.add_argument("--faceless", type=int, default=300, help="covered-face photos that tune min_partial_margin")
    ap.add_argument("--hidden-tune", type=int, default=100, help="tuning photos (x6 kinds) for min_hidden_face_ratio")
    ap.add_argument("--correct", type=Path, default=None, help="JSON list of images the matcher gets right")
    ap.add_argument("--write", action="store_true", help="write the threshold file")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--shipped",
        action="store_true",
        help="measure the shipped face_quality thresholds on the held-out half (no tuning, no --write)",
    )
    ap.add_argument(
        "--correct-at-shipped-match",
        action="store_true",
        help="restrict a pass rate to photos matched right at the shipped match threshold (matched_correctly)",
    )
    args = ap.parse_args()
    t0 = time.monotonic()
    data = LfwCorpus.load(args.root, args.cache, args.limit)
    model = occlusion.shipped_model()
    tune_idx, test_idx = data.indices(half=0), data.indices(half=1)
    if args.shipped:
        from openidv.policy.thresholds import ThresholdRegistry

        ts = ThresholdRegistry.load().get("face_quality")
        values = dict(ts.values)
    else:
        unseen = np.isin(tune_idx, training_indices(data), invert=True)
        values = tune(clean_measures(data, tune_idx, model), unseen, args.clean_quantile)
        rng0 = np.random.default_rng(args.seed)
        faceless_idx = np.sort(rng0.choice(tune_idx, size=min(args.faceless, len(tune_idx)), replace=False))
        values["min_partial_margin"], partial_stats = partial_margin_limit(data, faceless_idx, args.seed)
        print(json.dumps({"min_partial_margin": values["min_partial_margin"], **partial_stats}), file=sys.stderr)
        hidden_idx = np.sort(rng0.choice(tune_idx, size=min(args.hidden_tune, len(tune_idx)), replace=False))
        values["min_hidden_face_ratio"], hidden_stats = hidden_ratio_limit(data, hidden_idx, values, args.seed)
        print(json.dumps({"min_hidden_face_ratio": values["min_hidden_face_ratio"], **hidden_stats}), file=sys.stderr)
        prob_idx = faceless_idx[: args.hidden_tune]
        values["min_hidden_face_prob"], prob_stats = hidden_prob_limit(data, hidden_idx, prob_idx, values, args.seed)
        print(json.dumps({"min_hidden_face_prob": values["min_hidden_face_prob"], **prob_stats}), file=sys.stderr)
        ts = ThresholdSet("face_quality", _version(), values, _source(args, len(tune_idx)))
    test_clean = clean_measures(data, test_idx, model)
    report: dict[str, Any] = {"thresholds": values, "threshold_set": f"{ts.name}@{ts.version}"}
    relabelled = hidden_relabels(data, test_idx, test_clean, ts)
    report["clean_all"] = pass_rate(test_clean, ts, relabelled)
    report["clean_hidden_subject_relabelled"] = len(relabelled)
    report["clean_codes_heldout"] = {
        data.corpus.paths[int(k)]: ["FACE_OCCLUDED"] if pos in relabelled else list(assess(m, ts).reason_codes)
        for pos, (k, m) in enumerate(zip(test_idx, test_clean, strict=True))
    }
    correct_set: set[str] | None = None
    if args.correct is not None:
        correct_set = set(json.loads(args.correct.read_text()))
    elif args.correct_at_shipped_match:
        correct_set = matched_correctly(data, test_idx)
        report["matched_correctly_definition"] = MATCHED_CORRECTLY
    if correct_set is not None:
        correct = correct_set
        kept = [pos for pos, k in enumerate(test_idx) if data.corpus.paths[int(k)] in correct]
        keep = [test_clean[pos] for pos in kept]
        report["clean_matched_correctly"] = pass_rate(keep, ts, {i for i, pos in enumerate(kept) if pos in relabelled})
    rng = np.random.default_rng(args.seed)
    deg_idx = np.sort(rng.choice(test_idx, size=min(args.degraded_per_half, len(test_idx)), replace=False))
    report["degraded"] = degraded_results(data, deg_idx, model, ts, args.seed)
    report["seconds"] = round(time.monotonic() - t0, 1)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2))
    if args.write and not args.shipped:
        ts.write(THRESHOLD_FILE)
    print(json.dumps({k: v for k, v in report.items() if k not in ("degraded", "clean_codes_heldout")}, indent=2))
    summary = {k: {"rate": v["rate"], "codes": v["codes"]} for k, v in report["degraded"].items()}
    print(json.dumps(summary, indent=2))


def _version() -> str:
    return f"{VERSION_PREFIX}.{datetime.now(UTC).strftime('%Y%m%d%H%M')}"


def _source(args: argparse.Namespace, n_tune: int) -> dict[str, Any]:
    return {
        "tool": "python -m openidv.face.training.quality",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": f"{args.root.name}: LFW-layout real faces, identity half 0 ({n_tune} faces)",
        "method": (
            f"each limit = the {args.clean_quantile} quantile of clean faces on its bad side "
            "(occlusion: only faces of identities the occlusion model was not trained on); "
            f"max_other_face_ratio: strictest of {MULTI_FACE_GRID} rejecting <= {MULTI_FACE_BUDGET} of clean faces; "
            f"min_partial_margin: lowest half-face detector margin >= -1 with <= {PARTIAL_BUDGET} of "
            f"{args.faceless} faceless (fully covered) photos yielding a visible half; "
            f"min_hidden_face_ratio: smallest of {HIDDEN_GRID} re-labelling <= {HIDDEN_BUDGET} of the faces the "
            f"hidden-subject test examines ({args.hidden_tune} photos: clean and every degradation but occlusion); "
            f"min_hidden_face_prob: lowest of {PROB_GRID} at which the hidden-half network costs <= {HIDDEN_BUDGET} "
            f"of those photos their right outcome and <= {PARTIAL_BUDGET} of {args.hidden_tune} faceless photos "
            "their FACE_NOT_FOUND"
        ),
        "measures": [f.name for f in fields(QualityMeasures)],
        "occlusion_model": "face_occlusion (openidv/face/models/MODELS.json)",
        "partial_face_models": "face_half_upper, face_half_lower, face_half_side (openidv/face/models/MODELS.json)",
        "hidden_half_model": "face_hidden_net (openidv/face/models/MODELS.json)",
        "held_out_report": str(args.report),
    }


if __name__ == "__main__":
    main()
