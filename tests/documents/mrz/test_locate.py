"""The MRZ locator's scale pyramid: a small document in a large phone photo is still found."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from openidv.documents.mrz.locate import FINE_SIDE, SMALL_SIDE, WORK_SIDE, _locate_at, _scales, legible, locate
from openidv.documents.mrz.reader import read_image
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import make_template


@pytest.mark.parametrize("side", [400, SMALL_SIDE - 1, SMALL_SIDE, WORK_SIDE, 1600, 1920, FINE_SIDE, 4000, 8000])
def test_scales_go_coarse_to_fine_and_never_enlarge_a_large_photo(side: int) -> None:
    levels = _scales(side)
    assert levels == sorted(levels)
    assert max(levels[0] * side, SMALL_SIDE) >= min(side, WORK_SIDE) - 1  # the first level as before
    if levels[0] < 1.0:
        assert levels[-1] <= 1.0  # finer levels only undo the downsampling
        assert round(levels[-1] * side) <= max(FINE_SIDE, round(levels[0] * side))
    for a, b in itertools.pairwise(levels):
        assert b > 1.2 * a


def test_photo_that_fits_the_work_size_is_located_once() -> None:
    assert _scales(1200) == [1.0]
    assert _scales(600) == [1.5]


def _scene(doc_width: int, canvas: tuple[int, int], seed: int) -> tuple[np.ndarray, list[str]]:
    """A TD3 data page `doc_width` px wide on a textured desk in a large canvas (w, h)."""
    doc = make_document(make_template("TD3", 3), seed=seed, scale=10.0)
    side = doc.mrz_side
    assert side is not None
    rng = np.random.default_rng(seed)
    w, h = canvas
    desk = cv2.resize((rng.random((h // 8, w // 8, 3)) * 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    page = cv2.resize(side.image, None, fx=doc_width / side.image.shape[1], fy=doc_width / side.image.shape[1],
                      interpolation=cv2.INTER_AREA)
    y, x = (h - page.shape[0]) // 2, (w - page.shape[1]) // 3
    desk[y : y + page.shape[0], x : x + page.shape[1]] = page
    return desk, doc.mrz_lines


@pytest.mark.parametrize("canvas", [(4000, 3000), (3000, 4000)])
def test_a_passport_filling_a_quarter_of_a_phone_photo_is_read(canvas: tuple[int, int]) -> None:
    """About 1,000 px across the page, plenty to read; at the first level's 1280 px its glyphs
    were 6 px high and the locator found nothing (before the pyramid)."""
    img, truth = _scene(int(0.25 * canvas[0]), canvas, seed=5)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    first = _locate_at(grey, WORK_SIDE / max(canvas), 2, None)
    assert not legible(first)  # the case the finer level is for
    r = read_image(img)
    assert r.status == "ok", r.detail
    assert r.result is not None and r.result.lines == truth


def test_a_large_photo_without_an_mrz_gives_no_block() -> None:
    rng = np.random.default_rng(0)
    desk = cv2.resize((rng.random((375, 500)) * 255).astype(np.uint8), (4000, 3000), interpolation=cv2.INTER_CUBIC)
    assert not any(b.n_lines >= 2 for b in locate(desk))
