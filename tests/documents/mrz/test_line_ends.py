"""An MRZ line hidden at an end (a thumb, white glare) is not read as a shorter layout."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from openidv.documents.mrz.glyphs import PITCH
from openidv.documents.mrz.grid import LineGrid
from openidv.documents.mrz.line_ends import LineInks, cell_inks, cell_xs, line_gap
from openidv.documents.mrz.reader import read_image
from openidv.documents.synth import photo_stress as ps
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import templates


def _inks(*lines: list[float], edge_at: int | None = None) -> LineInks:
    """Cell inks as given; the gap beside each line blank paper, or crossed by a vertical edge at
    cell `edge_at`."""
    canon = np.full((200, 40 * 10), 255, np.uint8)
    if edge_at is not None:
        canon[:, edge_at * 10 + 3 : edge_at * 10 + 7] = 0
    xs = [np.arange(len(v), dtype=float) * 10 + 5 for v in lines]
    ys = [np.full(len(v), 60.0 + 60 * j) for j, v in enumerate(lines)]
    return LineInks([np.array(v, float) for v in lines], canon, xs, ys)


def test_a_line_with_ink_in_every_cell_and_paper_beyond_is_whole() -> None:
    assert line_gap(_inks([5, *([200.0] * 10), 20]), [1], 10) is None


def test_a_blank_last_or_first_cell_means_the_end_is_hidden() -> None:
    assert "no print" in str(line_gap(_inks([5, *([200.0] * 9), 4.0, 3]), [1], 10))
    assert "no print" in str(line_gap(_inks([5, 4.0, *([200.0] * 9), 3]), [1], 10))


def test_ink_just_beyond_a_line_means_it_goes_on() -> None:
    assert "go on" in str(line_gap(_inks([5, *([200.0] * 10), 190.0]), [1], 10))
    assert "go on" in str(line_gap(_inks([190.0, *([200.0] * 10), 5]), [1], 10))


def test_ink_beyond_one_line_only_is_other_print() -> None:
    """A card's edge or design close to one line's end (low resolution): the lines themselves end."""
    line = [5, *([200.0] * 10), 5]
    assert line_gap(_inks([180.0, *line[1:]], line), [1, 1], 10) is None
    assert line_gap(_inks([*line[:-1], 180.0], line), [1, 1], 10) is None
    assert "go on" in str(line_gap(_inks([*line[:-1], 180.0], [*line[:-1], 180.0]), [1, 1], 10))


def test_ink_beyond_every_line_that_crosses_the_gap_between_them_is_an_edge() -> None:
    """A page's edge close to the zone's start, tilted into the cell before it (the ICAO specimen)."""
    line = [190.0, *([200.0] * 10), 5]
    assert line_gap(_inks(line, line, edge_at=0), [1, 1], 10) is None
    assert "go on" in str(line_gap(_inks(line, line), [1, 1], 10))


def test_an_end_cell_off_the_image_was_not_seen_but_a_cell_beyond_it_is_unknown() -> None:
    assert line_gap(_inks([5, *([200.0] * 10), np.nan]), [1], 10) is None
    assert "no print" in str(line_gap(_inks([5, *([200.0] * 9), np.nan, np.nan]), [1], 10))


def test_cell_inks_measure_glyphs_against_blank_paper() -> None:
    canon = np.full((60, 400), 255, np.uint8)
    grid = LineGrid(x0=2 * PITCH + PITCH / 2, pitch=PITCH, y0=30.0, slope=0.0, blobs=10)
    for i in range(6):  # six glyph-like bars, then blank paper
        x = int(grid.centre(i)[0])
        canon[20:40, x - 3 : x + 3] = 20
    cells = np.arange(9, dtype=float)
    ink = cell_inks(canon, grid.x0 + grid.pitch * cells, np.full(9, 30.0))
    assert (ink[:6] > 200).all() and (ink[6:8] < 5).all()
    assert np.isnan(cell_inks(canon, np.array([grid.x0 + 20 * grid.pitch]), np.array([30.0]))).all()  # off the image


def test_cells_are_placed_on_the_glyphs_again_where_the_pitch_drifts() -> None:
    """Glyphs a quarter pitch right of a grid of one pitch at the start and a pitch growing along the
    line (1.15 pitches off by the end), a fragment beside one and a glyph missing: refitted, every
    cell sits on its glyph."""
    grid = LineGrid(x0=100.0, pitch=PITCH, y0=30.0, slope=0.0, blobs=44)
    idx = np.arange(44, dtype=float)
    xs_true = 105.0 + PITCH * (idx + 0.0005 * idx**2)
    seen = np.delete(np.append(xs_true, xs_true[10] + 0.3 * PITCH), 20)
    centres = np.stack([seen, np.full(len(seen), 30.0)], axis=1)
    xs = cell_xs(grid, centres, idx)
    assert np.abs(xs - xs_true).max() < 0.05 * PITCH
    assert abs((grid.x0 + grid.pitch * 43) - xs_true[43]) > PITCH  # the grid alone was a cell off


@pytest.fixture(scope="module")
def td3_page() -> tuple[np.ndarray, list[str]]:
    """A generated TD3 of a held-out design whose optional-data field is empty: the TD2 its first 36
    characters make keeps every check digit (the composite digit is the same)."""
    doc = make_document(templates("TD3", "test")[1], 7001, None, 10.0, today=date(2026, 12, 3))
    assert doc.mrz_side is not None and not doc.mrz_lines[1][28:42].strip("<")
    return ps.scale(doc.mrz_side.image, 1000), doc.mrz_lines


@pytest.mark.parametrize("reach", [0.8, 0.7])
def test_a_thumb_over_the_far_end_asks_for_a_new_photo(td3_page: tuple[np.ndarray, list[str]], reach: float) -> None:
    """Before stop 44 these read as a TD2: with check digits that fail (MRZ_CHECKSUM, "printed that
    way") or, a few characters further in, that hold (a wrong layout passed as valid)."""
    page, _ = td3_page
    r = read_image(np.ascontiguousarray(ps.jpeg(ps.thumb(page, reach), 90)))
    assert r.status == "unreadable", (r.status, r.result.lines if r.result else None)
    assert "hidden" in r.detail or "no print" in r.detail


def test_white_glare_over_the_far_end_asks_for_a_new_photo(td3_page: tuple[np.ndarray, list[str]]) -> None:
    page, _ = td3_page
    r = read_image(np.ascontiguousarray(ps.jpeg(ps.glare(page, 0.92, strength=1.0), 90)))
    assert r.status != "ok" or r.result is None or r.result.format == "TD3"


def test_the_page_unhidden_still_reads_exactly(td3_page: tuple[np.ndarray, list[str]]) -> None:
    page, lines = td3_page
    r = read_image(np.ascontiguousarray(ps.jpeg(page, 90)))
    assert r.status == "ok" and r.result is not None and r.result.lines == lines and r.gap is None
