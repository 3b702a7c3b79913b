"""Encode a payload as a PDF417 symbol image (for the generator and tests)."""

from __future__ import annotations

import numpy as np
import pdf417gen
from numpy.typing import NDArray


def pdf417_image(payload: str, columns: int = 13, security_level: int = 5, scale: int = 2) -> NDArray[np.uint8]:
    """RGB image of the PDF417 symbol for `payload`, as issuers print it (3:1 row height)."""
    codes = pdf417gen.encode(payload, columns=columns, security_level=security_level)
    img = pdf417gen.render_image(codes, scale=scale, ratio=3, padding=2 * scale)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)
