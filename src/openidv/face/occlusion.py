"""Face occlusion as a one-class model of what each part of a real face looks like.

No occluder is ever shown to the model, so it is not tied to one kind (hand, scarf, mask, sticker,
phone, a cut-out): the aligned 96 px face chip is cut into a 6x6 grid, each cell is described by
13 numbers (brightness, colour and edge energy relative to the whole face, colour variation
within the cell, edge orientations), and
for each cell a Gaussian is fitted on real, unoccluded faces. Each cell's squared Mahalanobis
distance is divided by the 99th percentile seen on training faces at that position, and the
occlusion score is the mean over cells of log(1 + that ratio): about 0.1-0.3 for real faces, well
above 0.5 when a hand, scarf or object hides half the face. (The mean of logs was more stable
than "share of cells beyond the percentile" across percentile choices on held-out identities.)
Trained by ``python -m openidv.face.training.occlusion`` on LFW faces of
one half of the identities (model card: ``models/face_occlusion.md``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

GRID = 6
N_BINS = 6
N_FEATURES = 7 + N_BINS
PACKAGE = "openidv.face"
MODEL_NAME = "face_occlusion"


def cell_features(chip: NDArray[np.uint8]) -> NDArray[np.float32]:
    """(GRID*GRID, N_FEATURES) features of a square RGB chip (side divisible by GRID)."""
    lab = cv2.cvtColor(chip, cv2.COLOR_RGB2LAB).astype(np.float32)
    luma, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.hypot(gx, gy)
    ang = (np.degrees(np.arctan2(gy, gx)) % 180.0) / 180.0
    bins = np.minimum((ang * N_BINS).astype(np.int32), N_BINS - 1)
    med_l, med_a, med_b = float(np.median(luma)), float(np.median(a)), float(np.median(b))
    std_l = float(luma.std()) + 5.0
    mean_mag = float(mag.mean()) + 1.0
    side = chip.shape[0] // GRID
    feats = np.zeros((GRID * GRID, N_FEATURES), np.float32)
    for r in range(GRID):
        for c in range(GRID):
            sl = (slice(r * side, (r + 1) * side), slice(c * side, (c + 1) * side))
            cm = mag[sl]
            hist = np.bincount(bins[sl].ravel(), weights=cm.ravel(), minlength=N_BINS)
            hist = hist / (hist.sum() + 1e-3)
            feats[r * GRID + c] = (
                (luma[sl].mean() - med_l) / std_l,
                (a[sl].mean() - med_a) / 10.0,
                (b[sl].mean() - med_b) / 10.0,
                np.log((cm.mean() + 1.0) / mean_mag),
                np.log((luma[sl].std() + 1.0) / std_l),
                np.log1p(a[sl].std()),
                np.log1p(b[sl].std()),
                *hist,
            )
    return feats


@dataclass(frozen=True)
class OcclusionModel:
    mean: NDArray[np.float32]  # (cells, d)
    precision: NDArray[np.float32]  # (cells, d, d)
    cell_threshold: NDArray[np.float32]  # (cells,) squared distance at the training 99th percentile

    def cell_distances(self, chip: NDArray[np.uint8]) -> NDArray[np.float32]:
        diff = cell_features(chip) - self.mean
        return np.einsum("cd,cde,ce->c", diff, self.precision, diff).astype(np.float32)

    def score(self, chip: NDArray[np.uint8]) -> float:
        """Mean over cells of log(1 + d^2 / training 99th percentile): higher = more occluded."""
        return float(np.log1p(self.cell_distances(chip) / self.cell_threshold).mean())

    def save(self, path: Path) -> None:
        np.savez(path, mean=self.mean, precision=self.precision, cell_threshold=self.cell_threshold)

    @classmethod
    def load(cls, path: Path) -> OcclusionModel:
        with np.load(path, allow_pickle=False) as z:
            return cls(z["mean"], z["precision"], z["cell_threshold"])


def fit(features: NDArray[np.float32], quantile: float = 0.99) -> OcclusionModel:
    """Fit per-cell Gaussians (Ledoit-Wolf shrinkage) on (n_faces, cells, d) features."""
    from sklearn.covariance import LedoitWolf

    _n, cells, d = features.shape
    mean = features.mean(axis=0).astype(np.float32)
    precision = np.zeros((cells, d, d), np.float32)
    thresholds = np.zeros(cells, np.float32)
    for c in range(cells):
        lw = LedoitWolf().fit(features[:, c, :])
        precision[c] = lw.precision_.astype(np.float32)
        diff = features[:, c, :] - mean[c]
        d2 = np.einsum("nd,de,ne->n", diff, precision[c], diff)
        thresholds[c] = float(np.quantile(d2, quantile))
    return OcclusionModel(mean, precision, thresholds)


_lock = threading.Lock()
_model: list[OcclusionModel] = []


def shipped_model() -> OcclusionModel:
    """The committed model, hash-verified through the model registry, loaded once."""
    from openidv.models.registry import model_path

    with _lock:
        if not _model:
            _model.append(OcclusionModel.load(model_path(PACKAGE, MODEL_NAME)))
        return _model[0]
