"""Cross-session replay detection by perceptual hashes.

Every decided session leaves the perceptual hashes (pHash and dHash, 64 bits each) of its selfie
and of a few frames as signals. A later capture whose hashes are both within the Hamming limits
of one from another session is a replay of it (re-encoded, resized, recoloured slightly).

Lookup is by exact match of one of five bands of the pHash (13/13/13/13/12 bits): by the
pigeonhole principle any stored hash within 4 bits shares at least one band, so the store's
equality index finds every candidate within the limit without a scan. Band keys are blinded
(HMAC) like every other signal key; the hashes themselves are sealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import imagehash
import numpy as np
from numpy.typing import NDArray
from PIL import Image

SIGNAL_KIND = "liveness_phash"
BANDS = ((0, 13), (13, 26), (26, 39), (39, 52), (52, 64))


@dataclass(frozen=True)
class Hashes:
    phash: int
    dhash: int

    def to_bytes(self) -> bytes:
        return self.phash.to_bytes(8, "big") + self.dhash.to_bytes(8, "big")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Hashes:
        return cls(int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:16], "big"))

    def distance(self, other: Hashes) -> tuple[int, int]:
        return (self.phash ^ other.phash).bit_count(), (self.dhash ^ other.dhash).bit_count()


def _to_int(h: imagehash.ImageHash) -> int:
    return int("".join("1" if b else "0" for b in np.asarray(h.hash).ravel()), 2)


def image_hashes(rgb: NDArray[np.uint8]) -> Hashes:
    """Hashes of an image reduced to 256 px (cheap; the hashes work at 32 px anyway)."""
    h, w = rgb.shape[:2]
    k = 256.0 / max(h, w)
    # each side at least one pixel: a very long, thin image would otherwise round to zero
    size = (max(1, round(w * k)), max(1, round(h * k)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if k < 1 else rgb
    img = Image.fromarray(small)
    return Hashes(_to_int(imagehash.phash(img)), _to_int(imagehash.dhash(img)))


def band_keys(h: Hashes) -> list[str]:
    bits = f"{h.phash:064b}"
    return [f"b{i}:{bits[a:b]}" for i, (a, b) in enumerate(BANDS)]


@dataclass(frozen=True)
class ReplayMatch:
    session_id: str
    phash_distance: int
    dhash_distance: int


def find_replays(
    signals: Any, hashes: Iterable[Hashes], session_id: str, max_phash: int, max_dhash: int
) -> list[ReplayMatch]:
    """Matches among stored hashes of *other* sessions within both Hamming limits."""
    found: dict[str, ReplayMatch] = {}
    for h in hashes:
        for key in band_keys(h):
            for sig in signals.find(SIGNAL_KIND, signals.blind(key), limit=200, with_values=True):
                if sig.session_id == session_id or not sig.value:
                    continue
                dp, dd = h.distance(Hashes.from_bytes(sig.value))
                if dp <= max_phash and dd <= max_dhash:
                    best = found.get(sig.session_id)
                    if best is None or dp + dd < best.phash_distance + best.dhash_distance:
                        found[sig.session_id] = ReplayMatch(sig.session_id, dp, dd)
    return sorted(found.values(), key=lambda m: m.phash_distance + m.dhash_distance)


def record_hashes(writer: Any, hashes: Sequence[Hashes], attrs: dict[str, Any] | None = None) -> None:
    """Write the band signals of each hash (inside the decision's transaction)."""
    for h in hashes:
        for i, key in enumerate(band_keys(h)):
            writer.put(SIGNAL_KIND, writer.blind(key), value=h.to_bytes(), attrs={"band": i, **(attrs or {})})
