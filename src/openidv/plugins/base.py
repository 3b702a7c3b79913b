"""The plugin contract.

A capability ships one object satisfying :class:`Plugin` and names it in its package metadata under
the ``openidv.plugins`` entry-point group::

    [project.entry-points."openidv.plugins"]
    face = "openidv.face.plugin:plugin"

The core discovers plugins when a pipeline, service or CLI is built (never at import), asks each for
its checks, HTTP routers and CLI commands, and calls its hooks after a decision and on erasure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from openidv.checks.base import Check, Environment
    from openidv.domain import Decision, Session
    from openidv.store.signals import Signal, SignalWriter


@runtime_checkable
class Plugin(Protocol):
    name: str

    def setup(self, env: Environment) -> None:
        """Build long-lived resources (load models, rebuild an index from the store) into env.services."""
        ...

    def checks(self) -> Sequence[Check]:
        """The checks this capability adds to the pipeline."""
        ...

    def routers(self) -> Sequence[APIRouter]:
        """Extra HTTP routes (mounted under /v1), e.g. a liveness challenge endpoint."""
        ...

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        """CLI commands to mount: name -> Typer group (``openidv eval run``) or function (``openidv mrz``)."""
        ...

    def on_decision(self, session: Session, decision: Decision, writer: SignalWriter, env: Environment) -> None:
        """Called inside the transaction that stores the decision (e.g. enrol an approved face)."""
        ...

    def on_erase(self, session_id: str, env: Environment, signals: Sequence[Signal] = ()) -> None:
        """Forget state kept outside the store (memory, Redis) derived from a session being erased.
        The store rows are already gone; `signals` are the session's signal rows as they were just
        before (kind, key, attrs, value), so the plugin can tell what to forget."""
        ...

    def retention(self, env: Environment) -> int:
        """Delete what this capability keeps past its retention period; returns the rows deleted.
        The service calls it at start-up and every ``retention_interval_s``."""
        ...

    def reason_catalogue(self) -> Path | None:
        """A YAML file of extra reason codes (same format as the core catalogue), if any."""
        ...


class BasePlugin:
    """Defaults that do nothing; subclasses override what they need."""

    name: str = ""

    def setup(self, env: Environment) -> None:
        return None

    def checks(self) -> Sequence[Check]:
        return ()

    def routers(self) -> Sequence[APIRouter]:
        return ()

    def commands(self) -> Mapping[str, typer.Typer | Callable[..., Any]]:
        return {}

    def on_decision(self, session: Session, decision: Decision, writer: SignalWriter, env: Environment) -> None:
        return None

    def on_erase(self, session_id: str, env: Environment, signals: Sequence[Signal] = ()) -> None:
        return None

    def retention(self, env: Environment) -> int:
        return 0

    def reason_catalogue(self) -> Path | None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "checks": [c.name for c in self.checks()]}
