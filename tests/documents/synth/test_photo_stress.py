"""Photographic stress of a flat page (documents/synth/photo_stress.py)."""

from __future__ import annotations

import numpy as np

from openidv.documents.synth.photo_stress import random_stress, transforms


def _page() -> np.ndarray:
    page = np.full((300, 420, 3), 235, np.uint8)
    page[240:280:12, 20:400] = 20  # text-like rows where the MRZ would be
    return page


def test_the_fixed_transforms_each_give_an_image() -> None:
    named = transforms()
    assert len(named) == 82 and len({n for n, _ in named}) == 82
    for _, fn in named:
        out = fn(_page())
        assert out.dtype == np.uint8 and out.ndim == 3 and min(out.shape[:2]) > 50


def test_random_stress_is_reproducible_from_its_generator() -> None:
    a_name, a = random_stress(np.random.default_rng(5))
    b_name, b = random_stress(np.random.default_rng(5))
    assert a_name == b_name
    assert np.array_equal(a(_page()), b(_page()))
    other, _ = random_stress(np.random.default_rng(6))
    assert other != a_name
