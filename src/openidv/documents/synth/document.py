"""A whole synthetic document (front and back) with its ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from openidv.documents.barcode import aamva
from openidv.documents.barcode.render import pdf417_image
from openidv.documents.mrz.compose import MRZData, compose, mrz_name_part
from openidv.documents.synth.identity import Identity, random_identity
from openidv.documents.synth.layout import render_side
from openidv.documents.synth.portraits import DrawnPortraits, PortraitSource
from openidv.documents.synth.render import Rendered
from openidv.documents.synth.templates import Template


@dataclass
class SyntheticDocument:
    template: Template
    identity: Identity
    portrait_id: str
    front: Rendered
    back: Rendered | None
    mrz_lines: list[str] = field(default_factory=list)
    barcode_payload: str | None = None
    forgery: str | None = None  # forgery family, None = genuine
    forgery_detail: dict[str, Any] = field(default_factory=dict)
    mrz_layout: str | None = None  # a national MRZ layout (synth/national.py); None: the template's ICAO one

    @property
    def mrz_side(self) -> Rendered | None:
        if not self.mrz_lines:
            return None
        return self.back if self.template.kind == "TD1" else self.front


def mrz_for(t: Template, ident: Identity) -> list[str]:
    code = {"TD3": "P", "TD2": "I", "TD1": "I"}[t.kind]
    if t.kind == "TD1" and t.index % 3 == 1:
        code = "ID"
    data = MRZData(code, t.issuer, ident.surname, ident.given_names, ident.document_number, ident.nationality,
                   ident.date_of_birth, ident.sex, ident.date_of_expiry, ident.personal_number)
    return compose(t.kind, data)


def aamva_payload_for(t: Template, ident: Identity, rng: np.random.Generator) -> str:
    given = ident.given_names.split()
    el = {
        "DCA": "C", "DCB": "NONE", "DCD": "NONE",
        "DBA": aamva.format_date(ident.date_of_expiry, "USA"),
        "DCS": mrz_name_part(ident.surname).replace("<", " "),
        "DAC": mrz_name_part(given[0]).replace("<", " "),
        "DAD": mrz_name_part(" ".join(given[1:])).replace("<", " ") or "NONE",
        "DBD": aamva.format_date(ident.date_of_issue, "USA"),
        "DBB": aamva.format_date(ident.date_of_birth, "USA"),
        "DBC": {"M": "1", "F": "2"}.get(ident.sex, "9"),
        "DAY": ident.physical.get("eyes", "BRO"),
        "DAU": f"{int(ident.physical.get('height', '170 cm').split()[0]):03d} CM",
        "DAG": ident.address.get("street", ""), "DAI": ident.address.get("city", ""),
        "DAJ": t.state, "DAK": ident.address.get("postal", "00000") + "0000",
        "DAQ": ident.document_number, "DCF": f"{int(rng.integers(10**11, 10**12))}",
        "DCG": "USA", "DDE": "N", "DDF": "N", "DDG": "N",
    }
    return aamva.build(el, t.iin, version=int(rng.choice([8, 9, 10])))


def make_document(t: Template, seed: int, portraits: PortraitSource | None = None, scale: float = 12.0,
                  today: date | None = None, mrz_layout: str | None = None,
                  front_overrides: dict[str, str] | None = None) -> SyntheticDocument:
    """A genuine document of template `t`; `seed` fixes the identity, portrait and print noise.
    `mrz_layout` draws a national MRZ layout instead of the template's ICAO one ("FRA-ID", TD2);
    `front_overrides` prints other text for some front values (an empty text leaves the place blank,
    for a value to be drawn there by other means; the fields keep the text printed)."""
    rng = np.random.default_rng(seed)
    pattern = "LDDDDDDD" if t.kind == "DL" else t.number_pattern
    ident = random_identity(rng, pattern, country=t.issuer, today=today)
    pid, face = (portraits or DrawnPortraits()).sample(rng)
    if mrz_layout is not None:  # the card's own number is printed and encoded
        from openidv.documents.synth.national import national_mrz

        ident, mrz = national_mrz(t.kind, ident, mrz_layout, seed)
    else:
        mrz = mrz_for(t, ident) if t.kind != "DL" else []
    payload = aamva_payload_for(t, ident, rng) if t.kind == "DL" else None
    front = render_side(t, ident, face, "front", rng, scale, mrz_lines=mrz or None, viz_overrides=front_overrides)
    back: Rendered | None = None
    if t.kind == "TD1":
        back = render_side(t, ident, None, "back", rng, scale, mrz_lines=mrz)
    elif t.kind == "DL" and payload is not None:
        back = render_side(t, ident, None, "back", rng, scale, barcode=pdf417_image(payload))
        back.barcode_text = payload
    return SyntheticDocument(t, ident, pid, front, back, mrz, payload, mrz_layout=mrz_layout)
