"""Train the hidden-half face network of :mod:`openidv.face.hidden_net` on real faces.

    OMP_NUM_THREADS=2 nice -n 5 .venv/bin/python -m openidv.face.training.hidden_net \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1

Photos: LFW identity half 0, occlusion sub-half 0 (the identities that train the occlusion grid
model, :func:`openidv.face.training.occlusion.training_indices`), one detected face each. Sub-half 1
of half 0 is the validation set reported here (and the photos the quality thresholds are tuned
on); identity half 1 is never read. Each photo gives windows of six classes:

* ``face``: the face box grown by ``EXPAND``, jittered in place and size;
* ``hidden_<side>``: the same after one half of the face (cut line jittered and tilted) is hidden
  behind a patch of another photo, blurred and re-tinted. This occluder family (natural photo
  patches) is the one the HOG half detectors were trained with, and not the solid, noise and
  shaded fills of :func:`openidv.face.degrade.occluded` that the quality report tests with;
* ``background``: windows away from the face, the face at the wrong scale (an eye, the whole
  head and shoulders), and the face wholly covered.

Photometric variation (blur, gain, gamma, JPEG, grey, mirror) is drawn per photo, so exposure and
sharpness problems read as ``face``, not as hidden. Seeded; the ONNX file, its hash and card go
to ``src/openidv/face/models``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.face import hidden_net
from openidv.face.training.lfw_data import LfwCorpus, identity_half, subject_of
from openidv.face.training.occlusion import OCCLUSION_SALT
from openidv.face.training.partial import _donor_patch
from openidv.models.registry import record_model

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
VERSION = "1.0.0"
LABEL = {name: i for i, name in enumerate(hidden_net.CLASSES)}
MIRROR = {"hidden_left": "hidden_right", "hidden_right": "hidden_left"}


def split_indices(data: LfwCorpus) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(train, validation): identity half 0 by occlusion sub-half, photos with exactly one face."""
    c = data.corpus
    idx = [int(k) for k in data.indices(half=0) if c.n_faces[k] == 1]
    sub = np.array([identity_half(subject_of(c.paths[k]), OCCLUSION_SALT) for k in idx])
    arr = np.asarray(idx, np.int64)
    return arr[sub == 0], arr[sub == 1]


def photometric(rgb: NDArray[np.uint8], rng: np.random.Generator) -> NDArray[np.uint8]:
    """Per-photo blur, gain and gamma, JPEG and grey, each with some probability."""
    x = rgb
    if rng.random() < 0.3:
        x = np.asarray(cv2.GaussianBlur(x, (0, 0), rng.uniform(0.5, 3.0)))
    if rng.random() < 0.4:
        gain, gamma = rng.uniform(0.25, 1.8), rng.uniform(0.6, 1.6)
        f = (np.clip(x.astype(np.float32) * gain, 0, 255) / 255.0) ** gamma * 255.0
        x = f.astype(np.uint8)
    elif rng.random() < 0.2:  # blown out: clipped white regions are not an occluder
        x = np.clip(x.astype(np.float32) * rng.uniform(1.8, 3.5) + rng.uniform(20, 100), 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ok, buf = cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 90))])
        x = np.asarray(cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)) if ok else x
    if rng.random() < 0.1:
        g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
        x = np.repeat(g[..., None], 3, axis=2)
    return np.ascontiguousarray(x)


def hide(
    rgb: NDArray[np.uint8],
    box: tuple[int, int, int, int],
    side: str,
    donor: NDArray[np.uint8],
    rng: np.random.Generator,
) -> NDArray[np.uint8]:
    """One half of the face behind a natural-photo patch, the cut line jittered and tilted."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    grow = rng.uniform(0.05, 0.4)
    x0, x1 = max(0, int(left - grow * w)), min(rgb.shape[1], int(right + grow * w))
    y0, y1 = max(0, int(top - grow * h)), min(rgb.shape[0], int(bottom + grow * h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return rgb
    cx = (left + right) / 2 + rng.uniform(-0.12, 0.12) * w
    cy = (top + bottom) / 2 + rng.uniform(-0.12, 0.12) * h
    tilt = np.tan(np.radians(rng.uniform(-15, 15)))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    if side in ("upper", "lower"):
        d = yy - (cy + tilt * (xx - cx))
        mask = d < 0 if side == "upper" else d >= 0
    else:
        d = xx - (cx + tilt * (yy - cy))
        mask = d < 0 if side == "left" else d >= 0
    patch = _donor_patch(donor, y1 - y0, x1 - x0, rng)
    if rng.random() < 0.4:  # a smoother object: card, paper, fabric out of focus
        patch = np.asarray(cv2.GaussianBlur(patch, (0, 0), rng.uniform(4.0, 12.0)), dtype=np.float32)
    out = rgb.copy()
    region = out[y0:y1, x0:x1]
    region[mask] = patch[mask].astype(np.uint8)
    return out


def _face_window(
    box: tuple[int, int, int, int], rng: np.random.Generator, jitter: float = 0.07
) -> tuple[float, float, float]:
    left, top, right, bottom = box
    f = max(right - left, bottom - top)
    cx = (left + right) / 2 + rng.uniform(-jitter, jitter) * f
    cy = (top + bottom) / 2 + rng.uniform(-jitter, jitter) * f
    return cx, cy, f * hidden_net.EXPAND * rng.uniform(0.88, 1.14)


def _away_window(
    shape: tuple[int, ...], box: tuple[int, int, int, int], rng: np.random.Generator
) -> tuple[float, float, float] | None:
    """A window of any scan size whose implied face barely overlaps the real one."""
    h, w = shape[:2]
    f = max(box[2] - box[0], box[3] - box[1])
    face = (box[0] - 0.1 * f, box[1] - 0.1 * f, box[2] + 0.1 * f, box[3] + 0.1 * f)
    for _ in range(20):
        side = rng.uniform(0.25, 1.0) * min(h, w)
        cx, cy = rng.uniform(side / 3, w - side / 3), rng.uniform(side / 3, h - side / 3)
        win = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        ix = max(0.0, min(win[2], face[2]) - max(win[0], face[0]))
        iy = max(0.0, min(win[3], face[3]) - max(win[1], face[1]))
        if ix * iy < 0.15 * min(side * side, (face[2] - face[0]) * (face[3] - face[1])):
            return cx, cy, side
    return None


def _wrong_scale(box: tuple[int, int, int, int], rng: np.random.Generator) -> tuple[float, float, float]:
    """The face at the wrong scale: a window on part of it, or one holding head and shoulders."""
    left, top, right, bottom = box
    f = max(right - left, bottom - top)
    if rng.random() < 0.5:
        side = f * hidden_net.EXPAND * rng.uniform(0.4, 0.55)
        cx = rng.uniform(left + side / 3, right - side / 3)
        cy = rng.uniform(top + side / 3, bottom - side / 3)
    else:
        side = f * hidden_net.EXPAND * rng.uniform(1.9, 2.6)
        cx = (left + right) / 2 + rng.uniform(-0.3, 0.3) * f
        cy = (top + bottom) / 2 + rng.uniform(-0.2, 0.5) * f
    return cx, cy, side


def _straddling(
    img: NDArray[np.uint8],
    edge: tuple[float, float, float, float],
    face: tuple[int, int, int, int],
    rng: np.random.Generator,
) -> tuple[float, float, float] | None:
    """A window centred near a straight edge (x0, y0, x1, y1 segment) whose implied face is not ``face``."""
    h, w = img.shape[:2]
    f = max(face[2] - face[0], face[3] - face[1])
    for _ in range(10):
        t = rng.uniform(0, 1)
        cx = edge[0] + t * (edge[2] - edge[0]) + rng.uniform(-0.15, 0.15) * f
        cy = edge[1] + t * (edge[3] - edge[1]) + rng.uniform(-0.15, 0.15) * f
        side = rng.uniform(0.3, 0.9) * min(h, w)
        half = side / hidden_net.EXPAND / 2
        box = (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
        if hidden_net._iou(box, face) < 0.3:
            return cx, cy, side
    return None


def composite_windows(
    rgb: NDArray[np.uint8], box: tuple[int, int, int, int], donor: NDArray[np.uint8], rng: np.random.Generator
) -> list[tuple[NDArray[np.uint8], int]]:
    """Background windows across the straight edges of composites: a photo pasted smaller on a
    canvas (flat or another photo), or two photos side by side. Edges between unrelated content are
    everywhere in real scenes (doors, screens, posters) and must not read as an occluder's edge."""
    out: list[tuple[NDArray[np.uint8], int]] = []
    h, w = rgb.shape[:2]
    if rng.random() < 0.5:
        s = rng.uniform(0.35, 0.8)
        small = cv2.resize(rgb, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA)
        if rng.random() < 0.5:
            canvas = np.empty_like(rgb)
            canvas[:] = rng.integers(0, 256, 3).astype(np.uint8)
        else:
            canvas = np.asarray(cv2.resize(donor, (w, h), interpolation=cv2.INTER_AREA), dtype=np.uint8)
        sh, sw = small.shape[:2]
        y, x = int(rng.integers(0, h - sh + 1)), int(rng.integers(0, w - sw + 1))
        canvas = canvas.copy()
        canvas[y : y + sh, x : x + sw] = small
        face = (x + round(box[0] * s), y + round(box[1] * s), x + round(box[2] * s), y + round(box[3] * s))
        edges = [(x, y, x + sw, y), (x, y + sh, x + sw, y + sh), (x, y, x, y + sh), (x + sw, y, x + sw, y + sh)]
        img = canvas
    else:
        other = cv2.resize(donor, (w, h), interpolation=cv2.INTER_AREA)
        shift = w if rng.random() < 0.5 else 0  # the photo on the right (other on the left) or the reverse
        img = np.ascontiguousarray(np.hstack([other, rgb]) if shift else np.hstack([rgb, other]))
        face = (box[0] + shift, box[1], box[2] + shift, box[3])
        edges = [(w, 0, w, h)]
    for _ in range(2):
        e = edges[int(rng.integers(len(edges)))]
        win = _straddling(img, (float(e[0]), float(e[1]), float(e[2]), float(e[3])), face, rng)
        if win is not None:
            out.append((hidden_net.window_pixels(img, *win), LABEL["background"]))
    return out


def photo_windows(
    rgb: NDArray[np.uint8], box: tuple[int, int, int, int], donor: NDArray[np.uint8], rng: np.random.Generator
) -> list[tuple[NDArray[np.uint8], int]]:
    """The labelled windows of one photo (see the module docstring)."""
    if rng.random() < 0.5:  # mirror the photo (left and right hidden halves swap)
        w = rgb.shape[1]
        rgb = np.ascontiguousarray(rgb[:, ::-1])
        box = (w - box[2], box[1], w - box[0], box[3])
    rgb = photometric(rgb, rng)
    out: list[tuple[NDArray[np.uint8], int]] = []
    for _ in range(2):
        out.append((hidden_net.window_pixels(rgb, *_face_window(box, rng)), LABEL["face"]))
    for _ in range(2):
        side = ("upper", "lower", "left", "right")[int(rng.integers(4))]
        img = hide(rgb, box, side, donor, rng)
        out.append((hidden_net.window_pixels(img, *_face_window(box, rng)), LABEL[f"hidden_{side}"]))
        out.append((hidden_net.window_pixels(img, *_wrong_scale(box, rng)), LABEL["background"]))
    for _ in range(3):
        win = _away_window(rgb.shape, box, rng)
        if win is not None:
            out.append((hidden_net.window_pixels(rgb, *win), LABEL["background"]))
    out.append((hidden_net.window_pixels(rgb, *_wrong_scale(box, rng)), LABEL["background"]))
    if rng.random() < 0.6:  # the whole face covered: nothing face-like is left
        left, top, right, bottom = box
        f = max(right - left, bottom - top)
        g = rng.uniform(0.15, 0.4) * f
        x0, y0 = max(0, int(left - g)), max(0, int(top - g))
        x1, y1 = min(rgb.shape[1], int(right + g)), min(rgb.shape[0], int(bottom + g))
        img = rgb.copy()
        img[y0:y1, x0:x1] = _donor_patch(donor, y1 - y0, x1 - x0, rng).astype(np.uint8)
        out.append((hidden_net.window_pixels(img, *_face_window(box, rng)), LABEL["background"]))
        out.append((hidden_net.window_pixels(img, *_face_window(box, rng, jitter=0.35)), LABEL["background"]))
    out.extend(composite_windows(rgb, box, donor, rng))
    return out


def build(
    data: LfwCorpus, idx: NDArray[np.int64], rounds: int, seed: int
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Network inputs and labels for every photo in ``idx``, ``rounds`` independent draws each."""
    rng = np.random.default_rng(seed)
    xs: list[NDArray[np.float32]] = []
    ys: list[int] = []
    for k in idx:
        rgb = data.image(int(k))
        box = data.detection(int(k)).box
        for _ in range(rounds):
            donor = data.image(int(idx[int(rng.integers(len(idx)))]))
            for win, label in photo_windows(rgb, box, donor, rng):
                xs.append(hidden_net.normalise(win))
                ys.append(label)
    return np.stack(xs), np.asarray(ys, np.int64)


def network() -> Any:
    """Three conv blocks and a small head: about 127k weights, ~4.5 M multiply-adds per window."""
    import torch.nn as nn

    def block(cin: int, cout: int) -> list[Any]:
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]

    side = hidden_net.INPUT // 8
    return nn.Sequential(
        *block(3, 16),
        *block(16, 32),
        *block(32, 64),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(64 * side * side, 64),
        nn.ReLU(),
        nn.Linear(64, len(hidden_net.CLASSES)),
    )


def fit(x: NDArray[np.float32], y: NDArray[np.int64], epochs: int, seed: int) -> Any:
    import torch

    torch.manual_seed(seed)
    net = network()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(epochs, 1))
    counts = np.bincount(y, minlength=len(hidden_net.CLASSES)).astype(np.float32)
    weight = torch.tensor(counts.sum() / np.maximum(counts, 1) / len(counts))
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(perm), 128):
            b = perm[i : i + 128]
            xb = xt[b]
            if torch.rand(1, generator=gen).item() < 0.5:  # mirror inside the batch too
                xb = xb.flip(3)
                yb = yt[b].clone()
                left, right = LABEL["hidden_left"], LABEL["hidden_right"]
                yb[yt[b] == left], yb[yt[b] == right] = right, left
            else:
                yb = yt[b]
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(b)
        sched.step()
        print(f"epoch {epoch + 1}/{epochs} loss {total / len(perm):.4f}", flush=True)
    return net.eval()


def evaluate(net: Any, x: NDArray[np.float32], y: NDArray[np.int64]) -> dict[str, Any]:
    """Per-class recall, and how often a face or background window reads as hidden at 0.5 / 0.9."""
    import torch

    with torch.no_grad():
        p = torch.softmax(net(torch.from_numpy(x)), dim=1).numpy()
    pred = p.argmax(axis=1)
    hidden = p[:, 2:].sum(axis=1)
    is_hidden = y >= 2
    out: dict[str, Any] = {"n": len(y)}
    for name, i in LABEL.items():
        sel = y == i
        out[f"recall_{name}"] = round(float((pred[sel] == i).mean()), 4) if sel.any() else None
    for t in (0.5, 0.9):
        out[f"hidden_detected_at_{t}"] = round(float((hidden[is_hidden] >= t).mean()), 4)
        out[f"face_read_hidden_at_{t}"] = round(float((hidden[y == 1] >= t).mean()), 4)
        out[f"background_read_hidden_at_{t}"] = round(float((hidden[y == 0] >= t).mean()), 4)
    return out


def export(net: Any, path: Path) -> None:
    import torch

    dummy = torch.zeros(1, 3, hidden_net.INPUT, hidden_net.INPUT)
    torch.onnx.export(
        net,
        (dummy,),
        str(path),
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--rounds", type=int, default=2, help="independent window draws per training photo")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--max-images", type=int, default=0, help="cap on training photos (smoke runs)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="read only the first N corpus images (smoke runs)")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    t0 = time.monotonic()
    data = LfwCorpus.load(args.root, args.cache, args.limit)
    train_idx, val_idx = split_indices(data)
    if args.max_images:
        train_idx, val_idx = train_idx[: args.max_images], val_idx[: max(1, args.max_images // 4)]
    x, y = build(data, train_idx, args.rounds, args.seed)
    xv, yv = build(data, val_idx, 1, args.seed + 1)
    print(f"{len(y)} training windows from {len(train_idx)} photos, {time.monotonic() - t0:.0f} s", flush=True)
    net = fit(x, y, args.epochs, args.seed)
    report: dict[str, Any] = {"train": evaluate(net, x, y), "validation": evaluate(net, xv, yv)}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{hidden_net.MODEL_NAME}.onnx"
    export(net, path)
    record_model(
        args.out,
        hidden_net.MODEL_NAME,
        path,
        VERSION,
        card=f"{hidden_net.MODEL_NAME}.md",
        trained_by="python -m openidv.face.training.hidden_net",
        train_images=len(train_idx),
        train_windows=len(y),
        train_split="LFW identity half 0, occlusion sub-half 0, one detected face per photo",
        validation="LFW identity half 0, occlusion sub-half 1 (windows drawn the same way)",
        validation_metrics=report["validation"],
        hyperparameters={"epochs": args.epochs, "rounds": args.rounds, "seed": args.seed, "input": hidden_net.INPUT},
    )
    report["seconds"] = round(time.monotonic() - t0, 1)
    report["path"] = str(path)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
