"""Plugin registration of this capability: its checks, routes and commands.

Lifecycle of a face template: ``face_quality`` embeds the selfie; when the session is approved,
:meth:`FacePlugin.on_decision` writes the template as a ``face_template`` signal (value sealed
with AES-GCM by the store, attrs = embedder version and blinded identity keys, never personal
data in clear) and adds it to the in-memory gallery. :meth:`FacePlugin.setup` rebuilds the gallery
and the watch list from the store at start; :meth:`FacePlugin.on_erase` removes an erased
session's templates from both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from openidv.plugins.base import BasePlugin

if TYPE_CHECKING:
    import typer

    from openidv.checks.base import Check, Environment
    from openidv.domain import Decision, Session
    from openidv.face.gallery import FaceGallery
    from openidv.store.signals import Signal, SignalStore, SignalWriter

log = logging.getLogger(__name__)
TEMPLATE_KIND = "face_template"
WATCHLIST_KIND = "face_watchlist"


def model_key() -> str:
    from openidv.face.embedding import default_embedder

    e = default_embedder()
    return f"{e.name}@{e.version}"


def load_gallery(signals: SignalStore, kind: str) -> FaceGallery:
    """A gallery of every ``kind`` signal made by the current embedder version."""
    from openidv.face.embedding import default_embedder
    from openidv.face.gallery import FaceGallery, GalleryEntry

    emb = default_embedder()
    vectors: list[np.ndarray] = []
    entries: list[GalleryEntry] = []
    skipped = 0
    for sig in signals.iter_kind(kind):
        if sig.value is None or sig.attrs.get("model") != model_key() or len(sig.value) != 4 * emb.dim:
            skipped += 1
            continue
        vectors.append(np.frombuffer(sig.value, dtype=np.float32))
        keys = tuple(sig.attrs.get("identity_keys") or ())
        entries.append(GalleryEntry(sig.session_id, keys, {k: v for k, v in sig.attrs.items() if k == "label"}))
    gallery = FaceGallery(emb.dim, model_key())
    gallery.build(np.vstack(vectors) if vectors else np.zeros((0, emb.dim), np.float32), entries)
    if skipped:
        log.warning("%d %s signals skipped (other embedder version or no value)", skipped, kind)
    return gallery


def approved_selfie_embedding(session: Session, decision: Decision) -> np.ndarray | None:
    """The selfie embedding the face_quality check computed for this decision, if usable."""
    for result in decision.checks:
        if result.check == "face_quality":
            for a in result.artifacts.get("analyses") or []:
                if a.kind == "selfie" and a.embedding is not None:
                    return np.asarray(a.embedding, dtype=np.float32)
    return None


class FacePlugin(BasePlugin):
    name = "face"

    def checks(self) -> Sequence[Check]:
        from openidv.face.checks import (
            FaceDuplicateCheck,
            FaceMatchCheck,
            FaceQualityCheck,
            FaceSameSubjectCheck,
            FaceWatchlistCheck,
        )

        return (FaceQualityCheck(), FaceMatchCheck(), FaceSameSubjectCheck(), FaceDuplicateCheck(),
                FaceWatchlistCheck())

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        from openidv.face.cli import app

        return {"face": app}

    def reason_catalogue(self) -> Path | None:
        return Path(__file__).with_name("reason_codes.yaml")

    def setup(self, env: Environment) -> None:
        from openidv.face.checks import GALLERY_SERVICE, WATCHLIST_SERVICE

        if env.signals is None:
            return
        env.services[GALLERY_SERVICE] = load_gallery(env.signals, TEMPLATE_KIND)
        env.services[WATCHLIST_SERVICE] = load_gallery(env.signals, WATCHLIST_KIND)

    def on_decision(self, session: Session, decision: Decision, writer: SignalWriter, env: Environment) -> None:
        from openidv.domain import DecisionKind
        from openidv.face.checks import GALLERY_SERVICE
        from openidv.face.gallery import GalleryEntry
        from openidv.face.identity import identity_keys

        if decision.decision is not DecisionKind.APPROVE:
            return
        embedding = approved_selfie_embedding(session, decision)
        if embedding is None:
            return
        keys = identity_keys(session.applicant, writer.blind)
        attrs = {"model": model_key(), "identity_keys": list(keys), "capture": "selfie"}
        writer.put(TEMPLATE_KIND, model_key(), value=embedding.tobytes(), attrs=attrs)
        gallery = env.services.get(GALLERY_SERVICE)
        if gallery is not None:
            gallery.add(embedding, GalleryEntry(session.id, keys))

    def on_erase(self, session_id: str, env: Environment, signals: Sequence[Signal] = ()) -> None:
        from openidv.face.checks import GALLERY_SERVICE, WATCHLIST_SERVICE

        for service in (GALLERY_SERVICE, WATCHLIST_SERVICE):
            gallery = env.services.get(service)
            if gallery is not None:
                gallery.remove_session(session_id)


plugin = FacePlugin()
