"""Training and test data for the tamper / recapture model, from the generator.

A sample is a generated document (genuine, or forged by one image-level family), photographed
under a capture condition of its split, rectified to :data:`PX_PER_MM` with the capture's
ground-truth homography (the runtime rectifies with the MRZ frame or card outline instead; the
model works on local texture, which that difference does not change).

Training tiles come from forged/genuine twins (:func:`make_pair`, :func:`build_paired_split`; see
the note above them) plus tiles of whole genuine documents (:func:`build_split` with no forgeries).
Test and calibration documents are kept whole (:func:`build_split` with ``keep_docs``); their tiles,
labelled by padded edit regions (:func:`labelled_tiles`, the version-1 training labels), are not used.
Templates, capture conditions and portrait identities of the test split are never seen in training.
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
    photo: NDArray[Any] | None = None  # the capture itself (kept only when asked: make_doc(keep_photo=True))


def make_doc(split: str, family: str | None, seed: int, portraits: PortraitSource | None = None,
             keep_photo: bool = False) -> DocSample:
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
    return DocSample(rect, family, regions, t.id, cond, cap.image if keep_photo else None)


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


# --- paired data (v2) ---------------------------------------------------------------------------
# A forged document and its genuine twin, photographed with the *same* capture (same parameters,
# same noise): tiles at the same place differ only by the edit, so the model cannot learn "text or
# a portrait is suspicious" (the first model's tiles over edited fields were positives and tiles over
# blank background negatives, and it learned exactly that). Positives are labelled from the pixels
# the forgery actually changed, not from a padded region box.

CHANGED_MIN = 0.02  # share of a tile's pixels changed by the edit for the tile to count as edited


@dataclass
class DocPair:
    forged: NDArray[Any]  # rectified RGB at PX_PER_MM
    genuine: NDArray[Any]  # the same document before the edit, same capture
    changed: NDArray[Any]  # float32 share of changed pixels per rectified pixel
    family: str
    template: str
    condition: str


def make_pair(split: str, family: str, seed: int, portraits: PortraitSource | None = None) -> DocPair:
    rng = np.random.default_rng(seed)
    kinds = [k for k in ("TD1", "TD2", "TD3", "DL") if applicable(family, k)]
    kind = kinds[int(rng.integers(len(kinds)))]
    pool = templates(kind, split)
    t = pool[int(rng.integers(len(pool)))]
    doc = make_document(t, int(rng.integers(1 << 31)), portraits, SCALE)
    forged = forge(doc, family, rng, portraits)
    side_name = str(forged.forgery_detail.get("side", "front"))
    use_back = side_name == "back" and doc.back is not None and forged.back is not None
    g_img = doc.back.image if use_back else doc.front.image  # type: ignore[union-attr]
    f_img = forged.back.image if use_back else forged.front.image  # type: ignore[union-attr]
    cond = str(rng.choice([c for c in conditions_for(split) if c != "cropped"]))
    params = sample_params(cond, rng)
    cap_seed = int(rng.integers(1 << 31))
    f = SCALE / PX_PER_MM
    size = (int(t.size_mm[0] * PX_PER_MM), int(t.size_mm[1] * PX_PER_MM))

    def shoot(img: NDArray[Any]) -> NDArray[Any]:
        cap = capture(img, params, np.random.default_rng(cap_seed), doc_width_mm=t.size_mm[0])
        m = cap.homography @ np.diag([f, f, 1.0])
        return cv2.warpPerspective(cap.image, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                                   borderMode=cv2.BORDER_REPLICATE)

    diff = (np.abs(f_img.astype(np.int16) - g_img.astype(np.int16)).max(axis=2) > 24).astype(np.float32)
    changed = cv2.resize(diff, size, interpolation=cv2.INTER_AREA)
    return DocPair(shoot(f_img), shoot(g_img), changed, family, t.id, cond)


def paired_tiles(p: DocPair, rng: np.random.Generator, n_pos: int = 8, n_free: int = 4
                 ) -> tuple[NDArray[Any], NDArray[Any]]:
    """Edited tiles of the forged document, the same tiles of its twin (genuine), and a few
    unedited tiles of the forged document (genuine: an edit elsewhere does not taint them)."""
    origins = tile_origins(p.forged.shape, stride=PATCH // 4)
    if p.family in GLOBAL:
        pick = [origins[i] for i in rng.choice(len(origins), size=min(n_pos, len(origins)), replace=False)]
        label = CLASSES.index(GLOBAL[p.family])
        x = np.concatenate([_cut(p.forged, pick), _cut(p.genuine, pick)])
        return x, np.array([label] * len(pick) + [0] * len(pick), np.int64)
    share = np.array([p.changed[y : y + PATCH, x : x + PATCH].mean() for y, x in origins])
    pos_idx = np.flatnonzero(share >= CHANGED_MIN)
    free_idx = np.flatnonzero(share == 0.0)
    pos = [origins[i] for i in rng.permutation(pos_idx)[:n_pos]]
    free = [origins[i] for i in rng.permutation(free_idx)[:n_free]]
    x = np.concatenate([_cut(p.forged, pos), _cut(p.genuine, pos), _cut(p.forged, free)])
    y = [CLASSES.index("tampered")] * len(pos) + [0] * (len(pos) + len(free))
    return x, np.array(y, np.int64)


def build_paired_split(split: str, n_per_family: int, seed: int, out: Path,
                       portraits: PortraitSource | None = None, shard: tuple[int, int] = (0, 1)) -> None:
    """Tiles of `n_per_family` forged/genuine pairs per image-level family, one npz per pair;
    resumable, and `shard=(i, n)` builds every n-th pair so that n processes can share the work."""
    out.mkdir(parents=True, exist_ok=True)
    plan = [(f, i) for f in IMAGE_FAMILIES for i in range(n_per_family)]
    for k, (family, i) in enumerate(plan):
        name = out / f"pair-{family}-{i:05d}.npz"
        if k % shard[1] != shard[0] or name.is_file():
            continue
        p = make_pair(split, family, seed + k, portraits)
        x, y = paired_tiles(p, np.random.default_rng(seed + k + 17))
        np.savez(name, x=x, y=y, family=family, template=p.template, condition=p.condition)
