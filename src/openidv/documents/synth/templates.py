"""Procedural document templates: each (kind, index) pair is one fixed design.

A template fixes everything an issuer fixes - size, palette, guilloche, fonts, label languages,
portrait position, date style, number pattern, whether the MRZ has a clear zone - so two documents
of the same template differ only in personal data, as real documents do. Index ``i`` with
``i % 4 == 3`` is held out of all training (``split == "test"``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from openidv.documents.synth.fonts import available_viz_families
from openidv.documents.synth.identity import COUNTRIES, US_STATES
from openidv.documents.synth.labels import LABELS

KINDS = ("TD1", "TD2", "TD3", "DL")
N_TEMPLATES = 24
SIZE_MM = {"TD1": (85.6, 53.98), "TD2": (105.0, 74.0), "TD3": (125.0, 88.0), "DL": (85.6, 53.98)}
MRZ_LINES = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
DATE_STYLES = ("dd_mmm_yyyy", "dd.mm.yyyy", "dd/mm/yyyy", "yyyy-mm-dd", "dd_mmm_mmm_yy")
NUMBER_PATTERNS = ("LLDDDDDDD", "DDDDDDDDD", "LDDDDDDDD", "LLLDDDDDD", "AAAAAAAAA", "DDDDDDDD")


@dataclass(frozen=True)
class Template:
    id: str
    kind: str
    index: int
    issuer: str
    size_mm: tuple[float, float]
    bg: tuple[tuple[int, int, int], tuple[int, int, int]]
    accent: tuple[int, int, int]
    ink: tuple[int, int, int]
    pattern_colour: tuple[int, int, int]
    pattern: str  # rosette | waves | microlines | mixed
    font_family: str
    label_langs: tuple[str, ...]
    portrait_left: bool
    ghost: bool
    header_band: bool
    date_style: str
    number_pattern: str
    mrz_clear_zone: bool
    mrz_bold: float  # 0 = regular OCR-B stroke; up to 1 = heavier print
    uppercase_values: bool
    layout: int  # 0: labels above values, 1: labels left of values
    state: str = ""  # US jurisdiction (DL only)
    iin: str = ""

    @property
    def split(self) -> str:
        return "test" if self.index % 4 == 3 else "train"

    @property
    def doc_type(self) -> str:
        return {"TD3": "passport", "TD2": "id_card", "TD1": "id_card", "DL": "driver_licence"}[self.kind]


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "little")


def _colour(rng: np.random.Generator, lo: int, hi: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(lo, hi, 3))  # type: ignore[return-value]


def make_template(kind: str, index: int) -> Template:
    """The template `index` of `kind` (deterministic)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    rng = np.random.default_rng(_seed("template", kind, index))
    families = available_viz_families() or ["dejavu_sans"]
    langs = tuple(sorted(LABELS))
    primary = str(rng.choice(langs))
    second = str(rng.choice([lang for lang in langs if lang != primary]))
    label_langs = (primary,) if rng.random() < 0.3 else (primary, "en" if primary != "en" else second)
    hue_base = rng.integers(200, 250, 3)
    bg2 = np.clip(hue_base + rng.integers(-25, 10, 3), 150, 255)
    state, iin = US_STATES[index % len(US_STATES)] if kind == "DL" else ("", "")
    return Template(
        id=f"{kind.lower()}-{index:02d}",
        kind=kind,
        index=index,
        issuer="USA" if kind == "DL" else COUNTRIES[(index * 7 + KINDS.index(kind)) % len(COUNTRIES)],
        size_mm=SIZE_MM[kind],
        bg=(tuple(int(v) for v in hue_base), tuple(int(v) for v in bg2)),  # type: ignore[arg-type]
        accent=_colour(rng, 20, 160),
        ink=_colour(rng, 0, 60),
        pattern_colour=_colour(rng, 120, 220),
        pattern=str(rng.choice(["rosette", "waves", "microlines", "mixed"])),
        font_family=str(rng.choice(families)),
        label_langs=label_langs,
        portrait_left=bool(rng.random() < 0.8),
        ghost=bool(rng.random() < 0.5),
        header_band=bool(rng.random() < 0.6),
        date_style="mm/dd/yyyy" if kind == "DL" else str(rng.choice(DATE_STYLES)),
        number_pattern=str(rng.choice(NUMBER_PATTERNS)),
        mrz_clear_zone=bool(rng.random() < 0.5),
        mrz_bold=float(rng.choice([0.0, 0.0, 0.3, 0.6, 1.0])),
        uppercase_values=bool(rng.random() < 0.7),
        layout=int(rng.integers(0, 2)),
        state=state,
        iin=iin,
    )


def templates(kind: str | None = None, split: str | None = None) -> list[Template]:
    """All templates, optionally of one kind and one split ("train" or "test")."""
    kinds = (kind,) if kind else KINDS
    out = [make_template(k, i) for k in kinds for i in range(N_TEMPLATES)]
    return [t for t in out if split is None or t.split == split]
