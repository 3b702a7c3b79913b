"""Blinded keys of a declared identity, to tell a returning person from a duplicate identity.

A face found in the gallery is only a *duplicate identity* when the person now declares different
data from the enrolled one. The comparison uses keyed HMACs (``SignalStore.blind``), never the
data in clear: one key for name + date of birth, one for the document (issuing country + number).
Two identities are the same when any key is equal; with no declared data there is no key and a
face hit is treated as a different identity (a reviewer decides).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from anyascii import anyascii

from openidv.domain import Applicant


def _norm(text: str | None) -> str:
    if not text:
        return ""
    return re.sub(r"[^A-Z0-9]+", " ", anyascii(text).upper()).strip()


def identity_keys(applicant: Applicant, blind: Callable[[str], str]) -> tuple[str, ...]:
    keys = []
    name = " ".join(p for p in (_norm(applicant.surname), _norm(applicant.given_names)) if p)
    if name and applicant.date_of_birth:
        keys.append("name_dob:" + blind(f"{name}|{applicant.date_of_birth.isoformat()}"))
    doc = _norm(applicant.document_number).replace(" ", "")
    if doc:
        keys.append("document:" + blind(f"{_norm(applicant.issuing_country)}|{doc}"))
    return tuple(keys)


def same_identity(a: tuple[str, ...] | list[str], b: tuple[str, ...] | list[str]) -> bool:
    return bool(set(a) & set(b))
