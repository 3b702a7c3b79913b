"""Write the passive model's card (``models/pad_passive.md``) from the measured report.

    python -m openidv.liveness.training.card --report var/liveness/report/pad_report.json \\
        --data var/liveness/data --sanity var/liveness/report/pad_dev.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from openidv.liveness.training.install import MODELS_DIR


def _ci(e: dict[str, Any] | None) -> str:
    if not e or e.get("value") is None:
        return "n/a"
    return f"{100 * e['value']:.1f}% [{100 * e['ci_low']:.1f}, {100 * e['ci_high']:.1f}]"


def table(figures: dict[str, Any]) -> list[str]:
    lines = ["| species | attacks | APCER @ BPCER 1% [95% CI] | BPCER @ APCER 1% [95% CI] |", "|---|---|---|---|"]
    for sp, f in figures.items():
        lines.append(f"| {sp} | {f['n_attack']} | {_ci(f['apcer_at_bpcer1'])} | {_ci(f['bpcer_at_apcer1'])} |")
    return lines


def _status(ind: dict[str, Any], sanity: list[dict[str, Any]] | None) -> str:
    worst = max(ind["species"].items(), key=lambda kv: kv[1]["apcer_at_bpcer1"]["value"])
    met = worst[1]["apcer_at_bpcer1"]["value"] <= 0.05
    line = (
        f"Target max-species APCER <= 5% at BPCER 1% in distribution: {'met' if met else 'NOT met'} "
        f"(worst: {worst[0]} {100 * worst[1]['apcer_at_bpcer1']['value']:.1f}%)."
    )
    if sanity:
        right = sum(s["decision"] == s["truth"] for s in sanity)
        line += f" Real pad-dev samples decided right: {right} of {len(sanity)}."
    return line


def _undecided_share(scores: Path, op: dict[str, float]) -> float | None:
    """Share of the test split's genuine faces between the two operating points."""
    import csv

    if not scores.is_file():
        return None
    with scores.open() as fh:
        genuine = np.array([float(r["score"]) for r in csv.DictReader(fh) if r["label"] == "bona_fide"])
    inside = (genuine >= op["attack_below"]) & (genuine < op["bona_fide_from"])
    return float(inside.mean()) if len(genuine) else None


def render(
    report: dict[str, Any],
    counts: dict[str, list[int]],
    sanity: list[dict[str, Any]] | None,
    run: dict[str, Any] | None = None,
    loso_epochs: int | None = None,
    undecided: float | None = None,
    selection: str | None = None,
    redteam: int = 4,
    seeds: list[int] | None = None,
) -> str:
    """The card; `run` is the full run's ``report.json`` (sizes, widths, epochs, parameter count,
    tight-view dropout), `undecided` the share of genuine test faces in the undecided band,
    `selection` how this model was chosen among trained candidates (if it was), `redteam` the
    red-team version its data were drawn with (``dataset --redteam``), `seeds` the members' training
    seeds when the model is a seed ensemble (``training.ensemble``)."""
    op = report["operating_points"]
    ind = report["in_distribution"]
    run = run or {}
    ts, cs = run.get("view_sizes", [80, 64])
    n_params = run.get("n_params")
    size = f"~{n_params / 1000:.0f} k parameters" if n_params else "~85 k parameters"
    widths = ",".join(str(w) for w in run.get("widths", [16, 24, 32, 48]))
    if seeds and len(seeds) > 1:
        listed = ", ".join(str(s) for s in seeds)
        what = [
            f"The mean of the class probabilities of {len(seeds)} networks trained the same way but for the seed",
            f"(seeds {listed}), run inside one ONNX graph (`python -m openidv.liveness.training.ensemble`). Each:",
            f"a two-branch CNN (tight face {ts} px, context {cs} px; tight-branch widths {widths}), {size},",
            "ONNX opset 17, one thread. Output: P(bona_fide, print, screen, cutout, mask, deepfake). Each trained by",
            f"`python -m openidv.liveness.training.train_pad` ({run.get('epochs', 24)} epochs, AdamW, one-cycle LR).",
        ]
    else:
        what = [
            f"Two-branch CNN (tight face {ts} px, context {cs} px; tight-branch widths {widths}), {size},",
            "ONNX opset 17, one thread. Output: P(bona_fide, print, screen, cutout, mask, deepfake). Trained by",
            f"`python -m openidv.liveness.training.train_pad` (seed {run.get('seed', 1)}, {run.get('epochs', 24)}"
            " epochs, AdamW, one-cycle LR).",
        ]
    out = [
        "# pad_passive: passive presentation-attack detector",
        "",
        *what,
        "",
        "## Data",
        "",
        "Bona fide: LFW development subset (`../shared/data/lfw-dev`, web JPEG photos, research use).",
        "Attacks: generated from those photos by `openidv.liveness.redteam` (see docs/liveness.md).",
        "Screen replays include high-density panels (no resolvable pixel grid, bezel kept; 40% since the",
        "red team of stop 20).",
        *(
            ["Red team v5 (stop 29): glossy screens and prints reflect the room, device bodies show a sheen",
             "and a lens, held instruments are held by a drawn hand (thumb over the edge, fingertips round",
             "the sides), and a replayed close-up may fill its screen with the whole device in view."]
            if redteam >= 5
            else []
        ),
        *(
            [f"Training blanked the tight view of {100 * dropout:.0f}% of samples (`--tight-dropout {dropout}`)"
             " so that the context branch learns to answer alone."]
            if (dropout := float(run.get("tight_dropout") or 0.0)) > 0
            else []
        ),
        *(
            [f"The deepfake class also holds {n_sb} self-blended bona fide faces (training only,",
             "`dataset --train-self-blend`): a photo blended into an altered copy of itself, so the model",
             "learns blend seams and colour or sharpness steps rather than one swap method's traits. The",
             "leave-one-species-out deepfake run drops the face swaps and keeps these."]
            if (n_sb := int(run.get("n_self_blend") or 0)) > 0
            else []
        ),
        "Both classes pass through the same simulated camera. Split by person (hash of the folder",
        f"name): train {counts['train']} / test {counts['test']} samples in class order",
        "[bona_fide, print, screen, cutout, mask, deepfake]. The test identities are split again into",
        "a calibration half (operating points) and an evaluation half (every figure below).",
        "",
        "## Operating points (threshold set `liveness_pad`)",
        "",
        f"attack below {op['attack_below']:.4f}, bona fide from {op['bona_fide_from']:.4f}, undecided between.",
        "",
        "## Status",
        "",
        _status(ind, sanity),
        "",
        f"## In distribution (evaluation half, {ind['n_bona_fide']} bona fide)",
        "",
        f"Threshold at BPCER 1%: {ind['threshold_bpcer1']:.4f}; BPCER there {_ci(ind['bpcer_at_threshold'])}.",
        "",
        *table(ind["species"]),
        "",
        "## Leave one species out"
        + (f" (the species was absent from training; {loso_epochs or 14} epochs)" if report["held_out"] else ""),
        "",
        *(table(report["held_out"]) if report["held_out"] else ["not run for this model"]),
        "",
    ]
    if sanity:
        out += [
            "## Sanity check on real captures (`../shared/data/pad-dev`)",
            "",
            "Never trained on." + (f" {selection}" if selection else " Not used to choose the model."),
            "",
            "| image | truth | score | decision |",
            "|---|---|---|---|",
        ]
        out += [f"| {s['image']} | {s['truth']} | {s['score']:.4f} | {s['decision']} |" for s in sanity]
        out.append("")
    out += [
        "## Limits",
        "",
        "* Every attack seen in training is synthetic; real instruments (other printers, papers, panels,",
        "  3D masks, modern face-swap networks) differ"
        + (". Held-out-species figures above show how far an" if report["held_out"] else "; an"),
        "  unseen instrument can fall" + ("" if report["held_out"] else " far")
        + "; expect real-world error rates well above the in-distribution ones.",
        "* Bona fide faces are LFW press photos (mostly frontal adults, skewed demographics); phone",
        "  selfies in poor light, heavy beauty filters or unusual cameras are under-represented.",
        "* The bona fide band starts where APCER_max is 1%, i.e. above the attacks the model misses (still-image",
        "  deepfakes, prints): genuine selfies in `undecided` go to review"
        + (f" ({100 * undecided:.1f}% of the test split's genuine faces)." if undecided is not None else "."),
        "  A deployment that lowers `bona_fide_from` accepts the APCER the table shows there.",
        "* The context branch relies on seeing around the face: a tight crop (`--face-crop`) loses the",
        "  edge, bezel and hand cues.",
        "* Licence: project code Apache-2.0; the weights derive from LFW (research use): check the",
        "  terms before commercial deployment.",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--sanity", type=Path, default=None)
    ap.add_argument("--run", type=Path, default=None, help="the full run's folder (its report.json)")
    ap.add_argument("--loso-epochs", type=int, default=None)
    ap.add_argument("--selection", default=None,
                    help="how the model was chosen among trained candidates, if it was (one sentence)")
    ap.add_argument("--redteam", type=int, default=4, help="red-team version of the data (dataset --redteam)")
    ap.add_argument("--seeds", default=None, help="members' training seeds of a seed ensemble, e.g. 1,2")
    ap.add_argument("--scores", type=Path, default=None,
                    help="the shipped model's test scores for the undecided share (default: <run>/scores.csv; "
                         "give the ensemble's score_split file for an ensemble, whose --run is a member's)")
    args = ap.parse_args(argv)
    counts = {
        s: np.bincount(np.load(args.data / f"{s}.npz")["labels"], minlength=6).tolist() for s in ("train", "test")
    }
    sanity = json.loads(args.sanity.read_text()) if args.sanity and args.sanity.is_file() else None
    run = json.loads((args.run / "report.json").read_text()) if args.run else None
    report = json.loads(args.report.read_text())
    scores = args.scores or (args.run / "scores.csv" if args.run else None)
    undecided = _undecided_share(scores, report["operating_points"]) if scores else None
    seeds = [int(v) for v in args.seeds.split(",")] if args.seeds else None
    text = render(report, counts, sanity, run, args.loso_epochs, undecided, args.selection, args.redteam, seeds)
    (MODELS_DIR / "pad_passive.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
