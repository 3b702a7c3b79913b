"""Metrics through the evaluation layer, threshold tuning, and the generated model cards.

Score files follow the evaluation layer's convention (``score`` = 1 - bot score, higher = more
human; label ``bona_fide`` for humans, ``attack`` with the bot family as ``species``), so every
figure can be recomputed with ``openidv eval run --kind classifier --scores <file>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openidv.behavior.botgen import TIERS
from openidv.behavior.training.table import HUMAN, HUMAN_RAW, HUMANS, Table

if TYPE_CHECKING:
    from openidv.behavior.training.train_bot import Config
    from openidv.policy.thresholds import ThresholdSet


def score_frame(t: Table, bot_score: np.ndarray, rows: np.ndarray | None = None,
                humans: tuple[str, ...] = (HUMAN_RAW,)) -> pd.DataFrame:
    """Score-file rows; bona fide = the given human variants (default: the raw recordings)."""
    m = np.isfinite(bot_score) & (~t.is_human | np.isin(t.family, humans))
    m = m if rows is None else m & rows
    fam = t.family[m]
    human = np.isin(fam, HUMANS)
    return pd.DataFrame({
        "sample_id": t.sample_id[m],
        "subject_id": t.user[m],
        "label": np.where(human, "bona_fide", "attack"),
        "species": np.where(human, "", fam),
        "score": 1.0 - bot_score[m],
        "recording": np.where(fam == HUMAN, "rerecorded", np.where(fam == HUMAN_RAW, "raw", "bot")),
        "tier": [TIERS.get(f, "human") for f in fam],
    })


def _classifier(frame: pd.DataFrame, n_boot: int, seed: int) -> dict[str, Any]:
    from openidv.evaluation import BootstrapConfig, evaluate_classifier, score_set_from_frame

    res = evaluate_classifier(score_set_from_frame(frame, "classifier"),
                              config=BootstrapConfig(n_boot=n_boot, seed=seed))
    m = res.metrics
    return {
        "auroc": m["auroc"].to_dict(),
        "recall_at_fpr_1pct": m["recall_at_fpr"]["0.01"].to_dict(),
        "n_human": int((frame["label"] == "bona_fide").sum()),
        "n_bot": int((frame["label"] == "attack").sum()),
    }


def evaluate_all(work: Path, t: Table, oof: np.ndarray, lofo: dict[str, np.ndarray], anomaly: np.ndarray,
                 n_boot: int, seed: int) -> dict[str, Any]:
    """Per-family and overall figures, in-family (OOF) and leave-one-family-out, plus anomaly AUROCs."""
    human = t.is_human
    out: dict[str, Any] = {"per_family": {}, "lofo": {}, "anomaly": {}}
    frame = score_frame(t, oof)
    frame.to_csv(work / "bot_oof.csv", index=False)
    out["overall"] = _classifier(frame, n_boot, seed)
    out["overall_rerecorded_humans"] = _classifier(score_frame(t, oof, humans=(HUMAN,)), n_boot, seed)
    score_frame(t, 1.0 - anomaly).to_csv(work / "anomaly_oof.csv", index=False)
    for family in sorted(set(t.family.tolist()) - set(HUMANS)):
        rows = human | (t.family == family)
        f = score_frame(t, oof, rows)
        f.to_csv(work / f"bot_oof_{family}.csv", index=False)
        out["per_family"][family] = _classifier(f, n_boot, seed)
        out["anomaly"][family] = _classifier(score_frame(t, anomaly, rows), n_boot, seed)
        if family in lofo:
            g = score_frame(t, lofo[family], rows)
            g.to_csv(work / f"bot_lofo_{family}.csv", index=False)
            out["lofo"][family] = _classifier(g, n_boot, seed)
        print(f"  {family:18s} AUROC {out['per_family'][family]['auroc']['value']:.4f}  "
              f"recall@1%FPR {out['per_family'][family]['recall_at_fpr_1pct']['value']:.3f}"
              + (f"  LOFO AUROC {out['lofo'][family]['auroc']['value']:.4f}  "
                 f"recall {out['lofo'][family]['recall_at_fpr_1pct']['value']:.3f}" if family in lofo else ""),
              flush=True)
    return out


def _tune(t: Table, bot_score: np.ndarray, fpr: float, n_boot: int, seed: int) -> Any:
    """Bot-score threshold meeting ``fpr`` on humans at the CI bound (conservative tuning)."""
    from openidv.evaluation import BootstrapConfig, score_set_from_frame, tune_threshold

    frame = score_frame(t, bot_score, humans=HUMANS)
    frame["score"] = 1.0 - frame["score"]
    scores = score_set_from_frame(frame, "classifier", score_direction="higher_is_attack")
    return tune_threshold(scores, "classifier", [f"fpr<={fpr}"], conservative=True,
                          config=BootstrapConfig(n_boot=n_boot, seed=seed))


def tune(work: Path, t: Table, oof: np.ndarray, anomaly: np.ndarray, fpr_bot: float, fpr_review: float,
         fpr_anomaly: float, n_boot: int, seed: int) -> ThresholdSet:
    """The shipped operating points (bot-score units: flag iff score > value), with provenance."""
    from openidv.evaluation.manifest import build_manifest
    from openidv.evaluation.tuning import default_version
    from openidv.policy.thresholds import ThresholdSet

    results = {
        "bot": _tune(t, oof, fpr_bot, n_boot, seed),
        "review": _tune(t, oof, fpr_review, n_boot, seed),
        "anomaly": _tune(t, anomaly, fpr_anomaly, n_boot, seed),
    }
    manifest = build_manifest(work / "bot_oof.csv", n_rows=int(np.isfinite(oof).sum())).to_dict()
    source: dict[str, Any] = {
        "tool": "openidv.evaluation.tune_threshold (conservative), from python -m "
                "openidv.behavior.training.train_bot",
        "scores": "out-of-fold bot and anomaly scores, cross-validation by user over mouse-dev human "
                  "windows (as recorded and re-recorded) and the generated bot families",
        "scores_manifest": f"sha256:{manifest.get('sha256')}",
        "accept_rule": "human iff score <= value (score = bot_score or anomaly_score)",
        "targets": {"bot": {"fpr": fpr_bot}, "review": {"fpr": fpr_review}, "anomaly": {"fpr": fpr_anomaly}},
        "achieved": {k: {n: e.to_dict() for n, e in r.achieved.items()} for k, r in results.items()},
        "bootstrap": {"n_boot": n_boot, "seed": seed, "unit": "user"},
    }
    values = {k: float(r.value) for k, r in results.items()}
    return ThresholdSet(name="behavior_bot", version=default_version(), values=values, source=source)


def _fmt(e: dict[str, Any]) -> str:
    v, lo, hi = e.get("value"), e.get("ci_low"), e.get("ci_high")
    if v is None:
        return "n/a"
    return f"{v:.3f} [{lo:.3f}, {hi:.3f}]" if lo is not None and hi is not None else f"{v:.3f}"


def family_table(summary: dict[str, Any]) -> str:
    lines = ["| family | tier | AUROC (OOF) | recall @ 1% FPR (OOF) | AUROC (LOFO) | recall @ 1% FPR (LOFO) |",
             "|---|---|---|---|---|---|"]
    for fam, r in summary["per_family"].items():
        lo = summary.get("lofo", {}).get(fam)
        lofo = f"{_fmt(lo['auroc'])} | {_fmt(lo['recall_at_fpr_1pct'])}" if lo else "- | -"
        lines.append(f"| {fam} | {TIERS.get(fam, '?')} | {_fmt(r['auroc'])} | {_fmt(r['recall_at_fpr_1pct'])} | "
                     f"{lofo} |")
    return "\n".join(lines)


def write_cards(models_dir: Path, summary: dict[str, Any], cfg: Config) -> None:
    """Model cards regenerated from the measured summary (never edited by hand)."""
    from openidv.behavior.training import cards

    (models_dir / "bot_gbm.md").write_text(cards.bot_card(summary, cfg, family_table(summary)), encoding="utf-8")
    (models_dir / "behavior_anomaly.md").write_text(cards.anomaly_card(summary, cfg), encoding="utf-8")
