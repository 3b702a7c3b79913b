"""Does the document look like the template its issuer uses?

A template's *signature* is a coarse grid of median colours (Lab) over the rectified document -
medians ignore the thin text strokes and personal data, so what remains is the issuer's design:
background tints, header band, security-print density, where the photo sits. Signatures are
z-scored per channel (lighting and white balance fall out) and compared by correlation. A document
matches its claim when its best correlation with the claimed issuer's templates clears the
threshold tuned on genuine documents (threshold set ``document_template``).

The registry holds the generator's templates (``models/template_signatures.npz``, built by
``python -m openidv.documents.training.build_templates``); issuers without a registered template
get ``None`` (not applicable), as real issuers will until their references are enrolled.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

GRID = (16, 11)  # cells across, down


def signature(doc_rgb: NDArray[Any]) -> NDArray[Any]:
    """(GRID[1] * GRID[0] * 3,) z-scored Lab cell medians of a rectified document."""
    lab = cv2.cvtColor(doc_rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    gx, gy = GRID
    cells = np.empty((gy, gx, 3), np.float32)
    for j in range(gy):
        for i in range(gx):
            block = lab[j * h // gy : (j + 1) * h // gy, i * w // gx : (i + 1) * w // gx]
            cells[j, i] = np.median(block.reshape(-1, 3), axis=0)
    flat = cells.reshape(-1, 3)
    flat = (flat - flat.mean(axis=0)) / (flat.std(axis=0) + 2.0)
    return flat.reshape(-1).astype(np.float32)


def similarity(a: NDArray[Any], b: NDArray[Any]) -> float:
    a0, b0 = a - a.mean(), b - b.mean()
    return float((a0 * b0).sum() / (np.linalg.norm(a0) * np.linalg.norm(b0) + 1e-9))


@dataclass(frozen=True)
class Registry:
    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    issuers: tuple[str, ...]  # ISO alpha-3, or the IIN for driver licences
    signatures: NDArray[Any]

    def claimed(self, kind: str, issuer: str) -> list[int]:
        return [i for i, (k, iss) in enumerate(zip(self.kinds, self.issuers, strict=True))
                if k == kind and iss == issuer]

    def match(self, doc_rgb: NDArray[Any], kind: str, issuer: str) -> tuple[float, str] | None:
        """(best similarity to a claimed template, that template's id), or None if none registered."""
        idx = self.claimed(kind, issuer)
        if not idx:
            return None
        sig = signature(doc_rgb)
        sims = [similarity(sig, self.signatures[i]) for i in idx]
        k = int(np.argmax(sims))
        return sims[k], self.ids[idx[k]]


def registry_path() -> Path:
    return Path(str(resources.files("openidv.documents").joinpath("models/template_signatures.npz")))


@functools.cache
def load_registry() -> Registry | None:
    p = registry_path()
    if not p.is_file():
        return None
    z = np.load(p)
    return Registry(tuple(z["ids"].tolist()), tuple(z["kinds"].tolist()), tuple(z["issuers"].tolist()),
                    z["signatures"].astype(np.float32))
