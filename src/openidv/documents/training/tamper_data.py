"""Training and test data for the tamper / recapture model, from the generator.

A sample is a generated document (genuine, or forged by one image-level family), photographed
under a capture condition of its split, rectified to :data:`PX_PER_MM` with the capture's
ground-truth homography (the runtime rectifies with the MRZ frame or card outline instead; the
model works on local texture, which that difference does not change), and cut into labelled tiles:
tiles over an edited region are "tampered", the others of the same document "genuine"; every tile
of a screen or print recapture carries that class. Templates, capture conditions and portrait
identities of the test split are never seen in training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.authenticity.patches import CLASSES, PATCH, PX_PER_MM, tile_origins
from openidv.documents.synth.capture import capture, sample_params
from openidv.documents.synth.dataset import conditions_for
from openidv.documents.synth.document import make_document
from openidv.documents.synth.forgery import applicable, forge
from openidv.documents.synth.portraits import PortraitSource
from openidv.documents.synth.templates import templates

LOCAL = ("portrait_substitution", "field_alteration", "mrz_tampering", "digital_splicing")
GLOBAL = {"screen_recapture": "screen", "photocopy": "print"}
IMAGE_FAMILIES = LOCAL + tuple(GLOBAL)
SCALE = 12.0  # generator px/mm


@dataclass
class DocSample:
    image: NDArray[Any]  # rectified RGB at PX_PER_MM
    family: str | None
    regions: list[list[float]]  # edited boxes in rectified pixels
    template: str
    condition: str


def make_doc(split: str, family: str | None, seed: int, portraits: PortraitSource | None = None) -> DocSample:
    rng = np.random.default_rng(seed)
    kinds = [k for k in ("TD1", "TD2", "TD3", "DL") if family is None or applicable(family, k)]
    kind = kinds[int(rng.integers(len(kinds)))]
    pool = templates(kind, split)
    t = pool[int(rng.integers(len(pool)))]
    doc = make_document(t, int(rng.integers(1 << 31)), portraits, SCALE)
    if family is not None:
        doc = forge(doc, family, rng, portraits)
    side_name = str(doc.forgery_detail.get("side", "front"))
    side = doc.back if side_name == "back" and doc.back is not None else doc.front
    cond = str(rng.choice([c for c in conditions_for(split) if c != "cropped"]))
    params = sample_params(cond, rng)
    cap = capture(side.image, params, rng, doc_width_mm=t.size_mm[0])
    f = SCALE / PX_PER_MM
    m = cap.homography @ np.diag([f, f, 1.0])
    size = (int(t.size_mm[0] * PX_PER_MM), int(t.size_mm[1] * PX_PER_MM))
    rect = cv2.warpPerspective(cap.image, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
    regions = [[v / f for v in r] for r in doc.forgery_detail.get("regions", [])]
    return DocSample(rect, family, regions, t.id, cond)


def _overlap(y: int, x: int, r: list[float]) -> tuple[float, float]:
    ix = max(0.0, min(x + PATCH, r[2]) - max(x, r[0]))
    iy = max(0.0, min(y + PATCH, r[3]) - max(y, r[1]))
    inter = ix * iy
    area_r = max((r[2] - r[0]) * (r[3] - r[1]), 1.0)
    return inter / (PATCH * PATCH), inter / area_r


def labelled_tiles(s: DocSample, rng: np.random.Generator, n_pos: int = 6, n_neg: int = 6
                   ) -> tuple[NDArray[Any], NDArray[Any]]:
    origins = tile_origins(s.image.shape, stride=PATCH // 4)
    if s.family in GLOBAL:
        label = CLASSES.index(GLOBAL[s.family])
        pick = rng.choice(len(origins), size=min(n_pos + n_neg, len(origins)), replace=False)
        return _cut(s.image, [origins[i] for i in pick]), np.full(len(pick), label)
    pos, neg, unsure = [], [], []
    for o in origins:
        best = max((_overlap(o[0], o[1], r) for r in s.regions), default=(0.0, 0.0))
        if best[0] >= 0.2 or best[1] >= 0.6:
            pos.append(o)
        elif best[0] == 0.0:
            neg.append(o)
        else:
            unsure.append(o)
    chosen_pos = [pos[i] for i in rng.permutation(len(pos))[:n_pos]] if s.family else []
    chosen_neg = [neg[i] for i in rng.permutation(len(neg))[: n_neg if s.family else n_pos + n_neg]]
    tiles = chosen_pos + chosen_neg
    labels = [CLASSES.index("tampered")] * len(chosen_pos) + [0] * len(chosen_neg)
    return _cut(s.image, tiles), np.array(labels, np.int64)


def _cut(img: NDArray[Any], origins: list[tuple[int, int]]) -> NDArray[Any]:
    if not origins:
        return np.zeros((0, PATCH, PATCH, 3), np.uint8)
    return np.stack([img[y : y + PATCH, x : x + PATCH] for y, x in origins])


def build_split(split: str, n_genuine: int, n_per_family: int, seed: int, out: Path,
                portraits: PortraitSource | None = None, keep_docs: bool = False) -> None:
    """Write tiles (train) or whole rectified documents too (test) under `out`, one npz per doc."""
    out.mkdir(parents=True, exist_ok=True)
    plan = [(None, i) for i in range(n_genuine)] + [(f, i) for f in IMAGE_FAMILIES for i in range(n_per_family)]
    for k, (family, i) in enumerate(plan):
        name = out / f"{family or 'genuine'}-{i:05d}.npz"
        if name.is_file():
            continue
        s = make_doc(split, family, seed + k, portraits)
        x, y = labelled_tiles(s, np.random.default_rng(seed + k + 17))
        extra: dict[str, Any] = {"doc": cv2.imencode(".png", s.image[:, :, ::-1])[1]} if keep_docs else {}
        np.savez(name, x=x, y=y, family=family or "genuine", template=s.template, condition=s.condition, **extra)
