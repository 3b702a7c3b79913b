"""Movement replay: stroke descriptors, locality-sensitive keys, lookup through a real store, and
one recorded segment looped within a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from openidv.behavior.events import Pointer
from openidv.behavior.replay import (
    LSH_LABEL,
    distance,
    featureless,
    find_looped,
    find_replayed,
    record,
    stroke_descriptors,
    table_keys,
    timed_stroke_descriptors,
)

from .conftest import bot


def moved(p: Pointer, angle: float = 0.5, scale: float = 1.6, speed: float = 1.3, noise: float = 0.0,
          seed: int = 0) -> Pointer:
    """The same stream turned, scaled, moved and re-timed (how a replay bot re-fits a recording)."""
    rng = np.random.default_rng(seed)
    z = (p.x + 1j * p.y) * scale * np.exp(1j * angle) + (300 + 200j)
    dz = (p.down_x + 1j * p.down_y) * scale * np.exp(1j * angle) + (300 + 200j)
    return Pointer(p.t * speed, z.real + rng.normal(0, noise, z.size), z.imag + rng.normal(0, noise, z.size),
                   p.down_t * speed, dz.real, dz.imag, p.up_t * speed)


def test_descriptors_ignore_where_how_large_which_way_and_how_fast() -> None:
    p = bot("replay", 3)
    a, b = stroke_descriptors(p), stroke_descriptors(moved(p))
    assert len(a) >= 5 and a.shape == b.shape and a.dtype == np.float32
    assert float(distance(a, b).max()) < 1e-3
    other = stroke_descriptors(bot("bezier", 4))
    assert float(distance(a[:, None, :], other[None, :, :]).min()) > 0.005  # another movement is not close


def test_close_descriptors_share_a_table_key() -> None:
    d = stroke_descriptors(bot("replay", 5))[0]
    rng = np.random.default_rng(1)
    shared = [bool(set(table_keys(d)) & set(table_keys(d + rng.normal(0, 0.004, d.size)))) for _ in range(200)]
    assert np.mean(shared) > 0.97


def test_a_replayed_recording_is_found_in_the_store_but_not_in_its_own_session(database_url: str) -> None:
    from openidv.domain import Session
    from openidv.store.crypto import KeyRing
    from openidv.store.db import Database
    from openidv.store.repository import SessionRepository
    from openidv.store.signals import SignalStore, SignalWriter

    db = Database(database_url)
    db.upgrade()
    keys = KeyRing.from_b64({"k": KeyRing.generate_key()}, "k", KeyRing.generate_key())
    repo, signals = SessionRepository(db, keys), SignalStore(db, keys)
    first = Session()
    repo.create_session(first, actor="test")
    p = bot("replay", 6)
    desc = stroke_descriptors(p)
    with db.transaction() as orm:
        assert record(SignalWriter(orm, keys, first.id), desc) == 6 * len(desc)
    stored = list(signals.iter_kind("behavior_stroke"))
    secret = keys.blind(LSH_LABEL)
    assert {s.key for s in stored} == {keys.blind(k) for d in desc for k in table_keys(d, secret)}  # blinded keys
    assert table_keys(desc[0], secret) != table_keys(desc[0], "another deployment")  # own projections
    from sqlalchemy import select

    from openidv.store.models import SignalRow

    with db.session() as orm:
        sealed = [r.value_sealed for r in orm.execute(select(SignalRow)).scalars()]
    raw = {d.tobytes() for d in desc}
    assert all(v and v not in raw and not any(r in v for r in raw) for v in sealed)  # sealed at rest
    again = stroke_descriptors(moved(p, noise=0.3, seed=2))
    found = find_replayed(signals, again, "a-later-session", 0.006)
    assert len(found) >= 3 and {m.session_id for m in found} == {first.id}
    assert find_replayed(signals, again, first.id, 0.006) == []  # a session never matches itself
    db.dispose()


def test_retention_drops_old_strokes_only_and_the_lookup_never_reads_past_it(database_url: str) -> None:
    from sqlalchemy import update

    from openidv.behavior.replay import purge_expired, retention_start
    from openidv.domain import Session
    from openidv.store.crypto import KeyRing
    from openidv.store.db import Database
    from openidv.store.models import SignalRow
    from openidv.store.repository import SessionRepository
    from openidv.store.signals import SignalStore, SignalWriter

    db = Database(database_url)
    db.upgrade()
    keys = KeyRing.from_b64({"k": KeyRing.generate_key()}, "k", KeyRing.generate_key())
    repo, signals = SessionRepository(db, keys), SignalStore(db, keys)
    old, new = Session(), Session()
    for s in (old, new):
        repo.create_session(s, actor="test")
    p = bot("replay", 8)
    desc = stroke_descriptors(p)
    with db.transaction() as orm:
        record(SignalWriter(orm, keys, old.id), desc)
        SignalWriter(orm, keys, old.id).put("device_id", "k1")  # another kind, as old
    with db.transaction() as orm:  # back-date the first session's signals by 100 days
        orm.execute(update(SignalRow).where(SignalRow.session_id == old.id)
                    .values(created_at=datetime.now(UTC) - timedelta(days=100)))
    with db.transaction() as orm:
        record(SignalWriter(orm, keys, new.id), desc[:3])
    probe = stroke_descriptors(moved(p, noise=0.3, seed=4))
    assert {m.session_id for m in find_replayed(signals, probe, "later", 0.006)} == {old.id, new.id}
    since = retention_start(90)
    assert {m.session_id for m in find_replayed(signals, probe, "later", 0.006, since=since)} == {new.id}
    assert since is not None  # a bound in another zone means the same instant (SQLite stores naive UTC)
    east = since.astimezone(timezone(timedelta(hours=5)))
    assert {m.session_id for m in find_replayed(signals, probe, "later", 0.006, since=east)} == {new.id}
    assert purge_expired(signals, 0) == 0  # 0 keeps forever
    assert signals.purge("behavior_stroke", since, batch=7) == 6 * len(desc)  # several batches
    assert [s.session_id for s in signals.iter_kind("device_id")] == [old.id]  # other kinds untouched
    assert {s.session_id for s in signals.iter_kind("behavior_stroke")} == {new.id}
    db.dispose()


def test_strokes_of_a_failed_check_are_skipped_not_fatal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from openidv.behavior import replay
    from openidv.behavior.events import pointer_events
    from openidv.behavior.plugin import _session_strokes
    from openidv.domain import Session
    from openidv.domain.session import Telemetry

    session = Session(telemetry=Telemetry.model_validate({"version": "1", "events": pointer_events(bot("replay", 9))}))
    assert _session_strokes(session) is not None and len(_session_strokes(session)) >= 3

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("descriptor failure")

    monkeypatch.setattr(replay, "stroke_descriptors", broken)
    assert _session_strokes(session) is None  # logged and skipped: the decision still commits


def test_tuning_picks_the_point_that_meets_the_target_and_the_evaluation_runs_through_a_store(
    database_url: str,
) -> None:
    from openidv.behavior.training.dataset import Window
    from openidv.behavior.training.tune_replay import choose, evaluate

    rng = np.random.default_rng(0)
    dists = rng.uniform(0.004, 0.05, 20_000)  # no stroke of another person closer than 0.004
    point = choose(dists, 20_000, 0.001, lambda d, m: 1.0 / m, reference=20_000)
    assert point["min_strokes"] == 2 and point["max_distance"] <= 0.004  # fewest strokes catch most here
    assert point["session_flag_bound_at_reference"] <= 0.001
    windows = [Window("u", f"s{i}", 0, bot("bezier", 30 + i)) for i in range(3)]
    seen = [moved(w.pointer, noise=0.2, seed=i) for i, w in enumerate(windows)]
    figures = evaluate(windows, seen, [bot("bezier", 40)], 0.006, 3, database_url)
    assert figures["genuine_sessions_flagged"]["k"] == 0
    assert figures["replays_of_stored_recordings_caught"]["k"] == 3
    assert figures["replays_of_unseen_recordings_caught"]["k"] == 0


# --- in-session loops -------------------------------------------------------------------------------

def loop_distance() -> float:
    """The shipped in-session distance (tuned by ``tune_replay --in-session``)."""
    from openidv.policy.thresholds import ThresholdRegistry

    return ThresholdRegistry.load().get("behavior_replay")["loop_max_distance"]


def looped(p: Pointer, repeats: int = 3, jitter_px: float = 1.0, jitter_ms: float = 2.0, stretch: float = 1.0,
           seed: int = 0) -> Pointer:
    """`p` played `repeats` times in a row, each copy noised (pixels, sample times) and, after the
    first, slowed by `stretch`."""
    rng = np.random.default_rng(seed)
    span, parts, off = p.span_ms() + 500.0, [], 0.0
    for j in range(repeats):
        k = stretch if j else 1.0
        n = p.t.size
        parts.append((np.sort(p.t * k + rng.uniform(-jitter_ms, jitter_ms, n)) + off,
                      np.round(p.x + rng.normal(0, jitter_px, n)), np.round(p.y + rng.normal(0, jitter_px, n)),
                      p.down_t * k + off, p.down_x, p.down_y, p.up_t * k + off))
        off += span * k
    return Pointer(*(np.concatenate([q[i] for q in parts]) for i in range(7)))


def test_timed_descriptors_are_the_descriptors_with_their_strokes_times() -> None:
    p = bot("sigma_lognormal", 3)
    d, t = timed_stroke_descriptors(p)
    assert np.array_equal(d, stroke_descriptors(p)) and t.shape == (len(d), 2)
    assert np.all(t[:, 0] < t[:, 1]) and t.min() >= p.t[0] and t.max() <= p.t[-1]
    order = np.argsort(t[:, 0])
    assert np.all(t[order][1:, 0] >= t[order][:-1, 1])  # strokes never overlap
    every, _ = timed_stroke_descriptors(looped(p, 4), None)
    assert len(every) > 24 == len(timed_stroke_descriptors(looped(p, 4))[0])


def test_a_looped_segment_is_flagged_within_its_session() -> None:
    d_max = loop_distance()
    assert 0 < d_max < 0.01
    p = bot("sigma_lognormal", 3)
    assert find_looped(*timed_stroke_descriptors(p), d_max) == []  # the movement once: nothing repeats
    for q in (looped(p, 3, jitter_px=1.0), looped(p, 2, jitter_px=0.5, stretch=1.07, seed=1)):
        d, t = timed_stroke_descriptors(q)
        found = find_looped(d, t, d_max)
        assert found and found[0].distance <= d_max and [m.distance for m in found] == sorted(m.distance for m in found)
        m = found[0]
        assert m.stroke < m.other and (t[m.stroke, 1] < t[m.other, 0] or t[m.other, 1] < t[m.stroke, 0])
        copy = p.span_ms() + 500.0  # the pair comes from two different repeats
        assert int(t[m.stroke, 0] // copy) != int(t[m.other, 0] // copy)


def test_only_distinct_strokes_apart_in_time_make_a_pair_and_one_stroke_is_not_judged() -> None:
    d = stroke_descriptors(bot("sigma_lognormal", 4))[:1]
    assert find_looped(d, np.array([[0.0, 500.0]]), 1.0) == []  # one stroke: not judged
    same = np.vstack([d, d])
    assert find_looped(same, np.array([[0.0, 500.0], [400.0, 900.0]]), 0.005) == []  # overlapping in time
    (m,) = find_looped(same, np.array([[0.0, 500.0], [600.0, 900.0]]), 0.005)
    assert (m.stroke, m.other, m.distance) == (0, 1, 0.0)
    assert find_looped(np.zeros((0, 30)), np.zeros((0, 2)), 0.005) == []


def test_straight_constant_speed_strokes_never_make_a_loop() -> None:
    """Any two straight strokes drawn at constant speed match (remote desktops and assistive software
    interpolate between far-apart samples so): they take no part in the loop rule."""
    t = np.linspace(0.0, 400.0, 41)
    line = Pointer(np.concatenate([t, t + 1000.0]), np.concatenate([t, 500 + t * 0.5]),
                   np.concatenate([t * 0.2, 300 - t]))
    d, times = timed_stroke_descriptors(line)
    assert len(d) == 2 and distance(d[0], d[1]) < 1e-6 and featureless(d).all()
    assert find_looped(d, times, loop_distance()) == []
    assert not featureless(stroke_descriptors(bot("sigma_lognormal", 3))).any()  # a hand's strokes keep their shape


def test_stroke_times_must_match_the_descriptors() -> None:
    d = stroke_descriptors(bot("sigma_lognormal", 4))[:1]
    with pytest.raises(ValueError, match="stroke times"):
        find_looped(d, np.zeros((2, 2)), 0.005)


def test_a_threshold_file_without_the_loop_distance_leaves_the_loop_rule_unjudged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An operator's override written before the loop rule: no error on every session."""
    from dataclasses import replace

    from openidv.behavior.checks import BehaviorReplayCheck
    from openidv.domain import Outcome

    ctx = _check_context(looped(bot("sigma_lognormal", 3), 3), tmp_path)
    old = ctx.thresholds.set("behavior_replay")
    values = {k: v for k, v in old.values.items() if k != "loop_max_distance"}
    ctx.thresholds.set = lambda name: replace(old, values=values)  # type: ignore[method-assign]
    res = BehaviorReplayCheck().run(ctx)
    assert res.outcome is Outcome.NOT_APPLICABLE and res.evidence["looped"]["judged"] is False


@pytest.mark.parametrize("family", ["bezier", "windmouse", "bezier_humanlike", "sigma_lognormal"])
def test_generated_human_like_sessions_are_not_looped(family: str) -> None:
    """Movement made once (the generator's human-like families, not replaying recorded strokes)."""
    d_max = loop_distance()
    for seed in range(8):
        assert find_looped(*timed_stroke_descriptors(bot(family, seed)), d_max) == [], (family, seed)


@pytest.mark.shared
def test_real_human_capture_windows_are_not_looped() -> None:
    """Real people, two-minute windows (a sanity check; ``tune_replay --in-session`` measures)."""
    from openidv.behavior.balabit import read_balabit

    from ..conftest import shared_path

    root = shared_path("mouse-dev", "training_files")
    d_max, judged = loop_distance(), 0
    for path in sorted(root.glob("user*/session_*"))[::7]:
        m = read_balabit(path).mouse
        for k in range(10):
            d, t = timed_stroke_descriptors(m.window(m.t[0] + k * 120_000.0, m.t[0] + (k + 1) * 120_000.0))
            judged += len(d) >= 2
            assert find_looped(d, t, d_max) == [], (path.parent.name, path.name, k)
    assert judged >= 40


def _check_context(p: Pointer, tmp_path, signals=None):  # type: ignore[no-untyped-def]
    from openidv.behavior.events import pointer_events
    from openidv.checks.base import CheckContext, Environment
    from openidv.config import Settings
    from openidv.domain import Session
    from openidv.domain.session import Telemetry
    from openidv.policy.thresholds import ThresholdRegistry

    session = Session(telemetry=Telemetry.model_validate({"version": "1", "events": pointer_events(p)}))
    env = Environment(settings=Settings(home=tmp_path), signals=signals)
    return CheckContext(session, {}, ThresholdRegistry.load().view({}), env)


def test_the_check_flags_a_loop_with_its_evidence_with_or_without_a_store(  # type: ignore[no-untyped-def]
    tmp_path, database_url: str,
) -> None:
    from openidv.behavior.checks import BehaviorReplayCheck
    from openidv.domain import Outcome
    from openidv.store.crypto import KeyRing
    from openidv.store.db import Database
    from openidv.store.signals import SignalStore

    check, p = BehaviorReplayCheck(), bot("sigma_lognormal", 3)
    q = looped(p, 3)
    res = check.run(_check_context(q, tmp_path))  # no store: the loop alone is enough
    assert res.outcome is Outcome.FAIL and res.reason_codes == ["MOVEMENT_REPLAYED"]
    loop = res.evidence["looped"]
    assert loop["pairs"] >= 1 and loop["closest"]["distance"] <= loop["max_distance"] == loop_distance()
    a, b = loop["closest"]["at_ms"]
    assert a[1] < b[0] or b[1] < a[0]
    once = check.run(_check_context(p, tmp_path))
    assert once.outcome is Outcome.NOT_APPLICABLE and once.evidence["looped"]["pairs"] == 0

    db = Database(database_url)
    db.upgrade()
    keys = KeyRing.from_b64({"k": KeyRing.generate_key()}, "k", KeyRing.generate_key())
    signals = SignalStore(db, keys)
    res = check.run(_check_context(q, tmp_path, signals))  # nothing stored: found within the session
    assert res.outcome is Outcome.FAIL and res.evidence["matched_strokes"] == 0 and res.evidence["looped"]["pairs"]
    assert check.run(_check_context(p, tmp_path, signals)).outcome is Outcome.PASS
    db.dispose()


def test_in_session_tuning_takes_the_largest_distance_no_tuning_human_reaches() -> None:
    from openidv.behavior.training.tune_replay import GRID, choose_loop, closest_pair
    from openidv.behavior.training.tune_replay import looped as loop_bot

    none = [0] * len(GRID)
    first = [0, 0, 0, 0, 2, 5, 9]  # a recording whose closest pair lies between 0.005 and 0.006
    assert choose_loop([none, first], np.array([0.02, 0.009])) == 0.005
    assert choose_loop([none], np.array([0.0045])) == 0.004  # a window flagged at 0.005
    with pytest.raises(SystemExit):
        choose_loop([[1] * len(GRID)], np.array([1.0]))
    rng = np.random.default_rng(0)
    bot_p, meta = loop_bot(bot("sigma_lognormal", 3), rng)
    assert 2 <= meta["repeats"] <= 6 and 5 <= meta["segment_s"] <= 30 and 0 <= meta["jitter_px"] <= 2
    n, closest = closest_pair(bot_p)
    assert n >= 2 and closest <= loop_distance()
