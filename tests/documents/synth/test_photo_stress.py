"""Photographic stress of a flat page (documents/synth/photo_stress.py)."""

from __future__ import annotations

import numpy as np

from openidv.documents.synth.photo_stress import occlusions, random_stress, thumb, transforms


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


def test_a_thumb_covers_the_mrz_band_from_its_side_of_the_page_only() -> None:
    page = np.full((400, 600, 3), 255, np.uint8)
    right, left = thumb(page, 0.8), thumb(page, 0.2)
    band = slice(int(0.78 * 400), int(0.86 * 400))
    assert (right[band, 500:] < 230).all() and (right[band, :400] == 255).all() and (right[:200] == 255).all()
    assert (left[band, :100] < 230).all() and (left[band, 200:] == 255).all()


def test_the_occlusions_are_named_and_keep_the_image_size() -> None:
    page = np.full((300, 420, 3), 200, np.uint8)
    names = [name for name, _ in occlusions()]
    assert len(names) == len(set(names)) == 10
    assert all(fn(page).shape == page.shape for _, fn in occlusions())
