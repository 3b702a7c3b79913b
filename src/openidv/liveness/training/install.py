"""Ship a trained model: copy it into the package and record its SHA-256 in MODELS.json."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from openidv.models.registry import record_model

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def install_model(onnx_path: Path, args: argparse.Namespace) -> None:
    """Install one run's model (``train_pad --install``) under the recipe's version."""
    from openidv.liveness.training.train_pad import MODEL_VERSION

    install_file(onnx_path, MODEL_VERSION, trained_by="python -m openidv.liveness.training.train_pad",
                 epochs=args.epochs, seed=args.seed)


def install_file(onnx_path: Path, version: str, **extra: Any) -> None:
    """Copy `onnx_path` in as the shipped passive model and record it (hash, version, card, `extra`)."""
    from openidv.liveness.training.train_pad import MODEL_NAME

    target = MODELS_DIR / f"{MODEL_NAME}.onnx"
    shutil.copyfile(onnx_path, target)
    entry = record_model(MODELS_DIR, MODEL_NAME, target, version, card=f"{MODEL_NAME}.md", **extra)
    print(f"installed {target.name} {version} sha256={entry.sha256}")
    # The card and the operating points describe the model they were written for: a new model
    # needs both written again from its own scores (docs/liveness.md, "Training", steps 3-4).
    print("next: report_pad --write-thresholds (liveness_pad.yaml) and card (pad_passive.md) from this "
          "model's scores; the shipped ones belong to the previous model", file=sys.stderr)
