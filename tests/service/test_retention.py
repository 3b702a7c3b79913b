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
