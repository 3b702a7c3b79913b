"""The shipped OCR-B glyph classifier (ONNX), loaded once per process and verified by hash."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.mrz.alphabet import ALPHABET

PACKAGE = "openidv.documents"
MODEL = "mrz_glyphs"
_lock = threading.Lock()
_session: dict[str, Any] = {}


def _load() -> Any:
    from openidv.models.registry import load_onnx_session

    with _lock:
        if "s" not in _session:
            _session["s"] = load_onnx_session(PACKAGE, MODEL, threads=1)
        return _session["s"]


def glyph_logp(crops: NDArray[np.float32], session: Any | None = None) -> NDArray[np.float64]:
    """(N, 37) log-probabilities for (N, 32, 32) normalised crops."""
    if len(crops) == 0:
        return np.zeros((0, len(ALPHABET)))
    sess = session or _load()
    logits = sess.run(None, {"glyphs": crops[:, None].astype(np.float32)})[0].astype(np.float64)
    m = logits.max(axis=1, keepdims=True)
    return logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
