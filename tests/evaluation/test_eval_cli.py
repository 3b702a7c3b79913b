"""The ``openidv eval`` CLI contract: JSON keys, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openidv.evaluation.cli import app
from openidv.evaluation.plugin import plugin

runner = CliRunner()
FAST = ["--bootstrap", "40", "-q"]


def estimate_ok(obj: object) -> bool:
    return isinstance(obj, dict) and {"value", "ci_low", "ci_high"} <= set(obj)


def run_json(tmp_path: Path, *args: str) -> dict:  # type: ignore[type-arg]
    out = tmp_path / "out.json"
    res = runner.invoke(app, ["run", *args, "--json", str(out), *FAST])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def test_plugin_mounts_the_eval_group() -> None:
    assert plugin.commands() == {"eval": app}


def test_verification_contract(tmp_path: Path, ver_csv: Path) -> None:
    d = run_json(tmp_path, "--kind", "verification", "--scores", str(ver_csv))
    assert estimate_ok(d["eer"])
    assert set(d["fnmr_at_fmr"]) == {"0.01", "0.001", "0.0001"}
    assert all(estimate_ok(v) for v in d["fnmr_at_fmr"].values())
    assert d["manifest"]["sha256"] and d["manifest"]["set_sha256"]
    assert d["settings"]["bootstrap"]["resampling_unit"] == "subject"


def test_pad_contract(tmp_path: Path, pad_csv: Path) -> None:
    d = run_json(tmp_path, "--kind", "pad", "--scores", str(pad_csv))
    assert set(d["apcer_per_species"]) == {"print", "replay", "mask"}
    assert all(estimate_ok(d[k]) for k in ("apcer_max", "bpcer"))
    assert set(d["bpcer_at_apcer"]) == {"0.05", "0.01"}
    assert all(estimate_ok(v) for v in d["bpcer_at_apcer"].values())
    assert isinstance(d["threshold"]["value"], float) and d["threshold"]["rule"] == "eer"


def test_classifier_contract_and_stdout_json(pad_csv: Path) -> None:
    res = runner.invoke(app, ["run", "--kind", "classifier", "--scores", str(pad_csv), "--json", "-", *FAST])
    assert res.exit_code == 0
    d = json.loads(res.stdout)
    assert estimate_ok(d["auroc"]) and estimate_ok(d["auprc"])
    assert set(d["recall_at_fpr"]) == {"0.01", "0.001"}


def test_threshold_file_and_slices(tmp_path: Path, ver_csv: Path) -> None:
    ts = tmp_path / "face_match.yaml"
    res = runner.invoke(
        app,
        ["tune", "--kind", "verification", "--scores", str(ver_csv), "--target", "fmr<=0.01", "--out", str(ts), *FAST],
    )
    assert res.exit_code == 0, res.output
    d = run_json(
        tmp_path, "--kind", "verification", "--scores", str(ver_csv), "--thresholds", str(ts), "--slice-by", "age_band"
    )
    assert d["threshold"]["rule"] == "given" and d["settings"]["threshold_set"]["name"] == "face_match"
    assert d["at_threshold"]["fmr"]["value"] <= 0.01
    assert set(d["slices"]["age_band"]["rates"]) == {"18-30", "31-50", "51+"}


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("", "cannot read"),
        ("sample_id,subject_id,label\na,s,genuine\n", "required column"),
        ("sample_id,subject_id,label,score\na,s,genuine,1\nb,t,fraud,0\n", "unknown label"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, content: str, expect: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    res = runner.invoke(app, ["run", "--kind", "verification", "--scores", str(bad), *FAST])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expect in lines[0]
    assert "Traceback" not in res.output


def test_missing_file_and_bad_options_exit_2(tmp_path: Path, ver_csv: Path) -> None:
    res = runner.invoke(app, ["run", "--kind", "verification", "--scores", str(tmp_path / "none.csv"), "-q"])
    assert res.exit_code == 2 and "does not exist" in res.stderr
    res = runner.invoke(app, ["run", "--kind", "verification", "--scores", str(ver_csv), "--ci-level", "2", "-q"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["run", "--kind", "verification", "--scores", str(ver_csv), "--slice-by", "nope", "-q"])
    assert res.exit_code == 2 and "attribute" in res.stderr


def test_tune_infeasible_exits_1(ver_csv: Path) -> None:
    res = runner.invoke(
        app,
        [
            "tune",
            "--kind",
            "verification",
            "--scores",
            str(ver_csv),
            "--target",
            "fmr<=0.001",
            "--target",
            "fnmr<=0.001",
            *FAST,
        ],
    )
    assert res.exit_code == 1 and "no threshold meets every target" in res.stderr


def test_gate_exit_codes(tmp_path: Path, ver_frame, ver_csv: Path) -> None:  # type: ignore[no-untyped-def]
    res = runner.invoke(
        app, ["gate", "--kind", "verification", "--candidate", str(ver_csv), "--champion", str(ver_csv), *FAST]
    )
    assert res.exit_code == 0 and "PASS" in res.stdout
    worse = tmp_path / "worse.csv"
    import numpy as np

    # (scaling would not do: every metric here is invariant to monotone transforms of the score)
    noise = np.random.default_rng(0).normal(0, 1.0, len(ver_frame))
    ver_frame.assign(score=ver_frame.score + noise).to_csv(worse, index=False)
    out = tmp_path / "gate.json"
    res = runner.invoke(
        app,
        [
            "gate",
            "--kind",
            "verification",
            "--candidate",
            str(worse),
            "--champion",
            str(ver_csv),
            "--json",
            str(out),
            *FAST,
        ],
    )
    assert res.exit_code == 1 and "REGRESSION" in res.stdout
    assert json.loads(out.read_text())["passed"] is False


def test_report_renders_saved_results(tmp_path: Path, ver_csv: Path) -> None:
    out = tmp_path / "r.json"
    runner.invoke(app, ["run", "--kind", "verification", "--scores", str(ver_csv), "--json", str(out), *FAST])
    html = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "--result", str(out), "--html", str(html), "-q"])
    assert res.exit_code == 0 and "<svg" in html.read_text()
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    res = runner.invoke(app, ["report", "--result", str(other), "--html", str(html), "-q"])
    assert res.exit_code == 2 and "not an openidv eval result" in res.stderr


def test_manifest_and_higher_is_attack(tmp_path: Path, ver_frame) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "flipped.csv"
    ver_frame.assign(score=-ver_frame.score).to_csv(path, index=False)
    res = runner.invoke(app, ["manifest", "--scores", str(path), "--model", "m", "--model-version", "3"])
    assert res.exit_code == 0 and Path(res.stdout.strip()).is_file()
    d = run_json(tmp_path, "--kind", "verification", "--scores", str(path), "--higher-is-attack")
    assert d["manifest"]["model"] == {"name": "m", "version": "3"}
    assert d["eer"]["value"] < 0.5 and not d["warnings"]
    assert d["settings"]["score_direction"] == "higher_is_attack"


def test_the_real_entry_point_mounts_eval(ver_csv: Path) -> None:
    from openidv.cli.main import build_app
    from openidv.errors import OpenIDVError

    try:
        root = build_app()
    except OpenIDVError as exc:  # another capability's plugin failed to load: not this layer's contract
        pytest.skip(f"core CLI could not load plugins: {exc}")
    res = runner.invoke(root, ["eval", "run", "--kind", "pad", "--scores", str(ver_csv), "-q"])
    assert res.exit_code == 2 and res.stderr.startswith("error: unknown label")
