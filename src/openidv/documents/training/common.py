"""Shared helpers for training scripts: seeding, Wilson intervals, ONNX export, model cards."""

from __future__ import annotations

import math
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


def degrade_image(image: NDArray[Any], rng: np.random.Generator) -> NDArray[Any]:
    """Generic capture degradations (resolution loss, blur, exposure, glare veil, noise, JPEG), each
    applied with a fixed probability. These are not the held-out capture conditions of the generator,
    only their usual ingredients; the tamper model trains its tiles with them and the recapture
    novelty model widens its genuine references with them. The order of random draws is fixed:
    changing it changes every model trained with it."""
    import cv2

    h, w = image.shape[:2]
    t: Any = image
    if rng.random() < 0.5:
        f = float(rng.uniform(0.35, 1.0))
        small = cv2.resize(t, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        t = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    x: Any = t.astype(np.float32)
    if rng.random() < 0.3:
        x = cv2.GaussianBlur(x, (0, 0), float(rng.uniform(0.3, 1.2)))
    if rng.random() < 0.5:
        x = x * float(rng.uniform(0.4, 1.2)) + float(rng.uniform(-20, 30))
    if rng.random() < 0.2:
        x = x + (255 - x) * float(rng.uniform(0.2, 0.7))
    if rng.random() < 0.5:
        x = x + rng.normal(0, rng.uniform(1, 8), x.shape)
    t = np.clip(x, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        # RGB data encoded as if BGR: the JPEG's chroma subsampling then acts on swapped red and blue
        # (kept: the tile model and the novelty references were built with it)
        ok, buf = cv2.imencode(".jpg", t, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 95))])
        decoded = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else None
        t = decoded if decoded is not None else t
    return t


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


def write_threshold_set(path: Path, name: str, report: dict[str, Any], key: str, tool: str, target: str,
                        settings: tuple[str, ...] = (), **source: Any) -> None:
    """A threshold file (``policy/data/thresholds``) dated today holding ``report[key]``, with its
    provenance: the command that tuned it, the target, and what was measured (the rest of `report`
    except the run's `settings`, which the command already names) plus any further `source` keys.
    The value is written unrounded: a tuned value is often an observed score that must itself stay
    on its side of the threshold, which rounding could move."""
    from datetime import date

    import yaml

    measured = {k: v for k, v in report.items() if k != key and k not in settings}
    path.write_text(yaml.safe_dump({
        "name": name, "version": date.today().isoformat() + ".1", "values": {key: float(report[key])},
        "source": {"tool": tool, "target": target, **source, "measured": measured},
    }, sort_keys=False), encoding="utf-8")


def add_tuning_io(ap: Any) -> None:
    """The options every threshold-tuning script shares: where to save its readings, whether to
    write the threshold file, and earlier readings to reuse instead of reading again."""
    ap.add_argument("--json", type=Path, default=None, help="save the report and every reading here")
    ap.add_argument("--write-thresholds", action="store_true")
    ap.add_argument("--rows", type=Path, default=None,
                    help="reuse the readings of an earlier run's --json (same settings) instead of reading again")


def earlier_rows(path: Path, **expected: Any) -> list[dict[str, Any]]:
    """The readings saved by an earlier run, refused unless it ran with the `expected` settings
    (seed, n, split, the statistic its rows hold and the reader's check-digit repair budget)."""
    import json

    earlier = json.loads(path.read_text(encoding="utf-8"))
    found = {k: earlier.get(k) for k in expected}
    if found != expected:
        raise SystemExit(f"{path} holds readings of {found}, not {expected}")
    rows: list[dict[str, Any]] = earlier["rows"]
    return rows


def family_score_file(meta: Any, raw_name: str, raw: NDArray[np.float64], raw_max: float, out: Path) -> Path:
    """The evaluation layer's score file for documents labelled by forgery family (kind pad): `meta`
    (a DataFrame with ``sample_id``, ``family``, ``template``, ``condition``) plus the evidence's raw
    value under `raw_name` and the score 1 / (1 + raw / raw_max) - higher = more likely genuine, 0.5
    at `raw_max`, the shipped threshold."""
    df = meta.copy()
    df["subject_id"] = df["sample_id"]
    df["label"] = np.where(df["family"] == "genuine", "bona_fide", "attack")
    df["species"] = np.where(df["family"] == "genuine", "", df["family"])
    df[raw_name] = raw
    df["score"] = 1.0 / (1.0 + raw / raw_max)
    out.parent.mkdir(parents=True, exist_ok=True)
    df[["sample_id", "subject_id", "label", "species", "score", raw_name, "template", "condition"]].to_csv(
        out, index=False)
    return out
