"""Assembles a working OpenIDV from settings: plugins, checks, policy, store, pipeline.

One :class:`Runtime` per process (the service builds it in its lifespan, the CLI per command).
Nothing here runs at import.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openidv import errors
from openidv.checks.base import Check, Environment
from openidv.config import Settings, get_settings
from openidv.domain import (
    Applicant,
    Capture,
    CaptureKind,
    CaptureMetadata,
    Decision,
    Flow,
    Session,
    Telemetry,
)
from openidv.imaging.decode import DecodeLimits, decode_image
from openidv.pipeline import Pipeline
from openidv.plugins import Plugin, load_plugins
from openidv.plugins.loader import installed_check_names
from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry
from openidv.store import audit
from openidv.store.crypto import KeyRing
from openidv.store.db import Database
from openidv.store.keys import keyring_from_settings
from openidv.store.repository import DecisionHook, SessionRepository
from openidv.store.signals import Signal, SignalStore, SignalWriter

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

log = logging.getLogger(__name__)


def decode_limits(settings: Settings) -> DecodeLimits:
    return DecodeLimits(
        max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels, min_side=settings.min_image_side
    )


@dataclass
class Runtime:
    settings: Settings
    plugins: list[Plugin]
    env: Environment
    engine: PolicyEngine
    pipeline: Pipeline
    db: Database | None = None
    keys: KeyRing | None = None
    repo: SessionRepository | None = None

    @classmethod
    def build(
        cls, settings: Settings | None = None, with_store: bool = True, plugins: list[Plugin] | None = None
    ) -> Runtime:
        settings = settings or get_settings()
        plugins = plugins if plugins is not None else load_plugins(settings.enabled_plugins)
        db = keys = repo = None
        signals = None
        if with_store:
            db = Database(settings.resolved_database_url())
            db.upgrade()
            keys = keyring_from_settings(settings)
            repo = SessionRepository(db, keys, decode_limits(settings))
            signals = SignalStore(db, keys)
        env = Environment(settings=settings, signals=signals)
        extra_catalogues = [p for p in (pl.reason_catalogue() for pl in plugins) if p is not None]
        catalogue = ReasonCatalogue.load(settings.reason_codes_file, extra=extra_catalogues)
        thresholds = ThresholdRegistry.load(settings.threshold_dirs)
        engine = PolicyEngine.from_file(settings.policy_file, catalogue, thresholds)
        for plugin in plugins:
            plugin.setup(env)
        checks = _collect_checks(plugins, settings.disabled_checks)
        undeclared = catalogue.missing(code for c in checks for code in c.reason_codes)
        if undeclared:
            raise errors.ConfigError(f"checks declare reason codes missing from the catalogue: {undeclared}")
        pipeline = Pipeline(checks, engine, env)
        waived = engine.waive_unloaded(c.name for c in checks)
        if waived:
            unknown = sorted(set(waived) - installed_check_names())
            if unknown:  # a typo or a renamed check must not quietly stop holding sessions back
                raise errors.ConfigError(f"the policy requires checks no installed plugin provides: {unknown}")
            log.warning("the policy requires checks this deployment does not run (enabled_plugins / "
                        "disabled_checks); those requirements are waived: %s", ", ".join(waived))
        return cls(settings, plugins, env, engine, pipeline, db, keys, repo)

    def decision_hooks(self) -> list[DecisionHook]:
        """Each plugin's on_decision, bound to this runtime's environment."""

        def bind(plugin: Plugin) -> DecisionHook:
            def hook(session: Session, decision: Decision, writer: SignalWriter) -> None:
                plugin.on_decision(session, decision, writer, self.env)

            return hook

        return [bind(p) for p in self.plugins]

    def retention(self) -> dict[str, int]:
        """One retention pass: capture bytes past ``capture_retention_days``, then each plugin's own
        (e.g. stored strokes). A plugin that fails is logged and skipped; the others still run."""
        done: dict[str, int] = {}
        if self.repo is not None:
            done["captures"] = self.repo.purge_expired_captures(self.settings.capture_retention_days)
        for plugin in self.plugins:
            try:
                done[plugin.name] = plugin.retention(self.env)
            except Exception:
                log.warning("retention pass of plugin %s failed; retried at the next pass", plugin.name, exc_info=True)
        purged = {name: n for name, n in done.items() if name != "captures" and n}
        if purged and self.repo is not None:  # what the plugins deleted is on the record too (counts only)
            with self.repo.db.transaction() as orm:
                audit.append(orm, actor="retention", action="retention.purge_plugins", entity="store",
                             entity_id="-", payload=purged)
        return done

    def erase(self, session_id: str, actor: str) -> dict[str, int]:
        """Right to erasure: the store's rows, then what each plugin keeps outside the store.

        The session's signal rows are read inside the erasure's transaction, after its lock (a
        decision cannot add rows in between), and handed to every plugin, which cannot find them once
        they are deleted. A plugin whose hook fails is logged at error level (the rows are gone
        and a second erasure answers 404: an operator restarts that process to drop its memory) and
        the others still run; ``plugin_hooks_failed`` counts them in the answer."""
        if self.repo is None:
            raise errors.ConfigError("erasure needs a store")
        signals: list[Signal] = []
        store = self.env.signals

        def collect(orm: OrmSession) -> None:
            if store is not None:
                signals.extend(store.for_erasure(session_id, orm))

        counts = self.repo.erase(session_id, actor, collect)
        failed = 0
        for plugin in self.plugins:
            try:
                plugin.on_erase(session_id, self.env, signals)
            except Exception:
                failed += 1
                log.error("erasure hook of plugin %s failed for session %s", plugin.name, session_id, exc_info=True)
        if failed:
            counts["plugin_hooks_failed"] = failed
            # the erasure's own entry was written before the hooks ran: the failures get one too
            with self.repo.db.transaction() as orm:
                audit.append(orm, actor=actor, action="session.erase_hooks_failed", entity="session",
                             entity_id=session_id, payload={"plugin_hooks_failed": failed})
        return counts

    def close(self) -> None:
        self.pipeline.close()
        if self.db is not None:
            self.db.dispose()


def _collect_checks(plugins: Sequence[Plugin], disabled: Sequence[str]) -> list[Check]:
    checks: list[Check] = []
    for plugin in plugins:
        checks.extend(c for c in plugin.checks() if c.name not in disabled)
    return checks


def session_from_files(
    settings: Settings,
    *,
    document_front: Path | None = None,
    document_back: Path | None = None,
    selfie: Path | None = None,
    portrait: Path | None = None,
    frames: Sequence[Path] = (),
    applicant: Path | None = None,
    telemetry: Path | None = None,
    country: str | None = None,
    flow: str = "signup",
) -> Session:
    """A session built from local files, each image validated exactly as an upload would be."""
    limits = decode_limits(settings)
    captures: list[Capture] = []
    named = [
        (CaptureKind.DOCUMENT_FRONT, document_front),
        (CaptureKind.DOCUMENT_BACK, document_back),
        (CaptureKind.SELFIE, selfie),
        (CaptureKind.PORTRAIT, portrait),
    ]
    items: list[tuple[CaptureKind, Path, CaptureMetadata]] = [
        (k, p, CaptureMetadata(source="file")) for k, p in named if p is not None
    ]
    items += [(CaptureKind.FRAME, p, CaptureMetadata(source="file", frame_index=i)) for i, p in enumerate(frames)]
    for kind, path, meta in items:
        data = path.read_bytes()
        decoded = decode_image(data, limits)
        captures.append(
            Capture(kind=kind, data=data, image=decoded.rgb, content_type=decoded.content_type, metadata=meta)
        )
    try:
        flow_value = Flow(flow)
    except ValueError:
        raise errors.ValidationFailed(f"flow must be one of {[f.value for f in Flow]}") from None
    return Session(
        flow=flow_value,
        country=country,
        applicant=Applicant.model_validate(_read_json(applicant)) if applicant else Applicant(),
        telemetry=Telemetry.model_validate(_read_json(telemetry)) if telemetry else None,
        captures=captures,
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.MalformedJSON(f"{path.name}: {exc}") from None
