"""Retention passes: captures and each plugin's own data, on start and periodically; a failing
plugin is skipped, not fatal."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from openidv.plugins.base import BasePlugin


class _Failing(BasePlugin):
    name = "failing"

    def retention(self, env):  # type: ignore[no-untyped-def]
        raise RuntimeError("store busy")


def test_a_retention_pass_drops_old_strokes_and_survives_a_failing_plugin(settings) -> None:  # type: ignore[no-untyped-def]
    from openidv.behavior.replay import record, stroke_descriptors
    from openidv.domain import Session
    from openidv.plugins import load_plugins
    from openidv.runtime import Runtime
    from openidv.service.retention import RetentionWorker
    from openidv.store.models import SignalRow
    from openidv.store.signals import SignalWriter

    from ..behavior.conftest import bot

    runtime = Runtime.build(settings, plugins=[_Failing(), *load_plugins(["behavior"])])
    assert runtime.db is not None and runtime.repo is not None and runtime.keys is not None
    s = Session()
    runtime.repo.create_session(s, actor="test")
    with runtime.db.transaction() as orm:
        n = record(SignalWriter(orm, runtime.keys, s.id), stroke_descriptors(bot("replay", 3)))
    worker = RetentionWorker(runtime, 3600)
    assert worker.run_once() == {"captures": 0, "behavior": 0}  # nothing old yet; the failing plugin skipped
    with runtime.db.transaction() as orm:
        old = datetime.now(UTC) - timedelta(days=settings.stroke_retention_days + 1)
        orm.execute(update(SignalRow).values(created_at=old))
    assert worker.run_once() == {"captures": 0, "behavior": n}
    assert list(runtime.env.signals.iter_kind("behavior_stroke")) == []  # type: ignore[union-attr]
    worker.start()  # the thread runs a first pass at once
    deadline = time.monotonic() + 10
    while worker.passes < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert worker.passes == 3
    runtime.close()


def test_liveness_keeps_attempts_challenges_and_capture_hashes_only_as_long_as_needed(settings) -> None:  # type: ignore[no-untyped-def]
    from openidv.domain import Session
    from openidv.plugins import load_plugins
    from openidv.runtime import Runtime
    from openidv.store.models import SignalRow
    from openidv.store.signals import SignalWriter

    runtime = Runtime.build(settings, plugins=load_plugins(["core", "liveness"]))
    assert runtime.db is not None and runtime.repo is not None and runtime.keys is not None
    s = Session()
    runtime.repo.create_session(s, actor="test")
    kinds = ["liveness_attempt", "liveness_challenge", "liveness_challenge_used", "liveness_phash"]
    with runtime.db.transaction() as orm:
        w = SignalWriter(orm, runtime.keys, s.id)
        for kind in kinds:
            w.put(kind, "old", value=b"x")
            w.put(kind, "new", value=b"x")
    now = datetime.now(UTC)
    ages = {"liveness_attempt": timedelta(hours=3), "liveness_challenge": timedelta(days=2),
            "liveness_challenge_used": timedelta(days=2),
            "liveness_phash": timedelta(days=settings.capture_hash_retention_days + 1)}
    with runtime.db.transaction() as orm:
        for kind, age in ages.items():
            orm.execute(update(SignalRow).where(SignalRow.kind == kind, SignalRow.key == "old")
                        .values(created_at=now - age))
    assert runtime.retention() == {"captures": 0, "core": 0, "liveness": 4}
    signals = runtime.env.signals
    assert signals is not None
    for kind in kinds:
        assert [x.key for x in signals.iter_kind(kind)] == ["new"]
    runtime.close()
