"""Subject binding helpers (:mod:`openidv.face.binding`)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from numpy.typing import NDArray

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
