"""Liveness test fixtures: a real public-domain face (matplotlib's Grace Hopper) and a drawn one.

No test here needs ../shared; the one that uses LFW is marked ``shared`` and skips without it.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from openidv.liveness.redteam.common import FaceRef


@pytest.fixture(scope="session")
def hopper_rgb() -> NDArray[np.uint8]:
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        img = Image.open(fh).convert("RGB")
    return np.asarray(img.resize((256, 300), Image.Resampling.LANCZOS))


@pytest.fixture(scope="session")
def hopper(hopper_rgb: NDArray[np.uint8]) -> FaceRef:
    """Hopper with her face found by the project's detector."""
    from openidv.face.detection import detect_faces

    det = detect_faces(hopper_rgb)[0]
    return FaceRef(hopper_rgb, tuple(float(v) for v in det.box), det.landmarks5, "hopper", "hopper-1")  # type: ignore[arg-type]


def drawn_face(seed: int, size: int = 200) -> FaceRef:
    """A drawn stand-in face with known box and landmarks (no detector needed)."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.zeros((size, size, 3), np.uint8)
    img[:] = rng.integers(40, 200, 3)
    skin = tuple(int(v) for v in rng.integers(120, 230, 3))
    c = size // 2
    cv2.ellipse(img, (c, c), (size // 4, size // 3), 0, 0, 360, skin, -1)
    lm = np.array([[c + 30, c - 15], [c + 12, c - 15], [c - 30, c - 15], [c - 12, c - 15], [c, c + 15]], np.float32)
    for x, y in lm[:4]:
        cv2.circle(img, (int(x), int(y)), 4, (30, 30, 30), -1)
    cv2.ellipse(img, (c, c + 40), (18, 6), 0, 0, 360, (90, 40, 40), -1)
    noise = rng.normal(0, 6, img.shape)
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    box = (c - size / 4, c - size / 4, c + size / 4, c + size / 4 + 10)
    return FaceRef(img, box, lm, f"drawn-{seed}", f"drawn-{seed}")


@pytest.fixture
def draw():  # type: ignore[no-untyped-def]
    """The drawn-face factory, for tests that need more than the `faces` fixture."""
    return drawn_face


@pytest.fixture
def faces() -> list[FaceRef]:
    return [drawn_face(i) for i in range(4)]
