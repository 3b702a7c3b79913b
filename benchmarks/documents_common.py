"""Shared helpers for the documents benchmarks: cached generated captures, stats, memory."""

from __future__ import annotations

import functools
import json
import math
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    if n == 0:
        return [0.0, 1.0]
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return [round(max(0.0, c - h), 5), round(min(1.0, c + h), 5)]


def rate(k: int, n: int) -> dict[str, Any]:
    return {"k": k, "n": n, "rate": round(k / n, 5) if n else None, "ci95": wilson(k, n)}


def latency(ms: list[float]) -> dict[str, float]:
    a = np.array(ms) if ms else np.zeros(1)
    return {"p50_ms": round(float(np.percentile(a, 50)), 1), "p99_ms": round(float(np.percentile(a, 99)), 1),
            "mean_ms": round(float(a.mean()), 1), "throughput_per_s": round(1000.0 / max(float(a.mean()), 1e-9), 2)}


def emit(report: dict[str, Any], path: Path | None) -> None:
    """Print the report as JSON and, when asked, write it to `path` too."""
    text = json.dumps(report, indent=2)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def document_pipeline(workers: int, names: set[str] | None = None, threshold_dirs: tuple[Path, ...] = ()) -> Any:
    """image_usability and every document check as the plugin registers them (or those in `names`),
    with the shipped policy; `threshold_dirs` hold threshold files that replace shipped ones (to
    measure an evidence the shipped files do not enable)."""
    from openidv.checks.base import Environment
    from openidv.checks.usability import ImageUsabilityCheck
    from openidv.config import Settings
    from openidv.documents.plugin import plugin
    from openidv.pipeline import Pipeline
    from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry

    engine = PolicyEngine.from_file(None, ReasonCatalogue.load(), ThresholdRegistry.load(threshold_dirs))
    checks = [c for c in plugin.checks() if names is None or c.name in names]
    return Pipeline([ImageUsabilityCheck(), *checks], engine,
                    Environment(settings=Settings(pipeline_workers=workers, default_check_timeout_s=120)))


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def generated(cache: Path, kinds: list[str], n: int, split: str, seed: int, side: str = "mrz",
              with_lfw: bool = True, mrz_layout: str | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Yield (jpeg path, truth) for `n` captures, generating (and caching) the missing ones;
    `mrz_layout` draws a national MRZ layout (synth/national.py) instead of the ICAO one."""
    from openidv.documents.synth.dataset import make_sample
    from openidv.documents.synth.portraits import default_portraits

    cache.mkdir(parents=True, exist_ok=True)
    portraits = default_portraits("test") if with_lfw else None
    for i in range(n):
        kind = kinds[i % len(kinds)]
        stem = cache / f"{split}-{kind if mrz_layout is None else mrz_layout}-{seed + i:06d}"
        jpg, meta = stem.with_suffix(".jpg"), stem.with_suffix(".json")
        if not (jpg.is_file() and meta.is_file()):
            s = make_sample(kind, split, seed + i, portraits, side=side, mrz_layout=mrz_layout)
            jpg.write_bytes(s.captured.jpeg)
            truth = s.truth()
            truth["params"] = {k: v for k, v in s.captured.params.as_dict().items() if k != "canvas"}
            meta.write_text(json.dumps(truth, default=str), encoding="utf-8")
        yield jpg, json.loads(meta.read_text(encoding="utf-8"))


RECAPTURES = ("screen_recapture", "photocopy", "screen_recapture_oled", "inkjet_print")


def recapture_detection(sample_ids: Any, families: Any, ratio: Any, csv: Path) -> dict[str, Any]:
    """One kind of recapture evidence (`ratio` = evidence / its threshold, > 1 fires) through the
    evaluation layer: the score file (score = 1 / (1 + ratio), 0.5 at the threshold), detection per
    species at 1% false rejection of the genuine rows with CIs, and counts over the threshold."""
    import pandas as pd

    from openidv.documents.training.train_tamper import evaluate_scores

    fam = np.asarray(families)
    r = np.asarray(ratio, dtype=np.float64)
    ev = pd.DataFrame({"sample_id": sample_ids, "subject_id": sample_ids,
                       "label": np.where(fam == "genuine", "bona_fide", "attack"),
                       "species": np.where(fam == "genuine", "", fam), "score": 1 / (1 + r)})
    csv.parent.mkdir(parents=True, exist_ok=True)
    ev.to_csv(csv, index=False)
    res = evaluate_scores(csv)
    return {"threshold_at_1pct": res["threshold"], "detection_at_1pct": res["detection_per_species"],
            "flagged_over_threshold": {f: int((r[fam == f] > 1).sum()) for f in ("genuine", *RECAPTURES)}}


def recapture_documents(folder: Path) -> Iterator[tuple[str, str, Any]]:
    """(name, family, rectified RGB document) of the genuine and recaptured documents cached by
    `train_recapture_novelty` under `folder`."""
    import cv2

    for path in sorted(folder.glob("*.npz")):
        with np.load(path) as z:
            fam = str(z["family"])
            if fam != "genuine" and fam not in RECAPTURES:
                continue
            doc = np.ascontiguousarray(cv2.imdecode(z["doc"], cv2.IMREAD_COLOR)[:, :, ::-1])
        yield path.stem, fam, doc


@functools.cache
def _mrz_thresholds() -> Any:
    from openidv.documents.checks.mrz import MRZThresholds
    from openidv.policy import ThresholdRegistry

    return MRZThresholds.load(ThresholdRegistry.load().get)


def mrz_check_code(reading: Any) -> str | None:
    """What the ``document_mrz`` check raises on this reading of a document that carries an MRZ,
    at the shipped thresholds (None: it passes): MRZ_NOT_FOUND, MRZ_UNREADABLE (also a check digit
    failing on a guessed character, or check digits holding as well for a nearly as likely other
    reading, or a name letter guessed: a new photo), MRZ_CHECKSUM (review), MRZ_FIELD_INVALID."""
    from openidv.documents.checks.mrz import judge_reading

    if reading.status == "not_found":
        return "MRZ_NOT_FOUND"
    if reading.status != "ok" or reading.result is None:
        return "MRZ_UNREADABLE"
    codes = judge_reading(reading, _mrz_thresholds())[1]
    return codes[0] if codes else None
