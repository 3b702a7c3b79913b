"""Score files: the interchange format every detector's results flow through.

A score file is CSV or Parquet with one row per comparison (verification, identification) or per
presentation / transaction (PAD, fraud and bot classifiers)::

    sample_id, subject_id, label, species, score [, subject_id_2] [, search_id] [, failure] [, <attributes>]

* ``label``: ``genuine``/``impostor`` for comparisons, ``bona_fide``/``attack`` for presentations.
* ``score``: higher means more likely genuine / bona fide / human. Pass ``score_direction=
  "higher_is_attack"`` for the opposite convention; scores are negated on load so every metric
  sees one convention.
* An empty ``score`` is a failure to acquire (FTA) or, with ``failure=fte``, to enrol (FTE). It
  counts toward FTA/FTE, transaction-level FAR/FRR and APNRR/BPNRR, never toward FMR/FNMR/APCER.
* ``subject_id_2`` (optional): the other subject of an impostor comparison, so the bootstrap can
  resample impostor pairs by both subjects.
* Any other column is an attribute for slice analysis (age band, skin tone, device, country ...).

The loaded :class:`ScoreSet` keeps integer codes and numpy arrays only; subjects are coded in
sorted order so results never depend on row order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.manifest import Manifest, build_manifest

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["verification", "pad", "classifier", "identification"]
ScoreDirection = Literal["higher_is_genuine", "higher_is_attack"]
KINDS: tuple[str, ...] = ("verification", "pad", "classifier", "identification")
REQUIRED = ("sample_id", "subject_id", "label", "score")
RESERVED = (*REQUIRED, "species", "subject_id_2", "search_id", "failure")
LABELS: Mapping[str, tuple[str, str]] = {  # kind -> (positive label, negative label)
    "verification": ("genuine", "impostor"),
    "identification": ("genuine", "impostor"),
    "pad": ("bona_fide", "attack"),
    "classifier": ("bona_fide", "attack"),
}
FAILURE_CODES = {"": 0, "fta": 1, "fte": 2}


@dataclass(frozen=True)
class ScoreSet:
    """A validated evaluation set: one row per comparison or presentation, columns as arrays.

    ``positive`` is True for genuine / bona fide rows. ``score`` is oriented so that higher means
    more likely positive and is NaN where no score was produced. ``subject`` and ``subject2`` are
    codes into ``subjects`` (``subject2`` is -1 where absent). ``species`` codes index
    ``species_names``; positives carry species -1.
    """

    kind: str
    sample_id: np.ndarray
    subject: np.ndarray
    subject2: np.ndarray | None
    subjects: np.ndarray
    positive: np.ndarray
    species: np.ndarray
    species_names: tuple[str, ...]
    score: np.ndarray
    failure: np.ndarray
    attributes: Mapping[str, np.ndarray] = field(default_factory=dict)
    search_id: np.ndarray | None = None
    manifest: Manifest | None = None
    score_direction: str = "higher_is_genuine"

    @property
    def n_rows(self) -> int:
        return int(self.score.shape[0])

    @property
    def n_subjects(self) -> int:
        return int(self.subjects.shape[0])

    def subset(self, mask: np.ndarray) -> ScoreSet:
        """Rows where ``mask`` holds, keeping the subject coding (so bootstrap weights still line up)."""
        sub2 = None if self.subject2 is None else self.subject2[mask]
        sid = None if self.search_id is None else self.search_id[mask]
        attrs = {k: v[mask] for k, v in self.attributes.items()}
        return replace(
            self,
            sample_id=self.sample_id[mask],
            subject=self.subject[mask],
            subject2=sub2,
            positive=self.positive[mask],
            species=self.species[mask],
            score=self.score[mask],
            failure=self.failure[mask],
            attributes=attrs,
            search_id=sid,
        )

    def with_scores(self, score: np.ndarray) -> ScoreSet:
        """The same set with other (already oriented) scores, e.g. a planted regression in a test."""
        return replace(self, score=np.asarray(score, dtype=np.float64))


def load_scores(
    path: str | Path,
    kind: str | None = None,
    *,
    score_direction: str = "higher_is_genuine",
) -> ScoreSet:
    """Read and validate a CSV or Parquet score file; ``kind`` is inferred from the labels if None."""
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise EvaluationInputError(f"score file {p} does not exist")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(p)
        else:
            frame = pd.read_csv(
                p,
                dtype={c: "string" for c in RESERVED if c != "score"},
                keep_default_na=False,
                na_values={"score": ["", "NA", "NaN", "nan", "null"]},
            )
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EvaluationInputError(f"cannot read score file {p}: {msg}") from None
    manifest = build_manifest(p, n_rows=len(frame))
    return score_set_from_frame(frame, kind, score_direction=score_direction, manifest=manifest)


def score_set_from_frame(
    frame: pd.DataFrame,
    kind: str | None = None,
    *,
    score_direction: str = "higher_is_genuine",
    manifest: Manifest | None = None,
) -> ScoreSet:
    """Validate a DataFrame in the score-file format and code it into a :class:`ScoreSet`."""
    if len(frame) == 0:
        raise EvaluationInputError("score file has no rows")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise EvaluationInputError(f"score file lacks required column(s): {', '.join(missing)}")
    if score_direction not in ("higher_is_genuine", "higher_is_attack"):
        raise EvaluationInputError(f"unknown score direction {score_direction!r}")
    labels = _strings(frame["label"]).str.strip().str.lower().str.replace(" ", "_").str.replace("-", "_")
    kind = _resolve_kind(kind, labels)
    pos_label, neg_label = LABELS[kind]
    unknown = sorted(set(labels.unique()) - {pos_label, neg_label})
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        raise EvaluationInputError(f"unknown label(s) {shown} for kind {kind}: use {pos_label}/{neg_label}")
    positive = (labels == pos_label).to_numpy()
    if positive.all() or not positive.any():
        absent = neg_label if positive.all() else pos_label
        raise EvaluationInputError(f"score file has no {absent} rows; {kind} needs both classes")
    score = _scores(frame["score"], score_direction)
    sample_id = _strings(frame["sample_id"]).to_numpy(dtype=object)
    if len(np.unique(sample_id.astype(str))) != len(sample_id):
        raise EvaluationInputError("sample_id values are not unique")
    subjects, subject, subject2 = _subjects(frame)
    species_names, species = _species(frame, positive)
    search_id = None
    if kind == "identification":
        if "search_id" not in frame.columns:
            raise EvaluationInputError("identification score files need a search_id column")
        search_id = _strings(frame["search_id"]).to_numpy(dtype=object)
    attrs = {str(c): _strings(frame[c]).to_numpy(dtype=object) for c in frame.columns if c not in RESERVED}
    return ScoreSet(
        kind=kind,
        sample_id=sample_id,
        subject=subject,
        subject2=subject2,
        subjects=subjects,
        positive=positive,
        species=species,
        species_names=species_names,
        score=score,
        failure=_failures(frame, score),
        attributes=attrs,
        search_id=search_id,
        manifest=manifest,
        score_direction=score_direction,
    )


def _labels01(positive: Any) -> np.ndarray:
    """``positive`` as booleans, accepting only booleans or the numbers 0 and 1 (a cast would turn
    NaN, 2 or -1 into "genuine" without a word)."""
    raw = np.asarray(positive)
    if raw.dtype == bool:
        return raw
    if raw.dtype.kind in "iuf" and raw.size and np.isin(raw, (0, 1)).all():
        return raw.astype(bool)
    if raw.size == 0:
        return raw.astype(bool)
    raise EvaluationInputError("positive must hold booleans or 0 / 1 (1: genuine / bona fide / human)")


def score_set_from_arrays(
    score: np.ndarray,
    positive: np.ndarray,
    subject: np.ndarray,
    *,
    kind: str = "verification",
    subject2: np.ndarray | None = None,
    species: np.ndarray | None = None,
    attributes: Mapping[str, np.ndarray] | None = None,
) -> ScoreSet:
    """A :class:`ScoreSet` straight from arrays (already oriented: higher = genuine / bona fide).

    For producers that hold millions of scores in memory (no file, so no manifest). ``subject``
    and ``subject2`` are any hashable ids; NaN scores are failures to acquire.
    """
    if kind not in KINDS:
        raise EvaluationInputError(f"unknown kind {kind!r}")
    s = np.asarray(score, dtype=np.float64)
    pos = _labels01(positive)
    if s.ndim != 1 or s.size == 0 or pos.shape != s.shape or np.asarray(subject).shape != s.shape:
        raise EvaluationInputError("score, positive and subject must be non-empty 1-D arrays of one length")
    if np.isinf(s).any():
        # NaN is a failure to acquire; an infinite score is neither a score nor a failure
        raise EvaluationInputError(f"{int(np.isinf(s).sum())} scores are infinite: use NaN for a failure to acquire")
    if pos.all() or not pos.any():
        raise EvaluationInputError(f"{kind} needs both classes")
    ids = [np.asarray(subject)] + ([] if subject2 is None else [np.asarray(subject2)])
    subjects, inverse = np.unique(np.concatenate(ids), return_inverse=True)
    codes = inverse.astype(np.int64)
    sp_raw = np.full(s.size, "unspecified", dtype=object) if species is None else np.asarray(species, dtype=object)
    names = np.unique(sp_raw[~pos].astype(str))
    sp = np.where(pos, -1, np.searchsorted(names, sp_raw.astype(str))).astype(np.int64)
    return ScoreSet(
        kind=kind,
        sample_id=np.arange(s.size),
        subject=codes[: s.size],
        subject2=None if subject2 is None else codes[s.size :],
        subjects=subjects,
        positive=pos,
        species=sp,
        species_names=tuple(str(n) for n in names),
        score=s,
        failure=np.isnan(s).astype(np.int8),
        attributes=dict(attributes or {}),
    )


def _strings(col: pd.Series) -> pd.Series:
    return col.astype("string").fillna("")


def _resolve_kind(kind: str | None, labels: pd.Series) -> str:
    if kind is not None:
        if kind not in KINDS:
            raise EvaluationInputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        return kind
    present = set(labels.unique())
    if present & {"genuine", "impostor"}:
        return "verification"
    if present & {"bona_fide", "attack"}:
        return "pad"
    raise EvaluationInputError("cannot infer the kind from the labels; pass --kind")


def _scores(col: pd.Series, direction: str) -> np.ndarray:
    import pandas as pd

    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    raw = col.astype("string")
    bad = np.isnan(values) & raw.notna().to_numpy() & (raw.str.strip().fillna("") != "").to_numpy()
    if bad.any():
        first = raw[bad].iloc[0]
        raise EvaluationInputError(f"{int(bad.sum())} score value(s) are not numbers (first: {first!r})")
    if np.isinf(values).any():
        raise EvaluationInputError("scores must be finite (leave the cell empty for a failure to acquire)")
    if np.isnan(values).all():
        raise EvaluationInputError("score file has no scores at all")
    return -values if direction == "higher_is_attack" else values


def _subjects(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    first = _strings(frame["subject_id"]).to_numpy(dtype=object).astype(str)
    if (first == "").any():
        raise EvaluationInputError("subject_id is empty on some rows")
    if "subject_id_2" not in frame.columns:
        subjects, codes = np.unique(first, return_inverse=True)
        return subjects, codes.astype(np.int64), None
    second = _strings(frame["subject_id_2"]).to_numpy(dtype=object).astype(str)
    subjects = np.unique(np.concatenate([first, second[second != ""]]))
    codes1 = np.searchsorted(subjects, first).astype(np.int64)
    codes2 = np.where(second == "", -1, np.searchsorted(subjects, second)).astype(np.int64)
    return subjects, codes1, codes2


def _species(frame: pd.DataFrame, positive: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    if "species" in frame.columns:
        raw = _strings(frame["species"]).str.strip().to_numpy(dtype=object).astype(str)
    else:
        raw = np.full(len(frame), "", dtype=object).astype(str)
    raw = np.where(raw == "", "unspecified", raw)
    names = np.unique(raw[~positive])
    codes = np.where(positive, -1, np.searchsorted(names, raw)).astype(np.int64)
    return tuple(str(n) for n in names), codes


def _failures(frame: pd.DataFrame, score: np.ndarray) -> np.ndarray:
    missing = np.isnan(score)
    if "failure" not in frame.columns:
        return missing.astype(np.int8)  # an unexplained missing score is a failure to acquire
    raw = _strings(frame["failure"]).str.strip().str.lower().to_numpy(dtype=object).astype(str)
    unknown = sorted(set(np.unique(raw)) - set(FAILURE_CODES))
    if unknown:
        raise EvaluationInputError(f"unknown failure value(s) {unknown[:5]}: use fta, fte or leave empty")
    codes = np.zeros(len(raw), dtype=np.int8)
    for name, code in FAILURE_CODES.items():
        codes[raw == name] = code
    if (codes[~missing] != 0).any():
        raise EvaluationInputError("rows marked as failures must have an empty score")
    return np.where(missing & (codes == 0), 1, codes).astype(np.int8)
