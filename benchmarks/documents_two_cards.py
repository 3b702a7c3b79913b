"""Two documents in one photo: a passport beside a smaller, tilted card - and one-document photos.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_two_cards.py --seed 2000 --n 200 \
        --genuine 'var/bench/mrz-captures/*.jpg' --genuine-every 2 --genuine-offset 1 \
        --json var/bench/two_cards.json

Scenes (`--n`, from `--seed`): a passport data page (a held-out TD3 template) photographed at 85%
of its half of the frame, beside a TD1 or TD2 card (held-out templates) at 35-80% and turned by
5-40 degrees either way, on a plain or wood desk; the two halves side by side, either order.
Detected: DOCUMENT_MULTIPLE from ``document_detect`` or ``document_mrz``. One-document scenes
(`--single`, from `--single-seed`): a TD1, TD2 or TD3 on a cluttered or printed background. Genuine photos
(`--genuine`, a glob; every `--genuine-every`-th file from `--genuine-offset`): one document each;
counted: any DOCUMENT_MULTIPLE from ``document_detect``. Both through the pipeline's document checks
with the shipped policy.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import document_pipeline, emit, latency, rate

BANDS = ((0.35, 0.5), (0.5, 0.65), (0.65, 0.8))


def scene(seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One photo of a passport and a smaller tilted card, and what was drawn."""
    from openidv.documents.synth.capture import CaptureParams, capture
    from openidv.documents.synth.document import make_document
    from openidv.documents.synth.templates import templates

    rng = np.random.default_rng(seed)
    passports, cards = templates("TD3", "test"), templates(str(rng.choice(["TD1", "TD2"])), "test")
    background = str(rng.choice(["plain", "wood"]))
    passport = make_document(passports[int(rng.integers(len(passports)))], seed=seed, scale=8.0)
    card = make_document(cards[int(rng.integers(len(cards)))], seed=seed + 1, scale=8.0)
    left = CaptureParams("desk", canvas=(900, 1000), fill=0.85, angle_deg=float(rng.normal(0, 2)), noise_sigma=2.0,
                         jpeg_quality=92, background=background)
    angle = float(rng.uniform(5, 40)) * (1 if rng.random() < 0.5 else -1)
    fill = float(rng.uniform(0.35, 0.8))
    right = CaptureParams("desk", canvas=(900, 1000), fill=fill, angle_deg=angle, noise_sigma=2.0, jpeg_quality=92,
                          background=background)
    a = capture((passport.mrz_side or passport.front).image, left, rng).image
    b = capture((card.mrz_side or card.front).image, right, rng).image
    img = np.hstack([a, b]) if rng.random() < 0.5 else np.hstack([b, a])
    return np.ascontiguousarray(img), {"seed": seed, "card_fill": round(fill, 3), "card_angle": round(angle, 1)}


def single(seed: int) -> np.ndarray:
    """One document (TD1, TD2 or TD3, held-out templates) on a cluttered or printed background:
    the backgrounds whose rectangles and lines of text could pass for a second card."""
    from openidv.documents.synth.capture import CaptureParams, capture
    from openidv.documents.synth.document import make_document
    from openidv.documents.synth.templates import templates

    rng = np.random.default_rng(seed)
    kind = ("TD1", "TD2", "TD3")[seed % 3]
    designs = templates(kind, "test")
    doc = make_document(designs[seed % len(designs)], seed=seed, scale=8.0)
    p = CaptureParams("desk", canvas=(1280, 960), fill=float(rng.uniform(0.45, 0.7)), angle_deg=float(rng.normal(0, 3)),
                      noise_sigma=2.0, jpeg_quality=90, background=("text", "clutter")[(seed // 3) % 2])
    return capture((doc.mrz_side or doc.front).image, p, rng).image


def _session(img: np.ndarray) -> Any:
    from openidv.domain import Capture, CaptureKind, Session

    return Session(captures=[Capture(kind=CaptureKind.DOCUMENT_FRONT, data=b"", image=img, content_type="image/jpeg")])


def main() -> None:
    import cv2

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2000)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--genuine", action="append", default=[], help="glob of one-document photos (repeatable)")
    ap.add_argument("--genuine-every", type=int, default=1)
    ap.add_argument("--genuine-offset", type=int, default=0)
    ap.add_argument("--single", type=int, default=0, help="one-document scenes on cluttered / printed backgrounds")
    ap.add_argument("--single-seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    pipeline = document_pipeline(1, {"document_detect", "document_mrz", "document_barcode", "document_validity"})
    rows, ms = [], []
    for seed in range(args.seed, args.seed + args.n):
        img, meta = scene(seed)
        t0 = time.perf_counter()
        res = pipeline.run(_session(img)).results
        ms.append((time.perf_counter() - t0) * 1000)
        codes = res["document_detect"].reason_codes + res["document_mrz"].reason_codes
        rows.append({**meta, "detected": "DOCUMENT_MULTIPLE" in codes,
                     "by": "outline" if "DOCUMENT_MULTIPLE" in res["document_detect"].reason_codes else "mrz"})
    files: list[str] = []
    for pattern in args.genuine:
        files += sorted(glob.glob(pattern))
    files = files[args.genuine_offset::max(args.genuine_every, 1)]
    flagged = []
    for f in files:
        bgr = cv2.imread(f)
        if bgr is None:
            continue
        res = pipeline.run(_session(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))).results
        if "DOCUMENT_MULTIPLE" in res["document_detect"].reason_codes:
            flagged.append(f)
    single_flagged = []
    for seed in range(args.single_seed, args.single_seed + args.single):
        res = pipeline.run(_session(single(seed))).results
        if "DOCUMENT_MULTIPLE" in res["document_detect"].reason_codes:
            single_flagged.append(seed)
    hits = [r for r in rows if r["detected"]]
    per_fill = {}
    for lo, hi in BANDS:
        band = [r for r in rows if lo <= r["card_fill"] < hi]
        per_fill[f"{lo:.2f}-{hi:.2f}"] = rate(sum(r["detected"] for r in band), len(band))
    report = {
        "scenes": {"seed": args.seed, **rate(len(hits), len(rows)),
                   "by_outline": sum(r["by"] == "outline" for r in hits), "per_card_fill": per_fill,
                   "missed": [r for r in rows if not r["detected"]]},
        "genuine": {"photos": len(files), "false_multiple": rate(len(flagged), len(files)), "flagged": flagged},
        "single_scenes": {"seed": args.single_seed, "false_multiple": rate(len(single_flagged), args.single),
                          "flagged_seeds": single_flagged},
        "scene_checks_latency": latency(ms),
    }
    emit(report, args.json)


if __name__ == "__main__":
    main()
