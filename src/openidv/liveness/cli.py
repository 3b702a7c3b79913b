"""``openidv liveness ...``: score images with the passive model from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from openidv import errors

app = typer.Typer(help="Liveness: passive presentation-attack detection.", no_args_is_help=True)


def _pad_thresholds() -> Any:
    from openidv.config import get_settings
    from openidv.policy.thresholds import ThresholdRegistry

    return ThresholdRegistry.load(get_settings().threshold_dirs).get("liveness_pad")


def score_image(path: Path, face_crop: bool, thresholds: Any) -> dict[str, Any]:
    """One image's JSON line; every failure is an `undecided` object with a reason, never a crash."""
    from openidv.imaging.decode import decode_image, read_image_file
    from openidv.liveness.checks import decide
    from openidv.liveness.faces import largest_face
    from openidv.liveness.pad import default_pad

    out: dict[str, Any] = {"image": str(path)}
    try:
        rgb = decode_image(read_image_file(path)).rgb
    except (OSError, errors.ImageError, errors.ValidationFailed) as exc:
        reason = exc.code if isinstance(exc, errors.OpenIDVError) else "unreadable_file"
        return {**out, "score": None, "decision": "undecided", "species": None, "reason": reason}
    if face_crop:  # the input is a tight face crop: its box is the whole image, shrunk to a face box
        h, w = rgb.shape[:2]
        box: tuple[float, ...] = (0.08 * w, 0.08 * h, 0.92 * w, 0.92 * h)
    else:
        face = largest_face(rgb)
        if face is None:
            return {**out, "score": None, "decision": "undecided", "species": None, "reason": "no_face_found"}
        box = face.box
        out["faces"] = face.n_faces
    res = default_pad().score_face(rgb, box)
    decision = decide(res.score, thresholds["attack_below"], thresholds["bona_fide_from"])
    if out.get("faces", 1) > 1 and decision == "bona_fide":
        # the model judged the largest face, but a neighbour in view moves its score (measured: one
        # face 0.75, the same with a second face 0.99): a crowd is not a bona fide selfie
        decision, out["reason"] = "undecided", "multiple_faces"
    out.update(
        {
            "score": round(res.score, 6),
            "decision": decision,
            "species": res.species.value if decision != "bona_fide" else None,
            "probabilities": res.as_dict()["probabilities"],
            "face_box": [round(v, 1) for v in box],
            "threshold_set": f"{thresholds.name}@{thresholds.version}",
        }
    )
    return out


@app.command("score")
def score(
    images: Annotated[list[Path], typer.Argument(help="Image files (JPEG, PNG, WebP, HEIF).")],
    face_crop: Annotated[
        bool, typer.Option("--face-crop", help="Inputs are tight face crops: skip detection.")
    ] = False,
) -> None:
    """Print one JSON object per image: score (higher = more likely bona fide), decision, species."""
    thresholds = _pad_thresholds()
    for path in images:
        typer.echo(json.dumps(score_image(path, face_crop, thresholds)))
