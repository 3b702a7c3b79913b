"""Card outlines (documents/outline.py): a band of the card's print is not the card's edge."""

from __future__ import annotations

import cv2
import numpy as np

from openidv.documents.geometry import DocumentFrame, frame_from_card
from openidv.documents.outline import aspect, find_card

W, H = 856, 540  # ID-1 at 10 px/mm
BACKGROUND = (40, 92, 62)


def _card_photo(angle: float = 8.0, band: tuple[int, int, int] = (95, 70, 40)) -> tuple[np.ndarray, np.ndarray]:
    """A pale card whose dark header band is as bright as the desk it lies on and differs from it in
    hue only (grey-level edges miss that side; the previous finder returned the card minus its band),
    turned by `angle`."""
    card = np.full((H, W, 3), (232, 204, 214), np.uint8)
    card[: int(0.16 * H)] = band
    for y in range(int(0.25 * H), int(0.9 * H), 40):  # text-like lines, darker than the body
        cv2.line(card, (300, y), (800, y), (90, 70, 80), 3)
    cv2.rectangle(card, (40, 130), (260, 440), (150, 120, 110), -1)  # the portrait's place
    photo = np.full((1000, 1300, 3), BACKGROUND, np.uint8)
    m = cv2.getRotationMatrix2D((W / 2, H / 2), angle, 1.0)
    m[:, 2] += (650 - W / 2, 500 - H / 2)
    cv2.warpAffine(card, m, (1300, 1000), dst=photo, borderMode=cv2.BORDER_TRANSPARENT)
    corners = cv2.transform(np.array([[[0, 0], [W, 0], [W, H], [0, H]]], np.float64), m)[0]
    return photo, corners


def _corner_error_px(quad: np.ndarray, true: np.ndarray) -> float:
    c = frame_from_card(quad).corners_px()
    return float(min(np.linalg.norm(np.roll(c, k, axis=0) - true, axis=1).max() for k in (0, 2)))


def test_outline_includes_a_header_band_the_colour_of_the_background():
    photo, true = _card_photo()
    quads = find_card(photo)
    assert quads, "no outline"
    assert _corner_error_px(quads[0], true) < 12  # ~1.2 mm at 10 px/mm
    assert abs(aspect(quads[0]) - 85.6 / 53.98) < 0.08


def test_grey_photos_work_too():
    photo, true = _card_photo(angle=-5.0, band=(200, 200, 200))
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    quads = find_card(gray)
    assert quads and _corner_error_px(quads[0], true) < 12


def test_nothing_card_like_gives_no_outline():
    rng = np.random.default_rng(3)
    smooth = cv2.GaussianBlur(rng.integers(0, 255, (600, 800, 3)).astype(np.uint8), (0, 0), 25)
    assert find_card(smooth) == []


def test_repeated_searches_return_independent_copies():
    photo, _ = _card_photo()
    first = find_card(photo)
    first[0][:] = 0
    again = find_card(photo)
    assert np.abs(again[0]).sum() > 0


def test_half_turned_frame_swaps_opposite_corners():
    frame = DocumentFrame("ID-1", (85.6, 53.98), np.diag([10.0, 10.0, 1.0]))
    turned = frame.half_turned()
    assert np.allclose(turned.corners_px(), np.roll(frame.corners_px(), 2, axis=0))
    assert np.allclose(turned.half_turned().mm_to_px, frame.mm_to_px)


def test_one_card_is_one_document():
    """Outlines of the same card found on both edge maps are merged (else DOCUMENT_MULTIPLE fires)."""
    from openidv.documents.checks.detect import _separate_cards

    photo, _ = _card_photo()
    assert max(photo.shape[:2]) > 800  # the search runs on a reduced copy: merging must compare like with like
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY) if photo.ndim == 3 else photo
    assert _separate_cards(gray, find_card(photo), 0)[0] == 1
