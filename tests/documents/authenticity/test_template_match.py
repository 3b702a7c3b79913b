from __future__ import annotations

import cv2
import numpy as np
import pytest

from openidv.documents.authenticity.patches import PX_PER_MM
from openidv.documents.authenticity.template_match import (
    GRID,
    load_registry,
    signature,
    similarities,
    similarity,
)
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import make_template

CELLS = GRID[0] * GRID[1]


def _flat(kind: str, index: int, seed: int = 7) -> np.ndarray:
    t = make_template(kind, index)
    doc = make_document(t, seed=seed, scale=10.0)
    size = (int(t.size_mm[0] * PX_PER_MM), int(t.size_mm[1] * PX_PER_MM))
    return cv2.resize(doc.front.image, size, interpolation=cv2.INTER_AREA)


def _issuer(kind: str, index: int) -> str:
    t = make_template(kind, index)
    return str(t.iin if t.kind == "DL" else t.issuer)


def test_signature_has_six_parts_and_ignores_exposure_and_white_balance():
    img = _flat("TD1", 3)
    sig = signature(img)
    assert sig.shape == (6 * CELLS,) and np.isfinite(sig).all()
    shifted = np.clip(img.astype(np.float32) * np.array([0.85, 0.95, 1.1]) + 12, 0, 255).astype(np.uint8)
    assert similarity(sig, signature(shifted)) > 0.9


def test_print_direction_tells_horizontal_waves_from_loops():
    h, w = 440, 680
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    waves = 200 + 40 * np.sin(yy / 3.0 + 2 * np.sin(xx / 40.0))  # lines running across
    loops = 200 + 40 * np.sin(np.hypot(yy % 80 - 40, xx % 80 - 40) / 3.0)  # rings
    a, b = (np.repeat(v[..., None], 3, axis=2).astype(np.uint8) for v in (waves, loops))
    hv_a, hv_b = signature(a)[4 * CELLS : 5 * CELLS], signature(b)[4 * CELLS : 5 * CELLS]
    assert np.isfinite(hv_a).all() and np.isfinite(hv_b).all()
    from openidv.documents.authenticity.template_match import _feature_maps

    def ratio(img: np.ndarray) -> float:  # log horizontal over vertical gradient energy
        m = _feature_maps(img)
        return float(np.log((m[..., 4].mean() + 1.0) / (m[..., 5].mean() + 1.0)))

    assert ratio(a) < ratio(b) - 0.5  # waves: far less horizontal than vertical gradient


def test_vectorised_similarities_equal_the_weighted_correlation():
    rng = np.random.default_rng(0)
    sigs, means = rng.normal(size=(4, 60)), rng.normal(size=(3, 60))
    weights = rng.uniform(0.2, 2.0, size=(3, 60))
    got = similarities(sigs, means, weights)
    want = np.array([[similarity(s, m, w) for m, w in zip(means, weights, strict=True)] for s in sigs])
    assert np.allclose(got, want, atol=1e-6)


def test_registration_search_recovers_a_document_rectified_off_by_two_millimetres():
    reg = load_registry()
    assert reg is not None
    img = _flat("TD1", 5)
    off = cv2.warpAffine(img, np.array([[1.0, 0.0, -2 * PX_PER_MM], [0.0, 1.0, 1.5 * PX_PER_MM]]),
                         (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REPLICATE)
    plain = reg.match(off, "TD1", _issuer("TD1", 5), search=False)
    searched = reg.match(off, "TD1", _issuer("TD1", 5))
    assert plain is not None and searched is not None
    assert searched.claimed > plain.claimed
    assert searched.best == max(searched.claimed, searched.other)


@pytest.mark.parametrize(("kind", "index"), [("DL", 19), ("TD1", 5), ("TD3", 7)])
def test_shipped_registry_prefers_the_issuers_own_design(kind, index):
    reg = load_registry()
    assert reg is not None
    got = reg.match(_flat(kind, index), kind, _issuer(kind, index))
    assert got is not None and got.margin > 0


def test_another_issuers_design_gets_a_negative_margin():
    reg = load_registry()
    assert reg is not None
    # DL 11 is printed for another issuer than DL 19, in the same layout and a different print pattern.
    assert _issuer("DL", 11) != _issuer("DL", 19)
    got = reg.match(_flat("DL", 11), "DL", _issuer("DL", 19))
    assert got is not None and got.margin < 0



def test_a_match_names_the_nearest_other_design_and_how_alike_the_two_are():
    reg = load_registry()
    assert reg is not None
    got = reg.match(_flat("TD1", 19), "TD1", _issuer("TD1", 19))
    assert got is not None and got.other_template is not None
    assert got.other_template in reg.ids and reg.issuers[reg.ids.index(got.other_template)] != _issuer("TD1", 19)
    i, j = reg.ids.index(got.template), reg.ids.index(got.other_template)
    assert got.design_similarity == pytest.approx(
        similarity(reg.means[i], reg.means[j], np.sqrt(reg.weights[i] * reg.weights[j])), abs=1e-5)
