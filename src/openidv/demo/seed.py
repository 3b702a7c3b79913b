"""Seed a small synthetic demo cohort so a fresh install has something to look at.

Sessions go through the real pipeline and store (exactly what the API does), with a mix of clean
and degraded captures so the decisions and the review queue are not all the same.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import numpy as np
from rich.progress import track

from openidv.config import Settings, get_settings
from openidv.demo import synthetic as syn
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


def _captures(rng: np.random.Generator, i: int) -> list[tuple[CaptureKind, bytes]]:
    face = syn.draw_face(rng, size=640)
    surname, given = NAMES[i % len(NAMES)]
    card = syn.draw_id_card(
        rng, syn.CardText(surname, given, f"D{i:08d}", "1990-04-12", "2031-01-01", "UTO"), width=1200, face=face
    )
    doc = syn.natural_variation(rng, syn.place_on_background(rng, card))
    selfie = syn.natural_variation(rng, syn.draw_face(rng, size=720))
    if i % 4 == 3:  # every fourth applicant sends a blurry document photo
        doc = syn.blur(doc, 6.0)
    return [(CaptureKind.DOCUMENT_FRONT, encode_jpeg(doc)), (CaptureKind.SELFIE, encode_jpeg(selfie))]


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
    for i in track(range(n_sessions), description="seeding demo cohort"):
        surname, given = NAMES[i % len(NAMES)]
        session = Session(
            flow=list(Flow)[i % 3],
            country="GB",
            applicant=Applicant(surname=surname, given_names=given),
            external_ref=f"demo-{i}",
        )
        runtime.repo.create_session(session, actor="demo")
        for kind, data in _captures(rng, i):
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
