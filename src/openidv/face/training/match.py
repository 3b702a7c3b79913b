"""Evaluate, calibrate and tune 1:1 and 1:N face matching on real faces.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m openidv.face.training.match \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1 --out var/reports/face --write

Every comparison is between two photos of an LFW-layout folder (cached embeddings, the shipped
embedder's similarity: 1 - Euclidean distance of flip-averaged dlib descriptors). Millions of
pairs go to the evaluation layer as arrays (:func:`openidv.evaluation.scores.score_set_from_arrays`),
not files:

1. All pairs (every mated and non-mated pair of photos with a face): identity-weighted EER and
   FNMR at FMR 1e-2/1e-3/1e-4 with subject-bootstrap CIs -> ``allpairs.json`` + ``allpairs.html``.
2. The FMR calibration (:mod:`openidv.face.matching`) is fitted on non-mated pairs within identity
   half 0 with the evaluation layer's identity weights -> ``openidv/face/data/calibration_*.json``.
3. Thresholds: :func:`openidv.evaluation.tuning.tune_threshold` (the function behind
   ``openidv eval tune``) on the half-0 calibrated scores for each target in :data:`TARGETS`,
   merged per threshold set (provenance per key) -> ``policy/data/thresholds/face_*.yaml``.
4. Held out: the half-1 pairs evaluated at each tuned threshold -> ``heldout_<set>_<key>.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from openidv.evaluation.bootstrap import BootstrapConfig
from openidv.face.embedding import default_embedder
from openidv.face.matching import Calibration, fit_calibration, write_calibration
from openidv.face.training.lfw_data import LfwCorpus, identity_half, subject_of

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CALIBRATION_PATH = PACKAGE_DIR / "data/calibration_dlib_resnet_v1.json"
THRESHOLD_DIR = PACKAGE_DIR.parent / "policy/data/thresholds"
# threshold set -> key -> target on the half-0 calibrated scores
# face_match.match: accept at FMR <= 1e-3 (at 1e-4 this model rejects ~27% of genuine pairs, all pairs).
# face_match.review: below it the pair is declined, so it is set by the genuine side: at most 0.2% of
#   genuine comparisons fall below it; between review and match a person looks.
# face_gallery.duplicate / watchlist: per-comparison floors; the duplicate check tightens its threshold
#   further with the gallery size (openidv.face.checks).
TARGETS = {
    "face_match": {"match": "fmr<=1e-3", "review": "fnmr<=0.002"},
    "face_gallery": {"duplicate": "fmr<=1e-5", "watchlist": "fmr<=1e-4"},
}


class Pairs:
    """Every unordered pair among some photos: similarity, mated flag, both subject codes."""

    def __init__(self, emb: np.ndarray, subj: np.ndarray, rows: np.ndarray, metric: str) -> None:
        x = emb[rows].astype(np.float64)
        if metric == "euclidean":
            sq = (x * x).sum(axis=1)
            sims = 1.0 - np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * (x @ x.T), 0.0))
        else:
            u = x / np.linalg.norm(x, axis=1, keepdims=True)
            sims = u @ u.T
        i, j = np.triu_indices(len(rows), k=1)
        self.score = sims[i, j].astype(np.float64)
        del sims
        self.a, self.b = subj[rows][i], subj[rows][j]
        self.positive = self.a == self.b

    def score_set(self, score: np.ndarray | None = None) -> Any:
        from openidv.evaluation.scores import score_set_from_arrays

        s = self.score if score is None else score
        b = np.where(self.positive, self.a, self.b)
        return score_set_from_arrays(s, self.positive, self.a, subject2=b)

    def impostor_weights(self) -> tuple[np.ndarray, np.ndarray]:
        imp = ~self.positive
        a = self.a[imp]
        counts = np.bincount(a)
        return self.score[imp], 1.0 / counts[a]


def write_score_file(pairs: Pairs, names: np.ndarray, path: Path) -> None:
    """All pairs as an evaluation-layer score file (Parquet), for ``openidv eval run``.

    Tens of millions of rows: sample ids are row numbers and subjects are short codes (``s<k>``, k =
    index in the sorted list of LFW names, written next to it as ``<path>.subjects.txt``) so that the
    evaluation layer's string handling stays within a few GiB.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    codes = np.array([f"s{k}" for k in range(len(names))])
    table = pa.table(
        {
            "sample_id": pa.array(np.arange(len(pairs.score), dtype=np.int64)),
            "subject_id": pa.DictionaryArray.from_arrays(pa.array(pairs.a.astype(np.int32)), pa.array(codes)),
            "label": pa.DictionaryArray.from_arrays(
                pa.array((~pairs.positive).astype(np.int8)), pa.array(["genuine", "impostor"])
            ),
            "species": pa.DictionaryArray.from_arrays(pa.array(np.zeros(len(pairs.score), np.int8)), pa.array([""])),
            "score": pa.array(pairs.score),
            "subject_id_2": pa.DictionaryArray.from_arrays(pa.array(pairs.b.astype(np.int32)), pa.array(codes)),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    Path(f"{path}.subjects.txt").write_text("".join(f"s{k}\t{n}\n" for k, n in enumerate(names)), encoding="utf-8")


def calibrate(h0: Pairs, model: str, source: dict[str, Any]) -> Calibration:
    scores, weights = h0.impostor_weights()
    return fit_calibration(scores, weights, model, source)


def _dump(obj: Any, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, default=str), encoding="utf-8")


def evaluate_all(pairs: Pairs, out: Path, config: BootstrapConfig, model: str) -> dict[str, Any]:
    from openidv.evaluation.api import evaluate
    from openidv.evaluation.report.html import write_html

    res = evaluate(pairs.score_set(), "verification", config=config, model={"name": model})
    data = res.to_dict()
    _dump(data, out / "allpairs.json")
    write_html(data, out / "allpairs.html", title="Face 1:1, LFW dev, all pairs (similarity = 1 - distance)")
    return {k: data[k] for k in ("counts", "eer", "fnmr_at_fmr")}


def tune_sets(h0: Pairs, h1: Pairs, cal: Calibration, out: Path, config: BootstrapConfig) -> dict[str, Any]:
    from openidv.evaluation.api import evaluate
    from openidv.evaluation.tuning import tune_threshold

    s0 = h0.score_set(np.array([cal.score(x) for x in h0.score]))
    s1 = h1.score_set(np.array([cal.score(x) for x in h1.score]))
    sets: dict[str, Any] = {}
    for set_name, keys in TARGETS.items():
        merged: dict[str, Any] = {"name": set_name, "version": "", "values": {}, "source": {"keys": {}}}
        for key, target in keys.items():
            tuned = tune_threshold(s0, "verification", [target], config=config)
            ts = tuned.to_threshold_set(set_name, key=key)
            merged["values"][key] = round(float(ts.values[key]), 6)
            merged["version"] = ts.version
            merged["source"]["keys"][key] = dict(ts.source) | {"scores_path": "identity half 0 pairs (in memory)"}
            held = evaluate(s1, "verification", threshold=tuned.threshold, config=config).to_dict()
            held = {k: held[k] for k in ("counts", "eer", "fnmr_at_fmr", "threshold", "at_threshold")}
            _dump({"tuned": tuned.to_dict(), "heldout_half1": held}, out / f"heldout_{set_name}_{key}.json")
            merged["source"]["keys"][key]["heldout_half1"] = _rates(held["at_threshold"])
        merged["source"] |= {
            "tool": "python -m openidv.face.training.match (openidv.evaluation tune_threshold = openidv eval tune)",
            "score": "calibrated -log10(FMR)/8 of the embedding similarity (openidv.face.matching), half-0 fit",
            "data": "LFW dev (real faces), pairs within identity half 0; held-out figures on identity half 1",
        }
        (THRESHOLD_DIR / f"{set_name}.yaml").write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
        sets[set_name] = merged["values"]
    return sets


def _rates(op: dict[str, Any]) -> dict[str, Any]:
    return {
        k: {m: round(float(v[m]), 6) for m in ("value", "ci_low", "ci_high")}
        for k, v in op.items()
        if k in ("fmr", "fnmr")
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--write", action="store_true", help="write calibration and threshold files")
    ap.add_argument("--scores-file", type=Path, default=None, help="only write the all-pairs score file (Parquet)")
    args = ap.parse_args()
    t0 = time.monotonic()
    data = LfwCorpus.load(args.root, args.cache)
    c = data.corpus
    emb = c.embeddings(default_embedder().tta)
    names = np.array([subject_of(p) for p in c.paths])
    uniq, subj = np.unique(names, return_inverse=True)
    ok = np.flatnonzero(c.ok)
    half = np.array([identity_half(n) for n in names])
    model = f"{default_embedder().name}@{default_embedder().version}"
    config = BootstrapConfig(n_boot=args.bootstrap)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"images": len(c.paths), "with_face": len(ok), "model": model}
    metric = default_embedder().metric
    if args.scores_file is not None:
        write_score_file(Pairs(emb, subj, ok, metric), uniq, args.scores_file)
        print(f"wrote {args.scores_file} in {time.monotonic() - t0:.0f} s")
        return
    report["allpairs"] = evaluate_all(Pairs(emb, subj, ok, metric), args.out, config, model)
    if args.write:
        h0, h1 = Pairs(emb, subj, ok[half[ok] == 0], metric), Pairs(emb, subj, ok[half[ok] == 1], metric)
        source = {
            "tool": "python -m openidv.face.training.match",
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": f"{args.root.name}: {int((~h0.positive).sum())} non-mated pairs within identity half 0",
            "weights": "evaluation-layer identity weights (1 / rows of the first subject)",
        }
        cal = calibrate(h0, model, source)
        write_calibration(cal, CALIBRATION_PATH)
        report["thresholds"] = tune_sets(h0, h1, cal, args.out, config)
    report["seconds"] = round(time.monotonic() - t0, 1)
    _dump(report, args.out / "match_report.json")
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
