from __future__ import annotations

import threading
import time

import pytest

from openidv.checks.base import BaseCheck, CheckContext, Environment
from openidv.config import Settings
from openidv.domain import CheckResult, DecisionKind, Outcome, Session
from openidv.errors import ConfigError
from openidv.pipeline import Pipeline, topological_order
from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry


class Fixed(BaseCheck):
    def __init__(
        self,
        name: str,
        outcome: Outcome = Outcome.PASS,
        requires: tuple[str, ...] = (),
        sleep: float = 0.0,
        raise_: bool = False,
        score: float | None = 0.9,
    ) -> None:
        self.name = name  # type: ignore[misc]
        self.requires = requires  # type: ignore[misc]
        self._outcome, self._sleep, self._raise, self._score = outcome, sleep, raise_, score
        self.seen_upstream: list[str] = []

    def run(self, ctx: CheckContext) -> CheckResult:
        self.seen_upstream = sorted(ctx.upstream)
        if self._sleep:
            time.sleep(self._sleep)
        if self._raise:
            raise RuntimeError("boom")
        return self.result(self._outcome, score=self._score)


def make(checks, timeout: float = 5.0) -> Pipeline:
    settings = Settings(default_check_timeout_s=timeout, pipeline_workers=4)
    engine = PolicyEngine.from_file(None, ReasonCatalogue.load(), ThresholdRegistry.load())
    return Pipeline(checks, engine, Environment(settings=settings))


def test_topological_order_and_errors():
    assert topological_order({"c": ["a", "b"], "b": ["a"], "a": []}) == ["a", "b", "c"]
    with pytest.raises(ConfigError, match="cycle"):
        topological_order({"a": ["b"], "b": ["a"]})
    with pytest.raises(ConfigError, match="unknown"):
        topological_order({"a": ["zzz"]})


def test_dependencies_run_first_and_see_upstream():
    a, b = Fixed("image_usability"), Fixed("b", requires=("image_usability",))
    run = make([b, a]).run(Session())
    assert list(run.results) == ["image_usability", "b"]
    assert b.seen_upstream == ["image_usability"]
    assert all(r.latency_ms >= 0 for r in run.results.values())


def test_exception_becomes_error_and_review():
    p = make([Fixed("image_usability"), Fixed("boom", raise_=True)])
    decision = p.verify(Session())
    boom = next(c for c in decision.checks if c.check == "boom")
    assert boom.outcome is Outcome.ERROR and boom.reason_codes == ["CHECK_ERROR"]
    assert "RuntimeError" in (boom.error or "")
    assert decision.decision is DecisionKind.REVIEW


def test_timeout_becomes_error():
    p = make([Fixed("image_usability"), Fixed("slow", sleep=2.0)], timeout=0.2)
    start = time.perf_counter()
    run = p.run(Session())
    assert time.perf_counter() - start < 1.5
    assert run.results["slow"].outcome is Outcome.ERROR
    assert run.results["slow"].reason_codes == ["CHECK_TIMEOUT"]


def test_failed_upstream_skips_dependents():
    p = make([Fixed("image_usability", Outcome.FAIL), Fixed("b", requires=("image_usability",))])
    run = p.run(Session())
    assert run.results["b"].outcome is Outcome.NOT_APPLICABLE
    assert run.results["b"].evidence["upstream"] == ["image_usability"]


def test_bad_score_is_an_error():
    run = make([Fixed("image_usability", score=1.5)]).run(Session())
    assert run.results["image_usability"].outcome is Outcome.ERROR


def test_independent_checks_run_in_parallel():
    barrier = threading.Barrier(2, timeout=2)

    class Meet(Fixed):
        def run(self, ctx: CheckContext) -> CheckResult:
            barrier.wait()  # deadlocks (and times out) unless both run at once
            return self.result(Outcome.PASS, score=0.9)

    run = make([Meet("x"), Meet("y"), Fixed("image_usability")]).run(Session())
    assert run.results["x"].outcome is Outcome.PASS and run.results["y"].outcome is Outcome.PASS


def test_duplicate_names_refused():
    with pytest.raises(ConfigError):
        make([Fixed("a"), Fixed("a")])


def test_after_orders_without_gating_and_tolerates_absence():
    class Later(Fixed):
        after = ("maybe",)

    later = Later("later")
    run = make([Fixed("image_usability"), later, Fixed("maybe", Outcome.FAIL)]).run(Session())
    assert later.seen_upstream == ["image_usability", "maybe"]
    assert run.results["later"].outcome is Outcome.PASS  # a failed soft dependency does not skip it
    alone = make([Fixed("image_usability"), Later("later")]).run(Session())  # "maybe" not installed
    assert alone.results["later"].outcome is Outcome.PASS
