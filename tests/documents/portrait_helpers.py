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
