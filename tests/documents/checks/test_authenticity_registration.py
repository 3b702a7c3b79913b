"""The ghost comparison runs only where the face found on the rectified document confirms the frame."""

from __future__ import annotations

import pytest

from openidv.documents.checks.common import portrait_registered

BOX = (4.0, 11.0, 21.3, 33.48)  # a TD1 portrait box, mm


@pytest.mark.parametrize(
    ("face", "ok"),
    [
        ([8.0, 17.0, 17.3, 27.5], True),  # centred, 0.54 of the box's width
        ([9.0, 18.5, 18.3, 29.0], True),  # a millimetre off: still the registered place
        ([14.0, 17.0, 23.3, 27.5], False),  # 6 mm to the right: the frame is off
        ([8.0, 25.0, 17.3, 35.5], False),  # 8 mm low
        ([11.0, 20.0, 14.3, 24.0], False),  # a small face (0.19 of the width): another picture
        (None, False),  # no face found (a card upside down, a wrong outline)
    ],
)
def test_face_must_sit_where_the_design_prints_the_portrait(face: list[float] | None, ok: bool) -> None:
    assert portrait_registered(face, BOX) is ok
