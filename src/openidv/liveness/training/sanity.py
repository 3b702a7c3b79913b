"""Score real captures whose truth is in the file name (``*_T*`` bona fide, ``*_F*`` attack).

    python -m openidv.liveness.training.sanity --folder ../shared/data/pad-dev [--model RUN/pad_passive.onnx]

A sanity check only: these files are never used to train or tune.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def score_folder(folder: Path, model: Path | None, thresholds: Any) -> list[dict[str, Any]]:
    import onnxruntime as ort

    from openidv.imaging.decode import decode_image
    from openidv.liveness.checks import decide
    from openidv.liveness.faces import largest_face
    from openidv.liveness.pad import PassivePAD, default_pad

    pad = PassivePAD(ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])) if model else default_pad()
    out = []
    for path in sorted(folder.glob("*.jpg")):
        truth = "bona_fide" if "_T" in path.stem else "attack"
        rgb = decode_image(path.read_bytes()).rgb
        face = largest_face(rgb)
        if face is None:
            out.append({"image": path.name, "truth": truth, "score": float("nan"), "decision": "undecided"})
            continue
        res = pad.score_face(rgb, face.box)
        decision = decide(res.score, thresholds["attack_below"], thresholds["bona_fide_from"])
        out.append(
            {"image": path.name, "truth": truth, "score": res.score, "decision": decision, "species": res.species.value}
        )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=None, help="ONNX file (default: the shipped model)")
    ap.add_argument("--thresholds", type=Path, default=None, help="threshold file (default: the shipped set)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    from openidv.policy.thresholds import ThresholdRegistry, load_threshold_file

    t = load_threshold_file(args.thresholds) if args.thresholds else ThresholdRegistry.load().get("liveness_pad")
    rows = score_folder(args.folder, args.model, t)
    text = json.dumps(rows, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
