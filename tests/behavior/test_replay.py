"""Movement replay: stroke descriptors, locality-sensitive keys, lookup through a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np

from openidv.behavior.events import Pointer
from openidv.behavior.replay import LSH_LABEL, distance, find_replayed, record, stroke_descriptors, table_keys

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
