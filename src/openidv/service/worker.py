"""A daemon thread with a stop event: the shape every background worker of the service shares."""

from __future__ import annotations

import threading


class BackgroundWorker:
    """Subclasses implement :meth:`_loop`, which runs until ``self._stop`` is set."""

    thread_name = "openidv-worker"
    join_timeout_s = 5.0

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.join_timeout_s)

    def _loop(self) -> None:
        raise NotImplementedError
