"""Retention passes while the service runs.

Retention used to run once at start-up, so a service that stayed up kept capture bytes and stored
strokes past their periods until its next restart. The worker runs :meth:`Runtime.retention` at
start and then every ``retention_interval_s``, on its own thread; each pass deletes in small
transactions (see :meth:`SignalStore.purge`), so requests are never held up for long.
"""

from __future__ import annotations

import logging

from openidv.runtime import Runtime
from openidv.service.worker import BackgroundWorker

log = logging.getLogger(__name__)


class RetentionWorker(BackgroundWorker):
    thread_name = "openidv-retention"
    join_timeout_s = 10.0

    def __init__(self, runtime: Runtime, interval_s: float) -> None:
        self.runtime = runtime
        self.interval_s = interval_s
        self.passes = 0
        super().__init__()

    def run_once(self) -> dict[str, int]:
        done = self.runtime.retention()
        self.passes += 1
        if any(done.values()):
            log.info("retention pass: %s", done)
        return done

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("retention pass failed")
            self._stop.wait(self.interval_s)
