"""Shared helpers for training scripts: seeding, Wilson intervals, ONNX export, model cards."""

from __future__ import annotations

import math
import os
import random
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE_MODELS = Path(__file__).resolve().parents[1] / "models"

# A kind of authenticity evidence (tamper tiles, template margin) fires in the pipeline only if, at
# its operating threshold, it catches at least this share of the held-out forged documents it is
# meant for: below that it adds review load (and misleading evidence for reviewers) without
# protecting anyone. The training scripts write the verdict into the threshold file.
MIN_HELDOUT_DETECTION = 0.5
# ... and only if its held-out false rejection of genuine documents stays within twice the 1% it
# was tuned for on training documents: evidence that rejects many more genuine documents than
# calibrated does not transfer to new conditions.
MAX_HELDOUT_FALSE_REJECT = 0.02


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1"))))


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def export_onnx(model: Any, example: Any, path: Path, input_name: str, output_name: str = "logits") -> None:
    import torch

    model.eval()
    torch.onnx.export(
        model, example, str(path), input_names=[input_name], output_names=[output_name],
        dynamic_axes={input_name: {0: "n"}, output_name: {0: "n"}}, opset_version=17, dynamo=False,
    )
