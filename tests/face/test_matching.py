from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from openidv.domain import Applicant
from openidv.errors import ConfigError
from openidv.face.identity import identity_keys, same_identity
from openidv.face.matching import Calibration, fit_calibration


@pytest.fixture(scope="module")
def cal():
    rng = np.random.default_rng(0)
    imp = rng.normal(0.0, 0.1, 200_000)
    return fit_calibration(imp, np.ones_like(imp), "m@1")


def test_calibration_matches_the_impostor_tail(cal):
    from scipy.stats import norm

    for fmr in (1e-1, 1e-2, 1e-3):
        s = norm.isf(fmr, 0.0, 0.1)
        assert cal.fmr(s) == pytest.approx(fmr, rel=0.25)
    assert cal.similarity_at(1e-2) == pytest.approx(norm.isf(1e-2, 0, 0.1), abs=0.01)


def test_calibrated_score_is_monotone_and_readable(cal):
    sims = np.linspace(-0.5, 1.0, 200)
    scores = [cal.score(s) for s in sims]
    assert all(b >= a for a, b in itertools.pairwise(scores))
    assert scores[0] == 0.0
    assert scores[-1] == 1.0  # far beyond the measured tail: extrapolated, clipped
    assert cal.score(cal.similarity_at(1e-4)) == pytest.approx(0.5, abs=0.02)


def test_calibration_round_trips_and_validates(cal):
    again = Calibration.from_dict(cal.to_dict())
    assert again.fmr(0.3) == cal.fmr(0.3)
    with pytest.raises(ConfigError):
        Calibration.from_dict({"model": "m", "similarity": [0.5, 0.1], "log10_fmr": [-1, -2]})


def test_identity_keys_are_blinded_and_normalised():
    def blind(v: str) -> str:
        return "h" + str(abs(hash(v)))

    a = Applicant(surname="Müller", given_names="Anna  Maria", date_of_birth=dt.date(1990, 1, 2))
    b = Applicant(surname="MULLER", given_names="anna maria", date_of_birth=dt.date(1990, 1, 2))
    c = Applicant(surname="Other", given_names="Person", date_of_birth=dt.date(1990, 1, 2), document_number="X1")
    ka, kb, kc = identity_keys(a, blind), identity_keys(b, blind), identity_keys(c, blind)
    assert same_identity(ka, kb)
    assert not same_identity(ka, kc)
    assert all("Anna" not in k and "MULLER" not in k for k in ka)
    assert identity_keys(Applicant(), blind) == ()
    assert any(k.startswith("document:") for k in kc)
