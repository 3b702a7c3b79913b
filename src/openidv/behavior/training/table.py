"""The feature table the models are trained and evaluated on: human windows and their bots."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.botgen import FAMILIES, generate, rechannel_human, rescale
from openidv.behavior.features import FEATURE_NAMES, PointerFeatures, pointer_features
from openidv.behavior.scoring import teleport_signature
from openidv.behavior.skeleton import DonorPool, donor_strokes, extract
from openidv.behavior.training.dataset import Window

HUMAN = "human"  # a human window as another recorder / screen would have captured it (training)
HUMAN_RAW = "human_raw"  # the same window exactly as recorded (evaluation only, never trained on)
HUMANS = (HUMAN, HUMAN_RAW)


@dataclass
class Table:
    X: NDArray[np.float64]
    family: NDArray[np.str_]  # "human" or the bot family
    user: NDArray[np.str_]  # the human whose window (and strokes) the row derives from
    sample_id: NDArray[np.str_]
    signature: NDArray[np.bool_]  # the deterministic pointer-teleport signature fires on the row

    @property
    def y(self) -> NDArray[np.int64]:
        return (~self.is_human).astype(np.int64)

    @property
    def is_human(self) -> NDArray[np.bool_]:
        return np.isin(self.family, HUMANS)

    def trainable(self) -> Table:
        """Rows a model may be fitted on (raw recordings are kept for evaluation)."""
        return self.subset(self.family != HUMAN_RAW)

    def subset(self, mask: NDArray[np.bool_]) -> Table:
        return Table(self.X[mask], self.family[mask], self.user[mask], self.sample_id[mask], self.signature[mask])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, X=self.X, family=self.family, user=self.user, sample_id=self.sample_id,
                            signature=self.signature, features=np.array(FEATURE_NAMES))

    @classmethod
    def load(cls, path: Path) -> Table:
        z = np.load(path, allow_pickle=False)
        if tuple(z["features"].tolist()) != FEATURE_NAMES:
            raise ValueError(f"{path}: cached features are of another feature version; rebuild")
        return cls(z["X"], z["family"], z["user"], z["sample_id"], z["signature"])


def _scale(rng: np.random.Generator) -> float:
    """A screen / pixel-density factor, so pixel sizes carry no label."""
    return float(np.exp(rng.uniform(np.log(0.7), np.log(1.5))))


def build_table(windows: list[Window], seed: int, bot_fraction: float = 0.5,
                families: tuple[str, ...] = FAMILIES, log_every: int = 200) -> Table:
    """Features of every human window (re-recorded at random) and of bots made on a share of them."""
    pools: dict[str, list] = defaultdict(list)
    for w in windows:
        pools[w.user].extend(donor_strokes(w.pointer))
    donors = {u: DonorPool(s) for u, s in pools.items()}
    rows: list[NDArray[np.float64]] = []
    fam: list[str] = []
    users: list[str] = []
    ids: list[str] = []
    sig: list[bool] = []

    def add(pf: PointerFeatures, family: str, user: str, sample_id: str) -> None:
        rows.append(pf.vector)
        fam.append(family)
        users.append(user)
        ids.append(sample_id)
        sig.append(teleport_signature(pf.noapproach_clicks, sum_clicks=pf.clicks))

    started = time.monotonic()
    for i, w in enumerate(windows):
        rng = np.random.default_rng([seed, i])
        add(pointer_features(w.pointer), HUMAN_RAW, w.user, w.sample_id + "/raw")
        add(pointer_features(rescale(rechannel_human(w.pointer, rng), _scale(rng))), HUMAN, w.user, w.sample_id)
        sk = extract(w.pointer)
        for family in families:
            if rng.random() >= bot_fraction:
                continue
            pf = pointer_features(rescale(generate(family, sk, rng, donors[w.user]), _scale(rng)))
            if pf.scorable:
                add(pf, family, w.user, f"{w.sample_id}/{family}")
        if log_every and (i + 1) % log_every == 0:
            print(f"  {i + 1}/{len(windows)} windows, {len(rows)} rows, {time.monotonic() - started:.0f} s",
                  flush=True)
    return Table(np.vstack(rows), np.array(fam), np.array(users), np.array(ids), np.array(sig, dtype=bool))
