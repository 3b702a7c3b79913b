"""The seed ensemble: one ONNX graph whose output is the mean of its members' outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")


def _member(tmp_path: Path, seed: int, tight: int = 48, context: int = 40) -> Path:
    from openidv.liveness.species import MODEL_CLASSES
    from openidv.liveness.training.model import PADNet
    from openidv.liveness.training.train_pad import export_onnx

    torch.manual_seed(seed)
    model = PADNet(len(MODEL_CLASSES)).eval()
    path = tmp_path / f"m{seed}.onnx"
    export_onnx(model, path, tight, context)
    return path


def _run(path: Path, t: np.ndarray, c: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(s.run(["probs"], {"tight": t, "context": c})[0])


def test_ensemble_output_is_the_members_mean(tmp_path: Path) -> None:
    from openidv.liveness.training import ensemble

    members = [_member(tmp_path, s) for s in (1, 2, 3)]
    out = tmp_path / "ens.onnx"
    ensemble.main([*map(str, members), "--out", str(out)])
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 255, (4, 3, 48, 48)).astype(np.float32)
    c = rng.uniform(0, 255, (4, 3, 40, 40)).astype(np.float32)
    want = np.mean([_run(m, t, c) for m in members], axis=0)
    got = _run(out, t, c)
    assert got.shape == (4, 6)
    np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-5)


def test_the_run_time_reads_the_ensemble_like_one_model(tmp_path: Path) -> None:
    import onnxruntime as ort

    from openidv.liveness.pad import PassivePAD
    from openidv.liveness.training import ensemble

    out = tmp_path / "ens.onnx"
    ensemble.average_files([_member(tmp_path, 1), _member(tmp_path, 2)], out)
    pad = PassivePAD(ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]))
    assert pad.view_sizes == (48, 40)
    res = pad.score_views(np.zeros((2, 48, 48, 3), np.uint8), np.zeros((2, 40, 40, 3), np.uint8))
    assert len(res) == 2 and all(0.0 <= r.score <= 1.0 for r in res)


def test_members_must_agree_on_their_views(tmp_path: Path) -> None:
    import onnx

    from openidv.liveness.training import ensemble

    a, b = _member(tmp_path, 1), _member(tmp_path, 2, tight=56)
    with pytest.raises(ValueError, match="differ"):
        ensemble.average_models([onnx.load(str(a)), onnx.load(str(b))])
    with pytest.raises(ValueError, match="at least two"):
        ensemble.average_models([onnx.load(str(a))])


def test_the_command_refuses_missing_members(tmp_path: Path) -> None:
    from openidv.liveness.training import ensemble

    with pytest.raises(SystemExit):
        ensemble.main([str(tmp_path / "none.onnx"), str(tmp_path / "none2.onnx"), "--out", str(tmp_path / "e.onnx")])


def test_install_needs_the_members_seeds_and_epochs(tmp_path: Path) -> None:
    from openidv.liveness.training import ensemble

    members = [str(_member(tmp_path, 1)), str(_member(tmp_path, 2))]
    with pytest.raises(SystemExit):
        ensemble.main([*members, "--out", str(tmp_path / "e.onnx"), "--install", "9.9.9", "--seeds", "1"])
    assert not (tmp_path / "e.onnx").exists()


def test_install_ships_the_ensemble_with_its_members_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from openidv.liveness.training import ensemble, install
    from openidv.models.registry import sha256_file

    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setattr(install, "MODELS_DIR", models)
    members = [str(_member(tmp_path, 1)), str(_member(tmp_path, 2))]
    ensemble.main([*members, "--out", str(tmp_path / "e.onnx"), "--install", "9.9.9", "--seeds", "1,2",
                   "--epochs", "16"])
    entry = json.loads((models / "MODELS.json").read_text())["pad_passive"]
    assert entry["version"] == "9.9.9" and entry["seeds"] == [1, 2] and entry["epochs"] == 16
    assert entry["sha256"] == sha256_file(models / "pad_passive.onnx") == sha256_file(tmp_path / "e.onnx")
    for bad in (["--seeds", "1,2"], ["--epochs", "16"], ["--seeds", "1,1", "--epochs", "16"]):
        with pytest.raises(SystemExit):
            ensemble.main([*members, "--out", str(tmp_path / "f.onnx"), "--install", "9.9.9", *bad])


def test_the_same_network_twice_is_no_ensemble(tmp_path: Path) -> None:
    import onnx

    from openidv.liveness.training import ensemble

    a = onnx.load(str(_member(tmp_path, 1)))
    with pytest.raises(ValueError, match="twice"):
        ensemble.average_models([a, a])
