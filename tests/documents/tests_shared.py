"""Access to ../shared/data for the documents tests (skips cleanly when absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_image(*parts: str) -> np.ndarray:
    from openidv.imaging.decode import decode_image

    path = SHARED.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} is absent (real development data is optional)")
    return decode_image(path.read_bytes()).rgb
