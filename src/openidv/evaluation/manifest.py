"""Manifests: what exactly a report measured.

Every result names its evaluation set by two hashes:

* ``sha256``: SHA-256 of the score file's bytes, so a report can be traced to one file;
* ``set_sha256``: a fingerprint of the *set* (sample ids, subjects, labels, species, search ids,
  attributes) without the scores. Two models scored on the same set share it even though their
  files differ, which is what the regression gate checks before comparing them.

An optional sidecar ``<scores>.manifest.json`` may record the model name and version; if it also
records ``sha256`` it must match the file, so a stale sidecar cannot mislabel a report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from openidv.evaluation.errors import EvaluationInputError

if TYPE_CHECKING:
    from openidv.evaluation.scores import ScoreSet

CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    """Provenance of one score file."""

    path: str
    sha256: str
    size_bytes: int
    n_rows: int
    format: str
    model: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"model": dict(self.model)}


def file_sha256(path: Path) -> str:
    """Streamed SHA-256 of a file (constant memory for multi-gigabyte score files)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def build_manifest(path: Path, n_rows: int) -> Manifest:
    """Hash ``path`` and merge its sidecar manifest (model name/version), if any."""
    sha = file_sha256(path)
    model: dict[str, Any] = {}
    side = sidecar_path(path)
    if side.is_file():
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise EvaluationInputError(f"manifest {side} is not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise EvaluationInputError(f"manifest {side} is not a JSON object")
        recorded = data.get("sha256")
        if recorded and str(recorded).removeprefix("sha256:") != sha:
            raise EvaluationInputError(f"manifest {side} records a different sha256 than {path.name}")
        model = dict(data.get("model") or {})
    fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    return Manifest(path=str(path), sha256=sha, size_bytes=path.stat().st_size, n_rows=n_rows, format=fmt, model=model)


def write_sidecar(path: Path, model: Mapping[str, Any] | None = None) -> Path:
    """Write ``<path>.manifest.json`` with the file hash and the model that produced the scores."""
    side = sidecar_path(path)
    body = {
        "schema": "openidv.eval.manifest/1",
        "file": path.name,
        "sha256": file_sha256(path),
        "model": dict(model or {}),
    }
    side.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return side


def set_fingerprint(scores: ScoreSet) -> str:
    """SHA-256 over everything but the scores, in sample-id order (row order does not matter)."""
    import pandas as pd

    cols: dict[str, Any] = {
        "sample_id": scores.sample_id.astype(str),
        "subject": scores.subjects[scores.subject].astype(str),
        "positive": scores.positive,
        "species": np.array([*scores.species_names, ""], dtype=object)[scores.species].astype(str),
    }
    if scores.subject2 is not None:
        cols["subject2"] = np.where(scores.subject2 >= 0, scores.subjects[np.maximum(scores.subject2, 0)], "")
    if scores.search_id is not None:
        cols["search_id"] = scores.search_id.astype(str)
    for name in sorted(scores.attributes):
        cols["attr:" + name] = scores.attributes[name].astype(str)
    frame = pd.DataFrame(cols).sort_values("sample_id", kind="stable")
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update("\x1f".join(frame.columns).encode())
    return digest.hexdigest()
