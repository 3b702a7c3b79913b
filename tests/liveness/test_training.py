"""Smoke run of the training script: tiny generated set, one epoch, ONNX export, run-time scoring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("onnx")


@pytest.mark.parametrize("sizes", [(80, 64), (96, 72)])
def test_generate_train_export_score(tmp_path: Path, draw, sizes: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    from openidv.liveness.pad import PassivePAD
    from openidv.liveness.species import MODEL_CLASSES
    from openidv.liveness.training import dataset, train_pad
    from openidv.liveness.training.faces import SourceEntry

    entries = []
    for i in range(6):
        ref = draw(i)
        path = tmp_path / f"p{i}" / "1.jpg"
        path.parent.mkdir()
        Image.fromarray(ref.rgb).save(path)
        entries.append(SourceEntry(str(path), f"p{i}", tuple(int(v) for v in ref.box), ref.landmarks5.tolist()))  # type: ignore[arg-type, union-attr]
    data = tmp_path / "data"
    data.mkdir()
    for split in ("train", "test"):
        info = dataset.build(entries, dataset.plan(entries, 6, 2, seed=1), data / f"{split}.npz", workers=1,
                             sizes=sizes)
        assert info["counts"] == [6, 2, 2, 2, 2, 2]
    out = tmp_path / "run"
    train_pad.main(["--data", str(data), "--out", str(out), "--epochs", "1"])
    assert (out / "scores.csv").read_text().startswith("sample_id,subject_id,label,species,score")
    session = ort.InferenceSession(str(out / "pad_passive.onnx"), providers=["CPUExecutionProvider"])
    pad = PassivePAD(session)
    assert pad.view_sizes == sizes  # the run time crops at the sizes the model was trained on
    res = pad.score_face(draw(9).rgb, draw(9).box)
    assert 0.0 <= res.score <= 1.0 and res.species in MODEL_CLASSES[1:]
    assert abs(sum(res.probabilities.values()) - 1.0) < 1e-4
    assert np.isfinite(res.score)
    # the exported model re-scores the test split as training scored it (the cross-comparison tool)
    from openidv.liveness.training import score_split

    score_split.main(["--data", str(data), "--out", str(tmp_path / "cross"), "--model", str(out / "pad_passive.onnx")])
    trained = [r.split(",")[4] for r in (out / "scores.csv").read_text().splitlines()[1:]]
    again = [r.split(",")[4] for r in (tmp_path / "cross" / "scores.csv").read_text().splitlines()[1:]]
    assert np.allclose(np.array(trained, float), np.array(again, float), atol=1e-4)


def test_generations_of_training_data_merge(tmp_path: Path) -> None:
    from openidv.liveness.training.merge_data import merge

    def gen(name: str, n: int, side: int = 8) -> Path:
        d = tmp_path / name
        d.mkdir()
        arrays = {
            "tight": np.zeros((n, side, side, 3), np.uint8),
            "context": np.zeros((n, 4, 4, 3), np.uint8),
            "labels": np.arange(n) % 6,
            "subjects": np.array([f"{name}{i}" for i in range(n)]),
        }
        np.savez(d / "train.npz", **arrays)
        np.savez(d / "test.npz", **{**arrays, "subjects": np.array(["test"] * n)})
        return d

    a, b = gen("a", 5), gen("b", 3)
    assert merge([a, b], tmp_path / "ab") == 8
    with np.load(tmp_path / "ab" / "train.npz") as z:
        assert list(z["subjects"][:1]) == ["a0"] and list(z["subjects"][-1:]) == ["b2"]
    assert (tmp_path / "ab" / "test.npz").read_bytes() == (a / "test.npz").read_bytes()  # the first one's test split
    with pytest.raises(ValueError, match="view sizes"):
        merge([a, gen("c", 2, side=16)], tmp_path / "ac")
    with pytest.raises(ValueError, match="twice"):
        merge([a, a], tmp_path / "aa")
    (b / "test.npz").unlink()
    with pytest.raises(ValueError, match="missing"):
        merge([b, a], tmp_path / "ba")
    leak = gen("d", 2)
    np.savez(leak / "train.npz", **{**dict(np.load(leak / "train.npz")), "subjects": np.array(["test", "d1"])})
    with pytest.raises(ValueError, match="test identities"):
        merge([a, leak], tmp_path / "ad")


def test_head_action_operating_points_sit_between_still_faces_and_genuine_movements() -> None:
    """min_turn / min_nod: halfway between the weakest genuine movements (2nd percentile) and what
    faces that did not move show (99th percentile of the still streams' measurement)."""
    from openidv.liveness.active import Observation
    from openidv.liveness.colour import FlashReading
    from openidv.liveness.pose import ActionMeasure
    from openidv.liveness.training.tune_active import tune

    flashes = [FlashReading(c, c, 0.99, 0.05, 3) for c in ("red", "green", "blue", "cyan", "yellow")]

    def session(kind: str, asked: str, measured: float) -> dict[str, object]:
        return {"kind": kind, "obs": Observation(80, [], 0, flashes, ActionMeasure(asked, measured, 0.01, 10, 20), 40)}

    sessions = [session("genuine", "turn_left", 0.10)] * 50 + [session("genuine", "nod", 0.08)] * 50
    sessions += [session("still", "turn_left", 0.02)] * 50 + [session("still", "nod", 0.03)] * 50
    params, info = tune(sessions)
    assert abs(params.min_turn - 0.06) < 1e-9 and abs(params.min_nod - 0.055) < 1e-9
    assert info["tune_genuine_pass"] == 1.0 and info["tune_attack_pass"] == 0.0


def test_tight_dropout_blanks_only_the_tight_view_of_some_samples() -> None:
    """Same draws with and without dropout: only the chosen tight views change, to grey x gain."""
    import torch

    from openidv.liveness.crops import PAD_VALUE
    from openidv.liveness.training.train_pad import _augment

    g = torch.Generator().manual_seed(0)
    t = torch.rand((400, 3, 8, 8), generator=g) * 100 + 150  # textured views, brighter than the grey
    c = torch.rand((400, 3, 6, 6), generator=g) * 100
    t0, c0 = _augment(t, c, torch.Generator().manual_seed(1), tight_dropout=0.0)
    t1, c1 = _augment(t, c, torch.Generator().manual_seed(1), tight_dropout=0.25)
    assert torch.equal(c1, c0)  # contexts (flips, bare crops, gain) are untouched
    changed = (t1 != t0).flatten(1).any(dim=1)
    assert 60 < int(changed.sum()) < 140  # about a quarter
    assert torch.equal(t1[~changed], t0[~changed])
    blank = t1[changed]
    assert bool((blank.flatten(1).std(dim=1) == 0).all())  # flat grey ...
    gain = blank[:, 0, 0, 0] / PAD_VALUE
    assert bool(((gain > 0.6) & (gain < 1.5)).all())  # ... at the sample's gain
    # a bare-crop context has grey corners (equal channels); no sample is both bare and blanked
    bare = (c0[:, 0, 0, 0] == c0[:, 1, 0, 0]) & (c0[:, 1, 0, 0] == c0[:, 2, 0, 0])
    assert int(bare.sum()) > 15 and not bool((bare & changed).any())


def test_self_blends_come_last_and_survive_leaving_out_face_swaps(tmp_path: Path) -> None:
    from openidv.liveness.training import dataset
    from openidv.liveness.training.faces import SourceEntry
    from openidv.liveness.training.merge_data import merge
    from openidv.liveness.training.train_pad import load_split

    entries = [SourceEntry(f"{i}.jpg", f"p{i}", (0, 0, 10, 10), None) for i in range(5)]  # type: ignore[arg-type]
    plain = dataset.plan(entries, 3, 2, seed=4)
    more = dataset.plan(entries, 3, 2, seed=4, n_self_blend=4)
    assert more[: len(plain)] == plain  # earlier plans draw exactly what they drew
    assert [j.species for j in more[len(plain) :]] == [dataset.SELF_BLEND] * 4
    assert dataset.kind_label(dataset.SELF_BLEND) == dataset.kind_label("deepfake")

    def folder(name: str, kinds: list[str] | None) -> Path:
        d = tmp_path / name
        d.mkdir()
        labels = np.array([dataset.kind_label(k) for k in (kinds or ["bona_fide", "print", "deepfake"])])
        n = len(labels)
        arrays = {"tight": np.zeros((n, 4, 4, 3), np.uint8), "context": np.zeros((n, 2, 2, 3), np.uint8),
                  "labels": labels, "subjects": np.array([f"{name}{i}" for i in range(len(labels))])}
        extra = {"kinds": np.array(kinds)} if kinds else {}  # an older folder stores no kinds
        np.savez(d / "train.npz", **arrays, **extra)
        np.savez(d / "test.npz", **{**arrays, "subjects": np.array(["t"] * len(labels))})
        return d

    merged = tmp_path / "m"
    merge([folder("old", None), folder("sb", ["self_blend", "self_blend"])], merged)
    full = load_split(merged / "train.npz")
    assert full["kinds"].tolist() == ["bona_fide", "print", "deepfake", "self_blend", "self_blend"]
    held = load_split(merged / "train.npz", {"deepfake"})
    assert held["kinds"].tolist() == ["bona_fide", "print", "self_blend", "self_blend"]
    assert set(held["labels"][2:].tolist()) == {dataset.kind_label("deepfake")}
    assert load_split(merged / "train.npz", {"self_blend"})["kinds"].tolist() == ["bona_fide", "print", "deepfake"]


def _card_inputs() -> tuple[dict[str, Any], dict[str, list[int]]]:
    """A minimal report and class counts for rendering a card."""
    ci = {"value": 0.1, "ci_low": 0.05, "ci_high": 0.2}
    species = {"print": {"n_attack": 10, "apcer_at_bpcer1": ci, "bpcer_at_apcer1": ci}}
    report = {
        "operating_points": {"attack_below": 0.1, "bona_fide_from": 0.9},
        "in_distribution": {"species": species, "n_bona_fide": 20, "threshold_bpcer1": 0.1, "bpcer_at_threshold": ci},
        "held_out": {},
    }
    return report, {"train": [1] * 6, "test": [1] * 6}


def test_the_card_names_the_red_team_its_data_were_drawn_with() -> None:
    from openidv.liveness.training.card import render

    report, counts = _card_inputs()
    assert "Red team v5" not in render(report, counts, None)
    assert "Red team v5" in render(report, counts, None, redteam=5)


def test_the_card_of_a_seed_ensemble_names_its_members() -> None:
    from openidv.liveness.training.card import render

    report, counts = _card_inputs()
    run = {"seed": 2, "epochs": 16}
    one = render(report, counts, None, run)
    two = render(report, counts, None, run, seeds=[1, 2])
    assert "(seed 2, 16 epochs" in one and "ensemble" not in one
    assert "mean of the class probabilities of 2 networks" in two and "(seeds 1, 2)" in two
