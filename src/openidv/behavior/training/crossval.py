"""Cross-validation by user: out-of-fold bot scores, nested operating thresholds, leave-one-family-out.

Every split is by *user*: all windows of a person, and every bot built on that person's windows or
replaying their strokes, fall on the same side. Thresholds evaluated on a fold are chosen without
that fold (nested), so the held-out human flag rate is an honest estimate of what the shipped
procedure does to people it never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.training.table import HUMAN, HUMAN_RAW, HUMANS, Table
from openidv.models.gbm import fit_gbm, predict_gbm

F64 = NDArray[np.float64]


def user_folds(users: NDArray[np.str_], k: int, seed: int) -> list[list[str]]:
    """Users shuffled with the seed and dealt into k folds."""
    names = sorted(set(users.tolist()))
    order = np.random.default_rng(seed).permutation(len(names))
    return [[names[i] for i in order[j::k]] for j in range(min(k, len(names)))]


def weights(t: Table) -> F64:
    """Humans and bots weigh the same in total; every bot family weighs the same within bots."""
    w = np.zeros(t.family.size)
    human = t.is_human
    w[human] = 0.5 / max(int(human.sum()), 1)
    fams = sorted(set(t.family[~human].tolist()))
    for f in fams:
        m = t.family == f
        w[m] = 0.5 / len(fams) / int(m.sum())
    return w * t.family.size


def fit(t: Table, seed: int, rounds: int) -> object:
    t = t.trainable()
    return fit_gbm(t.X, t.y, weights(t), seed, rounds)


def oof_scores(t: Table, folds: Sequence[Sequence[str]], seed: int, rounds: int) -> F64:
    """Bot score of every row from a model trained without the row's user."""
    out = np.full(t.family.size, np.nan)
    for i, fold in enumerate(folds):
        test = np.isin(t.user, fold)
        model = fit(t.subset(~test), seed + i, rounds)
        out[test] = predict_gbm(model, t.X[test])
    return out


def quantile_threshold(human_scores: F64, fpr: float) -> float:
    """Lowest bot-score threshold flagging at most `fpr` of these humans (flag iff score > t)."""
    s = np.sort(human_scores[np.isfinite(human_scores)])
    if s.size == 0:
        return 1.0
    allowed = int(np.floor(fpr * s.size))
    return float(s[s.size - 1 - allowed])


@dataclass
class NestedResult:
    oof: F64  # full scores: 1 where the deterministic signature fires, else the model
    per_fold: list[dict[str, object]] = field(default_factory=list)

    @property
    def flagged_humans(self) -> tuple[int, int]:
        n = sum(int(f["humans"]) for f in self.per_fold)  # type: ignore[call-overload]  # raw recordings
        k = sum(int(f["humans_flagged_bot"]) for f in self.per_fold)  # type: ignore[call-overload]
        return k, n


def nested(t: Table, folds: Sequence[Sequence[str]], seed: int, rounds: int, fpr_bot: float,
           fpr_review: float) -> NestedResult:
    """Outer folds: train on the rest, pick thresholds from an inner by-user CV, apply to the fold."""
    res = NestedResult(oof=np.full(t.family.size, np.nan))
    for i, fold in enumerate(folds):
        test = np.isin(t.user, fold)
        train = t.subset(~test)
        n_users = len(set(train.user.tolist()))
        if n_users >= 2:
            inner = user_folds(train.user, min(4, n_users), seed + 100 + i)
            inner_scores = np.where(train.signature, 1.0, oof_scores(train, inner, seed + 200 + i, rounds))
        else:  # one training user (tiny smoke runs only): in-sample scores
            inner_scores = np.where(train.signature, 1.0, predict_gbm(fit(train, seed + i, rounds), train.X))
        humans = inner_scores[train.is_human]
        t_bot, t_review = quantile_threshold(humans, fpr_bot), quantile_threshold(humans, fpr_review)
        scores = np.where(t.signature[test], 1.0, predict_gbm(fit(train, seed + i, rounds), t.X[test]))
        res.oof[test] = scores
        fam = t.family[test]
        row: dict[str, object] = {"users": list(fold), "threshold_bot": t_bot, "threshold_review": t_review}
        for name, label in (("humans", HUMAN_RAW), ("rerecorded_humans", HUMAN)):
            h = fam == label
            row[name] = int(h.sum())
            row[f"{name}_flagged_bot"] = int((h & (scores > t_bot)).sum())
            row[f"{name}_review_or_bot"] = int((h & (scores > t_review)).sum())
        for f in sorted(set(fam.tolist()) - set(HUMANS)):
            m = fam == f
            row[f"recall_bot[{f}]"] = float(np.mean(scores[m] > t_bot))
        res.per_fold.append(row)
    return res


def leave_one_family_out(t: Table, folds: Sequence[Sequence[str]], seed: int, rounds: int) -> dict[str, F64]:
    """For each family: scores of its rows and of all humans from models that never saw that family
    (nor the row's user)."""
    out: dict[str, F64] = {}
    for family in sorted(set(t.family.tolist()) - set(HUMANS)):
        keep = t.family != family
        scores = np.full(t.family.size, np.nan)
        for i, fold in enumerate(folds):
            test = np.isin(t.user, fold)
            model = fit(t.subset(keep & ~test), seed + i, rounds)
            rows = test & ((t.family == family) | t.is_human)
            scores[rows] = predict_gbm(model, t.X[rows])
        out[family] = scores
    return out
