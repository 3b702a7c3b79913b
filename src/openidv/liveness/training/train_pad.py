"""Train the passive PAD model, export it to ONNX and write its score files.

Usage (data from ``python -m openidv.liveness.training.dataset``)::

    python -m openidv.liveness.training.train_pad --data var/liveness/data --out var/liveness/run
    python -m openidv.liveness.training.train_pad --data ... --exclude screen   # leave one species out
    python -m openidv.liveness.training.train_pad --data ... --install          # ship the weights

Scores on the identity-disjoint test split go to ``<out>/scores.csv`` in the evaluation layer's
format (``sample_id, subject_id, label, species, score``; score = P(bona fide)).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from openidv.liveness.species import MODEL_CLASSES, Species
from openidv.liveness.training.dataset import SELF_BLEND, sample_kinds
from openidv.liveness.training.metrics import pad_report
from openidv.liveness.training.model import PADNet

MODEL_NAME = "pad_passive"
# 2.0.0: 112/80 px views, wider tight branch, twice the data; 3.0.0: four generations (28,000);
# 4.0.0: high-density screens, closer framings, the tight view blanked for 10% of samples
MODEL_VERSION = "4.0.0"


def load_split(path: Path, exclude: set[str] | None = None) -> dict[str, NDArray[Any]]:
    """A split's arrays without the samples whose kind (a species, or ``self_blend``) is excluded:
    leaving out ``deepfake`` drops the face swaps and keeps the self-blends trained as that class."""
    with np.load(path) as z:
        kinds = sample_kinds(z)
        keep = np.ones(len(kinds), bool) if not exclude else ~np.isin(kinds, sorted(exclude))
        return {**{k: z[k][keep] for k in ("tight", "context", "labels", "subjects")}, "kinds": kinds[keep]}


def _tensor(x: NDArray[np.uint8]) -> torch.Tensor:
    return torch.from_numpy(x).permute(0, 3, 1, 2).float()


def crop_only_context(t: torch.Tensor, size: int = 64) -> torch.Tensor:
    """The context view of a bare face crop (``--face-crop``): the crop in the middle, grey around."""
    from openidv.liveness.crops import CONTEXT_SCALE, PAD_VALUE, TIGHT_SCALE

    inner = max(2, round(size * TIGHT_SCALE * 0.84 / (CONTEXT_SCALE * 0.84)))
    small = torch.nn.functional.interpolate(t, size=(inner, inner), mode="area")
    out = torch.full((t.shape[0], 3, size, size), float(PAD_VALUE))
    o = (size - inner) // 2
    out[:, :, o : o + inner, o : o + inner] = small
    return out


def _augment(
    t: torch.Tensor, c: torch.Tensor, gen: torch.Generator, tight_dropout: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Flips, a global gain, some bare-crop contexts and some blanked tight views, identical for
    every class.

    Blanking the tight view (mid-grey, times the sample's gain like every view) of a share of
    samples makes the context branch answer on its own: otherwise it learns little while skin
    texture already separates the training attacks, and a real instrument whose texture the
    camera does not resolve (a high-density tablet, a glossy poster) passes although its edge and
    the fingers holding it are in view. With no dropout the random draws are those of earlier
    versions, so their training runs reproduce.
    """
    from openidv.liveness.crops import PAD_VALUE

    flip = torch.rand(t.shape[0], generator=gen) < 0.5
    t, c = t.clone(), c.clone()
    t[flip], c[flip] = t[flip].flip(3), c[flip].flip(3)
    draw = torch.rand(t.shape[0], generator=gen)
    bare = draw < 0.1
    if bare.any():
        c[bare] = crop_only_context(t[bare], c.shape[-1])
    blank = (draw >= 0.1) & (draw < 0.1 + tight_dropout)  # never both views degraded at once
    if blank.any():
        t[blank] = float(PAD_VALUE)
    gain = torch.exp(torch.randn(t.shape[0], 1, 1, 1, generator=gen) * 0.08)
    return (t * gain).clamp(0, 255), (c * gain).clamp(0, 255)


def split_validation(data: dict[str, NDArray[Any]], fraction: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fit, validation) parts of the training split, by a hash of the subject (no identity in
    both): for choosing a configuration without looking at the test split."""
    import hashlib

    val = np.array([int(hashlib.sha256(f"val:{s}".encode()).hexdigest()[:6], 16) / 0xFFFFFF < fraction
                    for s in data["subjects"]])
    return {k: v[~val] for k, v in data.items()}, {k: v[val] for k, v in data.items()}


def train(
    data: dict[str, NDArray[Any]],
    epochs: int,
    seed: int,
    batch: int = 128,
    widths: tuple[int, ...] = (16, 24, 32, 48),
    tight_dropout: float = 0.0,
) -> PADNet:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = PADNet(len(MODEL_CLASSES), widths)
    n = len(data["labels"])
    counts = np.bincount(data["labels"], minlength=len(MODEL_CLASSES)).astype(np.float64)
    n_attack = counts[1:].sum()
    weights = np.where(counts > 0, n / (2 * np.maximum(counts, 1)), 0.0)
    weights[1:] = np.where(counts[1:] > 0, n / (2 * n_attack), 0.0)  # attacks share half, bona fide half
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    steps = epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    tight, context, labels = (
        _tensor(data["tight"]),
        _tensor(data["context"]),
        torch.from_numpy(data["labels"]),
    )
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        total, t0 = 0.0, time.time()
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            t, c = _augment(tight[idx], context[idx], gen, tight_dropout)
            loss = loss_fn(model.logits(t, c), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        print(f"epoch {epoch + 1}/{epochs} loss {total / n:.4f} ({time.time() - t0:.0f}s)", flush=True)
    return model.eval()


@torch.no_grad()
def predict(model: PADNet, data: dict[str, NDArray[Any]], batch: int = 512) -> NDArray[np.float64]:
    out = []
    for i in range(0, len(data["labels"]), batch):
        out.append(model(_tensor(data["tight"][i : i + batch]), _tensor(data["context"][i : i + batch])).numpy())
    return np.concatenate(out).astype(np.float64)


def export_onnx(model: PADNet, path: Path, tight_size: int, context_size: int) -> None:
    """ONNX with fixed view sizes (the run time reads them back) and a dynamic batch."""
    t = torch.zeros(1, 3, tight_size, tight_size)
    c = torch.zeros(1, 3, context_size, context_size)
    torch.onnx.export(
        model,
        (t, c),
        str(path),
        input_names=["tight", "context"],
        output_names=["probs"],
        dynamic_axes={"tight": {0: "n"}, "context": {0: "n"}, "probs": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )


def write_scores(path: Path, probs: NDArray[np.float64], data: dict[str, NDArray[Any]]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sample_id", "subject_id", "label", "species", "score", "predicted_species"])
        for i, (p, y, s) in enumerate(zip(probs, data["labels"], data["subjects"], strict=True)):
            sp = MODEL_CLASSES[int(y)]
            pred = MODEL_CLASSES[1 + int(np.argmax(p[1:]))].value
            w.writerow(
                [
                    f"pad-{i:05d}",
                    s,
                    "bona_fide" if sp is Species.BONA_FIDE else "attack",
                    sp.value,
                    f"{p[0]:.6f}",
                    pred,
                ]
            )


def _wait_for(path: Path, timeout_s: float = 3600.0) -> None:
    """The test split may still be generating while training runs; wait for it."""
    t0 = time.time()
    while not path.is_file():
        if time.time() - t0 > timeout_s:
            raise FileNotFoundError(path)
        time.sleep(10)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--exclude", default=None, choices=[*(s.value for s in MODEL_CLASSES[1:]), SELF_BLEND],
                    help="species (or self_blend) left out of training (held-out evaluation); "
                         "leaving out deepfake keeps the self-blends")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="train on the first N samples (smoke runs)")
    ap.add_argument("--install", action="store_true", help="copy the ONNX into the package and record it")
    ap.add_argument("--widths", default="16,24,32,48", help="channels of the tight branch's stages")
    ap.add_argument("--validate", type=float, default=None, metavar="FRACTION",
                    help="hold out this share of the training identities, report on them and stop "
                         "(configuration choice; the test split is not read)")
    ap.add_argument("--tight-dropout", type=float, default=0.0, metavar="SHARE",
                    help="blank the tight view of this share of training samples, 0 to 0.9 (4.0.0: 0.1)")
    ap.add_argument("--test-data", type=Path, default=None,
                    help="also score this folder's test.npz (another generator version), to scores_extra.csv")
    args = ap.parse_args(argv)
    if not 0.0 <= args.tight_dropout <= 0.9:  # the blank draw shares its uniform with the bare-context 10%
        ap.error("--tight-dropout must lie in [0, 0.9]")
    if args.test_data and not (args.test_data / "test.npz").is_file():
        ap.error(f"--test-data: {args.test_data / 'test.npz'} not found")
    if args.test_data and args.validate:
        ap.error("--test-data scores a finished model's test split; --validate never reads one")
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    exclude = {args.exclude} if args.exclude else None
    data = load_split(args.data / "train.npz", exclude)
    if args.limit:
        data = {k: v[: args.limit] for k, v in data.items()}
    widths = tuple(int(w) for w in args.widths.split(","))
    if args.validate:
        fit, val = split_validation(data, args.validate)
        real = val["kinds"] != SELF_BLEND  # self-blends are a training aid: measure on the species only
        val = {k: v[real] for k, v in val.items()}
        model = train(fit, args.epochs, args.seed, widths=widths, tight_dropout=args.tight_dropout)
        probs = predict(model, val)
        torch.save(model.state_dict(), args.out / "model.pt")
        write_scores(args.out / "validation_scores.csv", probs, val)
        report = pad_report(probs[:, 0], [MODEL_CLASSES[int(y)].value for y in val["labels"]],
                            [str(s) for s in val["subjects"]])
        report.update({"validation": args.validate, "epochs": args.epochs, "widths": list(widths),
                       "n_fit": len(fit["labels"]), "n_val": len(val["labels"]),
                       "n_self_blend": int((fit["kinds"] == SELF_BLEND).sum()),
                       "tight_dropout": args.tight_dropout})
        (args.out / "validation.json").write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=1))
        return
    model = train(data, args.epochs, args.seed, widths=widths, tight_dropout=args.tight_dropout)
    torch.save(model.state_dict(), args.out / "model.pt")
    _wait_for(args.data / "test.npz")
    test = load_split(args.data / "test.npz")
    probs = predict(model, test)
    write_scores(args.out / "scores.csv", probs, test)
    report = pad_report(
        probs[:, 0], [MODEL_CLASSES[int(y)].value for y in test["labels"]], [str(s) for s in test["subjects"]]
    )
    report.update({"exclude": args.exclude, "epochs": args.epochs, "n_train": len(data["labels"]),
                   "n_self_blend": int((data["kinds"] == SELF_BLEND).sum()),
                   "widths": list(widths), "seed": args.seed,
                   "view_sizes": [int(data["tight"].shape[1]), int(data["context"].shape[1])],
                   "n_params": sum(p.numel() for p in model.parameters()),
                   "tight_dropout": args.tight_dropout})
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=1))
    onnx_path = args.out / f"{MODEL_NAME}.onnx"
    export_onnx(model, onnx_path, int(data["tight"].shape[1]), int(data["context"].shape[1]))
    if args.install:
        from openidv.liveness.training.install import install_model

        install_model(onnx_path, args)
    if args.test_data:  # after the export: nothing of the run is lost if this split is unreadable
        extra = load_split(args.test_data / "test.npz")
        write_scores(args.out / "scores_extra.csv", predict(model, extra), extra)


if __name__ == "__main__":
    main()
