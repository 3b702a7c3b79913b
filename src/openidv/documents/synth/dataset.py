"""Seeded samples for training and evaluation, with template, condition and identity splits.

``split="train"`` draws train templates, train capture conditions and train portrait identities;
``split="test"`` draws only held-out ones. A sample is fully determined by (kind, split, seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.synth.capture import (
    HELDOUT_CONDITIONS,
    TRAIN_CONDITIONS,
    Captured,
    capture,
    sample_params,
)
from openidv.documents.synth.document import SyntheticDocument, make_document
from openidv.documents.synth.forgery import forge
from openidv.documents.synth.portraits import PortraitSource
from openidv.documents.synth.render import Rendered
from openidv.documents.synth.templates import templates


@dataclass
class Sample:
    doc: SyntheticDocument
    side: str
    captured: Captured

    @property
    def image(self) -> NDArray[np.uint8]:
        return self.captured.image

    def truth(self) -> dict[str, Any]:
        return {"template": self.doc.template.id, "kind": self.doc.template.kind, "side": self.side,
                "condition": self.captured.params.condition, "mrz_lines": self.doc.mrz_lines,
                "forgery": self.doc.forgery, "barcode": self.doc.barcode_payload}


def conditions_for(split: str) -> tuple[str, ...]:
    return HELDOUT_CONDITIONS if split == "test" else TRAIN_CONDITIONS


def side_boxes(r: Rendered) -> dict[str, tuple[int, int, int, int]]:
    boxes: dict[str, tuple[int, int, int, int]] = {}
    if r.mrz_box:
        boxes["mrz"] = r.mrz_box
        for i, b in enumerate(r.mrz_line_boxes):
            boxes[f"mrz_line_{i}"] = b
    if r.portrait_box:
        boxes["portrait"] = r.portrait_box
    if r.barcode_box:
        boxes["barcode"] = r.barcode_box
    return boxes


def make_sample(kind: str, split: str, seed: int, portraits: PortraitSource | None = None,
                side: str = "mrz", condition: str | None = None, forgery: str | None = None,
                scale: float = 12.0, mrz_layout: str | None = None) -> Sample:
    """One captured document. `side` is "front", "back" or "mrz" (the side that carries the MRZ,
    or the barcode side for a driver licence); `mrz_layout` a national MRZ layout (see
    synth/national.py) instead of the ICAO one."""
    if mrz_layout is not None and forgery not in (None, "mrz_tampering"):  # the others write ICAO layouts
        raise ValueError(f"forgery {forgery!r} is not drawn on a national MRZ layout ({mrz_layout})")
    rng = np.random.default_rng(seed)
    pool = templates(kind, "test" if split == "test" else "train")
    t = pool[int(rng.integers(len(pool)))]
    doc = make_document(t, int(rng.integers(1 << 31)), portraits, scale, mrz_layout=mrz_layout)
    if forgery is not None:
        doc = forge(doc, forgery, rng, portraits)
    if side == "mrz":
        side = "back" if kind in ("TD1", "DL") else "front"
    rendered = doc.back if side == "back" else doc.front
    assert rendered is not None
    cond = condition or str(rng.choice(conditions_for(split)))
    params = sample_params(cond, rng)
    if params.lowres_px_per_mm and kind == "DL":
        params.lowres_px_per_mm = float(rng.uniform(5.5, 8.0))
    cap = capture(rendered.image, params, rng, side_boxes(rendered), doc_width_mm=t.size_mm[0])
    return Sample(doc, side, cap)
