"""The store-backed device index: blinded keys, outright ids, one count per device."""

from __future__ import annotations

from openidv.behavior.device.fingerprint import Fingerprint
from openidv.behavior.device.linking import LinkParams
from openidv.behavior.device.store_index import BLOCK, HOST, StoreDeviceIndex


def _store(url: str):  # type: ignore[no-untyped-def]
    """(db, signals, enrol, erase) over a fresh store: `enrol(idx, device, fp)` decides a new session
    with that device and returns its id; `erase(idx, session)` erases it and lets `idx` forget it."""
    from openidv.domain import Session
    from openidv.store.crypto import KeyRing
    from openidv.store.db import Database
    from openidv.store.repository import SessionRepository
    from openidv.store.signals import SignalStore, SignalWriter

    db = Database(url)
    db.upgrade()
    keys = KeyRing.from_b64({"k": KeyRing.generate_key()}, "k", KeyRing.generate_key())
    repo, signals = SessionRepository(db, keys), SignalStore(db, keys)

    def enrol(idx: StoreDeviceIndex, device_id: str, fp: Fingerprint) -> str:
        s = Session()
        repo.create_session(s, actor="test")
        with db.transaction() as orm:
            idx.enrol(SignalWriter(orm, keys, s.id), device_id, fp)
        return s.id

    def erase(idx: StoreDeviceIndex, session_id: str) -> None:
        before = signals.for_session(session_id)
        repo.erase(session_id, "test")
        idx.forget(before)

    return db, signals, enrol, erase


FP = {"webgl": "adreno (tm) 740", "os": "Android", "screen": "915x412", "pixel_ratio": 2.625, "insets": "0x0",
      "languages": "de-de,de", "timezone": "Europe/Berlin", "subnet": "203.0.113.0/24"}


def test_store_index_counts_each_device_once_and_links_ids(database_url: str) -> None:
    db, signals, enrol, _ = _store(database_url)
    idx = StoreDeviceIndex(LinkParams({}, {}), signals)
    enrol(idx, "dev1", Fingerprint(FP, storage_id="s1", host_id="h1"))
    enrol(idx, "dev1", Fingerprint(FP | {"timezone": "Europe/Paris"}, storage_id="s2", host_id="h1"))
    assert idx.n == 1
    rebuilt = StoreDeviceIndex.build(LinkParams({}, {}), signals)
    assert rebuilt.n == 1 and rebuilt.counts[("g", "timezone", "1", "Europe/Paris")] == 1
    assert rebuilt.counts[("g", "timezone", "1", "Europe/Berlin")] == 0
    assert rebuilt.match(Fingerprint(FP, host_id="h1"), threshold=1e9).method == "host_id"
    assert rebuilt.match(Fingerprint(FP, storage_id="s2"), threshold=1e9).device_id == "dev1"
    assert rebuilt.candidate_ids(Fingerprint(FP)) == ["dev1"]
    keys = [s.key for kind in (BLOCK, HOST) for s in signals.iter_kind(kind)]
    assert keys and all("203.0.113" not in k and k not in ("h1", "s1") for k in keys)  # blinded
    db.dispose()


def _nonzero(idx: StoreDeviceIndex) -> dict[tuple[str, ...], int]:
    return {k: v for k, v in idx.counts.items() if v}


def test_erasure_takes_a_session_out_of_the_live_index(database_url: str) -> None:
    db, signals, enrol, erase = _store(database_url)
    idx = StoreDeviceIndex(LinkParams({}, {}), signals)
    enrol(idx, "dev1", Fingerprint(FP))
    other = enrol(idx, "dev2", Fingerprint(FP | {"subnet": "198.51.100.0/24", "timezone": "Europe/Vienna"}))
    latest = enrol(idx, "dev1", Fingerprint(FP | {"timezone": "Europe/Paris"}))
    erase(idx, latest)  # dev1's earlier fingerprint is its latest again
    fresh = StoreDeviceIndex.build(LinkParams({}, {}), signals)
    assert idx.n == fresh.n == 2 and _nonzero(idx) == _nonzero(fresh)
    assert idx.fingerprint_of("dev1").get("timezone") == "Europe/Berlin"  # type: ignore[union-attr]
    erase(idx, other)  # dev2 had no other session: it leaves the index, and no value of it stays a key
    assert idx.n == 1 and _nonzero(idx) == _nonzero(StoreDeviceIndex.build(LinkParams({}, {}), signals))
    assert not any("198.51.100" in "".join(k) or "Europe/Vienna" in k for k in idx.counts)
    assert idx.fingerprint_of("dev2") is None
    db.dispose()


def test_erasure_corrects_only_the_counts_this_process_made(database_url: str) -> None:
    """Two service processes share the store; the one that serves the erasures never counted what
    the other enrolled. Its counts must still equal a fresh build afterwards, also when the erased
    fingerprint is not its device's latest."""
    db, signals, enrol, erase = _store(database_url)
    params = LinkParams({}, {})
    first = enrol(StoreDeviceIndex(params, signals), "dev1", Fingerprint(FP))
    p1 = StoreDeviceIndex.build(params, signals)  # process 1 starts: dev1 (Berlin)
    p2 = StoreDeviceIndex.build(params, signals)
    paris = enrol(p2, "dev1", Fingerprint(FP | {"timezone": "Europe/Paris"}))
    dev3 = enrol(p2, "dev3", Fingerprint(FP | {"subnet": "192.0.2.0/24"}))
    erase(p1, paris)  # process 1 counted Berlin for dev1, never Paris
    erase(p1, dev3)  # never counted dev3
    fresh = StoreDeviceIndex.build(params, signals)
    assert p1.n == fresh.n == 1 and _nonzero(p1) == _nonzero(fresh)
    later = enrol(p1, "dev1", Fingerprint(FP | {"timezone": "Europe/Rome"}))
    erase(p1, first)  # not dev1's latest: nothing to correct
    assert _nonzero(p1) == _nonzero(StoreDeviceIndex.build(params, signals))
    erase(p1, later)  # dev1's last session: it leaves the counts
    assert p1.n == 0 and _nonzero(p1) == {}
    db.dispose()
