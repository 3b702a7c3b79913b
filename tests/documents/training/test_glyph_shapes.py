"""Training glyph sizes and widths (documents/training/glyph_data.GlyphShapes)."""

from __future__ import annotations

import numpy as np

from openidv.documents.training.glyph_data import HI, SHAPES_V1, GlyphShapes, render_line


def _ink_box(shapes: GlyphShapes) -> tuple[int, int]:
    img, centres = render_line("8", np.random.default_rng(3), shapes)  # 3x resolution, canonical centres
    cx = int(centres[0][0] * HI)
    cell = img[:, max(0, cx - 40) : cx + 40].astype(np.float32)
    ink = cell < cell.min() + 0.3 * (cell.max() - cell.min())
    ys, xs = np.nonzero(ink)
    return int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def test_short_wide_glyphs_are_drawn_about_their_centres() -> None:
    w1, h1 = _ink_box(GlyphShapes(cap=(1.0, 1.0), width=(1.0, 1.0)))
    w2, h2 = _ink_box(GlyphShapes(cap=(0.7, 0.7), width=(1.25, 1.25)))
    assert h2 < 0.8 * h1 and w2 / h2 > 1.1 * w1 / h1  # stretched 1.25 (stroke weight is drawn too)


def test_the_first_shapes_keep_their_draws() -> None:
    # v1 draws nothing extra: the data mrz_glyphs 1.0.0 was trained on can still be rendered
    a, ca = render_line("L898902C3", np.random.default_rng(7), SHAPES_V1)
    b, cb = render_line("L898902C3", np.random.default_rng(7))
    assert np.array_equal(a, b) and np.array_equal(ca, cb)


def test_v2_batches_are_unchanged_by_the_shake_and_flattening_of_v3() -> None:
    # V3's extra draws happen only when its options are on: mrz_glyphs 2.0.0's data still renders
    # as before them (labels, and crop statistics recorded with the code before V3 existed)
    from openidv.documents.training.glyph_data import SHAPES_V2, SHAPES_V3, make_batch

    a = make_batch(2, 11, SHAPES_V2)
    assert len(a.y) == 88 and a.y[:6].tolist() == [18, 21, 22, 26, 1, 17]
    assert abs(float(a.x.mean()) - 0.35217) < 2e-3 and abs(float(a.x.std()) - 0.66900) < 2e-3
    c = make_batch(2, 11, SHAPES_V3)
    assert not np.array_equal(a.x[: len(c.x)], c.x[: len(a.x)])
