"""Image-usability measurements: resolution, sharpness, glare and exposure.

Each measure is computed on a grey copy resized so that its short side is ``CANONICAL_SIDE``
pixels; measured on a canonical scale, one threshold works for any camera resolution.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

CANONICAL_SIDE = 480


@dataclass(frozen=True)
class UsabilityMeasures:
    short_side: int
    sharpness: float  # variance of the Laplacian of the canonical grey image
    glare_fraction: float  # largest clipped colourless blob, as a fraction of the central region
    mean_luma: float  # 0..255
    dark_clip: float  # fraction of pixels <= 8
    bright_clip: float  # fraction of pixels >= 250

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


def canonical_grey(rgb: NDArray[np.uint8], side: int = CANONICAL_SIDE) -> NDArray[np.uint8]:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    scale = side / min(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(grey, size, interpolation=interp), dtype=np.uint8)


def glare_fraction(rgb: NDArray[np.uint8], side: int = CANONICAL_SIDE, central: float = 0.6) -> float:
    """Largest clipped, colourless blob (specular glare) in the central region, as a fraction of it.

    Only the central region counts: the subject (document or face) sits there, while the edges are
    often a white wall or table that is bright without being glare on the subject.
    """
    h, w = rgb.shape[:2]
    scale = side / min(h, w)
    small = np.asarray(
        cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA),
        dtype=np.uint8,
    )
    sh, sw = small.shape[:2]
    m = (1.0 - central) / 2
    small = small[int(sh * m) : int(sh * (1 - m)), int(sw * m) : int(sw * (1 - m))]
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    mask = ((hsv[..., 2] >= 252) & (hsv[..., 1] <= 40)).astype(np.uint8)
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return 0.0
    largest = int(stats[1:, cv2.CC_STAT_AREA].max())
    return largest / float(mask.size)


def measure(rgb: NDArray[np.uint8]) -> UsabilityMeasures:
    grey = canonical_grey(rgb)
    lap = cv2.Laplacian(grey, cv2.CV_64F, ksize=3)
    return UsabilityMeasures(
        short_side=int(min(rgb.shape[:2])),
        sharpness=float(lap.var()),
        glare_fraction=glare_fraction(rgb),
        mean_luma=float(grey.mean()),
        dark_clip=float((grey <= 8).mean()),
        bright_clip=float((grey >= 250).mean()),
    )
