"""Portrait sources for the documents tests (no ../shared needed)."""

from __future__ import annotations

import cv2
import numpy as np

from openidv.documents.synth.portraits import DrawnPortraits


class OtherFace:
    """A portrait source whose faces look unlike the drawn stand-ins of the genuine documents (the
    stand-ins share one head-on layout, so a swap between two of them changes little): the head is
    larger and off-centre, over a mottled background, as a different photo would be."""

    def sample(self, rng: np.random.Generator) -> tuple[str, np.ndarray]:
        _, img = DrawnPortraits().sample(rng)
        h, w = img.shape[:2]
        m = np.array([[1.3, 0.0, -0.3 * w / 2 - 25], [0.0, 1.3, -0.3 * h / 2 + 20]])
        img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT)
        mottle = cv2.resize(rng.normal(0, 35, (6, 5)), (w, h), interpolation=cv2.INTER_CUBIC)
        return "other", np.clip(img + mottle[:, :, None], 0, 255).astype(np.uint8)


def _hopper() -> np.ndarray:
    """matplotlib's sample photo of Grace Hopper (US Navy photograph, public domain): a real face the
    face detector finds, shipped with a project dependency."""
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return np.asarray(Image.open(fh).convert("RGB"))


class HopperPortrait:
    """The holder's photo: a head-and-shoulders crop of the sample photo."""

    def sample(self, rng: np.random.Generator) -> tuple[str, np.ndarray]:
        img = _hopper()  # 600 x 512
        return "hopper", np.ascontiguousarray(img[20:560, 40:470])


class OtherHopperPhoto:
    """A different photo for a substitution: closer, mirrored and warmer (the detector still finds it)."""

    def sample(self, rng: np.random.Generator) -> tuple[str, np.ndarray]:
        img = _hopper()[90:420, 110:370][:, ::-1].astype(np.float32)
        img *= np.array([1.1, 0.95, 0.85], np.float32)
        return "hopper-other", np.clip(img, 0, 255).astype(np.uint8)
