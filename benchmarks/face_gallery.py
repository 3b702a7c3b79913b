"""1:N gallery benchmark: search latency, rank-1 recall against exact search, memory per template.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/face_gallery.py \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1 --size 1000000

Gallery: one real LFW template per identity (its first photo) plus synthetic distractors drawn
from a Gaussian fitted to the real embeddings (mean and full covariance of the shipped embedder's
flip-averaged dlib descriptors, compared by Euclidean distance), generated in batches.
Queries: every other photo of the enrolled identities (mated searches) and photos of identities
left out of the gallery (non-mated). Each query is searched alone on one thread (faiss OMP
threads = 1); exact top-1 comes from a brute-force pass in numpy. The realism of the distractors
is reported as the similarity of real queries to real versus synthetic non-mated templates.
Memory per template = faiss index bytes (codes, ids, inverted lists, quantisers) plus the float16
re-ranking copy, divided by the gallery size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import time
from pathlib import Path

import numpy as np

from openidv.face.corpus import embed_corpus, lfw_images
from openidv.face.embedding import default_embedder
from openidv.face.gallery import DEFAULT_CODEC, DEFAULT_NPROBE, FaceGallery, GalleryEntry


def fit_distractors(real: np.ndarray, seed: int):
    mean = real.mean(axis=0)
    cov = np.cov(real, rowvar=False) + 1e-6 * np.eye(real.shape[1])
    chol = np.linalg.cholesky(cov)
    rng = np.random.default_rng(seed)

    def draw(n: int) -> np.ndarray:
        z = mean + rng.standard_normal((n, real.shape[1])).astype(np.float64) @ chol.T
        return z.astype(np.float32)

    return draw


def split(paths: list[str], ok: np.ndarray, seed: int):
    """Enrolled identities (first photo in gallery, others as mated queries) and left-out identities."""
    by_id: dict[str, list[int]] = {}
    for k, p in enumerate(paths):
        if ok[k]:
            by_id.setdefault(p.split("/")[0], []).append(k)
    names = sorted(by_id)
    rng = np.random.default_rng(seed)
    left_out = set(rng.choice(names, size=len(names) // 5, replace=False).tolist())
    enrolled = [by_id[n][0] for n in names if n not in left_out]
    mated = [(k, by_id[n][0]) for n in names if n not in left_out for k in by_id[n][1:]]
    nonmated = [by_id[n][0] for n in sorted(left_out)]
    return enrolled, mated, nonmated


def exact_top1(gallery: np.ndarray, queries: np.ndarray, batch: int = 200_000) -> np.ndarray:
    """Nearest template by Euclidean distance (argmax of 2 q.g - |g|^2), brute force."""
    best = np.full(len(queries), -np.inf, np.float32)
    arg = np.zeros(len(queries), np.int64)
    for s in range(0, len(gallery), batch):
        g = gallery[s : s + batch]
        sims = 2.0 * (queries @ g.T) - (g * g).sum(axis=1)[None, :]
        k = sims.argmax(axis=1)
        v = sims[np.arange(len(queries)), k]
        better = v > best
        best[better], arg[better] = v[better], k[better] + s
    return arg


def timed_search(g: FaceGallery, queries: np.ndarray) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Top-1 rows, wall ms and this thread's CPU ms per query (CPU time is robust to a loaded machine)."""
    top, times, cpu = [], [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        hits = g.search(q, k=1)
        times.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        top.append(hits[0].row if hits else -1)
    return top, np.asarray(times) * 1e3, np.asarray(cpu) * 1e3


def main() -> None:
    import faiss

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--nprobe", type=int, nargs="+", default=[DEFAULT_NPROBE])
    ap.add_argument("--candidates", type=int, nargs="+", default=[300], help="IVF-PQ proposals re-ranked exactly")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--codec", default=DEFAULT_CODEC, help="IVF codec: pq8 (8-bit PQ) or fastscan4 (4-bit fast scan)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    faiss.omp_set_num_threads(1)
    corpus = embed_corpus(args.root, lfw_images(args.root), args.cache)
    real = corpus.embeddings(default_embedder().tta)
    enrolled, mated, nonmated = split(corpus.paths, corpus.ok, args.seed)
    draw = fit_distractors(real[corpus.ok], args.seed)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    parts = [real[enrolled]]
    while sum(len(p) for p in parts) < args.size:
        parts.append(draw(min(200_000, args.size - sum(len(p) for p in parts))))
    vectors = np.concatenate(parts)
    gen_s = time.perf_counter() - t0
    g = FaceGallery(real.shape[1], "bench", nprobe=args.nprobe[0], candidates=args.candidates[0], codec=args.codec)
    t0 = time.perf_counter()
    g.build(vectors, [GalleryEntry(f"s{i}") for i in range(len(vectors))])
    build_s = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    mq = [mated[i] for i in rng.choice(len(mated), size=min(args.queries, len(mated)), replace=False)]
    nq = [nonmated[i] for i in rng.choice(len(nonmated), size=min(args.queries, len(nonmated)), replace=False)]
    q_m, q_n = real[[k for k, _ in mq]], real[nq]
    exact_m, exact_n = exact_top1(vectors, q_m), exact_top1(vectors, q_n)
    true_rows = np.array([enrolled.index(e) for _, e in mq])
    report = {
        "gallery": len(g),
        "real_templates": len(enrolled),
        "index": g.kind,
        "codec": args.codec,
        "generate_s": round(gen_s, 1),
        "build_s": round(build_s, 1),
        "index_bytes_per_template": round(g.memory_bytes() / len(g), 1),
        "max_rss_mb_delta": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024, 1),
        "exact_rank1_identification_rate_mated": float(np.mean(exact_m == true_rows)),
        "realism": realism(real[enrolled], vectors[len(enrolled) :], q_n),
        "by_nprobe": [],
    }
    for nprobe, candidates in itertools.product(args.nprobe, args.candidates):
        g._index.nprobe, g.candidates = nprobe, candidates
        row = {"nprobe": nprobe, "candidates": candidates, "load_avg_1m": round(os.getloadavg()[0], 2)}
        report["by_nprobe"].append(row | measure(g, q_m, q_n, exact_m, exact_n))
        print(json.dumps(report["by_nprobe"][-1]), flush=True)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


def measure(g: FaceGallery, q_m: np.ndarray, q_n: np.ndarray, exact_m: np.ndarray, exact_n: np.ndarray) -> dict:
    """Rank-1 agreement with exact search (mated, non-mated, all) and per-query latency."""
    top_m, ms_m, cpu_m = timed_search(g, q_m)
    top_n, ms_n, cpu_n = timed_search(g, q_n)
    ms, cpu = np.concatenate([ms_m, ms_n]), np.concatenate([cpu_m, cpu_n])
    agree = np.concatenate([np.array(top_m) == exact_m, np.array(top_n) == exact_n])
    return {
        "recall_vs_exact_mated": float(np.mean(np.array(top_m) == exact_m)),
        "recall_vs_exact_nonmated": float(np.mean(np.array(top_n) == exact_n)),
        "recall_vs_exact_all": float(agree.mean()),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3),
        "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 3),
        "qps_one_core": round(1000.0 / float(ms.mean()), 1),
    }


def realism(enrolled: np.ndarray, synthetic: np.ndarray, queries: np.ndarray) -> dict[str, float]:
    """Similarity (1 - distance) of left-out real faces to real (other people) vs synthetic templates."""

    def sims(q: np.ndarray, g: np.ndarray) -> np.ndarray:
        d2 = (q * q).sum(1)[:, None] + (g * g).sum(1)[None, :] - 2.0 * q @ g.T
        return (1.0 - np.sqrt(np.maximum(d2, 0.0))).ravel()

    rs, ss = sims(queries[:300], enrolled[:3000]), sims(queries[:300], synthetic[:3000])
    return {
        "real_nonmated_mean": round(float(rs.mean()), 4),
        "real_nonmated_std": round(float(rs.std()), 4),
        "synthetic_mean": round(float(ss.mean()), 4),
        "synthetic_std": round(float(ss.std()), 4),
        "real_p99_9": round(float(np.quantile(rs, 0.999)), 4),
        "synthetic_p99_9": round(float(np.quantile(ss, 0.999)), 4),
    }


if __name__ == "__main__":
    main()
