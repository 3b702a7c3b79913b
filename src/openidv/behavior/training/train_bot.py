"""Train, evaluate and ship the bot classifier and the session-anomaly model.

    python -m openidv.behavior.training.train_bot --data ../shared/data/mouse-dev/training_files

Steps (fixed seed, every split by user):

1. cut the human recordings into onboarding-length windows, generate bots of every family on their
   skeletons, compute features (cached under ``--work``);
2. nested 5-fold cross-validation by user: out-of-fold bot scores, and the human flag rate at
   thresholds chosen without the fold's users;
3. leave-one-family-out: each family scored by models that never saw it;
4. the anomaly model, out of fold;
5. every metric through the evaluation layer (score files written under ``--work``, higher score =
   more human, so ``openidv eval run --kind classifier --scores FILE`` reproduces each figure);
6. operating thresholds tuned on the out-of-fold scores with ``openidv.evaluation.tune_threshold``
   and written with provenance to ``policy/data/thresholds/behavior_bot.yaml``;
7. the final models fitted on all users, exported (ONNX / npz), hashed into MODELS.json, with
   model cards generated from the measured figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.anomaly import AnomalyModel
from openidv.behavior.botgen import FAMILIES, TIERS
from openidv.behavior.features import FEATURE_NAMES, FEATURE_VERSION
from openidv.behavior.training import crossval, report
from openidv.behavior.training.dataset import human_windows
from openidv.behavior.training.table import HUMAN, Table, build_table
from openidv.models.gbm import ROUNDS, fit_gbm, to_onnx

SEED = 20261128
PACKAGE_DIR = Path(__file__).resolve().parents[1]
MODELS_DIR = PACKAGE_DIR / "models"
THRESHOLDS_DIR = PACKAGE_DIR.parent / "policy" / "data" / "thresholds"
MODEL_VERSION = "1.0.0"
FPR_BOT = 0.005  # target human flag rate of the "bot" decision
FPR_REVIEW = 0.03  # ... of "review or bot"
FPR_ANOMALY = 0.02  # ... of BEHAVIOR_ANOMALY


@dataclass(frozen=True)
class Config:
    data: Path
    work: Path
    models_dir: Path
    thresholds_dir: Path
    seed: int = SEED
    max_windows: int = 40
    bot_fraction: float = 0.5
    folds: int = 5
    rounds: int = ROUNDS
    limit_users: int | None = None
    lofo: bool = True
    n_boot: int = 500


def load_table(cfg: Config) -> Table:
    cache = cfg.work / f"table-f{FEATURE_VERSION}-s{cfg.seed}-w{cfg.max_windows}-b{cfg.bot_fraction}" \
        f"-u{cfg.limit_users or 'all'}.npz"
    if cache.is_file():
        try:
            return Table.load(cache)
        except ValueError as exc:
            print(f"ignoring cache: {exc}")
    started = time.monotonic()
    windows = human_windows(cfg.data, cfg.seed, cfg.max_windows, cfg.limit_users)
    print(f"{len(windows)} human windows from {len({w.user for w in windows})} users "
          f"in {time.monotonic() - started:.0f} s; generating bots", flush=True)
    table = build_table(windows, cfg.seed, cfg.bot_fraction)
    table.save(cache)
    return table


def anomaly_oof(t: Table, folds: list[list[str]]) -> np.ndarray:
    """Squared distance of every row under an anomaly model fitted on other users' human windows."""
    d2 = np.full(t.family.size, np.nan)
    for fold in folds:
        test = np.isin(t.user, fold)
        model = AnomalyModel.fit(t.X[~test & (t.family == HUMAN)], FEATURE_NAMES)
        d2[test] = model.d2(t.X[test])
    return d2


def ship_models(cfg: Config, t: Table, human_ref_d2: np.ndarray) -> dict[str, Any]:
    """Fit on every user, export, hash into MODELS.json."""
    from openidv.models.registry import record_model

    cfg.models_dir.mkdir(parents=True, exist_ok=True)
    booster = fit_gbm(t.X, t.y, crossval.weights(t), cfg.seed, cfg.rounds)
    onnx_path = cfg.models_dir / "bot_gbm.onnx"
    onnx_path.write_bytes(to_onnx(booster, len(FEATURE_NAMES), t.X[:2000]))
    common = {"trained_by": "python -m openidv.behavior.training.train_bot", "seed": cfg.seed,
              "feature_version": FEATURE_VERSION, "features": len(FEATURE_NAMES)}
    bot = record_model(cfg.models_dir, "bot_gbm", onnx_path, MODEL_VERSION, "bot_gbm.md", **common)
    anomaly = AnomalyModel.fit(t.X[t.family == HUMAN], FEATURE_NAMES, reference=human_ref_d2)
    npz_path = cfg.models_dir / "behavior_anomaly.npz"
    anomaly.save(npz_path)
    anom = record_model(cfg.models_dir, "behavior_anomaly", npz_path, MODEL_VERSION, "behavior_anomaly.md",
                        **common)
    return {"bot_gbm": bot.sha256, "behavior_anomaly": anom.sha256}


def run(cfg: Config) -> dict[str, Any]:
    cfg.work.mkdir(parents=True, exist_ok=True)
    table = load_table(cfg)
    counts = {f: int((table.family == f).sum()) for f in sorted(set(table.family.tolist()))}
    print(f"table: {table.X.shape[0]} rows, {counts}", flush=True)
    folds = crossval.user_folds(table.user, cfg.folds, cfg.seed)
    nested = crossval.nested(table, folds, cfg.seed, cfg.rounds, FPR_BOT, FPR_REVIEW)
    print(f"nested CV done; held-out humans flagged as bot: {nested.flagged_humans}", flush=True)
    lofo = crossval.leave_one_family_out(table, folds, cfg.seed, cfg.rounds) if cfg.lofo else {}
    lofo = {f: np.where(table.signature, 1.0, s) for f, s in lofo.items()}
    d2 = anomaly_oof(table, folds)
    human_d2 = d2[table.is_human]
    anomaly_pct = np.searchsorted(np.sort(human_d2), d2, side="right") / human_d2.size
    summary = report.evaluate_all(cfg.work, table, nested.oof, lofo, anomaly_pct, cfg.n_boot, cfg.seed)
    thresholds = report.tune(cfg.work, table, nested.oof, anomaly_pct, FPR_BOT, FPR_REVIEW, FPR_ANOMALY,
                             cfg.n_boot, cfg.seed)
    hashes = ship_models(cfg, table, human_d2)
    thresholds = replace(thresholds, source={**thresholds.source,
                                             "models": {k: f"sha256:{v}" for k, v in hashes.items()}})
    cfg.thresholds_dir.mkdir(parents=True, exist_ok=True)
    thresholds.write(cfg.thresholds_dir / "behavior_bot.yaml")
    summary |= {
        "counts": counts, "folds": folds, "nested": nested.per_fold,
        "held_out_humans_flagged_bot": list(nested.flagged_humans),
        "signature_rate": {f: float(np.mean(table.signature[table.family == f])) for f in counts},
        "thresholds": thresholds.to_mapping(), "models": hashes, "seed": cfg.seed,
        "families": {f: TIERS[f] for f in FAMILIES}, "n_features": len(FEATURE_NAMES),
        "feature_version": FEATURE_VERSION,
    }
    (cfg.work / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
    report.write_cards(cfg.models_dir, summary, cfg)
    return summary


def parse(argv: list[str] | None) -> Config:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/mouse-dev/training_files"))
    ap.add_argument("--work", type=Path, default=Path("var/behavior/train"))
    ap.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    ap.add_argument("--thresholds-dir", type=Path, default=THRESHOLDS_DIR)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--max-windows", type=int, default=40)
    ap.add_argument("--bot-fraction", type=float, default=0.5)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit-users", type=int, default=None)
    ap.add_argument("--no-lofo", action="store_true")
    ap.add_argument("--bootstrap", type=int, default=500)
    a = ap.parse_args(argv)
    if not a.data.is_dir():
        ap.error(f"{a.data} is not a folder of <user>/<session> recordings")
    return Config(a.data, a.work, a.models_dir, a.thresholds_dir, a.seed, a.max_windows, a.bot_fraction, a.folds,
                  a.rounds, a.limit_users, not a.no_lofo, a.bootstrap)


def rewrite_cards(cfg: Config) -> dict[str, Any]:
    """Regenerate the model cards from the last run's summary (after a card-text change)."""
    summary = json.loads((cfg.work / "summary.json").read_text())
    summary.setdefault("n_features", len(FEATURE_NAMES))
    summary.setdefault("feature_version", FEATURE_VERSION)
    report.write_cards(cfg.models_dir, summary, cfg)
    return summary


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--cards-only" in args:
        args.remove("--cards-only")
        rewrite_cards(parse(args))
        return 0
    summary = run(parse(args))
    print(json.dumps(_brief(summary), indent=2, default=float))
    return 0


def _brief(summary: Mapping[str, Any]) -> dict[str, Any]:
    return {k: summary[k] for k in ("held_out_humans_flagged_bot", "per_family", "lofo", "thresholds")
            if k in summary}


if __name__ == "__main__":
    sys.exit(main())
