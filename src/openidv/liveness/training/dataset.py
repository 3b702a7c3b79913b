"""Build the passive model's training and test sets from bona fide faces and the red team.

Each identity contributes bona fide captures and attacks on its own split only. Every sample is
cut into the run-time views (:mod:`openidv.liveness.crops`) with a detector-like box jitter, and
the arrays are cached as one ``.npz`` per split. Work is spread over a few processes.

Besides the species, the training split may hold self-blended faces (``--train-self-blend``,
:mod:`openidv.liveness.redteam.self_blend`): labelled with the deepfake class, told apart from the
face swaps by the ``kinds`` array, so a leave-one-species-out run can drop the swaps and keep them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.liveness.crops import CONTEXT_SIZE, TIGHT_SIZE, face_views, jitter_box
from openidv.liveness.redteam import FaceRef, generate, generate_self_blend
from openidv.liveness.redteam.generate import GeneratorConfig
from openidv.liveness.species import MODEL_CLASSES, PRESENTATION_SPECIES, Species
from openidv.liveness.training.faces import SourceEntry, detect_folder, load_ref, split_of

SELF_BLEND = "self_blend"  # a sample kind that is not a species (training only; class deepfake)


def kind_label(kind: str) -> int:
    """The model class a sample kind is trained as."""
    return MODEL_CLASSES.index(Species.DEEPFAKE if kind == SELF_BLEND else Species(kind))


def sample_kinds(z: Any) -> NDArray[np.str_]:
    """What each sample is (a species, or ``self_blend``); folders from before kinds were stored
    hold species only, which their labels name."""
    if "kinds" in z:
        return np.asarray(z["kinds"])
    return np.array([MODEL_CLASSES[int(y)].value for y in z["labels"]])


@dataclass(frozen=True)
class Job:
    index: int
    species: str
    seed: int
    ref: int
    other: int


_refs: list[SourceEntry] = []
_pool: list[NDArray[np.uint8]] = []
_sizes: list[int] = [TIGHT_SIZE, CONTEXT_SIZE]
_cfg: list[GeneratorConfig] = [GeneratorConfig()]
REDTEAM_VERSIONS = {4: GeneratorConfig(instrument_detail=False), 5: GeneratorConfig(instrument_detail=True)}


def _init(
    refs: list[SourceEntry],
    pool_idx: list[int],
    sizes: tuple[int, int] = (TIGHT_SIZE, CONTEXT_SIZE),
    cfg: GeneratorConfig | None = None,
) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)
    _refs[:] = refs
    _pool[:] = [load_ref(refs[i]).rgb for i in pool_idx]
    _sizes[:] = list(sizes)
    _cfg[:] = [cfg or GeneratorConfig()]


def _run(job: Job) -> tuple[int, NDArray[np.uint8], NDArray[np.uint8], int, str, str]:
    rng = np.random.default_rng(job.seed)
    ref: FaceRef = load_ref(_refs[job.ref])
    if job.species == SELF_BLEND:
        sample = generate_self_blend(ref, rng, _cfg[0])
    else:
        other = load_ref(_refs[job.other])
        sample = generate(Species(job.species), ref, rng, other=other, pool=_pool, cfg=_cfg[0])
    tight, context = face_views(sample.rgb, jitter_box(sample.box, rng), _sizes[0], _sizes[1])
    return job.index, tight, context, kind_label(job.species), ref.subject_id, job.species


def plan(
    entries: Sequence[SourceEntry],
    n_bona: int,
    n_per_species: int,
    seed: int,
    species: Sequence[Species] = PRESENTATION_SPECIES,
    n_self_blend: int = 0,
) -> list[Job]:
    """Which source face becomes which sample; `other` is always a different person.

    Self-blends come last, so a plan without them draws exactly what earlier plans drew.
    """
    rng = np.random.default_rng(seed)
    n = len(entries)
    jobs: list[Job] = []
    kinds = [Species.BONA_FIDE.value] * n_bona + [s.value for s in species for _ in range(n_per_species)]
    kinds += [SELF_BLEND] * n_self_blend
    for i, sp in enumerate(kinds):
        ref = int(rng.integers(n))
        other = int(rng.integers(n))
        while entries[other].person == entries[ref].person and n > 1:
            other = int(rng.integers(n))
        jobs.append(Job(i, sp, int(rng.integers(2**31)), ref, other))
    return jobs


def build(
    entries: list[SourceEntry],
    jobs: list[Job],
    out: Path,
    workers: int = 2,
    sizes: tuple[int, int] = (TIGHT_SIZE, CONTEXT_SIZE),
    cfg: GeneratorConfig | None = None,
) -> dict[str, Any]:
    pool_idx = list(np.random.default_rng(7).choice(len(entries), size=min(80, len(entries)), replace=False))
    n = len(jobs)
    tight = np.zeros((n, sizes[0], sizes[0], 3), np.uint8)
    context = np.zeros((n, sizes[1], sizes[1], 3), np.uint8)
    labels = np.zeros(n, np.int64)
    subjects, kinds = [""] * n, [""] * n
    if workers <= 1:  # in-process (no fork: safe after torch or onnxruntime started threads)
        _init(entries, pool_idx, sizes, cfg)
        results = map(_run, jobs)
        for i, t, c, y, s, k in results:
            tight[i], context[i], labels[i], subjects[i], kinds[i] = t, c, y, s, k
    else:
        with get_context("fork").Pool(workers, initializer=_init, initargs=(entries, pool_idx, sizes, cfg)) as pool:
            for i, t, c, y, s, k in pool.imap_unordered(_run, jobs, chunksize=16):
                tight[i], context[i], labels[i], subjects[i], kinds[i] = t, c, y, s, k
    np.savez_compressed(out, tight=tight, context=context, labels=labels, subjects=np.array(subjects),
                        kinds=np.array(kinds))
    return {"n": n, "counts": np.bincount(labels, minlength=len(MODEL_CLASSES)).tolist(),
            "self_blend": kinds.count(SELF_BLEND)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Generate the passive-PAD data set (views + labels).")
    ap.add_argument("--faces", type=Path, required=True, help="LFW-style folder: <person>/<image>.jpg")
    ap.add_argument("--out", type=Path, required=True, help="output folder (outside the repository)")
    ap.add_argument("--train-bona", type=int, default=3500)
    ap.add_argument("--train-per-species", type=int, default=700)
    ap.add_argument("--test-bona", type=int, default=1500)
    ap.add_argument("--test-per-species", type=int, default=300)
    ap.add_argument("--train-self-blend", type=int, default=0, metavar="N",
                    help="also N self-blended bona fide faces in the training split (class deepfake)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--tight-size", type=int, default=TIGHT_SIZE, help="tight view, pixels")
    ap.add_argument("--context-size", type=int, default=CONTEXT_SIZE, help="context view, pixels")
    ap.add_argument("--redteam", type=int, choices=sorted(REDTEAM_VERSIONS), default=4,
                    help="red-team version: 4 (default) draws pad_passive 4.0.0's data, 5 adds reflections, "
                         "device sheen and lens, holding hands and close-ups to prints and screens")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    entries = detect_folder(args.faces, args.out / "faces.json")
    for split, nb, ns, nsb, seed in (
        ("train", args.train_bona, args.train_per_species, args.train_self_blend, args.seed),
        ("test", args.test_bona, args.test_per_species, 0, args.seed + 1),
    ):
        part = [e for e in entries if split_of(e.person) == split]
        sizes = (args.tight_size, args.context_size)
        jobs = plan(part, nb, ns, seed, n_self_blend=nsb)
        info = build(part, jobs, args.out / f"{split}.npz", args.workers, sizes, REDTEAM_VERSIONS[args.redteam])
        print(split, len({e.person for e in part}), "people", info, flush=True)


if __name__ == "__main__":
    main()
