"""Liveness attempts are limited per session, per device and per applicant (RateLimited -> HTTP 429)."""

from __future__ import annotations

import pytest

from openidv.checks.base import Environment
from openidv.config import Settings
from openidv.errors import RateLimited
from openidv.liveness.ratelimit import LivenessLimits, MemoryCounter, enforce


def test_memory_counter_slides() -> None:
    c = MemoryCounter()
    assert [c.count_and_add("k", 10, now=t) for t in (0, 1, 2)] == [0, 1, 2]
    assert c.count_and_add("k", 10, now=11.5) == 1  # the first two left the window


def test_limits_per_device_and_applicant(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = Environment(settings=Settings(home=tmp_path))
    limits = LivenessLimits(max_attempts_per_device=3, max_attempts_per_applicant=2)
    enforce(env, "s1", "dev-1", "alice", limits)
    enforce(env, "s2", "dev-1", "alice", limits)
    with pytest.raises(RateLimited) as info:
        enforce(env, "s3", "dev-2", "alice", limits)
    assert info.value.status == 429
    enforce(env, "s4", "dev-1", "bob", limits)
    with pytest.raises(RateLimited):
        enforce(env, "s5", "dev-1", "carol", limits)


def test_a_refused_attempt_counts_against_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The applicant is over their limit: the refusal must not use up the device's attempts."""
    env = Environment(settings=Settings(home=tmp_path))
    limits = LivenessLimits(max_attempts_per_device=2, max_attempts_per_applicant=1)
    enforce(env, "s1", "dev-a", "alice", limits)
    for i in range(5):
        with pytest.raises(RateLimited):
            enforce(env, f"r{i}", "dev-b", "alice", limits)
    enforce(env, "s2", "dev-b", "bob", limits)  # dev-b has used one attempt, not six
    enforce(env, "s3", "dev-b", "carol", limits)
    with pytest.raises(RateLimited):
        enforce(env, "s4", "dev-b", "dave", limits)


def test_a_refused_attempt_counts_against_nothing_with_a_database(settings) -> None:  # type: ignore[no-untyped-def]
    from openidv.domain import Session
    from openidv.runtime import Runtime

    rt = Runtime.build(settings, plugins=[])
    try:
        assert rt.repo is not None
        ids = []
        for _ in range(6):
            s = Session()
            rt.repo.create_session(s, actor="test")
            ids.append(s.id)
        limits = LivenessLimits(max_attempts_per_device=2, max_attempts_per_applicant=1)
        enforce(rt.env, ids[0], "dev-a", "alice", limits)
        for i in (1, 2):
            with pytest.raises(RateLimited):
                enforce(rt.env, ids[i], "dev-b", "alice", limits)
        enforce(rt.env, ids[3], "dev-b", "bob", limits)
        enforce(rt.env, ids[4], "dev-b", "carol", limits)
        with pytest.raises(RateLimited):
            enforce(rt.env, ids[5], "dev-b", "dave", limits)
    finally:
        rt.close()


def test_a_session_has_its_own_limit_whatever_device_the_caller_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without an applicant, a caller rotating device ids would otherwise never be limited."""
    env = Environment(settings=Settings(home=tmp_path))
    limits = LivenessLimits(max_attempts_per_session=3)
    for i in range(3):
        enforce(env, "s1", f"dev-{i}", None, limits)
    with pytest.raises(RateLimited, match="session"):
        enforce(env, "s1", "dev-99", None, limits)
    with pytest.raises(RateLimited, match="session"):
        enforce(env, "s1", None, None, limits)
    enforce(env, "s2", "dev-99", None, limits)  # another session is not affected


def test_limits_are_counted_atomically_and_kept_per_client(settings) -> None:  # type: ignore[no-untyped-def]
    """A burst of concurrent challenges cannot all read "under the limit"; one client's attempts for an
    applicant neither block another client nor tell it the applicant was seen (audit, stop 32)."""
    from concurrent.futures import ThreadPoolExecutor

    from openidv.domain import Session
    from openidv.runtime import Runtime

    rt = Runtime.build(settings, plugins=[])
    try:
        assert rt.repo is not None
        s = Session()
        rt.repo.create_session(s, actor="test")
        limits = LivenessLimits(max_attempts_per_session=5)

        def attempt(i: int) -> bool:
            try:
                enforce(rt.env, s.id, f"dev-{i}", None, limits, tenant="client-a")
                return True
            except RateLimited:
                return False

        with ThreadPoolExecutor(max_workers=6) as pool:
            admitted = sum(pool.map(attempt, range(12)))
        assert admitted == 5
        per_applicant = LivenessLimits(max_attempts_per_applicant=2)
        others = []
        for _ in range(3):
            o = Session()
            rt.repo.create_session(o, actor="test")
            others.append(o.id)
        enforce(rt.env, others[0], None, "victim", per_applicant, tenant="client-a")
        enforce(rt.env, others[1], None, "victim", per_applicant, tenant="client-a")
        with pytest.raises(RateLimited, match="applicant"):
            enforce(rt.env, others[2], None, "victim", per_applicant, tenant="client-a")
        enforce(rt.env, others[2], None, "victim", per_applicant, tenant="client-b")  # another client: its own count
    finally:
        rt.close()
