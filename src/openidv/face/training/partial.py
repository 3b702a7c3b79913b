"""Train the three half-face detectors of :mod:`openidv.face.partial` on real faces.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m openidv.face.training.partial \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1 --part lower

Training images: LFW identity half 0 (the half that also tunes the quality thresholds), photos in
which exactly one face was found and the full-face HOG detector found it (so every box has the
same geometry). The object box is one half of that face box (:func:`openidv.face.partial.part_box`);
everything else in the photo, including the face's other half, is a negative for dlib's
structural SVM. In 70% of the photos the other half is hidden behind a patch of another photo
(:func:`cover_other_half`), so that the windows' border cells do not expect more face beyond the
cut; that occluder family differs from the solid, noise and shaded fills that the quality report
tests with. Identity half 1 is never read here; the quality
report (``python -m openidv.face.training.quality``) measures the detectors on it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from openidv.face import partial
from openidv.face.corpus import DETECTORS
from openidv.face.training.lfw_data import LfwCorpus
from openidv.models.registry import record_model

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
VERSION = "1.0.0"
COVER_SHARE = 0.7  # share of training photos whose other half is hidden by a natural-photo patch
WINDOW = {"upper": (64, 32), "lower": (64, 32), "side": (32, 64)}  # width, height in pixels


def training_set(data: LfwCorpus, part: str, max_images: int, seed: int) -> tuple[list[np.ndarray], list[list[object]]]:
    """Images and their one half-face box each (identity half 0, single HOG-detected face)."""
    import dlib

    c = data.corpus
    idx = [k for k in data.indices(half=0) if c.n_faces[k] == 1 and DETECTORS[int(c.detector[k])] == "hog"]
    rng = np.random.default_rng(seed)
    idx = sorted(rng.choice(idx, size=min(max_images, len(idx)), replace=False).tolist()) if max_images else idx
    images, boxes = [], []
    win_w, win_h = WINDOW[part]
    for k in idx:
        det = data.detection(int(k))
        rgb = data.image(int(k))
        h, w = rgb.shape[:2]
        left, top, right, bottom = partial.part_box(det.box, part)
        inside = left >= 0 and top >= 0 and right < w and bottom < h
        aspect = (right - left) / max(bottom - top, 1) / (win_w / win_h)
        # dlib needs one box shape no smaller than its window: skip faces cut by the border or tiny
        if not inside or not 0.85 <= aspect <= 1.15 or right - left < win_w:
            continue
        if rng.random() < COVER_SHARE:
            donor = data.image(int(idx[int(rng.integers(len(idx)))]))
            rgb = cover_other_half(rgb, det.box, part, donor, rng)
        images.append(np.ascontiguousarray(rgb))
        boxes.append([dlib.rectangle(left, top, right, bottom)])
    return images, boxes


def _donor_patch(donor: np.ndarray, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A patch of another photo away from its centre (background, clothing), blurred and re-tinted."""
    import cv2

    dh, dw = donor.shape[:2]
    patch = cv2.resize(donor, (max(width, dw // 2), max(height, dh // 2)), interpolation=cv2.INTER_AREA)
    ph, pw = patch.shape[:2]
    y = int(rng.integers(0, ph - height + 1))
    x = int(rng.integers(0, pw - width + 1))
    if rng.random() < 0.5:  # the outer band of a press photo rarely holds its face
        y, x = (ph - height, x) if rng.random() < 0.5 else (y, 0 if rng.random() < 0.5 else pw - width)
    out = patch[y : y + height, x : x + width].astype(np.float32)
    sigma = float(rng.uniform(0.0, 4.0))
    if sigma > 0.5:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), sigma), dtype=np.float32)
    out = out * rng.uniform(0.6, 1.3, 3).astype(np.float32) + rng.uniform(-30, 30)
    return np.clip(out, 0, 255)


def cover_other_half(
    rgb: np.ndarray, box: tuple[int, int, int, int], part: str, donor: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Hide the half of the face that the ``part`` window does not contain behind a patch of another photo.

    Training-time only, so that the detector's border cells learn that anything may lie beyond the
    visible half. The occluder family (natural photo patches) is deliberately not the one the
    quality report tests with (:func:`openidv.face.degrade.occluded`: solid, noise and shaded fills).
    The cut line wanders by up to 8% of the face around the centre line.
    """
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    img_h, img_w = rgb.shape[:2]
    grow = rng.uniform(0.05, 0.3)
    x0, x1 = max(0, int(left - grow * w)), min(img_w, int(right + grow * w))
    y0, y1 = max(0, int(top - grow * h)), min(img_h, int(bottom + grow * h))
    jitter_x, jitter_y = int(rng.uniform(-0.08, 0.08) * w), int(rng.uniform(-0.08, 0.08) * h)
    cx, cy = (left + right) // 2 + jitter_x, (top + bottom) // 2 + jitter_y
    if part == "upper":
        y0 = cy
    elif part == "lower":
        y1 = cy
    else:  # the side window is the image-left half: hide the right one
        x0 = cx
    if y1 - y0 < 4 or x1 - x0 < 4:
        return rgb
    out = rgb.copy()
    out[y0:y1, x0:x1] = _donor_patch(donor, y1 - y0, x1 - x0, rng).astype(np.uint8)
    return out


def fit_detector(images: list[np.ndarray], boxes: list[list[object]], part: str, c: float) -> Any:
    """dlib's structural-SVM HOG detector for one half (the side detector is one-handed by design)."""
    import dlib

    opts = dlib.simple_object_detector_training_options()
    opts.add_left_right_image_flips = part != "side"
    opts.C = c
    opts.num_threads = 1
    opts.be_verbose = False
    win_w, win_h = WINDOW[part]
    opts.detection_window_size = win_w * win_h
    opts.upsample_limit = 0
    return dlib.train_simple_object_detector(images, boxes, opts)


def train(data: LfwCorpus, part: str, out_dir: Path, max_images: int, c: float, seed: int) -> dict[str, object]:
    import dlib

    images, boxes = training_set(data, part, max_images, seed)
    win_w, win_h = WINDOW[part]
    t0 = time.monotonic()
    detector = fit_detector(images, boxes, part, c)
    seconds = time.monotonic() - t0
    train_fit = dlib.test_simple_object_detector(images, boxes, detector)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = partial.MODEL_NAMES[part]
    path = out_dir / f"{name}.svm"
    detector.save(str(path))
    record_model(
        out_dir,
        name,
        path,
        VERSION,
        card="face_half.md",
        trained_by=f"python -m openidv.face.training.partial --part {part}",
        train_images=len(images),
        train_split="LFW identity half 0, single HOG-detected face per photo",
        hyperparameters={"C": c, "window": [win_w, win_h], "seed": seed, "flips": part != "side"},
    )
    return {
        "part": part,
        "train_images": len(images),
        "seconds": round(seconds, 1),
        "train_precision": round(train_fit.precision, 4),
        "train_recall": round(train_fit.recall, 4),
        "path": str(path),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--part", choices=partial.PARTS, required=True)
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--max-images", type=int, default=1200)
    ap.add_argument("--c", type=float, default=50.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=0, help="read only the first N corpus images (smoke runs)")
    args = ap.parse_args()
    data = LfwCorpus.load(args.root, args.cache, args.limit)
    print(json.dumps(train(data, args.part, args.out, args.max_images, args.c, args.seed), indent=2))


if __name__ == "__main__":
    main()
