"""Embedding a folder of face photos once, with a resumable on-disk cache.

Evaluations (the LFW protocol, all-pairs FNMR/FMR, quality pass rates, the 1:N benchmark) all
need the same per-image facts: was a face found, where, with which landmarks, and its raw
descriptors with and without the mirror image. Computing them costs ~0.15 s per image on one
core, so they are computed once and cached as ``.npz`` shards next to a manifest; an interrupted
run resumes where it stopped. The cache belongs in a git-ignored folder (``var/cache``), never in
the repository.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.errors import ImageError
from openidv.face.embedding import DlibResNetEmbedder
from openidv.face.extract import Choice, find_face
from openidv.imaging.decode import decode_image

STATUS_OK, STATUS_NO_FACE, STATUS_UNREADABLE = 0, 1, 2
STATUS_NAMES = {STATUS_OK: "ok", STATUS_NO_FACE: "no_face", STATUS_UNREADABLE: "unreadable"}
DETECTORS = ("hog", "cnn", "haar")
Columns = dict[str, NDArray[np.generic]]
CACHE_VERSION = "dlib_resnet_v1/raw+flip/1"  # bump when what a shard holds changes


@dataclass
class CorpusEmbeddings:
    """Per-image facts, aligned with ``paths`` (relative to the corpus root)."""

    paths: list[str]
    status: NDArray[np.int8]
    boxes: NDArray[np.int32]  # (n, 4)
    landmarks: NDArray[np.float32]  # (n, 5, 2)
    detector: NDArray[np.int8]  # index into DETECTORS, -1 when no face
    confidence: NDArray[np.float32]
    n_faces: NDArray[np.int16]
    raw: NDArray[np.float32]  # (n, 128) dlib descriptor of the chip
    raw_flip: NDArray[np.float32]  # (n, 128) of the mirrored chip

    def index(self) -> dict[str, int]:
        return {p: k for k, p in enumerate(self.paths)}

    def embeddings(self, tta: str = "flip") -> NDArray[np.float32]:
        """Embeddings exactly as :class:`DlibResNetEmbedder` with that ``tta`` computes them."""
        return ((self.raw + self.raw_flip) / 2.0).astype(np.float32) if tta == "flip" else self.raw

    @property
    def ok(self) -> NDArray[np.bool_]:
        return self.status == STATUS_OK


def _empty(n: int) -> Columns:
    return {
        "status": np.full(n, STATUS_UNREADABLE, np.int8),
        "boxes": np.zeros((n, 4), np.int32),
        "landmarks": np.zeros((n, 5, 2), np.float32),
        "detector": np.full(n, -1, np.int8),
        "confidence": np.zeros(n, np.float32),
        "n_faces": np.zeros(n, np.int16),
        "raw": np.zeros((n, 128), np.float32),
        "raw_flip": np.zeros((n, 128), np.float32),
    }


def _embed_one(path: Path, emb: DlibResNetEmbedder, upsample: int, rule: Choice, out: Columns, k: int) -> None:
    try:
        rgb = decode_image(path.read_bytes()).rgb
    except (OSError, ImageError):
        out["status"][k] = STATUS_UNREADABLE
        return
    sample = find_face(rgb, emb, upsample=upsample, rule=rule)
    if sample is None:
        out["status"][k] = STATUS_NO_FACE
        return
    raw = emb.raw(np.stack([sample.chip, sample.chip[:, ::-1]]))
    d = sample.detection
    out["status"][k] = STATUS_OK
    out["boxes"][k] = d.box
    out["landmarks"][k] = d.landmarks5
    out["detector"][k] = DETECTORS.index(d.detector)
    out["confidence"][k] = d.confidence
    out["n_faces"][k] = sample.n_faces
    out["raw"][k], out["raw_flip"][k] = raw[0], raw[1]


def embed_corpus(
    root: Path,
    paths: Sequence[str],
    cache_dir: Path | None = None,
    *,
    upsample: int = 1,
    rule: Choice = "central",
    shard_size: int = 250,
    progress: Callable[[int, int, float], None] | None = None,
) -> CorpusEmbeddings:
    """Embed every image (paths relative to ``root``), reusing and filling the cache when given.

    The cache is per image: any shard in ``cache_dir`` made with the same settings serves any
    later image list; only missing images are computed, in new shards of ``shard_size``.
    """
    embedder = DlibResNetEmbedder(tta="none")
    paths = list(paths)
    known = _load_cache(cache_dir, upsample, rule) if cache_dir else {}
    missing = [p for p in dict.fromkeys(paths) if p not in known]
    t0 = time.monotonic()
    for start in range(0, len(missing), shard_size):
        chunk = missing[start : start + shard_size]
        data = _empty(len(chunk))
        for k, rel in enumerate(chunk):
            _embed_one(root / rel, embedder, upsample, rule, data, k)
        if cache_dir is not None:
            _save_shard(cache_dir / f"shard_{_shard_key(chunk, upsample, rule)}.npz", chunk, data, upsample, rule)
        known.update({p: {c: v[k] for c, v in data.items()} for k, p in enumerate(chunk)})
        if progress:
            progress(min(start + shard_size, len(missing)), len(missing), time.monotonic() - t0)
    out = _empty(len(paths))
    for k, p in enumerate(paths):
        for c, v in known[p].items():
            out[c][k] = v
    return CorpusEmbeddings(paths=paths, **out)  # type: ignore[arg-type]


def _shard_key(chunk: list[str], upsample: int, rule: str) -> str:
    """Shards are named by what they hold, so different image lists never overwrite each other."""
    text = json.dumps([CACHE_VERSION, upsample, rule, chunk])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _load_cache(cache_dir: Path, upsample: int, rule: str) -> dict[str, dict[str, Any]]:
    """Every cached image made with these settings: path -> its row of each column."""
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(cache_dir.glob("shard_*.npz")) if cache_dir.is_dir() else []:
        if path.name.endswith(".tmp.npz"):
            continue
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"])) if "meta" in z else {}
            if meta != {"version": CACHE_VERSION, "upsample": upsample, "rule": rule}:
                continue
            cols = {c: z[c] for c in _empty(0)}
            for k, p in enumerate(json.loads(str(z["paths"]))):
                rows[p] = {c: v[k] for c, v in cols.items()}
    return rows


def _save_shard(path: Path, chunk: list[str], data: Columns, upsample: int, rule: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    meta = json.dumps({"version": CACHE_VERSION, "upsample": upsample, "rule": rule})
    arrays: Columns = {"paths": np.array(json.dumps(chunk)), "meta": np.array(meta), **data}
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)


def lfw_images(root: Path) -> list[str]:
    """Every ``Name/Name_NNNN.jpg`` under an LFW-layout root, sorted."""
    return sorted(f"{p.parent.name}/{p.name}" for p in root.glob("*/*.jpg"))
