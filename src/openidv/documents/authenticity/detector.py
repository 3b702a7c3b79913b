"""Run the shipped tamper / recapture model on a rectified document and aggregate its tiles.

Local edits (a replaced photo, an altered field, a spliced region) show in a few tiles, so the
tamper score is the mean of the three most suspicious tiles; recapture (a screen, a photocopy)
changes the whole page, so its score is the mean over all tiles. Tiles overlap by half
(:data:`STRIDE`): an edit of one or two characters that straddles a tile border is still seen whole
by some tile.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.authenticity.patches import CLASSES, PATCH, features, tile, tile_origins

PACKAGE = "openidv.documents"
MODEL = "doc_tamper"
_lock = threading.Lock()
_session: dict[str, Any] = {}
STRIDE = PATCH // 2


@dataclass
class TamperScores:
    tamper: float  # 0-1, higher = more likely locally edited
    recapture: float  # 0-1, higher = more likely a screen or print recapture
    screen: float
    print: float
    hot_tiles: list[list[int]]  # [x0, y0, x1, y1] (rectified px) of the most suspicious tiles

    def margin(self, tamper_max: float | None, recapture_max: float) -> float:
        """Higher = more likely genuine, in (0, 1] and 0.5 exactly at an operating threshold: each
        kind of evidence is measured against its own threshold (ratio r) and the score is
        1 / (1 + max r). The tamper and recapture probabilities live on different scales, and a raw
        maximum lets the noisier one drown the other. With `tamper_max` None the tamper evidence is
        left out (it is not acted on)."""
        r = self.recapture / max(recapture_max, 1e-9)
        if tamper_max is not None:
            r = max(r, self.tamper / max(tamper_max, 1e-9))
        return 1.0 / (1.0 + r)


def _load() -> Any:
    from openidv.models.registry import load_onnx_session

    with _lock:
        if "s" not in _session:
            _session["s"] = load_onnx_session(PACKAGE, MODEL, threads=1)
        return _session["s"]


def tile_origins_count(shape: tuple[int, ...], stride: int = STRIDE) -> int:
    """How many tiles the model runs on for a rectified document of this shape."""
    return len(tile_origins(shape, stride))


def tile_probs(doc: NDArray[np.uint8], session: Any | None = None, stride: int = STRIDE
               ) -> tuple[NDArray[np.float64], list[tuple[int, int]]]:
    patches, origins = tile(doc, stride)
    sess = session or _load()
    logits = sess.run(None, {"patches": features(patches)})[0].astype(np.float64)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), origins


def score_document(doc: NDArray[np.uint8], session: Any | None = None) -> TamperScores:
    probs, origins = tile_probs(doc, session)
    return aggregate(probs, origins)


def aggregate(probs: NDArray[np.float64], origins: list[tuple[int, int]]) -> TamperScores:
    """Tile class probabilities -> document scores (shared by inference and the training script)."""
    t = probs[:, CLASSES.index("tampered")]
    top = np.sort(t)[-3:]
    screen = float(probs[:, CLASSES.index("screen")].mean())
    prn = float(probs[:, CLASSES.index("print")].mean())
    hot = np.argsort(t)[-3:][::-1]
    boxes = [[origins[i][1], origins[i][0], origins[i][1] + PATCH, origins[i][0] + PATCH] for i in hot]
    return TamperScores(float(top.mean()), screen + prn, screen, prn, boxes)
