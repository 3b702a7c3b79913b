"""Print measures of one value window and the deviations that the typeface model scores."""

from __future__ import annotations

import cv2
import numpy as np

from openidv.documents.authenticity.print_measures import (
    MEASURES,
    N_FEATURES,
    N_MEASURES,
    deviation_rows,
    measure_line,
    measure_lines,
)
from openidv.documents.authenticity.typeface import CROP_H, CROP_W


def _line(text: str = "MUSTERMANN 1984", scale: float = 0.9, thickness: int = 2,
          ink: tuple[int, int, int] = (30, 30, 45), paper: tuple[int, int, int] = (232, 222, 204)) -> np.ndarray:
    w = np.empty((CROP_H, CROP_W, 3), np.uint8)
    w[:] = paper
    cv2.putText(w, text, (4, 32), cv2.FONT_HERSHEY_SIMPLEX, scale * 0.5, ink, thickness, cv2.LINE_AA)
    return w


def _m(w: np.ndarray, name: str) -> float:
    f = measure_line(w)
    assert f is not None and f.shape == (N_MEASURES,)
    return float(f[MEASURES.index(name)])


def test_a_blank_window_has_nothing_to_measure() -> None:
    assert measure_line(np.full((CROP_H, CROP_W, 3), 210, np.uint8)) is None


def test_measures_cancel_exposure_and_white_balance() -> None:
    w = _line()
    dim = (w.astype(np.float32) * np.array([0.55, 0.6, 0.7])).astype(np.uint8)
    a, b = measure_line(w), measure_line(dim)
    assert a is not None and b is not None
    for name in ("log_height", "log_stroke_h", "log_gap", "coverage"):
        i = MEASURES.index(name)
        assert abs(a[i] - b[i]) < 0.15, name


def test_smaller_type_bolder_strokes_and_other_ink_are_measured() -> None:
    assert _m(_line(scale=0.7), "log_height") < _m(_line(scale=1.0), "log_height") - 0.15
    assert _m(_line(thickness=3), "stroke_to_height") > _m(_line(thickness=1), "stroke_to_height")
    # a bluer ink absorbs less of the blue: its share of the darkness falls
    assert _m(_line(ink=(30, 30, 140)), "blue_share") < _m(_line(ink=(30, 30, 45)), "blue_share") - 0.1


def test_deviation_rows_single_out_the_line_printed_differently() -> None:
    lines = np.stack([_line("ANNA 1990"), _line("12.03.1990"), _line("X1234567"), _line("BERLIN", scale=0.7),
                      np.full((CROP_H, CROP_W, 3), 220, np.uint8)])
    kept, measures = measure_lines(lines)
    assert kept == [0, 1, 2, 3]
    rows = deviation_rows(measures)
    assert rows.shape == (4, N_FEATURES)
    h = MEASURES.index("log_height")
    assert int(np.argmax(np.abs(rows[:, h]))) == 3
    # the document's scatter is the same on every row
    assert np.allclose(rows[:, 2 * N_MEASURES:], rows[0, 2 * N_MEASURES:])
