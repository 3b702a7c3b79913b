"""Shared fixtures: one real public-domain face and the LFW development folder when present.

The face is matplotlib's sample photo of Grace Hopper (US Navy photograph, public domain), which
ships with matplotlib (a project dependency), so these tests need no external data.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

LFW_DEV = Path(os.environ.get("OPENIDV_LFW_DEV", Path(__file__).resolve().parents[3] / "shared/data/lfw-dev"))


@pytest.fixture(scope="session")
def hopper() -> NDArray[np.uint8]:
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return np.asarray(Image.open(fh).convert("RGB"))


@pytest.fixture(scope="session")
def lfw_dev() -> Path:
    if not (LFW_DEV / "pairs.txt").is_file():
        pytest.skip(f"LFW development data not found at {LFW_DEV}")
    return LFW_DEV


@pytest.fixture(scope="session")
def det(hopper: NDArray[np.uint8]) -> Any:
    """The face detected on the Grace Hopper photo."""
    from openidv.face.detection import detect_faces

    return detect_faces(hopper)[0]


@pytest.fixture(scope="session")
def thresholds() -> Any:
    """The shipped face_quality threshold set."""
    from openidv.policy.thresholds import ThresholdRegistry

    return ThresholdRegistry.load().get("face_quality")
