"""The contract every check implements.

A check answers one question about a session (is this image usable? does the MRZ hold? is the
selfie the document holder?). It declares which checks must run before it (``requires``), runs
inside the pipeline with a timeout, and returns a :class:`CheckResult`. A check never decides the
session: the policy engine does, from all results together.

Writing a check::

    class GlareCheck(BaseCheck):
        name = "document_glare"
        version = "1.0.0"
        requires = ("image_usability",)
        reason_codes = ("IMAGE_GLARE",)
        score_meaning = "1 - glare fraction of the document area"

        def applies(self, session): return bool(session.captures_of(CaptureKind.DOCUMENT_FRONT))

        def run(self, ctx):
            ...
            return self.result(Outcome.PASS, score=0.97, evidence={"glare_fraction": 0.03})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from openidv.config import Settings
from openidv.domain import CheckResult, Outcome, Session

if TYPE_CHECKING:
    from openidv.policy.thresholds import ThresholdView
    from openidv.store.signals import SignalStore


@dataclass
class Environment:
    """Long-lived resources a check may use; built once per process, shared read-only.

    ``signals`` is None when the library runs without a database (``openidv verify``); checks
    that need history (1:N search, velocity) then report ``not_applicable`` with a reason.
    ``services`` holds plugin-built objects (a face gallery, a loaded model) keyed by name.
    """

    settings: Settings
    signals: SignalStore | None = None
    services: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckContext:
    """Everything one check run sees: the session, its upstream results and its thresholds."""

    session: Session
    upstream: Mapping[str, CheckResult]
    thresholds: ThresholdView
    env: Environment
    params: Mapping[str, Any] = field(default_factory=dict)  # the effective policy's `params`


@runtime_checkable
class Check(Protocol):
    """Structural type of a check; :class:`BaseCheck` is the convenient base class."""

    # Read-only members, so that subclasses may narrow them (a ClassVar tuple of 3 codes, say).
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def requires(self) -> tuple[str, ...]: ...
    @property
    def after(self) -> tuple[str, ...]: ...
    @property
    def timeout_s(self) -> float | None: ...
    @property
    def reason_codes(self) -> tuple[str, ...]: ...
    @property
    def score_meaning(self) -> str: ...
    @property
    def run_if_upstream_failed(self) -> bool: ...

    def applies(self, session: Session) -> bool:
        """Whether the session has anything for this check (else: not_applicable)."""
        ...

    def run(self, ctx: CheckContext) -> CheckResult:
        """Do the work. Raising is allowed: the pipeline turns it into outcome ``error``."""
        ...


class BaseCheck:
    """Base class with defaults and a result builder. Subclasses set the class attributes."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0.0.0"
    requires: ClassVar[tuple[str, ...]] = ()
    # Ordering-only dependencies: run after these checks when they are installed and let them
    # be seen in ctx.upstream, but never skip because they failed, did not apply or are absent
    # (e.g. face matching uses a document portrait when the documents capability provides one).
    after: ClassVar[tuple[str, ...]] = ()
    timeout_s: ClassVar[float | None] = None  # None: the settings' default
    reason_codes: ClassVar[tuple[str, ...]] = ()  # every code this check may emit (catalogue-tested)
    score_meaning: ClassVar[str] = "no score"
    run_if_upstream_failed: ClassVar[bool] = False

    def applies(self, session: Session) -> bool:
        return True

    def run(self, ctx: CheckContext) -> CheckResult:
        raise NotImplementedError

    def result(
        self,
        outcome: Outcome,
        *,
        score: float | None = None,
        reason_codes: list[str] | tuple[str, ...] = (),
        evidence: dict[str, Any] | None = None,
    ) -> CheckResult:
        """Build a result stamped with this check's name and version."""
        return CheckResult(
            check=self.name,
            version=self.version,
            outcome=outcome,
            score=None if score is None else float(score),
            reason_codes=list(reason_codes),
            evidence=evidence or {},
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, version={self.version!r})"
