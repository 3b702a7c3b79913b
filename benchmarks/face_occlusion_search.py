"""Cost of the searches behind FACE_OCCLUDED: HOG half-face detectors and the hidden-half network.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/face_occlusion_search.py --root ../shared/data/lfw-dev --n 100

Both run only for photos without a detected face, or with a face that fails quality or is
off-centre. Each photo is timed at its own size (LFW: 250x250) and upscaled to 640x480, with one
half of its face hidden (openidv.face.degrade.occluded). Without --root, matplotlib's Grace Hopper
photo is used. Prints p50 / p99 per search and the peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import cv2
import numpy as np

from openidv.face.degrade import occluded
from openidv.face.detection import detect_faces
from openidv.face.hidden_net import shipped_net
from openidv.face.partial import find_partial_faces
from openidv.policy.thresholds import ThresholdRegistry


def photos(root: Path | None, n: int) -> list[np.ndarray]:
    if root is None:
        from matplotlib import cbook
        from PIL import Image

        with cbook.get_sample_data("grace_hopper.jpg") as fh:
            return [np.asarray(Image.open(fh).convert("RGB"))] * n
    paths = sorted(root.glob("*/*.jpg"))
    rng = np.random.default_rng(3)
    out = []
    for p in rng.choice(paths, size=min(n, len(paths)), replace=False):
        out.append(cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB))
    return out


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, default=None)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    t = ThresholdRegistry.load().get("face_quality")
    net = shipped_net()
    rng = np.random.default_rng(5)
    times: dict[str, list[float]] = {}
    for rgb in photos(args.root, args.n):
        faces = detect_faces(rgb)
        if not faces:
            continue
        img = occluded(rgb, faces[0], rng)
        for label, frame in (("native", img), ("640x480", cv2.resize(img, (640, 480)))):
            for name, run in (
                ("hog_halves", lambda f=frame: find_partial_faces(f, t["min_partial_margin"])),
                ("network", lambda f=frame: net.find(f, t.values.get("min_hidden_face_prob", 0.99))),
            ):
                run()  # warm (model load, caches)
                s = time.perf_counter()
                run()
                times.setdefault(f"{name}_{label}", []).append(1000 * (time.perf_counter() - s))
    report: dict[str, object] = {
        k: {"n": len(v), "p50_ms": _pct(v, 50), "p99_ms": _pct(v, 99)} for k, v in times.items()
    }
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
