"""A 1:N face gallery: enrolled templates, searchable, erasable.

Templates are unit vectors; similarity is the inner product (cosine), the same score as 1:1.
Below ``ivf_threshold`` templates the index is exact (``IndexFlatIP``): a 100k gallery is searched
in a few milliseconds. Above it the gallery is rebuilt as an inverted file (``IndexIVFFlat``,
``nlist`` about 4*sqrt(n), ``nprobe`` set for rank-1 recall >= 0.99 against exact search, see
``benchmarks/face_gallery.py``). IVF rather than HNSW because IVF supports true deletion, which
erasure requests need, and costs ~4 bytes per template beyond the vectors instead of ~260.

Each template carries the session that enrolled it and blinded identity keys (never personal data
in clear), so a search hit can say whose session matched and whether the declared identity
differs. All methods are thread-safe.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

DEFAULT_IVF_THRESHOLD = 200_000


@dataclass(frozen=True)
class GalleryEntry:
    session_id: str
    identity_keys: tuple[str, ...] = ()  # blinded keys of the declared identity (name+birth date, document)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GalleryHit:
    entry: GalleryEntry
    similarity: float


class FaceGallery:
    def __init__(
        self,
        dim: int,
        model: str,
        *,
        ivf_threshold: int = DEFAULT_IVF_THRESHOLD,
        nprobe: int = 48,
        seed: int = 0,
    ) -> None:
        self.dim = dim
        self.model = model  # templates of one embedder version only
        self.ivf_threshold = ivf_threshold
        self.nprobe = nprobe
        self.seed = seed
        self._lock = threading.RLock()
        self._entries: dict[int, GalleryEntry] = {}
        self._by_session: dict[str, list[int]] = {}
        self._next_id = 0
        self._index: Any = self._flat()

    # --- index construction ----------------------------------------------------------------
    def _flat(self) -> Any:
        import faiss

        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _ivf(self, vectors: NDArray[np.float32]) -> Any:
        import faiss

        n = len(vectors)
        nlist = int(2 ** round(math.log2(max(16.0, 4.0 * math.sqrt(n)))))
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(self.seed)
        sample = vectors[rng.choice(n, size=min(n, nlist * 40), replace=False)]
        index.cp.seed = self.seed
        index.cp.niter = 12
        index.train(sample)
        index.nprobe = min(self.nprobe, nlist)
        return index

    @property
    def kind(self) -> str:
        with self._lock:
            return "ivf" if hasattr(self._index, "nprobe") else "flat"

    def __len__(self) -> int:
        with self._lock:
            return int(self._index.ntotal)

    def build(self, vectors: NDArray[np.float32], entries: list[GalleryEntry]) -> None:
        """Replace the gallery with these templates (exact or IVF by size)."""
        vectors = _as_matrix(vectors, self.dim)
        if len(vectors) != len(entries):
            raise ValueError("one entry per template")
        with self._lock:
            self._entries, self._by_session, self._next_id = {}, {}, 0
            ids = self._assign(entries)
            self._index = self._ivf(vectors) if len(vectors) >= self.ivf_threshold else self._flat()
            if len(vectors):
                self._add_batched(vectors, ids)

    def _assign(self, entries: list[GalleryEntry]) -> NDArray[np.int64]:
        ids = np.arange(self._next_id, self._next_id + len(entries), dtype=np.int64)
        self._next_id += len(entries)
        for i, e in zip(ids.tolist(), entries, strict=True):
            self._entries[i] = e
            self._by_session.setdefault(e.session_id, []).append(i)
        return ids

    def _add_batched(self, vectors: NDArray[np.float32], ids: NDArray[np.int64], batch: int = 65536) -> None:
        for s in range(0, len(vectors), batch):
            self._index.add_with_ids(vectors[s : s + batch], ids[s : s + batch])

    # --- mutation ------------------------------------------------------------------------------
    def add(self, vector: NDArray[np.float32], entry: GalleryEntry) -> None:
        """Enrol one template; an exact index that outgrows the threshold is rebuilt as IVF."""
        v = _as_matrix(vector, self.dim)
        with self._lock:
            ids = self._assign([entry])
            self._index.add_with_ids(v, ids)
            if self.kind == "flat" and self._index.ntotal >= self.ivf_threshold:
                self._rebuild_ivf()

    def _rebuild_ivf(self) -> None:
        ids = np.array(sorted(self._entries), dtype=np.int64)
        vectors = np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)
        self._index = self._ivf(vectors)
        self._add_batched(vectors, ids)

    def remove_session(self, session_id: str) -> int:
        """Forget every template a session enrolled (erasure); returns how many."""
        import faiss

        with self._lock:
            ids = self._by_session.pop(session_id, [])
            if not ids:
                return 0
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))
            for i in ids:
                self._entries.pop(i, None)
            return len(ids)

    # --- search --------------------------------------------------------------------------------
    def search(self, vector: NDArray[np.float32], k: int = 5, min_similarity: float = -1.0) -> list[GalleryHit]:
        """The ``k`` most similar templates at or above ``min_similarity``, best first."""
        q = _as_matrix(vector, self.dim)
        with self._lock:
            if self._index.ntotal == 0:
                return []
            sims, ids = self._index.search(q, min(k, int(self._index.ntotal)))
            hits = []
            for s, i in zip(sims[0].tolist(), ids[0].tolist(), strict=True):
                if i >= 0 and s >= min_similarity and i in self._entries:
                    hits.append(GalleryHit(self._entries[i], float(s)))
            return hits

    def memory_bytes(self) -> int:
        """Bytes held by the faiss index (vectors, ids and lists), measured by serialising it."""
        import faiss

        with self._lock:
            return int(faiss.serialize_index(self._index).nbytes)


def _as_matrix(v: NDArray[np.float32], dim: int) -> NDArray[np.float32]:
    m = np.ascontiguousarray(np.asarray(v, dtype=np.float32).reshape(-1, dim) if np.size(v) else np.zeros((0, dim)))
    return m.astype(np.float32, copy=False)
