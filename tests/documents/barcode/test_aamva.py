"""AAMVA payloads: build/parse round trip, validation, and PDF417 decoding of generated cards."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
import pytest

from openidv.documents.barcode import aamva
from openidv.documents.barcode.pdf417 import read_pdf417
from openidv.documents.barcode.render import pdf417_image
from openidv.documents.synth.capture import capture, sample_params
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import make_template

ELEMENTS = {
    "DCA": "C", "DCB": "NONE", "DCD": "NONE", "DBA": "04152030", "DCS": "SMITH", "DAC": "JOHN", "DAD": "PAUL",
    "DBD": "04152022", "DBB": "01311980", "DBC": "1", "DAY": "BRO", "DAU": "070 IN", "DAG": "123 MAIN ST",
    "DAI": "SPRINGFIELD", "DAJ": "CA", "DAK": "902100000", "DAQ": "D1234567", "DCF": "83D9BN217QO983B1",
    "DCG": "USA",
}


def test_round_trip_and_us_dates() -> None:
    rec = aamva.parse(aamva.build(ELEMENTS, "636014"), today=date(2026, 1, 1))
    assert rec.valid, rec.problems
    assert rec.iin == "636014"
    assert rec.fields["date_of_birth"] == "1980-01-31"
    assert rec.fields["date_of_expiry"] == "2030-04-15"
    assert rec.fields["sex"] == "M"
    assert rec.fields["family_name"] == "SMITH"


def test_canadian_dates_are_year_first() -> None:
    el = {**ELEMENTS, "DCG": "CAN", "DBB": "19800131", "DBA": "20300415", "DBD": "20220415", "DAK": "K1A0B1"}
    rec = aamva.parse(aamva.build(el, "636012"), today=date(2026, 1, 1))
    assert rec.fields["date_of_birth"] == "1980-01-31"


@pytest.mark.parametrize(
    ("change", "problem"),
    [({"DBB": "13311980"}, "invalid date DBB"), ({"DBC": "7"}, "invalid sex code DBC"),
     ({"DBD": "04152031"}, "expiry before issue")],
)
def test_invalid_fields_are_reported(change: dict[str, str], problem: str) -> None:
    rec = aamva.parse(aamva.build({**ELEMENTS, **change}, "636014"), today=date(2026, 1, 1))
    assert problem in rec.problems
    assert not rec.valid


def test_missing_required_element() -> None:
    el = dict(ELEMENTS)
    del el["DAQ"]
    assert "missing DAQ" in aamva.parse(aamva.build(el, "636014")).problems


@pytest.mark.parametrize("payload", ["", "hello", "@\n\x1e\rANSI 6360", b"\x00\x01"])
def test_not_aamva_raises_typed_error(payload: str | bytes) -> None:
    with pytest.raises(aamva.AAMVAError):
        aamva.parse(payload)


def test_pdf417_symbol_decodes() -> None:
    payload = aamva.build(ELEMENTS, "636014")
    img = pdf417_image(payload)
    got = read_pdf417(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
    assert got.payload is not None
    assert got.payload.decode("latin-1") == payload


def test_generated_licence_back_decodes_under_capture() -> None:
    doc = make_document(make_template("DL", 3), seed=5, scale=10.0)
    assert doc.back is not None
    rng = np.random.default_rng(2)
    cap = capture(doc.back.image, sample_params("desk", rng), rng)
    got = read_pdf417(cv2.cvtColor(cap.image, cv2.COLOR_RGB2GRAY))
    assert got.payload is not None
    assert got.payload.decode("latin-1") == doc.barcode_payload


def test_blank_image_has_no_barcode() -> None:
    got = read_pdf417(np.full((300, 400), 200, np.uint8))
    assert got.payload is None


def test_a_soft_symbol_decodes_through_the_sharpened_or_thresholded_fallbacks() -> None:
    from openidv.documents.barcode.pdf417 import _otsu, _unsharp

    payload = aamva.build(ELEMENTS, "636014")
    gray = cv2.cvtColor(pdf417_image(payload), cv2.COLOR_RGB2GRAY)
    for prep in (_unsharp, _otsu):
        out = prep(gray)
        assert out.shape == gray.shape and out.dtype == np.uint8
    assert set(np.unique(_otsu(gray))) <= {0, 255}
    # low contrast and blur: whatever step reads it, the payload is the printed one, never a guess
    soft = cv2.GaussianBlur((gray.astype(np.float32) * 0.3 + 120).astype(np.uint8), (0, 0), 1.2)
    got = read_pdf417(soft)
    assert got.payload is None or got.payload.decode("latin-1") == payload
