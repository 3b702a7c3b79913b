"""The pipeline: runs every applicable check once, in dependency order, in parallel where it can.

Failure isolation is the point of this module. A check that raises, returns garbage or runs past
its timeout becomes a result with outcome ``error`` (reason CHECK_ERROR or CHECK_TIMEOUT); the
decision engine turns that into at least ``review``. Nothing a check does can make the pipeline
itself fail or make a session pass silently.

Timeouts stop the pipeline waiting, not the check's thread (Python cannot kill a thread): a runaway
check keeps its worker until it returns, which is why the pool has spare workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from openidv.checks.base import Check, CheckContext, Environment
from openidv.domain import CheckResult, Decision, Outcome, Session
from openidv.errors import ConfigError
from openidv.pipeline.dag import topological_order
from openidv.policy.engine import EffectivePolicy, PolicyEngine
from openidv.policy.thresholds import ThresholdView

log = logging.getLogger(__name__)


@dataclass
class PipelineRun:
    """Results of one run, keyed by check name, with the policy they were run under."""

    results: dict[str, CheckResult]
    policy: EffectivePolicy
    thresholds: ThresholdView


class Pipeline:
    def __init__(self, checks: Sequence[Check], engine: PolicyEngine, env: Environment) -> None:
        names = [c.name for c in checks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ConfigError(f"checks registered twice: {dupes}")
        self.checks = {c.name: c for c in checks}
        self.order = topological_order({c.name: self._edges(c) for c in checks})
        self.engine = engine
        self.env = env
        self._pool = ThreadPoolExecutor(
            max_workers=max(2, env.settings.pipeline_workers), thread_name_prefix="openidv-check"
        )

    def _edges(self, check: Check) -> tuple[str, ...]:
        """Hard dependencies, plus the soft (`after`) ones that are installed."""
        soft = tuple(n for n in getattr(check, "after", ()) if n in self.checks)
        return tuple(check.requires) + soft

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def verify(self, session: Session) -> Decision:
        run = self.run(session)
        return self.engine.decide(session, run.results, run.policy, run.thresholds)

    def run(self, session: Session) -> PipelineRun:
        policy = self.engine.resolve(session.country, session.flow.value)
        thresholds = self.engine.thresholds.view(policy.threshold_sets)
        results: dict[str, CheckResult] = {}
        running: dict[Future[CheckResult], tuple[str, float, float]] = {}
        pending = list(self.order)

        while pending or running:
            for name in list(pending):
                check = self.checks[name]
                if any(dep not in results for dep in self._edges(check)):
                    continue
                pending.remove(name)
                skip = self._skip_reason(check, session, results)
                if skip is not None:
                    results[name] = skip
                    continue
                ctx = CheckContext(session, dict(results), thresholds, self.env, policy.params)
                timeout = check.timeout_s or self.env.settings.default_check_timeout_s
                running[self._pool.submit(_timed_run, check, ctx)] = (name, time.perf_counter(), timeout)
            if not running:
                continue
            now = time.perf_counter()
            nearest = min(start + limit for _, start, limit in running.values()) - now
            done, _ = wait(list(running), timeout=max(nearest, 0.0), return_when=FIRST_COMPLETED)
            for fut in done:
                name, start, _ = running.pop(fut)
                results[name] = self._collect(self.checks[name], fut, start)
            now = time.perf_counter()
            for fut, (name, start, limit) in list(running.items()):
                if now - start >= limit:
                    running.pop(fut)
                    fut.cancel()
                    log.warning("check %s timed out after %.1fs", name, limit)
                    results[name] = _error(
                        self.checks[name], "CHECK_TIMEOUT", f"timed out after {limit:g}s", now - start
                    )
        return PipelineRun({n: results[n] for n in self.order}, policy, thresholds)

    @staticmethod
    def _skip_reason(check: Check, session: Session, results: dict[str, CheckResult]) -> CheckResult | None:
        blocked = [
            d for d in check.requires if results[d].outcome in (Outcome.FAIL, Outcome.ERROR, Outcome.NOT_APPLICABLE)
        ]
        if blocked and not check.run_if_upstream_failed:
            return CheckResult(
                check=check.name,
                version=check.version,
                outcome=Outcome.NOT_APPLICABLE,
                evidence={"skipped": "upstream check did not pass", "upstream": blocked},
            )
        try:
            applies = check.applies(session)
        except Exception as exc:
            return _error(check, "CHECK_ERROR", f"applies() raised {type(exc).__name__}: {exc}", 0.0)
        if not applies:
            return CheckResult(
                check=check.name,
                version=check.version,
                outcome=Outcome.NOT_APPLICABLE,
                evidence={"skipped": "nothing in the session for this check"},
            )
        return None

    @staticmethod
    def _collect(check: Check, fut: Future[CheckResult], start: float) -> CheckResult:
        elapsed = time.perf_counter() - start
        try:
            result = fut.result()
        except Exception as exc:
            log.exception("check %s raised", check.name)
            return _error(check, "CHECK_ERROR", f"{type(exc).__name__}: {exc}", elapsed)
        if not isinstance(result, CheckResult):
            return _error(check, "CHECK_ERROR", f"returned {type(result).__name__}, not CheckResult", elapsed)
        if result.score is not None and not 0.0 <= result.score <= 1.0:
            return _error(check, "CHECK_ERROR", f"score {result.score!r} outside [0, 1]", elapsed)
        return result.model_copy(update={"check": check.name, "version": check.version, "latency_ms": elapsed * 1e3})


def _timed_run(check: Check, ctx: CheckContext) -> CheckResult:
    return check.run(ctx)


def _error(check: Check, code: str, message: str, elapsed_s: float) -> CheckResult:
    return CheckResult(
        check=check.name,
        version=check.version,
        outcome=Outcome.ERROR,
        reason_codes=[code],
        error=message[:500],
        latency_ms=elapsed_s * 1e3,
    )
