"""The ghost-image comparison: the main portrait is found in the ghost of a genuine document and not
in that of a document whose portrait was replaced."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from portrait_helpers import OtherFace

from openidv.documents.authenticity.ghost import GhostParams, compare_ghost, ghost_similarity, mm_box_to_px, remove_text
from openidv.documents.authenticity.patches import PX_PER_MM
from openidv.documents.authenticity.template_match import load_features, load_registry
from openidv.documents.synth.document import make_document
from openidv.documents.synth.forgery import forge
from openidv.documents.synth.templates import make_template, templates


def _flat(img: np.ndarray, size_mm: tuple[float, float]) -> np.ndarray:
    size = (round(size_mm[0] * PX_PER_MM), round(size_mm[1] * PX_PER_MM))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def test_every_registered_design_has_its_feature_boxes() -> None:
    feats = load_features()
    reg = load_registry()
    assert reg is not None and set(reg.ids) <= set(feats)
    for t in templates():
        f = feats[t.id]
        assert (f.ghost_mm is not None) == t.ghost
        x0, y0, x1, y1 = f.portrait_mm
        assert 0 <= x0 < x1 <= t.size_mm[0] and 0 <= y0 < y1 <= t.size_mm[1]


@pytest.mark.parametrize("template_id", ["td3-08", "td1-00", "dl-12"])
def test_substituted_portrait_is_not_found_in_the_ghost(template_id: str) -> None:
    kind, idx = template_id.split("-")
    t = make_template(kind.upper(), int(idx))
    feat = load_features()[template_id]
    assert feat.ghost_mm is not None
    doc = make_document(t, seed=7, scale=12.0)
    fake = forge(doc, "portrait_substitution", np.random.default_rng(3), OtherFace())
    pbox, gbox = mm_box_to_px(feat.portrait_mm, PX_PER_MM), mm_box_to_px(feat.ghost_mm, PX_PER_MM)
    genuine = ghost_similarity(_flat(doc.front.image, t.size_mm), pbox, gbox, PX_PER_MM)
    forged = ghost_similarity(_flat(fake.front.image, t.size_mm), pbox, gbox, PX_PER_MM)
    assert genuine is not None and forged is not None
    assert genuine > 0.6 and forged < genuine - 0.2, (genuine, forged)


def test_text_over_the_ghost_is_removed_and_the_faint_ghost_kept() -> None:
    rng = np.random.default_rng(0)
    ghost = np.full((80, 120), 200, np.uint8)
    cv2.circle(ghost, (60, 40), 25, 175, -1)  # a faint blob: ghost-like contrast
    noisy = np.clip(ghost + rng.normal(0, 2, ghost.shape), 0, 255).astype(np.uint8)
    texted = noisy.copy()
    cv2.putText(texted, "01/02/1947", (2, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 2)
    cleaned, mask = remove_text(texted, GhostParams())
    ink = texted < 100
    assert ink.sum() > 100
    assert (mask[ink] > 0).mean() > 0.95  # the strokes are masked ...
    assert np.abs(cleaned[ink].astype(int) - noisy[ink].astype(int)).mean() < 25  # ... and filled in
    untouched, none = remove_text(noisy, GhostParams())
    assert not none.any() and np.array_equal(untouched, noisy)  # the faint blob and the noise are not text


def test_boxes_outside_the_image_give_none() -> None:
    img = np.full((100, 100, 3), 128, np.uint8)
    assert ghost_similarity(img, (200, 200, 260, 280), (10, 10, 40, 50)) is None


def test_ghost_is_found_when_the_rectification_is_millimetres_off() -> None:
    """A card-outline frame a few millimetres off moves the ghost away from its registered box."""
    t = make_template("TD1", 0)
    feat = load_features()[t.id]
    assert feat.ghost_mm is not None
    flat = _flat(make_document(t, seed=7, scale=12.0).front.image, t.size_mm)
    shift = np.float32([[1, 0, 2.5 * PX_PER_MM], [0, 1, -2.0 * PX_PER_MM]])  # 2.5 mm right, 2 mm up
    moved = cv2.warpAffine(flat, shift, (flat.shape[1], flat.shape[0]), borderMode=cv2.BORDER_REPLICATE)
    pbox, gbox = mm_box_to_px(feat.portrait_mm, PX_PER_MM), mm_box_to_px(feat.ghost_mm, PX_PER_MM)
    at_place = ghost_similarity(flat, pbox, gbox, PX_PER_MM)
    off = ghost_similarity(moved, pbox, gbox, PX_PER_MM)
    assert at_place is not None and off is not None
    assert off > 0.6 and off > at_place - 0.15, (at_place, off)


def test_a_design_without_a_ghost_reads_as_not_visible() -> None:
    """td1-02 prints no ghost; read with the ghost box of td1-00 (same portrait place), as when
    template matching picks the wrong design of an issuer, nothing ghost-like is there."""
    feats = load_features()
    assert feats["td1-02"].ghost_mm is None and feats["td1-00"].portrait_mm == feats["td1-02"].portrait_mm
    pbox = mm_box_to_px(feats["td1-00"].portrait_mm, PX_PER_MM)
    gbox = mm_box_to_px(feats["td1-00"].ghost_mm or (0, 0, 0, 0), PX_PER_MM)
    with_ghost = make_template("TD1", 0)
    without = make_template("TD1", 2)
    seen = compare_ghost(_flat(make_document(with_ghost, seed=7, scale=12.0).front.image, with_ghost.size_mm), pbox,
                         gbox, PX_PER_MM)
    absent = compare_ghost(_flat(make_document(without, seed=7, scale=12.0).front.image, without.size_mm), pbox,
                           gbox, PX_PER_MM)
    assert seen is not None and absent is not None
    assert absent.visibility < seen.visibility - 0.3, (seen, absent)
