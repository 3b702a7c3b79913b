"""Write src/openidv/policy/data/thresholds/image_usability.yaml from measurements.

OMP_NUM_THREADS=1 .venv/bin/python scripts/tune_usability.py [--lfw ../shared/data/lfw-dev]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from openidv.checks.usability_tuning import tune

OUT = Path(__file__).resolve().parents[1] / "src/openidv/policy/data/thresholds/image_usability.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lfw", type=Path, default=None, help="LFW-layout folder of real faces (optional).")
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    faces = sorted(args.lfw.glob("*/*.jpg"))[::7][:400] if args.lfw and args.lfw.is_dir() else []
    ts, report = tune(n_clean=args.n, real_faces=faces)
    ts.write(args.out)
    print(json.dumps({"written": str(args.out), "values": dict(ts.values), "report": report}, indent=2))


if __name__ == "__main__":
    main()
