"""Tune the capture-integrity and replay operating points on generated data, report on held-out
identities, and write the ``liveness_integrity`` and ``liveness_replay`` threshold sets.

    python -m openidv.liveness.training.tune_signals --faces /path/to/lfw-dev --out var/liveness/signals \\
        --write-dir src/openidv/policy/data/thresholds

* ``min_noise_sigma``: 1st percentile of the noise estimate on bona fide captures of the tuning
  identities (at most ~1% of genuine captures are sent to review by this weak signal); reported:
  the share of "too clean" injected frames caught on the test identities.
* ``max_static_share``: largest share of near-identical consecutive frames in genuine simulated
  sequences plus 0.1; reported: frozen streams caught.
* ``max_phash_distance`` / ``max_dhash_distance``: the largest limits (pHash capped at 4, which
  the 5-band lookup finds exhaustively) at which no two different photos of the tuning
  identities match; reported: recall on re-encoded, resized, recoloured replays and false matches
  between different photos of the test identities.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from openidv.liveness import integrity, replay
from openidv.liveness import simulator as sim
from openidv.liveness.challenge import issue_challenge
from openidv.liveness.redteam import generate, generate_bona_fide
from openidv.liveness.redteam.camera import jpeg_roundtrip
from openidv.liveness.species import Species
from openidv.liveness.training.faces import SourceEntry, detect_folder, load_ref, split_of


def noise_samples(entries: list[SourceEntry], n: int, seed: int) -> dict[str, list[float]]:
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {"bona_fide": [], "injection_clean": []}
    for _ in range(n):
        ref = load_ref(entries[int(rng.integers(len(entries)))])
        out["bona_fide"].append(integrity.noise_sigma(generate_bona_fide(ref, rng).rgb))
        out["injection_clean"].append(integrity.noise_sigma(generate(Species.INJECTION_CLEAN, ref, rng).rgb))
    return out


def static_samples(entries: list[SourceEntry], n: int, seed: int) -> dict[str, list[float]]:
    """Near-identical share for genuine simulated sequences and for frozen (re-encoded) streams."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {"genuine": [], "frozen": []}
    for i in range(n):
        ref = load_ref(entries[int(rng.integers(len(entries)))])
        ch = issue_challenge("s", rng=random.Random(seed + i))
        frames = [f.rgb for f in sim.genuine(ref, ch, rng, sim.SimConfig(fps=(10.0, 12.0)))]
        out["genuine"].append(integrity.static_sequence(frames)["near_identical_share"])
        still = frames[len(frames) // 2]
        q = int(rng.integers(80, 96))
        frozen = [jpeg_roundtrip(still, q) for _ in range(12)]
        out["frozen"].append(integrity.static_sequence(frozen)["near_identical_share"])
    return out


def _variant(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A replayed copy: resized, recoloured a little, re-encoded."""
    h, w = rgb.shape[:2]
    k = float(rng.uniform(0.6, 1.4))
    img = cv2.resize(rgb, (max(32, round(w * k)), max(32, round(h * k))), interpolation=cv2.INTER_AREA)
    img = np.clip(img.astype(np.float32) * float(rng.uniform(0.9, 1.1)) + float(rng.normal(0, 4)), 0, 255)
    return jpeg_roundtrip(img.astype(np.uint8), int(rng.integers(55, 95)))


def hash_samples(entries: list[SourceEntry], n: int, seed: int) -> dict[str, list[tuple[int, int]]]:
    rng = np.random.default_rng(seed)
    by_person: dict[str, list[SourceEntry]] = {}
    for e in entries:
        by_person.setdefault(e.person, []).append(e)
    multi = [v for v in by_person.values() if len(v) >= 2]
    out: dict[str, list[tuple[int, int]]] = {"replay": [], "same_person": [], "other_person": []}
    for _ in range(n):
        group = multi[int(rng.integers(len(multi)))]
        a, b = (load_ref(group[int(i)]).rgb for i in rng.choice(len(group), 2, replace=False))
        c = load_ref(entries[int(rng.integers(len(entries)))]).rgb
        ha = replay.image_hashes(a)
        out["replay"].append(ha.distance(replay.image_hashes(_variant(a, rng))))
        out["same_person"].append(ha.distance(replay.image_hashes(b)))
        out["other_person"].append(ha.distance(replay.image_hashes(c)))
    return out


def choose_hash_limits(samples: dict[str, list[tuple[int, int]]]) -> tuple[int, int]:
    negatives = samples["same_person"] + samples["other_person"]
    best = (0, 0)
    for p in range(5):
        for d in range(17):
            if not any(dp <= p and dd <= d for dp, dd in negatives) and (p, d) > best:
                best = (p, d)
    return best


def rate(values: list[tuple[int, int]], p: int, d: int) -> float:
    return float(np.mean([dp <= p and dd <= d for dp, dd in values])) if values else 0.0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faces", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--sequences", type=int, default=20)
    ap.add_argument("--write-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    entries = detect_folder(args.faces, args.out / "faces.json")
    train = [e for e in entries if split_of(e.person) == "train"]
    test = [e for e in entries if split_of(e.person) == "test"]
    noise_tr, noise_te = noise_samples(train, args.n, 1), noise_samples(test, args.n, 2)
    min_noise = float(np.percentile(noise_tr["bona_fide"], 1))
    static_tr, static_te = static_samples(train, args.sequences, 3), static_samples(test, args.sequences, 4)
    max_static = float(max(static_tr["genuine"])) + 0.1
    hashes_tr, hashes_te = hash_samples(train, args.n, 5), hash_samples(test, args.n, 6)
    max_p, max_d = choose_hash_limits(hashes_tr)
    report: dict[str, Any] = {
        "integrity": {
            "min_noise_sigma": min_noise,
            "test_bona_fide_flagged": float(np.mean(np.array(noise_te["bona_fide"]) < min_noise)),
            "test_injection_clean_caught": float(np.mean(np.array(noise_te["injection_clean"]) < min_noise)),
            "max_static_share": max_static,
            "test_genuine_sequences_flagged": float(np.mean(np.array(static_te["genuine"]) > max_static)),
            "test_frozen_streams_caught": float(np.mean(np.array(static_te["frozen"]) > max_static)),
            "n": args.n,
            "sequences": args.sequences,
        },
        "replay": {
            "max_phash_distance": max_p,
            "max_dhash_distance": max_d,
            "test_replay_recall": rate(hashes_te["replay"], max_p, max_d),
            "test_false_match_same_person": rate(hashes_te["same_person"], max_p, max_d),
            "test_false_match_other_person": rate(hashes_te["other_person"], max_p, max_d),
            "n": args.n,
        },
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=1))
    if args.write_dir:
        write_sets(args.write_dir, report)


def write_sets(folder: Path, report: dict[str, Any]) -> None:
    from openidv.policy.thresholds import ThresholdSet

    version = datetime.now(UTC).strftime("%Y-%m-%d.1")
    tool = "python -m openidv.liveness.training.tune_signals"
    integ = report["integrity"]
    ThresholdSet(
        "liveness_integrity",
        version,
        {
            "min_noise_sigma": round(integ["min_noise_sigma"], 4),
            "max_static_share": round(integ["max_static_share"], 4),
        },
        {
            "tool": tool,
            "data": "generated captures and simulated sequences from lfw-dev, split by person",
            "rules": "see tune_signals docstring",
            "measured_on_test": {k: v for k, v in integ.items() if "test" in k},
        },
    ).write(folder / "liveness_integrity.yaml")
    rep = report["replay"]
    ThresholdSet(
        "liveness_replay",
        version,
        {"max_phash_distance": rep["max_phash_distance"], "max_dhash_distance": rep["max_dhash_distance"]},
        {
            "tool": tool,
            "data": "lfw-dev photos and re-encoded/resized/recoloured copies, split by person",
            "rules": "see tune_signals docstring",
            "measured_on_test": {k: v for k, v in rep.items() if "test" in k},
        },
    ).write(folder / "liveness_replay.yaml")


if __name__ == "__main__":
    main()
