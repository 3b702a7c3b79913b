"""The reader's second look: a passport lying on a page of print is still read."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from openidv.documents.mrz import reader
from openidv.documents.mrz.locate import locate, locate_minor
from openidv.documents.mrz.reader import read_image
from openidv.documents.synth.document import make_document
from openidv.documents.synth.photo_stress import on_print
from openidv.documents.synth.templates import make_template


def _on_print(turn: float, seed: int = 4) -> tuple[np.ndarray, list[str]]:
    """A generated passport page, 1,000 px wide, on a sheet of lower-case print filling a 1600 x 1200 photo."""
    doc = make_document(make_template("TD3", 3), seed=seed, scale=8.0)
    side = doc.mrz_side
    assert side is not None
    frac = side.image.shape[1] / 1600
    return on_print(side.image, turn, frame=(1600, 1200), page_frac=frac, seed=seed), doc.mrz_lines


@pytest.mark.parametrize("turn", [0.0, 20.0])
def test_a_passport_on_a_page_of_print_is_read(turn: float) -> None:
    img, truth = _on_print(turn)
    r = read_image(img)
    assert r.status == "ok", r.detail
    assert r.result is not None and r.result.lines == truth


def test_the_page_hides_a_turned_passport_from_the_first_look() -> None:
    """At 20 degrees the page's own direction is all the first look tries; the passport's comes
    from `locate_minor`."""
    img, _ = _on_print(20.0)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    first = [b for b in locate(grey) if b.n_lines >= 2]
    minor = [b for b in locate_minor(grey) if b.n_lines >= 2]
    assert all(abs(b.angle_deg % 180 - 0) < 13 or abs(b.angle_deg % 180 - 180) < 13 for b in first)
    assert any(10 < b.angle_deg % 180 < 30 or 150 < b.angle_deg % 180 < 170 for b in minor)


def test_the_second_look_takes_only_a_trusted_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second look that finds no trusted reading leaves the first look's result as it was."""
    img, _ = _on_print(0.0)
    monkeypatch.setattr(reader, "trustworthy", lambda res: False)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    assert reader._second_look(grey, locate(grey), None) is None
