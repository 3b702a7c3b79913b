"""Four-line outline candidates (documents/outline_lines.py) and their features."""

from __future__ import annotations

import cv2
import numpy as np

from openidv.documents.outline import ASPECT_RANGE, ID1_ASPECT, EdgeField, candidates
from openidv.documents.outline_features import FEATURES, candidate_features
from openidv.documents.outline_lines import line_quads, merged_lines


def _card_with_touching_shadow() -> tuple[np.ndarray, np.ndarray]:
    """A card on a desk with a dark shadow wedge touching one side: the closed contour is card plus
    shadow, the card's four straight sides are still there."""
    img = np.full((600, 800, 3), (170, 160, 90), np.uint8)
    card = np.array([[200, 150], [600, 165], [600, 415], [190, 400]], np.int32)
    cv2.fillConvexPoly(img, card, (235, 225, 230))
    cv2.fillConvexPoly(img, np.array([[601, 250], [760, 120], [760, 560], [601, 400]], np.int32), (80, 76, 45))
    return img, card.astype(float)


def test_segments_of_one_edge_are_one_line() -> None:
    img = np.zeros((400, 600), np.uint8)
    cv2.line(img, (50, 200), (250, 202), 255, 1)
    cv2.line(img, (300, 202), (550, 205), 255, 1)
    lines = merged_lines([img], 400)
    assert len(lines) == 1 and lines[0][2] > 200  # pieces of both segments, merged


def test_card_touched_by_a_shadow_is_among_the_line_quads() -> None:
    img, card = _card_with_touching_shadow()
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    quads = line_quads([cv2.Canny(gray, 30, 90)], gray.shape, 0.04, ASPECT_RANGE)
    assert any(np.abs(np.roll(q, k, axis=0) - card).max() < 6 for q in quads for k in range(4))


def test_features_prefer_the_card_to_a_band_inside_it() -> None:
    img, card = _card_with_touching_shadow()
    field = EdgeField(img)
    lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB).astype(np.float32)
    inner = card + np.array([[0, 60], [0, 60], [0, 0], [0, 0]])  # the card's lower part: sides run on past it
    f = candidate_features(field.gx, field.gy, lab, [card, inner], [True, True], ID1_ASPECT)
    assert f.shape == (2, len(FEATURES))
    ext = FEATURES.index("extension_max")
    assert f[1, ext] > f[0, ext]


def test_candidates_hold_features_for_every_quad() -> None:
    img, _ = _card_with_touching_shadow()
    c = candidates(img)
    assert len(c.quads) == len(c.from_lines) == len(c.features) > 0
    assert any(c.from_lines)
