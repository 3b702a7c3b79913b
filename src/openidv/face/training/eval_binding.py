"""Measure subject binding (``face_same_subject``) on simulated challenge responses.

    OMP_NUM_THREADS=1 python -m openidv.face.training.eval_binding --faces ../shared/data/lfw-dev \\
        --people 200 --seed 34 --json var/face/binding.json

For each sampled person X with at least two photos (people drawn by ``--seed`` from the
``--split`` side of the liveness split by identity), the selfie is X's first photo and three
challenge responses are simulated (:mod:`openidv.liveness.simulator`, the frame rates, head
actions, flashes, noise and JPEG of the challenge's own tuning): the frames rendered from the
**same photo** (a selfie taken in the same sitting), from **another photo of X** (a harder,
conservative stand-in for a selfie from another moment), and from **another person's** photo
(the attack: the challenge performed by someone else than the selfie shows). Each response is
judged exactly as the check judges it (:func:`openidv.face.checks.judge_binding`, the shipped
``face_match`` thresholds); counts with Wilson 95% intervals and the cost per response. A person
whose selfie photo shows a second face of comparable size (LFW has many) is left out and listed:
``face_quality`` sends such a selfie to review as MULTIPLE_FACES whatever binding says.
No threshold is tuned here: the match thresholds come from the evaluation layer.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from openidv.checks.usability_tuning import wilson
from openidv.face.binding import bind, embed_images, embed_subjects, sample
from openidv.face.checks import judge_binding
from openidv.policy.thresholds import ThresholdRegistry

KINDS = ("same_photo", "other_photo", "other_person")


def _people(root: Path, split: str, n: int, seed: int) -> list[tuple[str, list[Path]]]:
    from openidv.liveness.training.faces import split_of

    found = []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        photos = sorted(d.glob("*.jpg"))
        if len(photos) >= 2 and split_of(d.name) == split:
            found.append((d.name, photos))
    random.Random(seed).shuffle(found)
    return found[:n]


def _second_face(path: Path, ratio: float) -> bool:
    """Whether the photo shows another face of at least ``ratio`` of the largest one's area: such a
    selfie is MULTIPLE_FACES in ``face_quality`` (review) before binding matters, and which of the
    two the challenge tracks is then not the selfie's chosen face by construction (the tracker
    takes the face nearest the centre, the selfie the largest)."""
    from PIL import Image

    from openidv.face.detection import detect_faces

    areas = sorted(((d.box[2] - d.box[0]) * (d.box[3] - d.box[1]) for d in
                    detect_faces(np.asarray(Image.open(path).convert("RGB")))), reverse=True)
    return len(areas) > 1 and areas[1] >= ratio * areas[0]


def _ref(path: Path, person: str) -> Any:
    from PIL import Image

    from openidv.face.detection import detect_faces
    from openidv.liveness.redteam.common import FaceRef

    rgb = np.asarray(Image.open(path).convert("RGB"))
    dets = detect_faces(rgb)
    if not dets:
        return None
    d = max(dets, key=lambda d: (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]))
    box = tuple(float(v) for v in d.box)
    return FaceRef(rgb, box, np.asarray(d.landmarks5, np.float32), person, path.stem)  # type: ignore[arg-type]


def run(faces: Path, people: int, seed: int, split: str) -> dict[str, Any]:
    from openidv.liveness import simulator as sim
    from openidv.liveness.active import ActiveParams, verify_response
    from openidv.liveness.challenge import N_COLOURS, issue_challenge

    params = ActiveParams.from_thresholds(ThresholdRegistry.load().get("liveness_active"))

    thresholds = ThresholdRegistry.load().get("face_match")
    ratio = float(ThresholdRegistry.load().get("face_quality")["max_other_face_ratio"])
    chosen = _people(faces, split, people, seed)
    excluded: list[str] = []
    outcomes: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    seconds: list[float] = []
    scores: dict[str, list[float]] = {k: [] for k in KINDS}
    for i, (person, photos) in enumerate(chosen):
        rng = np.random.default_rng([seed, i])
        r = random.Random(seed * 100_003 + i)
        selfie_ref, other_ref = _ref(photos[0], person), _ref(photos[1], person)
        j = (i + 1 + int(rng.integers(len(chosen) - 1))) % len(chosen)  # someone else
        stranger = _ref(chosen[j][1][0], chosen[j][0])
        if selfie_ref is None or other_ref is None or stranger is None:
            continue
        if _second_face(photos[0], ratio):
            excluded.append(person)
            continue
        reference = embed_images([selfie_ref.rgb])[0]
        if reference is None:
            continue
        for kind, ref in zip(KINDS, (selfie_ref, other_ref, stranger), strict=True):
            ch = issue_challenge(f"b{i}", n_colours=N_COLOURS, rng=r)
            frames = sim.genuine(ref, ch, rng)
            verdict = verify_response(frames, ch, params)  # the liveness check's tracked face boxes
            tracked = [(f, b) for f, b in zip(sorted(frames, key=lambda f: f.frame_index), verdict.subject_boxes,
                                               strict=False) if b is not None]
            t0 = time.process_time()
            picked = sample(list(range(len(tracked))), rng=r)
            vectors = embed_subjects([(tracked[k][0].rgb, tracked[k][1]) for k in picked])
            bound = bind(reference, list(zip([str(k) for k in picked], ["frame"] * len(picked), vectors, strict=True)))
            seconds.append(time.process_time() - t0)
            outcome, _ = judge_binding(bound, thresholds)
            outcomes[kind][outcome.value] += 1
            found = [b.score for b in bound if b.score is not None]
            if found:
                scores[kind].append(min(found))
        print(f"person {i + 1}/{len(chosen)}", flush=True)
    report: dict[str, Any] = {"people": len(chosen), "seed": seed, "split": split,
                              "thresholds": f"{thresholds.name}@{thresholds.version}",
                              "excluded_selfie_with_two_faces": excluded, "kinds": {}}
    for kind in KINDS:
        c = outcomes[kind]
        n = sum(c.values())
        report["kinds"][kind] = {
            "n": n, **dict(c),
            "pass_rate": round(c["pass"] / n, 4) if n else None,
            "pass_ci": [round(v, 4) for v in wilson(c["pass"], n)] if n else None,
            "fail_rate": round(c["fail"] / n, 4) if n else None,
            "fail_ci": [round(v, 4) for v in wilson(c["fail"], n)] if n else None,
            "min_score_quantiles": [round(float(q), 4) for q in np.quantile(scores[kind], [0.01, 0.05, 0.5])]
            if scores[kind] else None,
        }
    s = np.asarray(seconds) * 1000
    report["cpu_ms_per_response"] = {"p50": round(float(np.percentile(s, 50)), 1),
                                     "p99": round(float(np.percentile(s, 99)), 1)}
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faces", type=Path, required=True, help="an LFW-style folder: <person>/<photo>.jpg")
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--seed", type=int, default=34)
    ap.add_argument("--split", choices=("train", "test"), default="test")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    report = run(args.faces, args.people, args.seed, args.split)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
