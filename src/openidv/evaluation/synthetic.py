"""Synthetic score sets with known structure, for tests, benchmarks, examples and demos.

Scores are Gaussian with a per-subject random effect (some people are simply harder to match),
so subject-level resampling matters exactly as it does on real data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

ATTRIBUTE_VALUES = {"age_band": ("18-30", "31-50", "51+"), "device": ("android", "ios", "web")}


def verification_frame(
    n_subjects: int = 200,
    genuine_per_subject: int = 4,
    impostor_per_subject: int = 20,
    *,
    separation: float = 3.0,
    subject_sd: float = 0.5,
    fta_rate: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Comparisons: genuine ~ N(separation + u_s, 1), impostor ~ N(0, 1), pairs with a second subject."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    effect = rng.normal(0.0, subject_sd, n_subjects)
    g_sub = np.repeat(np.arange(n_subjects), genuine_per_subject)
    i_sub = np.repeat(np.arange(n_subjects), impostor_per_subject)
    i_sub2 = (i_sub + rng.integers(1, n_subjects, i_sub.size)) % n_subjects
    g = rng.normal(separation + effect[g_sub], 1.0)
    i = rng.normal(0.0, 1.0, i_sub.size)
    subj = np.concatenate([g_sub, i_sub])
    score = np.concatenate([g, i])
    if fta_rate > 0:
        score[rng.random(score.size) < fta_rate] = np.nan
    attrs = _attributes(rng, n_subjects)
    return pd.DataFrame(
        {
            "sample_id": [f"c{k:08d}" for k in range(score.size)],
            "subject_id": [f"s{k:06d}" for k in subj],
            "subject_id_2": [f"s{k:06d}" for k in np.concatenate([g_sub, i_sub2])],
            "label": np.array(["genuine"] * g.size + ["impostor"] * i.size),
            "species": "",
            "score": score,
            **{name: values[subj] for name, values in attrs.items()},
        }
    )


def presentation_frame(
    n_subjects: int = 200,
    bona_fide_per_subject: int = 5,
    attacks_per_subject: int = 5,
    *,
    species: tuple[str, ...] = ("print", "replay", "mask"),
    species_shift: tuple[float, ...] = (3.5, 3.0, 2.5),
    subject_sd: float = 0.4,
    seed: int = 0,
) -> pd.DataFrame:
    """Presentations: bona fide ~ N(shift-free 0 + u_s, 1); species k ~ N(-species_shift[k], 1)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    effect = rng.normal(0.0, subject_sd, n_subjects)
    b_sub = np.repeat(np.arange(n_subjects), bona_fide_per_subject)
    a_sub = np.repeat(np.arange(n_subjects), attacks_per_subject)
    kind = rng.integers(0, len(species), a_sub.size)
    bona = rng.normal(effect[b_sub], 1.0)
    attack = rng.normal(-np.asarray(species_shift)[kind] + effect[a_sub], 1.0)
    subj = np.concatenate([b_sub, a_sub])
    attrs = _attributes(rng, n_subjects)
    return pd.DataFrame(
        {
            "sample_id": [f"p{k:08d}" for k in range(subj.size)],
            "subject_id": [f"s{k:06d}" for k in subj],
            "label": np.array(["bona_fide"] * bona.size + ["attack"] * attack.size),
            "species": np.concatenate([np.full(bona.size, ""), np.asarray(species)[kind]]),
            "score": np.concatenate([bona, attack]),
            **{name: values[subj] for name, values in attrs.items()},
        }
    )


def _attributes(rng: np.random.Generator, n_subjects: int) -> dict[str, np.ndarray]:
    return {
        name: np.asarray(values)[rng.integers(0, len(values), n_subjects)] for name, values in ATTRIBUTE_VALUES.items()
    }
