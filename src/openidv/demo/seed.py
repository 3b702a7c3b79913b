"""Seed a small synthetic demo cohort so a fresh install has something to look at.

Sessions go through the real pipeline and store (exactly what the API does). Documents are
generated passports (documents capability) carrying a real sample photograph that ships with
matplotlib; the cases cycle through a consistent applicant, a blurry document photo, declared data
that differ from the document, and a selfie of someone else, so the decisions and the review queue
show different reasons.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image
from rich.progress import track

from openidv.config import Settings, get_settings
from openidv.demo import synthetic as syn
from openidv.demo.synthetic import RGB
from openidv.domain import Applicant, CaptureKind, CaptureMetadata, Flow, Session
from openidv.imaging.decode import decode_image, encode_jpeg
from openidv.runtime import Runtime, decode_limits
from openidv.store.apikeys import ApiKeys

NAMES = [
    ("ERIKSSON", "ANNA MARIA"),
    ("NAKAMURA", "KENJI"),
    ("OKAFOR", "CHIAMAKA"),
    ("MULLER", "JONAS"),
    ("GARCIA LOPEZ", "LUCIA"),
    ("SINGH", "ARJUN"),
    ("DUBOIS", "CAMILLE"),
    ("KOWALSKI", "PIOTR"),
]
KEYS_FILE = "demo-keys.json"


@dataclass
class DemoCase:
    """One seeded applicant: declared data and the two photos, and what the case shows."""

    applicant: Applicant
    captures: list[tuple[CaptureKind, bytes]]
    note: str


def sample_face() -> RGB:
    """A real photograph that ships with matplotlib (Grace Hopper), so the demo runs face
    detection, matching and liveness on a real face without any data download."""
    import matplotlib.cbook as cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(str(path)) as img:
        return np.asarray(img.convert("RGB"), dtype=np.uint8)


class _SamplePortraits:
    """The sample photograph as a document portrait source (documents.synth protocol)."""

    def __init__(self, face: RGB) -> None:
        self.face = face

    def sample(self, rng: np.random.Generator) -> tuple[str, RGB]:
        h, w = self.face.shape[:2]
        return "sample", np.ascontiguousarray(self.face[int(h * 0.02) : int(h * 0.95), int(w * 0.1) : int(w * 0.9)])


def _generated_passport(i: int, face: RGB) -> tuple[RGB, Applicant] | None:
    """A generated TD3 passport photo (documents capability) carrying the sample face, and the
    identity printed on it; None when the documents capability is not installed."""
    try:
        from openidv.documents.synth.dataset import make_sample
    except ImportError:
        return None
    sample = make_sample("TD3", "train", 100 + i, portraits=_SamplePortraits(face), side="front", condition="desk")
    ident = sample.doc.identity
    applicant = Applicant(
        surname=ident.surname,
        given_names=ident.given_names,
        date_of_birth=ident.date_of_birth,
        document_number=ident.document_number,
        nationality=ident.nationality,
        document_type="passport",
        issuing_country=sample.doc.template.issuer,
    )
    return sample.image, applicant


def demo_case(rng: np.random.Generator, i: int, face: RGB) -> DemoCase:
    """Cases cycle through: consistent applicant; blurry document photo; declared surname that
    differs from the document; a selfie of someone else (a drawn stand-in). There is one sample
    photograph, so from the second case on its selfie is a capture seen before, which the
    liveness capability reports as REPLAYED_CAPTURE: the demo shows fraud signals, not approvals."""
    generated = _generated_passport(i, face)
    if generated is None:
        surname, given = NAMES[i % len(NAMES)]
        card = syn.draw_id_card(
            rng, syn.CardText(surname, given, f"D{i:08d}", "1990-04-12", "2031-01-01", "UTO"), width=1200, face=face
        )
        doc, applicant = syn.place_on_background(rng, card), Applicant(surname=surname, given_names=given)
    else:
        doc, applicant = generated
    selfie, note = syn.natural_variation(rng, face), "consistent applicant"
    if i % 4 == 1:
        doc, note = syn.blur(doc, 6.0), "blurry document photo"
    elif i % 4 == 2:
        applicant = applicant.model_copy(update={"surname": NAMES[i % len(NAMES)][0]})
        note = "declared surname differs from the document"
    elif i % 4 == 3:
        selfie, note = syn.natural_variation(rng, syn.draw_face(rng, size=720)), "selfie of someone else"
    if i > 0 and i % 4 != 3:
        note += "; selfie seen in an earlier session"
    captures = [(CaptureKind.DOCUMENT_FRONT, encode_jpeg(doc)), (CaptureKind.SELFIE, encode_jpeg(selfie))]
    return DemoCase(applicant, captures, note)


def _demo_keys(runtime: Runtime) -> dict[str, str]:
    assert runtime.db is not None
    path = runtime.settings.home / KEYS_FILE
    if path.exists():
        return dict(json.loads(path.read_text()))
    api = ApiKeys(runtime.db)
    keys = {scope: api.create(f"demo-{scope}", [scope])[0] for scope in ("client", "reviewer", "admin")}
    path.write_text(json.dumps(keys, indent=2))
    path.chmod(0o600)
    return keys


def seed_demo(n_sessions: int = 12, settings: Settings | None = None, seed: int = 7) -> dict[str, Any]:
    settings = settings or get_settings()
    runtime = Runtime.build(settings)
    assert runtime.repo is not None
    keys = _demo_keys(runtime)
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    limits = decode_limits(settings)
    face = sample_face()
    for i in track(range(n_sessions), description="seeding demo cohort"):
        case = demo_case(rng, i, face)
        session = Session(
            flow=list(Flow)[i % 3],
            country="GB",
            applicant=case.applicant,
            external_ref=f"demo-{i}: {case.note}",
        )
        runtime.repo.create_session(session, actor="demo")
        for kind, data in case.captures:
            runtime.repo.add_capture(
                session.id,
                kind,
                data,
                decode_image(data, limits),
                CaptureMetadata(source="demo"),
                "demo",
                settings.max_captures_per_session,
            )
        full = runtime.repo.load_session(session.id)
        decision = runtime.pipeline.verify(full)
        runtime.repo.record_decision(
            full,
            decision,
            actor="demo",
            scope_key=f"demo:{uuid.uuid4().hex}",
            request_hash="demo",
            hooks=runtime.decision_hooks(),
        )
        counts[decision.decision.value] = counts.get(decision.decision.value, 0) + 1
    runtime.close()
    return {
        "database": runtime.db.safe_url if runtime.db else None,
        "sessions_seeded": n_sessions,
        "decisions": counts,
        "api_keys": keys,
        "keys_file": str(settings.home / KEYS_FILE),
    }
