"""Portrait sources: real face photos (LFW, when available) or drawn stand-ins for tests.

LFW people are split by identity (a stable hash of the folder name), so a model trained on
documents carrying train identities is evaluated on documents carrying other people.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

DEFAULT_LFW = Path("/work/shared/data/lfw-dev")


class PortraitSource(Protocol):
    def sample(self, rng: np.random.Generator) -> tuple[str, NDArray[Any]]:
        """(identity label, RGB portrait with a 3:4-ish head-and-shoulders framing)."""
        ...


def identity_split(name: str) -> str:
    return "test" if hashlib.sha256(name.encode()).digest()[0] % 5 == 0 else "train"


class LFWPortraits:
    """Faces from an LFW-style folder tree (one folder per person)."""

    def __init__(self, root: Path = DEFAULT_LFW, split: str | None = None) -> None:
        if not root.is_dir():
            raise FileNotFoundError(f"{root} does not exist")
        people = sorted(p for p in root.iterdir() if p.is_dir())
        if split is not None:
            people = [p for p in people if identity_split(p.name) == split]
        self.files = [(p.name, f) for p in people for f in sorted(p.glob("*.jpg"))]
        if not self.files:
            raise FileNotFoundError(f"no portraits under {root}")

    def sample(self, rng: np.random.Generator) -> tuple[str, NDArray[Any]]:
        name, path = self.files[int(rng.integers(len(self.files)))]
        bgr = cv2.imread(str(path))
        if bgr is None:
            raise OSError(f"unreadable portrait {path}")
        h, w = bgr.shape[:2]  # LFW: 250x250, face centred; keep head and shoulders at 3:4
        crop = bgr[int(h * 0.14) : int(h * 0.90), int(w * 0.22) : int(w * 0.78)]
        return name, np.ascontiguousarray(crop[:, :, ::-1])


class DrawnPortraits:
    """Drawn head-and-shoulders stand-ins (skin tone, hair, eyes, mouth vary), for tests and CI."""

    def sample(self, rng: np.random.Generator) -> tuple[str, NDArray[Any]]:
        h, w = 240, 180
        img: Any = np.empty((h, w, 3), np.uint8)
        img[:] = rng.integers(170, 250, 3)
        skin = tuple(int(v) for v in rng.integers([90, 60, 40], [240, 200, 170]))
        hair = tuple(int(v) for v in rng.integers(0, 120, 3))
        cloth = tuple(int(v) for v in rng.integers(0, 200, 3))
        cx, cy = w // 2 + int(rng.integers(-8, 8)), int(h * 0.42)
        cv2.ellipse(img, (cx, h + 20), (int(w * 0.55), int(h * 0.32)), 0, 180, 360, cloth, -1)
        cv2.rectangle(img, (cx - 18, cy + 40), (cx + 18, cy + 80), skin, -1)
        cv2.ellipse(img, (cx, cy - 8), (52, 62), 0, 180, 360, hair, -1)
        cv2.ellipse(img, (cx, cy), (44, 58), 0, 0, 360, skin, -1)
        for dx in (-17, 17):
            cv2.circle(img, (cx + dx, cy - 8), 5, (40, 30, 30), -1)
        cv2.ellipse(img, (cx, cy + 28), (14, 5), 0, 0, 180, (120, 40, 50), 2)
        cv2.line(img, (cx, cy - 2), (cx - 4, cy + 14), tuple(int(c * 0.8) for c in skin), 2)
        ident = f"drawn-{int(rng.integers(1 << 30))}"
        img = cv2.GaussianBlur(img, (3, 3), 0)
        return ident, img


def default_portraits(split: str | None = None) -> PortraitSource:
    """LFW when present, else drawn stand-ins."""
    try:
        return LFWPortraits(DEFAULT_LFW, split)
    except FileNotFoundError:
        return DrawnPortraits()
