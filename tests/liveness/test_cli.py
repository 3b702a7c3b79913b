"""`openidv liveness score`: one JSON object per image, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from openidv.liveness.redteam.common import FaceRef


def run(*args: str) -> list[dict]:  # type: ignore[type-arg]
    from openidv.cli.main import build_app

    result = CliRunner().invoke(build_app(), ["liveness", "score", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.strip().splitlines()]


def test_score_images(tmp_path: Path, hopper: FaceRef) -> None:
    face = tmp_path / "face.jpg"
    Image.fromarray(hopper.rgb).save(face)
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((120, 120, 3), 200, np.uint8)).save(blank)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really")
    out = run(str(face), str(blank), str(broken))
    assert len(out) == 3
    assert 0.0 <= out[0]["score"] <= 1.0 and out[0]["decision"] in ("bona_fide", "attack", "undecided")
    assert out[1] == {**out[1], "decision": "undecided", "reason": "no_face_found", "score": None}
    assert out[2]["decision"] == "undecided" and out[2]["reason"].startswith("image_")


def test_face_crop_skips_detection(tmp_path: Path, hopper: FaceRef) -> None:
    x0, y0, x1, y1 = (int(v) for v in hopper.box)
    crop = tmp_path / "crop.png"
    Image.fromarray(hopper.rgb[y0:y1, x0:x1]).save(crop)
    out = run("--face-crop", str(crop))
    assert out[0]["decision"] in ("bona_fide", "attack", "undecided") and "faces" not in out[0]


def test_two_faces_are_never_a_bona_fide_selfie(tmp_path: Path, hopper: FaceRef) -> None:
    pair = np.concatenate([hopper.rgb, hopper.rgb[:, ::-1]], axis=1)
    path = tmp_path / "two.png"
    Image.fromarray(pair).save(path)
    (out,) = run(str(path))
    assert out["faces"] == 2 and out["decision"] != "bona_fide"
    assert out["decision"] == "attack" or out.get("reason") == "multiple_faces" or out["score"] < 0.9856
    (dev,) = run("/dev/zero")
    assert dev["decision"] == "undecided" and dev["score"] is None
