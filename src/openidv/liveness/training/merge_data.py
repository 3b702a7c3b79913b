"""Concatenate generations of the passive model's training data into one training folder.

Each ``dataset`` run with another ``--seed`` draws new attacks and new views of the same training
identities; more generations helped every species (docs/liveness.md). The merged folder takes
the ``train.npz`` of every source and the ``test.npz`` of the first one, so the test identities
and samples stay those the earlier models were measured on.

    python -m openidv.liveness.training.merge_data --out var/liveness/data112x4 \\
        var/liveness/data112 var/liveness/data112b var/liveness/data112c var/liveness/data112d
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from openidv.liveness.training.dataset import sample_kinds

ARRAYS = ("tight", "context", "labels", "subjects")


def merge(sources: Sequence[Path], out: Path) -> int:
    """Write ``out/train.npz`` (all sources) and copy the first source's ``test.npz``; returns the count."""
    if not sources:
        raise ValueError("no source folders")
    if len({s.resolve() for s in sources}) != len(sources):
        raise ValueError("a source folder is listed twice")
    test = sources[0] / "test.npz"
    if not test.is_file():
        raise ValueError(f"{test} is missing: the first source must carry the test split")
    parts = []
    for src in sources:
        with np.load(src / "train.npz") as z:
            parts.append({**{k: z[k] for k in ARRAYS}, "kinds": sample_kinds(z)})
    shapes = {(p["tight"].shape[1:], p["context"].shape[1:]) for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"sources have different view sizes: {sorted(shapes)}")
    merged = {k: np.concatenate([p[k] for p in parts]) for k in (*ARRAYS, "kinds")}
    with np.load(test) as z:
        leaked = set(merged["subjects"].tolist()) & set(z["subjects"].tolist())
    if leaked:  # a source built from another split or faces folder would inflate every figure
        raise ValueError(f"{len(leaked)} test identities are in the training data, e.g. {sorted(leaked)[:3]}")
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "train.npz",
        tight=merged["tight"],
        context=merged["context"],
        labels=merged["labels"],
        subjects=merged["subjects"],
        kinds=merged["kinds"],
    )
    if test.resolve() != (out / "test.npz").resolve():
        tmp = out / "test.npz.part"
        shutil.copyfile(test, tmp)
        tmp.replace(out / "test.npz")
    return len(merged["labels"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("sources", type=Path, nargs="+", help="dataset folders; the first one's test split is kept")
    args = ap.parse_args(argv)
    print(f"{merge(args.sources, args.out)} training samples in {args.out}")


if __name__ == "__main__":
    main()
