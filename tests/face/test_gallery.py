from __future__ import annotations

import threading

import numpy as np

from openidv.face.gallery import FaceGallery, GalleryEntry


def _unit(rng, n, d=16):
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_gallery_finds_enrolled_and_forgets_erased():
    rng = np.random.default_rng(0)
    g = FaceGallery(16, "m")
    vecs = _unit(rng, 50)
    for i, v in enumerate(vecs):
        g.add(v, GalleryEntry(session_id=f"s{i % 25}", identity_keys=(f"k{i}",)))
    assert len(g) == 50
    assert g.kind == "flat"
    hit = g.search(vecs[7], k=1)[0]
    assert hit.entry.session_id == "s7"
    assert abs(hit.similarity - 1.0) < 1e-3  # templates are kept as float16
    assert g.remove_session("s7") == 2
    assert len(g) == 48
    assert all(h.entry.session_id != "s7" for h in g.search(vecs[7], k=5))
    assert g.remove_session("s7") == 0


def test_min_similarity_filters_and_empty_gallery():
    g = FaceGallery(16, "m")
    assert g.search(np.ones(16, np.float32) / 4.0) == []
    rng = np.random.default_rng(1)
    v = _unit(rng, 2)
    g.build(v, [GalleryEntry("a"), GalleryEntry("b")])
    assert [h.entry.session_id for h in g.search(v[0], k=2, min_similarity=0.99)] == ["a"]
    cos = FaceGallery(16, "m", metric="cosine")
    cos.build(v * 3.0, [GalleryEntry("a"), GalleryEntry("b")])
    hit = cos.search(v[1] * 0.5, k=1)[0]
    assert hit.entry.session_id == "b"
    assert abs(hit.similarity - 1.0) < 1e-3


def test_large_gallery_becomes_ivfpq_with_high_recall_and_supports_removal():
    rng = np.random.default_rng(2)
    vecs = _unit(rng, 3000, 32)
    g = FaceGallery(32, "m", ivf_threshold=1000, nprobe=16)
    g.build(vecs, [GalleryEntry(f"s{i}") for i in range(3000)])
    assert g.kind == "ivfpq"
    queries = vecs[:200] + rng.normal(0, 0.05, (200, 32)).astype(np.float32)
    found = [g.search(q, k=1)[0].entry.session_id for q in queries]
    recall = np.mean([f == f"s{i}" for i, f in enumerate(found)])
    assert recall >= 0.97
    assert g.remove_session("s3") == 1
    assert g.search(vecs[3], k=1)[0].entry.session_id != "s3"
    assert g.memory_bytes() > 3000 * 32 * 2
    hit = g.search(vecs[10], k=1)[0]
    assert hit.similarity > 0.99  # exact re-ranking: the quantisation error is gone


def test_growing_past_the_threshold_rebuilds_as_ivf():
    rng = np.random.default_rng(3)
    g = FaceGallery(16, "m", ivf_threshold=300)
    vecs = _unit(rng, 320)
    for i, v in enumerate(vecs):
        g.add(v, GalleryEntry(f"s{i}"))
    assert g.kind == "ivfpq"
    assert len(g) == 320
    assert g.search(vecs[310], k=1)[0].entry.session_id == "s310"


def test_concurrent_adds_and_searches():
    rng = np.random.default_rng(4)
    g = FaceGallery(16, "m")
    vecs = _unit(rng, 400)

    def add(lo):
        for i in range(lo, lo + 100):
            g.add(vecs[i], GalleryEntry(f"s{i}"))
            g.search(vecs[i], k=3)

    threads = [threading.Thread(target=add, args=(lo,)) for lo in range(0, 400, 100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(g) == 400


def test_a_hit_of_an_erased_session_is_dropped_and_forgotten(settings):
    """Another service process erased the session: its template is gone from the store, not from
    this process's gallery. The search drops the hit and forgets it here too; a session whose
    decision is still being written (no stored template yet) stays."""
    from types import SimpleNamespace

    from openidv.domain import Session
    from openidv.face.checks import FaceDuplicateCheck
    from openidv.runtime import Runtime

    rt = Runtime.build(settings)
    try:
        kept, erased, pending = Session(), Session(), Session()
        for s in (kept, erased, pending):
            rt.repo.create_session(s, actor="t")
        rt.repo.erase(erased.id, "admin")  # the store only: as another process would
        rng = np.random.default_rng(2)
        vecs = _unit(rng, 3)
        g = FaceGallery(16, "m")
        g.build(vecs, [GalleryEntry(kept.id), GalleryEntry(erased.id), GalleryEntry(pending.id)])
        hits = g.search(vecs[1], k=3)
        ctx = SimpleNamespace(env=rt.env)
        out = FaceDuplicateCheck()._not_erased(ctx, g, hits)  # type: ignore[arg-type]
        assert sorted(h.entry.session_id for h in out) == sorted([kept.id, pending.id])
        assert len(g) == 2 and g.remove_session(erased.id) == 0
    finally:
        rt.close()
