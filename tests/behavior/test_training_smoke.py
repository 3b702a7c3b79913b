"""The training scripts run end to end on tiny inputs (real weights are trained on ../shared and committed).

No recorded data is needed: stand-in "human" recordings are written in the Balabit layout from the
generator's most human-like family. This proves the scripts work, not that the models are good.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from openidv.behavior.botgen import generate
from openidv.policy.thresholds import load_threshold_file

from .conftest import donors, make_skeleton
from .test_balabit_cli import write_csv


def stand_in_recordings(root: Path, users: int = 2, sessions: int = 2) -> Path:
    for u in range(users):
        for s in range(sessions):
            seed = 100 * u + s
            p = generate("sigma_lognormal", make_skeleton(seed, n_targets=40), np.random.default_rng(seed), donors())
            (root / f"user{u}").mkdir(parents=True, exist_ok=True)
            write_csv(root / f"user{u}" / f"session_{s}", p)
    return root


def test_bot_training_smoke(tmp_path: Path) -> None:
    from openidv.behavior.training.train_bot import Config, run
    from openidv.models.registry import read_manifest, sha256_file

    data = stand_in_recordings(tmp_path / "data")
    cfg = Config(data=data, work=tmp_path / "work", models_dir=tmp_path / "models", thresholds_dir=tmp_path / "th",
                 max_windows=2, folds=2, rounds=5, lofo=False, n_boot=5)
    summary = run(cfg)
    assert set(summary["per_family"]) and summary["thresholds"]["values"]["bot"] <= 1.0
    manifest = json.loads((cfg.models_dir / "MODELS.json").read_text())
    assert manifest["bot_gbm"]["sha256"] == sha256_file(cfg.models_dir / "bot_gbm.onnx")
    assert (cfg.models_dir / "bot_gbm.md").read_text().startswith("# Model card")
    ts = load_threshold_file(cfg.thresholds_dir / "behavior_bot.yaml")
    assert set(ts.values) == {"bot", "review", "anomaly"} and ts.source["models"]
    assert read_manifest is not None


def test_device_training_smoke(tmp_path: Path) -> None:
    from openidv.behavior.training.train_device import main

    rc = main(["--enrolled", "300", "--returning", "60", "--new", "60", "--models-dir", str(tmp_path / "m"),
               "--thresholds-dir", str(tmp_path / "t"), "--json", str(tmp_path / "out.json")])
    assert rc == 0
    out = json.loads((tmp_path / "out.json").read_text())
    assert 0 <= out["mixed"]["all"]["false_links"] <= 1 and (tmp_path / "m" / "device_link.json").is_file()
    values = load_threshold_file(tmp_path / "t" / "behavior_device.yaml").values
    assert values["link"] == out["thresholds"]["desktop"] and "link_mobile" in values


def test_velocity_tuning_smoke(tmp_path: Path) -> None:
    from openidv.behavior.training.tune_velocity import LIMITS, main

    assert main(["--accounts", "300", "--farms", "3", "--bootstrap", "0", "--thresholds-dir", str(tmp_path)]) == 0
    assert set(load_threshold_file(tmp_path / "behavior_velocity.yaml").values) == set(LIMITS)
