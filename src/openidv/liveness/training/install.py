"""Ship a trained model: copy it into the package and record its SHA-256 in MODELS.json."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from openidv.models.registry import record_model

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def install_model(onnx_path: Path, args: argparse.Namespace) -> None:
    from openidv.liveness.training.train_pad import MODEL_NAME, MODEL_VERSION

    target = MODELS_DIR / f"{MODEL_NAME}.onnx"
    shutil.copyfile(onnx_path, target)
    entry = record_model(
        MODELS_DIR,
        MODEL_NAME,
        target,
        MODEL_VERSION,
        card=f"{MODEL_NAME}.md",
        trained_by="python -m openidv.liveness.training.train_pad",
        epochs=args.epochs,
        seed=args.seed,
    )
    print(f"installed {target.name} sha256={entry.sha256}")
