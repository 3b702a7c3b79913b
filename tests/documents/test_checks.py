"""The document checks in the pipeline: clear outcomes and reason codes, never an exception."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from openidv.checks.base import Environment
from openidv.checks.usability import ImageUsabilityCheck
from openidv.config import Settings
from openidv.documents.plugin import plugin
from openidv.documents.synth.capture import CaptureParams, capture
from openidv.documents.synth.dataset import side_boxes
from openidv.documents.synth.document import SyntheticDocument, make_document
from openidv.documents.synth.templates import make_template
from openidv.domain import Applicant, Capture, CaptureKind, Outcome, Session
from openidv.pipeline import Pipeline
from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry


def _pipeline(names: set[str] | None) -> Pipeline:
    engine = PolicyEngine.from_file(None, ReasonCatalogue.load(), ThresholdRegistry.load())
    checks = [ImageUsabilityCheck(), *(c for c in plugin.checks() if names is None or c.name in names)]
    return Pipeline(checks, engine, Environment(settings=Settings(pipeline_workers=2, default_check_timeout_s=120)))


@pytest.fixture(scope="module")
def full() -> Pipeline:
    """Every document check (the visual-zone OCR makes it slow: used where the VIZ matters)."""
    return _pipeline(None)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    """The machine-readable checks only."""
    return _pipeline({"document_detect", "document_mrz", "document_barcode", "document_validity"})


def _capture(img: np.ndarray, kind: CaptureKind = CaptureKind.DOCUMENT_FRONT) -> Capture:
    return Capture(kind=kind, data=b"", image=img, content_type="image/jpeg")


def _photo(doc: SyntheticDocument, seed: int = 0, **params: object) -> np.ndarray:
    side = doc.mrz_side or doc.front
    p = CaptureParams("desk", canvas=(1280, 960), fill=0.85, noise_sigma=2.0, jpeg_quality=92, background="wood")
    for k, v in params.items():
        setattr(p, k, v)
    return capture(side.image, p, np.random.default_rng(seed), side_boxes(side)).image


def _applicant(doc: SyntheticDocument) -> Applicant:
    i = doc.identity
    return Applicant(given_names=i.given_names, surname=i.surname, date_of_birth=i.date_of_birth)


def _no_errors(results: dict) -> None:  # type: ignore[type-arg]
    errors = {k: r.error for k, r in results.items() if r.outcome is Outcome.ERROR}
    assert not errors


def test_genuine_passport_passes(full: Pipeline) -> None:
    doc = make_document(make_template("TD3", 2), seed=4, scale=10.0)
    s = Session(applicant=_applicant(doc), captures=[_capture(_photo(doc))])
    res = full.run(s).results
    _no_errors(res)
    assert res["document_detect"].outcome is Outcome.PASS
    assert res["document_mrz"].outcome is Outcome.PASS
    assert res["document_validity"].outcome is Outcome.PASS
    assert res["document_consistency"].outcome is Outcome.PASS, res["document_consistency"].evidence
    assert res["document_viz"].artifacts.get("portrait_rgb") is not None
    # a passport data page carries no barcode: not searched (seconds on a large photo)
    assert res["document_barcode"].outcome is Outcome.NOT_APPLICABLE
    assert res["document_barcode"].evidence["captures"][0]["skipped"].startswith("a passport data page")


def test_genuine_french_identity_card_passes(full: Pipeline) -> None:
    """France's 1988-2021 card: its MRZ has no expiry date and no nationality; nothing errs."""
    from openidv.documents.synth.templates import templates

    doc = make_document(templates("TD2", "test")[1], seed=6, scale=10.0, mrz_layout="FRA-ID")
    s = Session(applicant=_applicant(doc), captures=[_capture(_photo(doc))],
                created_at=datetime(2026, 12, 1, tzinfo=UTC))  # before the card's validity and the EU cap end
    res = full.run(s).results
    _no_errors(res)
    assert res["document_mrz"].outcome is Outcome.PASS
    assert res["document_mrz"].artifacts["mrz"].format == "FRA-ID"
    assert res["document_validity"].outcome is Outcome.PASS, res["document_validity"].evidence
    assert res["document_validity"].evidence["expiry_source"] == "policy_cap"  # derived 2033, EU cap 2031
    assert res["document_consistency"].outcome is Outcome.PASS, res["document_consistency"].evidence


def test_expired_french_identity_card_is_caught_without_an_expiry_in_its_mrz(pipeline: Pipeline) -> None:
    from openidv.documents.synth.templates import templates

    doc = make_document(templates("TD2", "test")[1], seed=12, scale=10.0, mrz_layout="FRA-ID")
    assert doc.identity.date_of_expiry < date(2031, 8, 3)  # below the policy's cap: the derived date decides
    later = datetime(doc.identity.date_of_expiry.year + 1, 1, 1, tzinfo=UTC)  # past the derived validity
    res = pipeline.run(Session(captures=[_capture(_photo(doc))], created_at=later)).results
    _no_errors(res)
    assert res["document_validity"].reason_codes == ["DOCUMENT_EXPIRED"]
    assert res["document_validity"].evidence["expiry_source"] == "derived"


def test_legacy_card_validity_is_capped_by_the_policy(pipeline: Pipeline) -> None:
    """FRA-ID seed 6 is valid to 2033 by French law; the policy's cap (Regulation (EU) 2019/1157,
    Article 5(1): 2031-08-03) ends it sooner."""
    from openidv.documents.synth.templates import templates

    doc = make_document(templates("TD2", "test")[1], seed=6, scale=10.0, mrz_layout="FRA-ID")
    assert doc.identity.date_of_expiry > date(2031, 9, 1)
    res = pipeline.run(Session(captures=[_capture(_photo(doc))], created_at=datetime(2031, 9, 1, tzinfo=UTC))).results
    assert res["document_validity"].reason_codes == ["DOCUMENT_EXPIRED"]
    ev = res["document_validity"].evidence
    assert ev["legacy_id_valid_until"] == "2031-08-03" and ev["expiry_source"] == "policy_cap"
    assert ev["valid_until_derived"] == doc.identity.date_of_expiry.isoformat()


def _side_photo(side: object, seed: int) -> np.ndarray:
    p = CaptureParams("desk", canvas=(1280, 960), fill=0.85, noise_sigma=2.0, jpeg_quality=92, background="wood")
    return capture(side.image, p, np.random.default_rng(seed), side_boxes(side)).image  # type: ignore[attr-defined]


def test_genuine_id_card_front_and_back_agree(full: Pipeline) -> None:
    """The MRZ of an ID-1 card is on its back; only the front's printed data are the visual zone."""
    doc = make_document(make_template("TD1", 3), seed=7, scale=10.0)
    assert doc.back is not None
    caps = [_capture(_side_photo(doc.front, 1)), _capture(_side_photo(doc.back, 2), CaptureKind.DOCUMENT_BACK)]
    res = full.run(Session(applicant=_applicant(doc), captures=caps)).results
    _no_errors(res)
    assert res["document_mrz"].outcome is Outcome.PASS
    assert "DATA_MISMATCH" not in res["document_consistency"].reason_codes, res["document_consistency"].evidence
    back = next(e for e in res["document_viz"].evidence["captures"] if e["kind"] == "document_back")
    assert "skipped" in back["ocr"]


def test_photo_without_document(pipeline: Pipeline) -> None:
    rng = np.random.default_rng(1)
    img = np.clip(rng.normal(120, 10, (720, 960, 3)), 0, 255).astype(np.uint8)
    res = pipeline.run(Session(captures=[_capture(img)])).results
    _no_errors(res)
    assert "DOCUMENT_NOT_FOUND" in res["document_detect"].reason_codes
    # nothing machine-readable: the MRZ check leaves an undeclared document to the barcode check,
    # which finds no barcode either and says so
    assert res["document_mrz"].outcome is Outcome.NOT_APPLICABLE
    assert res["document_barcode"].outcome is Outcome.FAIL
    assert res["document_barcode"].reason_codes == ["MRZ_NOT_FOUND"]


def test_undeclared_driver_licence_is_read_from_its_barcode(pipeline: Pipeline) -> None:
    """A licence has no MRZ: without a declared document type it must not be sent back for one."""
    doc = make_document(make_template("DL", 2), seed=5, scale=10.0)
    assert doc.back is not None
    caps = [_capture(_side_photo(doc.front, 1)), _capture(_side_photo(doc.back, 2), CaptureKind.DOCUMENT_BACK)]
    res = pipeline.run(Session(captures=caps)).results
    _no_errors(res)
    assert res["document_mrz"].outcome is Outcome.NOT_APPLICABLE
    assert res["document_barcode"].outcome is Outcome.PASS
    assert not any("MRZ" in c for r in res.values() for c in r.reason_codes)


def test_two_documents_in_one_photo(pipeline: Pipeline) -> None:
    halves = []
    for k, (index, seed) in enumerate(((1, 1), (5, 2))):
        doc = make_document(make_template("TD2", index), seed=seed, scale=8.0)
        p = CaptureParams("desk", canvas=(640, 960), fill=0.9, noise_sigma=2.0, jpeg_quality=92,
                          angle_deg=3.0 * (k - 0.5), background="plain")
        halves.append(capture(doc.front.image, p, np.random.default_rng(seed)).image)
    img = np.ascontiguousarray(np.hstack(halves))
    res = pipeline.run(Session(captures=[_capture(img)])).results
    _no_errors(res)
    codes = res["document_detect"].reason_codes + res["document_mrz"].reason_codes
    assert "DOCUMENT_MULTIPLE" in codes


def _passport_and_card(card_fill: float, card_angle: float, blank_card: bool = False) -> np.ndarray:
    """A passport data page beside a smaller ID card turned by `card_angle` (or a blank card-sized
    rectangle of one colour: no print)."""
    from openidv.documents.synth.templates import templates

    passport = make_document(templates("TD3", "test")[0], seed=3, scale=8.0)
    card = make_document(templates("TD1", "test")[0], seed=4, scale=8.0)
    card_img = (card.mrz_side or card.front).image
    if blank_card:
        card_img = np.full_like(card_img, (40, 60, 50))
    sides = []
    for img, fill, angle, seed in ((passport.front.image, 0.85, 1.0, 5), (card_img, card_fill, card_angle, 6)):
        p = CaptureParams("desk", canvas=(900, 1000), fill=fill, angle_deg=angle, noise_sigma=2.0, jpeg_quality=92,
                          background="wood")
        sides.append(capture(img, p, np.random.default_rng(seed)).image)
    return np.ascontiguousarray(np.hstack(sides))


def test_a_smaller_tilted_card_beside_a_passport_is_a_second_document(pipeline: Pipeline) -> None:
    """Its MRZ is too small and turned to be located as a block of its own: the outline decides."""
    res = pipeline.run(Session(captures=[_capture(_passport_and_card(0.6, 20.0))])).results
    _no_errors(res)
    assert "DOCUMENT_MULTIPLE" in res["document_detect"].reason_codes, res["document_detect"].evidence
    other = res["document_detect"].evidence["captures"][0]["other_outlines"][0]
    assert other["counted"] and other["area_ratio"] < 0.5


def test_a_blank_rectangle_beside_a_passport_is_not_a_document(pipeline: Pipeline) -> None:
    res = pipeline.run(Session(captures=[_capture(_passport_and_card(0.6, 20.0, blank_card=True))])).results
    _no_errors(res)
    assert "DOCUMENT_MULTIPLE" not in res["document_detect"].reason_codes + res["document_mrz"].reason_codes


def test_a_background_rectangle_crossed_by_printed_text_is_not_a_document(pipeline: Pipeline) -> None:
    """A review's probe: on a printed background, a plain rectangle crossed by one line of the
    background's text held enough glyph-sized blobs, but on no line of print of its own."""
    from openidv.documents.synth.templates import templates

    rng = np.random.default_rng(132)  # benchmarks/documents_two_cards.py's one-document scene 132
    doc = make_document(templates("TD1", "test")[132 % len(templates("TD1", "test"))], seed=132, scale=8.0)
    p = CaptureParams("desk", canvas=(1280, 960), fill=float(rng.uniform(0.45, 0.7)), angle_deg=float(rng.normal(0, 3)),
                      noise_sigma=2.0, jpeg_quality=90, background="text")
    img = capture((doc.mrz_side or doc.front).image, p, rng).image
    res = pipeline.run(Session(captures=[_capture(img)])).results
    _no_errors(res)
    assert "DOCUMENT_MULTIPLE" not in res["document_detect"].reason_codes, res["document_detect"].evidence


def test_upside_down_document_is_read(pipeline: Pipeline) -> None:
    doc = make_document(make_template("TD2", 4), seed=7, scale=10.0)
    res = pipeline.run(Session(captures=[_capture(_photo(doc, angle_deg=181.0))])).results
    _no_errors(res)
    assert res["document_mrz"].outcome is Outcome.PASS


def test_cropped_mrz_asks_for_a_new_photo(pipeline: Pipeline) -> None:
    doc = make_document(make_template("TD3", 6), seed=8, scale=10.0)
    img = _photo(doc, fill=0.9)
    crop = np.ascontiguousarray(img[:, : img.shape[1] // 2])
    res = pipeline.run(Session(captures=[_capture(crop)])).results
    _no_errors(res)
    # undeclared type: document_mrz leaves it to document_barcode, which finds no barcode either
    assert res["document_mrz"].outcome is Outcome.NOT_APPLICABLE
    assert res["document_barcode"].outcome is Outcome.FAIL
    assert res["document_barcode"].reason_codes[0] in ("MRZ_NOT_FOUND", "MRZ_UNREADABLE")
    # the applicant did send the document: the unread MRZ is the reason, not a missing capture
    assert res["document_validity"].evidence["upstream"] == ["document_barcode"]
    session = Session(captures=[_capture(crop)])
    run = pipeline.run(session)
    engine = PolicyEngine.from_file(None, ReasonCatalogue.load(), ThresholdRegistry.load())
    engine.waive_unloaded(pipeline.checks)  # no face checks here: only the document's requirement counts
    decision = engine.decide(session, run.results, run.policy, run.thresholds)
    assert "MISSING_CAPTURE" not in decision.reason_codes, decision.reason_codes


def test_two_photos_of_one_side_are_two_documents(pipeline: Pipeline) -> None:
    """The portrait matched to the selfie could come from one front and the data from the other
    (a review, stop 34): one photo per side."""
    doc = make_document(make_template("TD3", 2), seed=4, scale=10.0)
    img = _photo(doc)
    res = pipeline.run(Session(captures=[_capture(img), _capture(_photo(doc, seed=1))])).results
    _no_errors(res)
    assert res["document_detect"].outcome is Outcome.FAIL
    assert res["document_detect"].reason_codes == ["DOCUMENT_MULTIPLE"]
    assert res["document_detect"].evidence["repeated_sides"] == ["document_front"]
    # the same photo sent twice (a retried upload) is one document
    again = pipeline.run(Session(captures=[_capture(img), _capture(img.copy())])).results
    assert again["document_detect"].outcome is Outcome.PASS, again["document_detect"].evidence


def test_expired_document_and_underage_holder(pipeline: Pipeline) -> None:
    doc = make_document(make_template("TD1", 0), seed=9, scale=10.0, today=date(2001, 6, 1))
    img = _photo(doc)
    s = Session(captures=[_capture(img, CaptureKind.DOCUMENT_BACK)])
    res = pipeline.run(s).results
    assert "DOCUMENT_EXPIRED" in res["document_validity"].reason_codes
    young = Session(captures=[_capture(img, CaptureKind.DOCUMENT_BACK)],
                    created_at=datetime(doc.identity.date_of_birth.year + 15, 1, 1, tzinfo=UTC))
    res = pipeline.run(young).results
    assert "UNDERAGE" in res["document_validity"].reason_codes


def test_declared_data_mismatch(full: Pipeline) -> None:
    doc = make_document(make_template("TD1", 4), seed=10, scale=10.0)
    s = Session(applicant=Applicant(surname="Somebodyelse", date_of_birth=date(1950, 1, 1)),
                captures=[_capture(_photo(doc), CaptureKind.DOCUMENT_BACK)])
    res = full.run(s).results
    assert "DECLARED_DATA_MISMATCH" in res["document_consistency"].reason_codes


def test_valid_check_digits_with_an_impossible_date_go_to_review() -> None:
    """A misread that the check digits did not catch (expiry read as 34-91-10) is never a pass."""
    from openidv.documents.checks.mrz import DocumentMRZCheck, MRZThresholds
    from openidv.documents.mrz.parse import parse_lines
    from openidv.documents.mrz.reader import MRZReading

    res = parse_lines(["I<CZESCHAFER<<ELENI<<<<<<<<<<<<<<<<<", "2108964624CZE9511109F3491102<<<<<2<2"])
    assert res.valid and "date_of_expiry" in res.field_errors
    reading = MRZReading("ok", res, mean_confidence=0.9)
    th = MRZThresholds(0.2, 1.86, 0.2)
    outcome, codes, _ = DocumentMRZCheck()._judge(("c1", reading), [("c1", reading)], Session(), th)
    assert outcome is Outcome.REVIEW and codes == ["MRZ_FIELD_INVALID"]


def test_a_thumb_over_the_mrz_end_asks_for_a_new_photo(pipeline: Pipeline) -> None:
    """A TD3 whose last characters lie under the holder's thumb read as a TD2 before stop 44: its
    check digits failed (MRZ_CHECKSUM, the code for an MRZ printed wrong, unless a guessed character
    explained the failure) or, the optional-data field empty, held - this one passed with no reason
    code at all. Lines not seen whole are unreadable: a new photo."""
    from openidv.documents.synth.photo_stress import thumb
    from openidv.documents.synth.templates import templates

    doc = make_document(templates("TD3", "test")[3], 7001, None, 10.0, today=date(2026, 12, 3))
    side = doc.mrz_side
    assert side is not None
    p = CaptureParams("desk", canvas=(1280, 960), fill=0.85, noise_sigma=2.0, jpeg_quality=92, background="wood")
    img = capture(thumb(side.image, 0.8), p, np.random.default_rng(0), side_boxes(side)).image
    res = pipeline.run(Session(captures=[_capture(img)])).results
    _no_errors(res)
    codes = [c for r in res.values() for c in r.reason_codes]
    assert "MRZ_CHECKSUM" not in codes and "MRZ_UNREADABLE" in codes, codes
