"""How well is the card found in a photo? Corner error of `find_card` against the generator's truth.

    OMP_NUM_THREADS=1 python benchmarks/card_outline.py --split test --n 300 --seed 90000000

Photos of generated ID-1 cards (TD1 identity cards and driver licences, front 70%, back 30%) under
the capture conditions of `--split` (train: scan, desk, handheld, shadow, rotated; test, never used
to set anything: glare, low light, low resolution; the cropped condition is left out, a cropped
card has no outline). The outline's first candidate is turned into a frame (`frame_from_card`:
long side as width) and compared with the true corners up to a half turn, which the outline
cannot tell (the visual-zone check settles it from the portrait); the error is the largest
corner distance in card millimetres. Prints rates, per-condition rates and time per photo.
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import get_context
from typing import Any

import numpy as np

from openidv.documents.geometry import find_card
from openidv.documents.training.train_outline_ranker import corner_error_mm
from openidv.documents.training.train_outline_ranker import photo as generated_photo


def photo(args: tuple[str, int]) -> dict[str, Any]:
    split, seed = args
    return generated_photo(split, seed, portraits=False)  # drawn portraits: the photos of stop 14's figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("train", "test"), default="test")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=90_000_000)
    ap.add_argument("--workers", type=int, default=2, help="processes generating the photos")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    jobs = [(args.split, args.seed + i) for i in range(args.n)]
    with get_context("fork").Pool(args.workers) as pool:
        photos = pool.map(photo, jobs, chunksize=4)
    errors, times, half_turns = [], [], 0
    by_condition: dict[str, list[float]] = {}
    for p in photos:
        t0 = time.perf_counter()
        quads = find_card(p["image"])
        times.append(time.perf_counter() - t0)
        err, half = corner_error_mm(quads[0], p["true"], p["size_mm"]) if quads else (float("inf"), False)
        half_turns += bool(quads) and half
        errors.append(err)
        by_condition.setdefault(p["condition"], []).append(err)
    e = np.array(errors)
    ms = np.array(times) * 1000
    report = {
        "split": args.split, "n": args.n, "seed": args.seed,
        "no_outline": int(np.isinf(e).sum()),
        "within_1_5mm": float(np.mean(e <= 1.5)), "within_3mm": float(np.mean(e <= 3)),
        "within_6mm": float(np.mean(e <= 6)), "half_turned": half_turns,
        "per_condition_within_3mm": {k: [int(np.sum(np.array(v) <= 3)), len(v)]
                                     for k, v in sorted(by_condition.items())},
        "ms_per_photo": {"p50": round(float(np.percentile(ms, 50)), 1), "p99": round(float(np.percentile(ms, 99)), 1)},
        "photo_px_median": [int(np.median([p["image"].shape[i] for p in photos])) for i in (1, 0)],
    }
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
