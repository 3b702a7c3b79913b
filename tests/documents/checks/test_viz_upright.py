"""A card photographed upside down is read the right way up (the portrait settles it)."""

from __future__ import annotations

import numpy as np
from portrait_helpers import HopperPortrait

from openidv.checks.base import Environment
from openidv.checks.usability import ImageUsabilityCheck
from openidv.config import Settings
from openidv.documents.plugin import plugin
from openidv.documents.synth.capture import CaptureParams, capture
from openidv.documents.synth.dataset import side_boxes
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import make_template
from openidv.domain import Capture, CaptureKind, Outcome, Session
from openidv.pipeline import Pipeline
from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry

NEEDED = {"document_detect", "document_mrz", "document_barcode", "document_viz", "document_authenticity"}


def _photo(side, angle: float, seed: int) -> np.ndarray:
    p = CaptureParams("desk", canvas=(1280, 960), fill=0.8, noise_sigma=2.0, jpeg_quality=92, background="wood",
                      angle_deg=angle)
    return capture(side.image, p, np.random.default_rng(seed), side_boxes(side)).image


def test_upside_down_card_front_is_turned_by_its_portrait() -> None:
    doc = make_document(make_template("TD1", 2), seed=5, portraits=HopperPortrait(), scale=10.0)
    assert doc.back is not None
    front, back = _photo(doc.front, 180.0, 1), _photo(doc.back, 0.0, 2)
    session = Session(captures=[
        Capture(kind=CaptureKind.DOCUMENT_FRONT, data=b"", image=front, content_type="image/jpeg"),
        Capture(kind=CaptureKind.DOCUMENT_BACK, data=b"", image=back, content_type="image/jpeg"),
    ])
    engine = PolicyEngine.from_file(None, ReasonCatalogue.load(), ThresholdRegistry.load())
    checks = [ImageUsabilityCheck(), *(c for c in plugin.checks() if c.name in NEEDED)]
    pipe = Pipeline(checks, engine, Environment(settings=Settings(pipeline_workers=1, default_check_timeout_s=120)))
    results = pipe.run(session).results
    front = next(e for e in results["document_viz"].evidence["captures"] if e["kind"] == "document_front")
    assert front["half_turned_by_portrait"] is True
    assert front["face_box_mm"] is not None and front["face_box_mm"][0] < 40  # the portrait is on the left, upright
    auth = results["document_authenticity"]
    assert auth.outcome is not Outcome.ERROR
    assert "TEMPLATE_MISMATCH" not in auth.reason_codes


def test_card_read_upside_down_is_turned_by_its_text() -> None:
    """When the portrait does not settle it (a face found the wrong way up, or none), a card read
    with little confident text is read half-turned too, and the better reading is kept."""
    from openidv.documents.checks.viz import PX_PER_MM, read_card_upright
    from openidv.documents.geometry import find_card, frame_from_card

    doc = make_document(make_template("DL", 3), seed=7, portraits=HopperPortrait(), scale=10.0)
    photo = _photo(doc.front, 0.0, 3)
    upright = frame_from_card(find_card(photo)[0])
    upright_read = read_card_upright(upright, upright.rectify(photo, PX_PER_MM), None, photo)
    assert upright_read[4] is False  # read the right way up: nothing to turn
    wrong = upright.half_turned()
    frame, _, _, viz, by_text = read_card_upright(wrong, wrong.rectify(photo, PX_PER_MM), None, photo)
    assert by_text is True
    assert viz.confident_chars() >= upright_read[3].confident_chars() * 0.8
    assert np.allclose(frame.corners_px(), upright.corners_px(), atol=1e-6)  # turned back to the upright frame
