"""The dlib model files of ``face-recognition-models``: located, hash-verified, loaded once.

``face_recognition_models/__init__`` imports ``pkg_resources`` (absent here), so the package is never
imported; its folder is found with :func:`importlib.util.find_spec`. Every file is checked against
a SHA-256 pinned below before dlib reads it: a swapped or corrupted model must never score a live
session. Only the 5-point landmark model is used; the 68-point one was trained on iBUG 300-W, whose
terms forbid commercial use.

dlib's networks keep per-call state, so each loaded model is wrapped in a :class:`Guarded` holder
whose lock serialises calls; loading happens on first use, once per process, under a lock.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from openidv.errors import ConfigError, ModelIntegrityError
from openidv.models.registry import sha256_file

SHAPE_PREDICTOR_5 = "shape_predictor_5_face_landmarks.dat"
MMOD_DETECTOR = "mmod_human_face_detector.dat"
RESNET_EMBEDDER = "dlib_face_recognition_resnet_model_v1.dat"

PINNED_SHA256: dict[str, str] = {
    SHAPE_PREDICTOR_5: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    MMOD_DETECTOR: "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
    RESNET_EMBEDDER: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}

_verify_lock = threading.Lock()
_verified: set[Path] = set()

T = TypeVar("T")


def models_folder() -> Path:
    """The ``models`` folder of the installed face-recognition-models distribution."""
    spec = importlib.util.find_spec("face_recognition_models")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ConfigError("face-recognition-models is not installed (needed for face biometrics)")
    return Path(locations[0]) / "models"


def model_file(name: str) -> Path:
    """Path of a pinned model file after verifying its SHA-256 (verified once per process)."""
    expected = PINNED_SHA256.get(name)
    if expected is None:
        raise ConfigError(f"{name} is not a pinned face model")
    path = models_folder() / name
    if not path.is_file():
        raise ConfigError(f"face model {path} is missing; reinstall face-recognition-models")
    with _verify_lock:
        if path not in _verified:
            actual = sha256_file(path)
            if actual != expected:
                raise ModelIntegrityError(f"{name}: sha256 {actual[:12]}… != pinned {expected[:12]}…")
            _verified.add(path)
    return path


class Guarded(Generic[T]):
    """A lazily built object whose every use holds one lock (dlib nets are not re-entrant)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._obj: T | None = None
        self.lock = threading.RLock()

    def get(self) -> T:
        """The object, built on first call. Callers hold ``self.lock`` while using it."""
        with self.lock:
            if self._obj is None:
                self._obj = self._build()
            return self._obj

    def call(self, fn: Callable[[T], Any]) -> Any:
        """Run ``fn(obj)`` under the lock."""
        with self.lock:
            return fn(self.get())


def _dlib() -> Any:
    import dlib

    return dlib


def _file(name: str) -> str:
    return str(model_file(name))


HOG_DETECTOR: Guarded[Any] = Guarded(lambda: _dlib().get_frontal_face_detector())
CNN_DETECTOR: Guarded[Any] = Guarded(lambda: _dlib().cnn_face_detection_model_v1(_file(MMOD_DETECTOR)))
SHAPE_PREDICTOR: Guarded[Any] = Guarded(lambda: _dlib().shape_predictor(_file(SHAPE_PREDICTOR_5)))
RESNET: Guarded[Any] = Guarded(lambda: _dlib().face_recognition_model_v1(_file(RESNET_EMBEDDER)))
