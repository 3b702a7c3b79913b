from __future__ import annotations

import csv
import json

import numpy as np
from typer.testing import CliRunner

from openidv.face.cli import app
from openidv.imaging.decode import encode_jpeg


def _lfw(tmp_path, hopper):
    root = tmp_path / "faces"
    (root / "Grace_Hopper").mkdir(parents=True)
    (root / "Noise_Person").mkdir()
    (root / "Grace_Hopper" / "Grace_Hopper_0001.jpg").write_bytes(encode_jpeg(hopper))
    (root / "Grace_Hopper" / "Grace_Hopper_0002.jpg").write_bytes(encode_jpeg(hopper[20:, 10:-10], quality=80))
    rng = np.random.default_rng(0)
    (root / "Noise_Person" / "Noise_Person_0001.jpg").write_bytes(
        encode_jpeg(rng.integers(0, 255, (120, 120, 3), dtype=np.uint8))
    )
    (root / "Noise_Person" / "Noise_Person_0002.jpg").write_bytes(b"not an image")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text(
        "Grace_Hopper\t1\t2\nGrace_Hopper 1 Noise_Person 1\nGrace_Hopper\t2\tNoise_Person\t2\nGrace_Hopper 2 1\n"
    )
    return root, pairs


def test_eval_pairs_writes_every_row_and_never_crashes(tmp_path, hopper):
    root, pairs = _lfw(tmp_path, hopper)
    out = tmp_path / "scores.csv"
    argv = ["eval-pairs", "--root", str(root), "--pairs", str(pairs), "--out", str(out)]
    res = CliRunner().invoke(app, [*argv, "--json", str(tmp_path / "p.json")])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert [r["decision"] for r in rows] == ["match", "no_face", "unreadable", "match"]
    assert float(rows[0]["score"]) > 0.9
    assert rows[1]["score"] == "" and rows[2]["score"] == ""
    assert "protocol accuracy" in res.output
    assert "2 of 4 pairs have no score" in res.output
    summary = json.loads((tmp_path / "p.json").read_text())
    assert summary["unscored_pairs"] == 2


def test_compare_prints_json(tmp_path, hopper):
    a = tmp_path / "a.jpg"
    b = tmp_path / "b.jpg"
    a.write_bytes(encode_jpeg(hopper))
    b.write_bytes(encode_jpeg(hopper[:, ::-1].copy()))
    res = CliRunner().invoke(app, ["compare", str(a), str(b)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["decision"] == "match"
    assert out["similarity"] > 0.9
    assert out["estimated_fmr"] < 1e-4
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"nope")
    res = CliRunner().invoke(app, ["compare", str(a), str(bad)])
    assert res.exit_code == 1
    assert json.loads(res.output)["decision"] == "unreadable"
