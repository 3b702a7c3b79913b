"""Value windows and the oddness of one line among a document's values."""

from __future__ import annotations

import numpy as np

from openidv.documents.authenticity.typeface import (
    CROP_H,
    CROP_W,
    MIN_LINES,
    PX_PER_MM,
    cut_line,
    design_lines,
    score_lines,
)


def _page(h: int = 300, w: int = 600) -> np.ndarray:
    page = np.full((h, w, 3), (230, 220, 200), np.uint8)
    page[100:120, 50:150] = (20, 20, 40)  # a "value" of ink
    return page


def test_window_has_a_fixed_size_and_starts_at_the_value() -> None:
    crop = cut_line(_page(), (50, 100, 150, 120))
    assert crop is not None and crop.shape == (CROP_H, CROP_W, 3)
    ink_cols = np.flatnonzero((crop.mean(axis=2) < 100).any(axis=0))
    assert ink_cols[0] == 4  # four pixels of paper before the value's left end
    assert abs(np.flatnonzero((crop.mean(axis=2) < 100).any(axis=1)).mean() - CROP_H / 2) < 2


def test_window_leaving_the_image_is_padded_with_paper() -> None:
    crop = cut_line(_page(), (560, 280, 599, 299))
    assert crop is not None and crop.shape == (CROP_H, CROP_W, 3)
    assert (crop[-1, -1] == (230, 220, 200)).all()
    assert cut_line(_page(), (700, 10, 720, 30)) is None
    assert cut_line(_page(), (60, 40, 50, 30)) is None


def test_score_needs_three_printed_lines_and_takes_a_callable_model() -> None:
    page = _page()
    page[100:120, 160:175] = (20, 20, 40)  # a second word
    line = cut_line(page, (50, 100, 150, 120))
    assert line is not None
    blank = np.full_like(line, 230)
    seen: list[int] = []

    def model(x: np.ndarray) -> np.ndarray:
        seen.append(len(x))
        return np.abs(x[:, 0]).astype(np.float32)  # the first measure's deviation as the "probability"

    assert score_lines(np.stack([line] * (MIN_LINES - 1) + [blank]), model) is None  # the blank one is not compared
    s = score_lines(np.stack([line] * 4 + [blank]), model)
    assert s is not None and seen[-1] == 4
    assert len(s.lines) == 5 and s.measured == [0, 1, 2, 3] and s.lines[4] == 0.0 and s.score < 1e-6


def test_design_lines_skip_narrow_places() -> None:
    page = _page()
    places = {"surname": (50 / PX_PER_MM, 100 / PX_PER_MM, 150 / PX_PER_MM, 120 / PX_PER_MM),
              "sex": (10.0, 5.0, 11.0, 6.0)}
    names, lines = design_lines(page, places)
    assert names == ["surname"] and lines.shape == (1, CROP_H, CROP_W, 3)


def test_find_line_moves_a_place_onto_the_print_near_it() -> None:
    from openidv.documents.authenticity.typeface import find_line

    page = np.full((300, 600, 3), (230, 220, 200), np.uint8)
    page[60:66, 40:90] = (120, 60, 60)  # a small label above
    page[72:90, 52:160] = (20, 20, 40)  # the value, 18 px high
    x0, y0, x1, y1 = find_line(page, (40.0, 62.0, 148.0, 80.0))  # registered 12 px left, 10 px high
    assert abs(y0 - 72) <= 1 and abs(x0 - 52) <= 1 and (x1 - x0, y1 - y0) == (108.0, 18.0)
    blank = np.full((300, 600, 3), 200, np.uint8)
    assert find_line(blank, (40.0, 62.0, 148.0, 80.0)) == (40.0, 62.0, 148.0, 80.0)


def test_design_lines_take_out_the_page_offset_and_leave_out_print_far_from_its_place() -> None:
    """The page's shared registration error (here 11 px = 0.92 mm, over MAX_MOVE_MM) is taken out;
    a place whose print lies MAX_MOVE_MM further than the others' is not compared (a label above a
    blank value); without registration every place is cut where it is."""
    from openidv.documents.authenticity.typeface import MAX_MOVE_MM

    page = np.full((400, 600, 3), (230, 220, 200), np.uint8)
    places = {}
    for k, top in enumerate((60, 120, 180)):
        page[top : top + 20, 50:150] = (20, 20, 40)
        places[f"v{k}"] = (50 / PX_PER_MM, (top - 11) / PX_PER_MM, 150 / PX_PER_MM, (top + 9) / PX_PER_MM)
    page[300:320, 50:150] = (20, 20, 40)  # print 11 + 14 px below its place
    places["far"] = (50 / PX_PER_MM, 275 / PX_PER_MM, 150 / PX_PER_MM, 295 / PX_PER_MM)
    assert 11 / PX_PER_MM > MAX_MOVE_MM and 14 / PX_PER_MM > MAX_MOVE_MM
    names, lines = design_lines(page, places)
    assert names == ["v0", "v1", "v2"] and len(lines) == 3
    inked = np.flatnonzero((lines[0].mean(axis=2) < 100).any(axis=1))
    assert abs(inked.mean() - CROP_H / 2) < 2  # cut on the print, not 11 px above it
    names, _ = design_lines(page, places, register=False)
    assert names == ["v0", "v1", "v2", "far"]


def test_a_dash_is_not_a_value_to_compare() -> None:
    from openidv.documents.authenticity.typeface import MIN_PRINT_MM, printed_width_mm

    page = np.full((300, 600, 3), (230, 220, 200), np.uint8)
    page[100:120, 50:150] = (20, 20, 40)
    page[100:120, 155:170] = (20, 20, 40)  # a second word 5 px (0.4 mm) on: the same value
    page[100:120, 190:200] = (20, 20, 40)  # 20 px (1.7 mm) on: something else
    page[205:208, 50:62] = (20, 20, 40)  # "-" for a holder without the value, 1 mm wide
    assert abs(printed_width_mm(page, (50, 100, 150, 120)) - 120 / PX_PER_MM) < 0.1
    assert printed_width_mm(page, (50, 196, 150, 216)) < MIN_PRINT_MM
    assert printed_width_mm(page, (300, 100, 400, 120)) == 0.0
    places = {"value": (50 / PX_PER_MM, 100 / PX_PER_MM, 150 / PX_PER_MM, 120 / PX_PER_MM),
              "none": (50 / PX_PER_MM, 196 / PX_PER_MM, 150 / PX_PER_MM, 216 / PX_PER_MM)}
    names, _ = design_lines(page, places)
    assert names == ["value"]
