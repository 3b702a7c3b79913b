"""A 1:N face gallery: enrolled templates, searchable, erasable.

Similarity is the 1:1 similarity of the embedder's metric (:func:`openidv.face.embedding.similarity`):
for ``euclidean`` a hit's similarity is 1 - distance; for ``cosine`` the vectors are normalised and
the similarity is their dot product. Two regimes:

* below ``ivf_threshold`` templates: exact search (``IndexFlatL2``); 100k templates take a few ms.
* above it: an inverted file with product-quantised codes (``nlist`` about 4*sqrt(n) lists,
  32-byte codes) proposes ``candidates`` templates, which are re-ranked exactly against a float16
  copy of every template. Face embeddings are not clustered (one template per person), so an
  inverted file must scan many lists to find the true nearest template; compact codes make that
  scan cheap, and the exact re-ranking removes the quantisation error. The default codec,
  ``fastscan4`` (``IndexIVFPQFastScan``: 64 sub-quantisers of 4 bits, distances looked up in SIMD
  registers), scans about four times faster than 8-bit PQ (``pq8``, ``IndexIVFPQ``) at the same
  recall, so more lists can be probed: at 1M templates ``nprobe`` 1024 + 300 re-ranked candidates
  agree with exact search on 0.999 of rank-1 results at p99 3.8 ms on one core, where 8-bit PQ
  needed 11 ms for 0.993 (``benchmarks/face_gallery.py --codec``).

IVF rather than HNSW: IVF supports true deletion (erasure requests); building a million templates took
71-309 s on the shared 2-core machine (benchmarks/face_gallery.py). Erasing a template removes its code from
the index and overwrites its stored vector with zeros.

Each template carries the session that enrolled it and blinded identity keys (never personal data
in clear), so a hit can say whose session matched and whether the declared identity differs. All
methods are thread-safe.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.face.embedding import l2_normalise

DEFAULT_IVF_THRESHOLD = 200_000
PQ_BYTES = 32
# Product-quantiser codecs of the IVF regime: bits per sub-quantiser.
CODECS = {"pq8": 8, "fastscan4": 4}
DEFAULT_CODEC = "fastscan4"
# 512 of 4096 lists at 1M templates: rank-1 agreement with exact search 0.993 (mated 0.997), 7.4 ms
# CPU per query at p50 and 8.9 ms at p99 on one core; 256 lists gave 0.979 (benchmarks/face_gallery.py,
# docs/face.md). More candidates for re-ranking did not help: the misses are lists never probed.
DEFAULT_NPROBE = 1024  # rank-1 agreement with exact search 0.999 at 1M templates (benchmarks/face_gallery.py)


@dataclass(frozen=True)
class GalleryEntry:
    session_id: str
    identity_keys: tuple[str, ...] = ()  # blinded keys of the declared identity (name+birth date, document)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GalleryHit:
    entry: GalleryEntry
    similarity: float
    row: int = -1  # internal template number (stable until the gallery is rebuilt)


class _Store:
    """Every template as float16, by internal id (ids are never reused)."""

    def __init__(self, dim: int) -> None:
        self.data = np.zeros((0, dim), np.float16)
        self.n = 0

    def append(self, v: NDArray[np.float32]) -> NDArray[np.int64]:
        need = self.n + len(v)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data), 1024), self.data.shape[1]), np.float16)
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n : need] = v
        ids = np.arange(self.n, need, dtype=np.int64)
        self.n = need
        return ids


class FaceGallery:
    def __init__(
        self,
        dim: int,
        model: str,
        *,
        metric: str = "euclidean",
        ivf_threshold: int = DEFAULT_IVF_THRESHOLD,
        nprobe: int = DEFAULT_NPROBE,
        candidates: int = 300,
        codec: str = DEFAULT_CODEC,
        seed: int = 0,
    ) -> None:
        if metric not in ("euclidean", "cosine"):
            raise ValueError(f"unknown metric {metric!r}")
        if codec not in CODECS:
            raise ValueError(f"unknown codec {codec!r}; one of {sorted(CODECS)}")
        self.dim, self.model, self.metric = dim, model, metric
        self.ivf_threshold, self.nprobe, self.candidates, self.seed = ivf_threshold, nprobe, candidates, seed
        self.codec = codec
        self._lock = threading.RLock()
        self._entries: dict[int, GalleryEntry] = {}
        self._by_session: dict[str, list[int]] = {}
        self._store = _Store(dim)
        self._index: Any = self._flat()

    # --- index construction ----------------------------------------------------------------
    def _flat(self) -> Any:
        import faiss

        return faiss.IndexIDMap2(faiss.IndexFlatL2(self.dim))

    def _ivfpq(self, vectors: NDArray[np.float32]) -> Any:
        import faiss

        n = len(vectors)
        nlist = int(2 ** round(math.log2(max(16.0, 4.0 * math.sqrt(n)))))
        bits = CODECS[self.codec]
        per_byte = 8 // bits
        # PQ_BYTES per code: sub-quantisers of `bits` bits, whose count must divide dim
        m = max(b for b in range(1, PQ_BYTES * per_byte + 1) if self.dim % b == 0)
        index: Any
        if bits == 8:
            index = faiss.IndexIVFPQ(faiss.IndexFlatL2(self.dim), self.dim, nlist, m, 8)
        else:  # 4-bit codes scanned with SIMD lookup tables held in registers (faiss "fast scan")
            index = faiss.IndexIVFPQFastScan(faiss.IndexFlatL2(self.dim), self.dim, nlist, m, 4)
        rng = np.random.default_rng(self.seed)
        sample = vectors[rng.choice(n, size=min(n, nlist * 40), replace=False)]
        index.cp.seed = self.seed
        index.cp.niter = 12
        index.train(sample)
        index.nprobe = min(self.nprobe, nlist)
        return index

    def _prepare(self, v: NDArray[np.float32]) -> NDArray[np.float32]:
        return v if self.metric == "euclidean" else l2_normalise(v)

    def _similarity(self, sq_dist: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.metric == "euclidean":
            return np.asarray(1.0 - np.sqrt(np.maximum(sq_dist, 0.0)))
        return np.asarray(1.0 - sq_dist / 2.0)  # unit vectors: cos = 1 - d^2/2

    @property
    def kind(self) -> str:
        with self._lock:
            return "ivfpq" if hasattr(self._index, "nprobe") else "flat"

    def __len__(self) -> int:
        with self._lock:
            return int(self._index.ntotal)

    def build(self, vectors: NDArray[np.float32], entries: list[GalleryEntry]) -> None:
        """Replace the gallery with these templates (exact or IVF-PQ by size)."""
        vectors = self._prepare(_as_matrix(vectors, self.dim))
        if len(vectors) != len(entries):
            raise ValueError("one entry per template")
        with self._lock:
            self._entries, self._by_session, self._store = {}, {}, _Store(self.dim)
            ids = self._register(vectors, entries)
            self._index = self._ivfpq(vectors) if len(vectors) >= self.ivf_threshold else self._flat()
            self._add_batched(vectors, ids)

    def _register(self, vectors: NDArray[np.float32], entries: list[GalleryEntry]) -> NDArray[np.int64]:
        ids = self._store.append(vectors)
        for i, e in zip(ids.tolist(), entries, strict=True):
            self._entries[i] = e
            self._by_session.setdefault(e.session_id, []).append(i)
        return ids

    def _add_batched(self, vectors: NDArray[np.float32], ids: NDArray[np.int64], batch: int = 65536) -> None:
        for s in range(0, len(vectors), batch):
            self._index.add_with_ids(vectors[s : s + batch], ids[s : s + batch])

    # --- mutation ------------------------------------------------------------------------------
    def add(self, vector: NDArray[np.float32], entry: GalleryEntry) -> None:
        """Enrol one template; an exact index that outgrows the threshold is rebuilt as IVF-PQ."""
        v = self._prepare(_as_matrix(vector, self.dim))
        with self._lock:
            ids = self._register(v, [entry])
            self._index.add_with_ids(v, ids)
            if self.kind == "flat" and self._index.ntotal >= self.ivf_threshold:
                live = np.array(sorted(self._entries), dtype=np.int64)
                vectors = self._store.data[live].astype(np.float32)
                self._index = self._ivfpq(vectors)
                self._add_batched(vectors, live)

    def remove_session(self, session_id: str) -> int:
        """Forget every template a session enrolled (erasure): index entry and stored vector."""
        import faiss

        with self._lock:
            ids = self._by_session.pop(session_id, [])
            if not ids:
                return 0
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))
            for i in ids:
                self._entries.pop(i, None)
                self._store.data[i] = 0
            return len(ids)

    # --- search --------------------------------------------------------------------------------
    def search(self, vector: NDArray[np.float32], k: int = 5, min_similarity: float = -math.inf) -> list[GalleryHit]:
        """The ``k`` most similar templates at or above ``min_similarity``, best first."""
        q = self._prepare(_as_matrix(vector, self.dim))[:1]
        with self._lock:
            n = int(self._index.ntotal)
            if n == 0:
                return []
            want = min(n, max(k, self.candidates) if self.kind == "ivfpq" else k)
            _, found = self._index.search(q, want)
            ids = np.array([i for i in found[0].tolist() if i >= 0 and i in self._entries], dtype=np.int64)
            if ids.size == 0:
                return []
            diff = self._store.data[ids].astype(np.float64) - q[0].astype(np.float64)
            sims = self._similarity((diff * diff).sum(axis=1))
            order = np.argsort(-sims, kind="stable")[:k]
            return [
                GalleryHit(self._entries[int(ids[j])], float(sims[j]), int(ids[j]))
                for j in order
                if sims[j] >= min_similarity
            ]

    def memory_bytes(self) -> int:
        """Bytes of the faiss index (codes, ids, lists, quantisers) plus the float16 re-rank store."""
        import faiss

        with self._lock:
            index_bytes = int(faiss.serialize_index(self._index).nbytes)
            return index_bytes + int(self._store.n * self.dim * 2)


def _as_matrix(v: NDArray[np.float32], dim: int) -> NDArray[np.float32]:
    arr = np.asarray(v, dtype=np.float32)
    m = arr.reshape(-1, dim) if arr.size else np.zeros((0, dim), np.float32)
    return np.ascontiguousarray(m, dtype=np.float32)
