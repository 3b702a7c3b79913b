"""Subject binding helpers (:mod:`openidv.face.binding`)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from openidv.face.binding import bind, embed_images, embed_subjects, sample


def test_the_measured_face_is_embedded_at_its_box(hopper: NDArray[np.uint8], det: Any) -> None:
    """The tracked box is used as it is: no second search of the frame."""
    ref = embed_images([hopper])[0]
    assert ref is not None
    (emb,) = embed_subjects([(hopper, det.box)])
    (bound,) = bind(ref, [("f", "frame", emb)])
    assert bound.score is not None and bound.score > 0.9, bound


def test_a_box_outside_the_frame_finds_no_face(hopper: NDArray[np.uint8]) -> None:
    h, w = hopper.shape[:2]
    assert embed_subjects([(hopper, (w + 10.0, h + 10.0, w + 90.0, h + 90.0)), (hopper, (0.0, 0.0, 8.0, 8.0))]) == [
        None, None]


def test_sample_draws_at_most_k_in_order() -> None:
    picked = sample(list(range(40)), k=6, rng=random.Random(3))
    assert len(picked) == 6 and picked == sorted(picked)
    assert sample([1, 2], k=6) == [1, 2]


def _pair(left: NDArray[np.uint8], right: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], tuple[float, ...]]:
    """Two faces side by side, touching, the left one larger (a neighbour inside the crop's margin);
    the right face's box."""
    from openidv.face.detection import detect_faces

    canvas = np.full((420, 560, 3), 60, np.uint8)
    canvas[20:420, 0:320] = np.asarray(Image.fromarray(left).resize((320, 400)))
    canvas[150:390, 320:512] = np.asarray(Image.fromarray(right).resize((192, 240)))
    right_dets = [d for d in detect_faces(canvas) if d.box[0] > 300]
    assert right_dets, "the right face must be detectable in the composed frame"
    return canvas, tuple(float(v) for v in right_dets[0].box)


def test_the_measured_face_is_taken_when_a_larger_neighbour_is_in_the_margin(
    hopper: NDArray[np.uint8], lfw_dev: Path
) -> None:
    """A larger face beside the measured one does not take its place."""
    other = np.asarray(Image.open(next(p for p in sorted(lfw_dev.rglob("*.jpg")) if "Aaron" in p.name)).convert("RGB"))
    frame, box = _pair(other, hopper)
    ref = embed_images([hopper])[0]
    assert ref is not None
    (emb,) = embed_subjects([(frame, box)])
    (bound,) = bind(ref, [("f", "frame", emb)])
    assert bound.score is not None and bound.score > 0.6, bound
