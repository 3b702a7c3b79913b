from __future__ import annotations

import pytest

from openidv.errors import ConfigError, ModelIntegrityError
from openidv.face import dlib_models


def test_pinned_files_verify():
    for name in dlib_models.PINNED_SHA256:
        assert dlib_models.model_file(name).is_file()


def test_a_swapped_file_is_refused(monkeypatch):
    monkeypatch.setitem(dlib_models.PINNED_SHA256, dlib_models.MMOD_DETECTOR, "0" * 64)
    monkeypatch.setattr(dlib_models, "_verified", set())
    with pytest.raises(ModelIntegrityError):
        dlib_models.model_file(dlib_models.MMOD_DETECTOR)


def test_unpinned_names_are_refused():
    with pytest.raises(ConfigError):
        dlib_models.model_file("shape_predictor_68_face_landmarks.dat")


def test_guarded_builds_once():
    calls = []
    g = dlib_models.Guarded(lambda: calls.append(1) or object())
    assert g.get() is g.get()
    assert calls == [1]
