"""The synthetic generator: determinism, ground truth, splits, forgeries (drawn portraits only)."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.documents.barcode import aamva
from openidv.documents.mrz import parse_lines
from openidv.documents.synth.capture import HELDOUT_CONDITIONS, TRAIN_CONDITIONS, capture, sample_params
from openidv.documents.synth.dataset import make_sample
from openidv.documents.synth.document import make_document
from openidv.documents.synth.forgery import FAMILIES, applicable, forge
from openidv.documents.synth.templates import KINDS, make_template, templates


def test_template_splits_are_disjoint_and_cover_every_kind() -> None:
    for kind in KINDS:
        train = {t.id for t in templates(kind, "train")}
        test = {t.id for t in templates(kind, "test")}
        assert train
        assert test
        assert not train & test
    assert not set(TRAIN_CONDITIONS) & set(HELDOUT_CONDITIONS)


def test_templates_are_deterministic_and_diverse() -> None:
    assert make_template("TD3", 5) == make_template("TD3", 5)
    designs = {(t.bg, t.font_family, t.pattern, t.label_langs) for t in templates("TD3")}
    assert len(designs) > 15


@pytest.mark.parametrize("kind", KINDS)
def test_documents_carry_valid_ground_truth(kind: str) -> None:
    doc = make_document(make_template(kind, 1), seed=3, scale=6.0)
    again = make_document(make_template(kind, 1), seed=3, scale=6.0)
    assert np.array_equal(doc.front.image, again.front.image)
    if kind == "DL":
        assert doc.barcode_payload is not None
        rec = aamva.parse(doc.barcode_payload)
        assert rec.valid, rec.problems
        assert rec.fields["customer_id"] == doc.identity.document_number
    else:
        r = parse_lines(doc.mrz_lines)
        assert r.valid
        assert r.format == kind
        assert doc.mrz_side is not None
        assert doc.mrz_side.mrz_box is not None


@pytest.mark.parametrize("family", FAMILIES)
def test_every_forgery_family_changes_the_document_and_labels_it(family: str) -> None:
    kind = "DL" if family == "barcode_viz_inconsistency" else "TD3"
    assert applicable(family, kind)
    doc = make_document(make_template(kind, 0), seed=9, scale=6.0)
    fake = forge(doc, family, np.random.default_rng(0))
    assert fake.forgery == family
    assert doc.forgery is None
    changed = not np.array_equal(fake.front.image, doc.front.image) or fake.mrz_lines != doc.mrz_lines
    assert changed


def test_mrz_tampering_without_fixing_breaks_a_check_digit() -> None:
    doc = make_document(make_template("TD3", 0), seed=1, scale=6.0)
    for s in range(6):
        fake = forge(doc, "mrz_tampering", np.random.default_rng(s))
        r = parse_lines(fake.mrz_lines)
        assert r.valid == fake.forgery_detail["check_digits_fixed"]


def test_mrz_tampering_of_a_french_card_changes_its_birth_date() -> None:
    """The family knows the national layout: the birth date sits at line 2, 27-32, and a careful
    forger recomputes its check digit and the composite over both lines."""
    doc = make_document(make_template("TD2", 2), seed=3, scale=6.0, mrz_layout="FRA-ID")
    assert doc.mrz_layout == "FRA-ID"
    for s in range(8):
        fake = forge(doc, "mrz_tampering", np.random.default_rng(s))
        r = parse_lines(fake.mrz_lines)
        assert r.format == "FRA-ID" and r.valid == fake.forgery_detail["check_digits_fixed"]
        diff = [i for i, (a, b) in enumerate(zip(doc.mrz_lines[1], fake.mrz_lines[1], strict=True)) if a != b]
        assert diff and 27 <= diff[0] < 33 and set(diff) <= {*range(27, 33), 33, 35}
    with pytest.raises(ValueError, match="national"):
        make_sample("TD2", "test", 1, forgery="portrait_substitution", mrz_layout="FRA-ID")


def test_capture_maps_boxes_into_the_photo() -> None:
    doc = make_document(make_template("TD2", 2), seed=4, scale=6.0)
    rng = np.random.default_rng(0)
    cap = capture(doc.front.image, sample_params("desk", rng), rng, {"mrz": doc.front.mrz_box})
    h, w = cap.image.shape[:2]
    quad = cap.quads["mrz"]
    assert quad.shape == (4, 2)
    assert (quad[:, 0] > -1).all()
    assert (quad[:, 0] < w + 1).all()
    assert (quad[:, 1] < h + 1).all()


def test_samples_are_reproducible() -> None:
    a = make_sample("TD3", "test", 7, scale=6.0)
    b = make_sample("TD3", "test", 7, scale=6.0)
    assert a.captured.params.condition in HELDOUT_CONDITIONS
    assert np.array_equal(a.image, b.image)
