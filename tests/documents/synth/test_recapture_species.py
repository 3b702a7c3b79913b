"""Held-out recapture species: seeded, applied to both sides, and never part of a training family list."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.documents.synth.document import make_document
from openidv.documents.synth.forgery import FAMILIES, HELDOUT_SPECIES, forge
from openidv.documents.synth.templates import make_template
from openidv.documents.training.tamper_data import IMAGE_FAMILIES


@pytest.mark.parametrize("species", HELDOUT_SPECIES)
def test_species_is_seeded_and_changes_both_sides(species: str) -> None:
    doc = make_document(make_template("TD1", 1), seed=3, scale=6.0)
    original = doc.front.image.copy()
    a = forge(doc, species, np.random.default_rng(7))
    b = forge(doc, species, np.random.default_rng(7))
    assert a.forgery == species and np.array_equal(a.front.image, b.front.image)
    assert a.back is not None and doc.back is not None
    for new, old in ((a.front, doc.front), (a.back, doc.back)):
        assert new.image.shape == old.image.shape and new.image.dtype == np.uint8
        assert np.abs(new.image.astype(int) - old.image.astype(int)).mean() > 3
    assert np.array_equal(doc.front.image, original)  # the genuine document is left as it was
    c = forge(doc, species, np.random.default_rng(8))
    assert not np.array_equal(a.front.image, c.front.image)


def test_held_out_species_are_in_no_training_list() -> None:
    assert not set(HELDOUT_SPECIES) & set(FAMILIES)
    assert not set(HELDOUT_SPECIES) & set(IMAGE_FAMILIES)
