"""Face embeddings behind one small interface, so another model can be added later.

An :class:`Embedder` turns aligned face chips into vectors and names the metric they are compared
with (:func:`similarity`): ``"euclidean"`` (similarity = 1 - distance) or ``"cosine"`` (dot product
of unit vectors). Everything downstream (match scores, calibration, thresholds, the 1:N gallery)
depends only on this interface plus the embedder's ``name``/``version``, which are stored with
every template so that templates of different models are never compared.

:class:`DlibResNetEmbedder` is dlib's 128-d ResNet (99.38% LFW as published by dlib) run by
:mod:`openidv.face.resnet`, compared with the Euclidean distance it was trained with (dlib's
``loss_metric``). Measured on the LFW development pairs with the 10-fold protocol (docs/face.md):
Euclidean 98.92%, cosine 99.13%, and with the mirror-image average (``tta="flip"``) Euclidean
99.55% and cosine 99.38%, so the shipped configuration is flip + Euclidean.
"""

from __future__ import annotations

import threading
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from openidv.face import dlib_models, resnet

TTA = Literal["none", "flip"]
Metric = Literal["euclidean", "cosine"]


@runtime_checkable
class Embedder(Protocol):
    """Maps aligned face chips to embeddings compared with ``metric``."""

    name: str
    version: str
    dim: int
    metric: Metric
    chip_size: int  # the chip :func:`openidv.face.alignment.align_face` must produce
    chip_padding: float

    def embed(self, chips: NDArray[np.uint8]) -> NDArray[np.float32]:
        """(n, size, size, 3) RGB uint8 chips -> (n, dim) float32 embeddings."""
        ...


def l2_normalise(x: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def similarity(a: NDArray[np.float32], b: NDArray[np.float32], metric: Metric) -> NDArray[np.float64]:
    """Row-wise similarity of two (n, dim) arrays (or two vectors): higher = more alike.

    ``euclidean``: 1 - distance (dlib's usual 0.6 distance threshold is similarity 0.4);
    ``cosine``: the dot product of the unit vectors.
    """
    x, y = np.atleast_2d(a).astype(np.float64), np.atleast_2d(b).astype(np.float64)
    if metric == "euclidean":
        return np.asarray(1.0 - np.linalg.norm(x - y, axis=1))
    return np.asarray(np.einsum("nd,nd->n", l2_normalise(x), l2_normalise(y)))  # type: ignore[arg-type]


class DlibResNetEmbedder:
    """dlib_face_recognition_resnet_model_v1 (128-d), batched, optional flip augmentation."""

    name = "dlib_resnet_v1"
    dim = 128
    metric: Metric = "euclidean"
    chip_size = 150
    chip_padding = 0.25

    def __init__(self, tta: TTA = "flip", batch_size: int = 16) -> None:
        if tta not in ("none", "flip"):
            raise ValueError(f"unknown test-time augmentation {tta!r}")
        self.tta = tta
        self.batch_size = max(1, int(batch_size))
        self.version = f"1.1+{tta}"
        self._weights: tuple[resnet.ResNetWeights, tuple[resnet.Conv, ...]] | None = None
        self._lock = threading.Lock()

    def _net(self) -> tuple[resnet.ResNetWeights, tuple[resnet.Conv, ...]]:
        """The weights and their affine-folded convolutions, read once per embedder."""
        with self._lock:
            if self._weights is None:
                w = resnet.load_weights(dlib_models.model_file(dlib_models.RESNET_EMBEDDER))
                self._weights = (w, resnet.fold_affines(w))
            return self._weights

    def raw(self, chips: NDArray[np.uint8]) -> NDArray[np.float32]:
        """dlib's unnormalised descriptors (identical to ``compute_face_descriptor``), batched."""
        chips = _check_chips(chips, self.chip_size)
        w, folded = self._net()
        step = self.batch_size
        parts = [resnet.forward(w, chips[i : i + step], folded) for i in range(0, len(chips), step)]
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), np.float32)

    def embed(self, chips: NDArray[np.uint8]) -> NDArray[np.float32]:
        """dlib descriptors; with ``flip``, the mean of the chip's and its mirror image's."""
        chips = _check_chips(chips, self.chip_size)
        if self.tta == "none":
            return self.raw(chips)
        both = self.raw(np.concatenate([chips, chips[:, :, ::-1]]))
        n = len(chips)
        return ((both[:n] + both[n:]) / 2.0).astype(np.float32)


def _check_chips(chips: NDArray[np.uint8], size: int) -> NDArray[np.uint8]:
    arr = np.asarray(chips)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.dtype != np.uint8 or arr.ndim != 4 or arr.shape[1:] != (size, size, 3):
        raise ValueError(f"embedder needs uint8 chips of shape (n, {size}, {size}, 3), got {arr.shape}")
    return np.ascontiguousarray(arr)


_default: dict[str, DlibResNetEmbedder] = {}
_default_lock = threading.Lock()


def default_embedder(tta: TTA = "flip") -> DlibResNetEmbedder:
    """The process-wide embedder (weights parsed once, on first use)."""
    with _default_lock:
        if tta not in _default:
            _default[tta] = DlibResNetEmbedder(tta=tta)
        return _default[tta]
