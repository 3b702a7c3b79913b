"""Train the MRZ glyph classifier (OCR-B, 37 classes) and export it to ONNX.

    OMP_NUM_THREADS=1 nice -n 10 python -m openidv.documents.training.train_glyphs \
        --lines 3000 --epochs 5 --shapes v2 --out src/openidv/documents/models

Data: :mod:`glyph_data` renders lines from seeds disjoint between training (seed 1000+) and
validation (seed 900000+). The script writes ``mrz_glyphs.onnx``, records its SHA-256 in
``MODELS.json`` and writes the model card ``mrz_glyphs.md`` with validation accuracy and its CI.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from openidv.documents.mrz.alphabet import ALPHABET
from openidv.documents.mrz.glyphs import GLYPH
from openidv.documents.training.common import PACKAGE_MODELS, export_onnx, seed_everything, wilson
from openidv.documents.training.glyph_data import SHAPES, GlyphBatch, make_batch

VERSION = "3.0.0"  # 1.0.0: --shapes v1 (3000 lines, 5 epochs, seed 0); 2.0.0: --shapes v2; 3.0.0: --shapes v3


def build_model(width: int = 16) -> Any:
    import torch.nn as nn

    def block(cin: int, cout: int) -> list[Any]:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    w = width
    return nn.Sequential(
        *block(1, w), *block(w, w), nn.MaxPool2d(2),
        *block(w, 2 * w), *block(2 * w, 2 * w), nn.MaxPool2d(2),
        *block(2 * w, 4 * w), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(4 * w * (GLYPH // 8) ** 2, 128), nn.ReLU(inplace=True),
        nn.Linear(128, len(ALPHABET)),
    )


def _data(n_lines: int, seed: int, chunk: int = 250, cache: Path | None = None, shapes: str = "v1") -> GlyphBatch:
    """Rendered glyphs, in chunks of `chunk` lines; chunks are cached (npz) when `cache` is set so
    that an interrupted or repeated run does not render them again."""
    parts = []
    for i in range(0, n_lines, chunk):
        n, s = min(chunk, n_lines - i), seed + i
        tag = "" if shapes == "v1" else f"-shapes{shapes}"
        path = cache / f"glyphs-{s}-{n}{tag}.npz" if cache else None
        if path is not None and path.is_file():
            z = np.load(path)
            parts.append(GlyphBatch(z["x"], z["y"]))
            continue
        b = make_batch(n, s, SHAPES[shapes])
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(path, x=b.x.astype(np.float16), y=b.y)
        parts.append(b)
    return GlyphBatch(np.concatenate([p.x for p in parts]).astype(np.float32), np.concatenate([p.y for p in parts]))


def train(n_lines: int, epochs: int, out: Path, seed: int = 0, width: int = 16, val_lines: int = 400,
          batch: int = 256, cache: Path | None = None, shapes: str = "v3") -> dict[str, Any]:
    import torch
    import torch.nn.functional as F  # noqa: N812

    seed_everything(seed)
    t0 = time.time()
    tr = _data(n_lines, 1000 + seed * 100000, cache=cache, shapes=shapes)
    va = _data(val_lines, 900000 + seed, cache=cache, shapes=shapes)
    gen_s = time.time() - t0
    model = build_model(width)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * ((len(tr.y) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=max(1, steps))
    x_tr, y_tr = torch.from_numpy(tr.x[:, None]), torch.from_numpy(tr.y)
    rng = np.random.default_rng(seed)
    for ep in range(epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(y_tr)))
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            xb = x_tr[idx]
            if rng.random() < 0.5:  # contrast jitter on top of the rendered variety
                xb = xb * float(rng.uniform(0.7, 1.2)) + float(rng.uniform(-0.2, 0.2))
            loss = F.cross_entropy(model(xb), y_tr[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        acc = _accuracy(model, va)
        print(json.dumps({"epoch": ep + 1, "loss": round(total / len(y_tr), 4), "val_acc": round(acc, 5),
                          "elapsed_s": round(time.time() - t0, 1)}), flush=True)
    return _finish(model, va, out, {"train_lines": n_lines, "train_glyphs": len(tr.y), "val_lines": val_lines,
                                    "val_glyphs": len(va.y), "epochs": epochs, "width": width, "seed": seed,
                                    "shapes": shapes, "data_seconds": round(gen_s, 1),
                                    "total_seconds": round(time.time() - t0, 1)})


def _predict(model: Any, data: GlyphBatch) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        out = [model(torch.from_numpy(data.x[i : i + 1024, None])).argmax(1).numpy()
               for i in range(0, len(data.y), 1024)]
    return np.concatenate(out)


def _accuracy(model: Any, data: GlyphBatch) -> float:
    return float((_predict(model, data) == data.y).mean())


def _finish(model: Any, va: GlyphBatch, out: Path, meta: dict[str, Any]) -> dict[str, Any]:
    import torch

    from openidv.models.registry import record_model

    pred = _predict(model, va)
    correct = int((pred == va.y).sum())
    lo, hi = wilson(correct, len(va.y))
    confusions: dict[str, int] = {}
    for t, p in zip(va.y, pred, strict=True):
        if t != p:
            key = f"{ALPHABET[t]}->{ALPHABET[p]}"
            confusions[key] = confusions.get(key, 0) + 1
    metrics = {"val_accuracy": correct / len(va.y), "val_accuracy_ci95": [lo, hi],
               "top_confusions": dict(sorted(confusions.items(), key=lambda kv: -kv[1])[:10]), **meta}
    out.mkdir(parents=True, exist_ok=True)
    path = out / "mrz_glyphs.onnx"
    export_onnx(model, torch.zeros(1, 1, GLYPH, GLYPH), path, "glyphs")
    record_model(out, "mrz_glyphs", path, VERSION, card="mrz_glyphs.md",
                 trained_by="python -m openidv.documents.training.train_glyphs", classes=ALPHABET)
    (out / "mrz_glyphs.md").write_text(_card(metrics), encoding="utf-8")
    return metrics


def _card(m: dict[str, Any]) -> str:
    lo, hi = m["val_accuracy_ci95"]
    v3 = SHAPES[m["shapes"]].motion > 0
    shake = ("camera shake on a third of the lines (up to half a character, any direction), " if v3 else "")
    flat = (" Every line is divided by its paper brightness (`mrz.glyphs.flatten_light`), as the reader does."
            if SHAPES[m["shapes"]].flatten else "")
    return f"""# mrz_glyphs - OCR-B MRZ character classifier

- **Task**: classify one MRZ character cell (32x32 grey crop of a rectified MRZ) into the 37 MRZ
  characters `{ALPHABET}`.
- **Architecture**: 5 conv layers (base width {m['width']}: w, w, 2w, 2w, 4w), 3 max-pools, a 128-unit dense layer;
  trained with AdamW + one-cycle LR, label smoothing 0.05, {m['epochs']} epochs.
- **Data**: synthetic only. {m['train_lines']} MRZ-like lines ({m['train_glyphs']} glyphs) rendered in
  OCR-B (Debian fonts-ocr-b; regular and sharp cuts) over guilloche / micro-line / plain
  backgrounds, with random stroke weight, glyph size and width (`glyph_data.GlyphShapes`
  `{m['shapes']}`), print jitter, glare, shadow, blur, {shake}source resolution (6.5-40 px pitch), noise
  and JPEG; crops cut around deliberately perturbed centres. Half of the lines are real MRZ lines
  built from random identities, half uniform characters.{flat}
- **Validation**: {m['val_lines']} lines ({m['val_glyphs']} glyphs, shapes `{m['shapes']}`) from disjoint seeds.
  Accuracy {m['val_accuracy']:.4f} (95% Wilson CI {lo:.4f}-{hi:.4f}). Most frequent confusions:
  {m['top_confusions']}.
- **End-to-end figures** (held-out templates and capture conditions, ICAO specimen photos, the
  PassportEye comparison) are in `docs/documents.md`, measured by `benchmarks/documents_mrz.py`.
- **Limits**: trained on OCR-B only; MRZs printed in another font, or glyphs smaller than ~6 px
  pitch, are outside its training. Per-glyph errors are mostly repaired by check digits and field
  types (see `openidv.documents.mrz.correct`), but names have no check digit.
- **Reproduce**: `OMP_NUM_THREADS=1 python -m openidv.documents.training.train_glyphs
  --lines {m['train_lines']} --epochs {m['epochs']} --shapes {m['shapes']}`
  (seed {m['seed']}; {m['total_seconds']} s on one shared CPU core).
- **Licence**: weights Apache-2.0 (project licence); trained only on generated data.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--val-lines", type=int, default=400)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=PACKAGE_MODELS)
    ap.add_argument("--cache", type=Path, default=None, help="Folder to cache rendered glyph chunks in.")
    ap.add_argument("--shapes", choices=sorted(SHAPES), default="v3",
                    help="glyph sizes, widths and degradations to render (glyph_data.GlyphShapes; "
                         "v1, v2, v3: mrz_glyphs 1.0.0, 2.0.0, 3.0.0)")
    args = ap.parse_args()
    metrics = train(args.lines, args.epochs, args.out, args.seed, args.width, args.val_lines, cache=args.cache,
                    shapes=args.shapes)
    print(json.dumps({k: v for k, v in metrics.items() if k != "top_confusions"}))


if __name__ == "__main__":
    main()
