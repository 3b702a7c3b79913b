"""Challenges: random, expiring, single-use, bound to their session; stored in memory or as signals."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from openidv.liveness.challenge import (
    PALETTE,
    Challenge,
    ChallengeError,
    MemoryChallengeStore,
    SignalChallengeStore,
    issue_challenge,
)


def test_issued_challenges_are_random_and_well_formed() -> None:
    seen = set()
    for i in range(50):
        ch = issue_challenge("s", n_colours=5, rng=random.Random(i))
        assert len(ch.colours) == 5 and set(ch.colours) <= set(PALETTE)
        assert all(a != b for a, b in zip(ch.colours, ch.colours[1:], strict=False))
        assert ch.expires_at > ch.issued_at
        seen.add(ch.colours)
    assert len(seen) == 50
    assert len({issue_challenge("s").id for _ in range(20)}) == 20  # system randomness by default


def test_schedule_and_client_view() -> None:
    ch = issue_challenge("s", n_colours=3, rng=random.Random(1))
    sched = ch.schedule()
    assert [c for c, _, _ in sched] == list(ch.colours)
    assert sched[0][1] == ch.baseline_ms and sched[-1][2] == ch.action_start_ms
    view = ch.to_client()
    assert view["challenge_id"] == ch.id and [c["name"] for c in view["colours"]] == list(ch.colours)
    assert Challenge.from_json(ch.to_json()) == ch


def test_memory_store_single_use_and_expiry() -> None:
    store = MemoryChallengeStore()
    ch = issue_challenge("s1", rng=random.Random(2))
    store.save(ch)
    with pytest.raises(ChallengeError, match="unknown"):
        store.consume("nope", "s1", "d")
    with pytest.raises(ChallengeError, match="another_session"):
        store.consume(ch.id, "s2", "d")
    with pytest.raises(ChallengeError, match="expired"):
        store.consume(ch.id, "s1", "d", now=ch.expires_at + timedelta(seconds=1))
    assert store.consume(ch.id, "s1", "digest-a") == ch
    assert store.consume(ch.id, "s1", "digest-a") == ch  # the same frames again (a retried pipeline)
    with pytest.raises(ChallengeError, match="already_used"):
        store.consume(ch.id, "s1", "digest-b")


@pytest.fixture
def stored(settings) -> Iterator[tuple[SignalChallengeStore, str]]:  # type: ignore[no-untyped-def]
    """A challenge store on a real signal store, and one session in it."""
    from openidv.domain import Session
    from openidv.runtime import Runtime

    rt = Runtime.build(settings, plugins=[])
    try:
        assert rt.repo is not None and rt.env.signals is not None
        session = Session()
        rt.repo.create_session(session, actor="test")
        yield SignalChallengeStore(rt.env.signals), session.id
    finally:
        rt.close()


def test_signal_store_single_use(stored: tuple[SignalChallengeStore, str]) -> None:
    store, sid = stored
    ch = issue_challenge(sid, rng=random.Random(3))
    store.save(ch)
    assert store.consume(ch.id, sid, "a").colours == ch.colours
    assert store.consume(ch.id, sid, "a").id == ch.id
    with pytest.raises(ChallengeError, match="already_used"):
        store.consume(ch.id, sid, "b")
    with pytest.raises(ChallengeError, match="unknown"):
        store.consume("0" * 32, sid, "a")


class SlowReads:
    """The signal store with slow reads: every reader has read before any writer writes, the
    worst interleaving for a read-then-write single-use check (which let all of them through)."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def find(self, *args: object, **kwargs: object) -> object:
        import time

        found = self._inner.find(*args, **kwargs)  # type: ignore[attr-defined]
        time.sleep(0.05)
        return found


def test_signal_store_single_use_is_atomic_under_concurrency(settings) -> None:  # type: ignore[no-untyped-def]
    """Many simultaneous submissions of different frames for one challenge: exactly one wins."""
    from concurrent.futures import ThreadPoolExecutor

    from openidv.domain import Session
    from openidv.runtime import Runtime

    rt = Runtime.build(settings, plugins=[])
    try:
        assert rt.repo is not None and rt.env.signals is not None
        session = Session()
        rt.repo.create_session(session, actor="test")
        store = SignalChallengeStore(SlowReads(rt.env.signals))
        ch = issue_challenge(session.id, rng=random.Random(4))
        store.save(ch)

        def attempt(i: int) -> str:
            try:
                store.consume(ch.id, session.id, f"digest-{i}")
                return "won"
            except ChallengeError as exc:
                return exc.reason

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(attempt, range(16)))
        assert results.count("won") == 1
        assert set(results) == {"won", "challenge_already_used"}
    finally:
        rt.close()


def test_only_a_sessions_newest_challenge_can_be_answered(stored: tuple[SignalChallengeStore, str]) -> None:
    """Collecting challenges and answering whichever suits a recording is not possible."""
    memory = MemoryChallengeStore()
    old, new = issue_challenge("s1", rng=random.Random(5)), issue_challenge("s1", rng=random.Random(6))
    memory.save(old)
    memory.save(new)
    with pytest.raises(ChallengeError, match="superseded"):
        memory.consume(old.id, "s1", "d")
    assert memory.consume(new.id, "s1", "d") == new and memory.issued_for("s1") and not memory.issued_for("s2")
    store, sid = stored
    assert not store.issued_for(sid)
    first, second = issue_challenge(sid, rng=random.Random(7)), issue_challenge(sid, rng=random.Random(8))
    store.save(first)
    store.save(second)
    with pytest.raises(ChallengeError, match="superseded"):
        store.consume(first.id, sid, "d")
    assert store.consume(second.id, sid, "d").id == second.id and store.issued_for(sid)


def test_challenges_issued_at_once_leave_one_open(stored: tuple[SignalChallengeStore, str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from openidv.liveness.challenge import OPEN_KIND

    store, sid = stored
    issued = [issue_challenge(sid, rng=random.Random(20 + i)) for i in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(store.save, issued))
    open_ids = [c.id for c in issued if store.signals.find(OPEN_KIND, c.id, limit=1)]
    assert len(open_ids) == 1
