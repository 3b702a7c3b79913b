"""Score a data folder's test split with an exported model (by default the shipped one).

    python -m openidv.liveness.training.score_split --data var/liveness/data112r5 \\
        --out var/liveness/cross/shipped_on_r5 [--model RUN/pad_passive.onnx]

Writes ``<out>/scores.csv`` in the layout ``train_pad`` writes, so ``report_pad --run <out>``
reads it: how one model does on another red-team version's test split (a cross comparison).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray


def score_npz(path: Path, model: Path | None, batch: int = 256) -> tuple[NDArray[np.float64], dict[str, NDArray[Any]]]:
    """(probabilities per class, the split's arrays) for every sample of one ``.npz`` split."""
    import onnxruntime as ort

    from openidv.liveness.pad import PassivePAD, default_pad
    from openidv.liveness.training.train_pad import load_split

    pad = PassivePAD(ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])) if model else default_pad()
    data = load_split(path)
    if (int(data["tight"].shape[1]), int(data["context"].shape[1])) != pad.view_sizes:
        raise SystemExit(f"{path}: views {data['tight'].shape[1:3]} / {data['context'].shape[1:3]} "
                         f"do not match the model's {pad.view_sizes}")
    out: list[list[float]] = []
    for i in range(0, len(data["labels"]), batch):
        res = pad.score_views(data["tight"][i : i + batch], data["context"][i : i + batch])
        out.extend([r.probabilities[k] for k in res[0].probabilities] for r in res)
    return np.asarray(out, np.float64), data


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="data folder holding test.npz")
    ap.add_argument("--out", type=Path, required=True, help="folder for scores.csv")
    ap.add_argument("--model", type=Path, default=None, help="ONNX file (default: the shipped model)")
    args = ap.parse_args(argv)
    from openidv.liveness.training.train_pad import write_scores

    probs, data = score_npz(args.data / "test.npz", args.model)
    args.out.mkdir(parents=True, exist_ok=True)
    write_scores(args.out / "scores.csv", probs, data)
    print(f"{len(probs)} samples scored -> {args.out / 'scores.csv'}")


if __name__ == "__main__":
    main()
