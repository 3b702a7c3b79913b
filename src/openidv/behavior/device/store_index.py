"""The device index kept in the signals store, so every service process sees the same devices.

Signals written per decided session (in ``on_decision``, inside the decision's transaction):

- ``bh_device``: key = the opaque device id, value = the sealed fingerprint (latest first);
- ``bh_block``: key = a blinded blocking key, attrs = {device};
- ``bh_storage``: key = the blinded first-party storage id, attrs = {device};
- ``bh_host``: key = the blinded integrator device id (telemetry ``device_id``), attrs = {device}.

Candidates are read from the store on each lookup, so every process sees every enrolment. Decoded
fingerprints are cached per device (LRU, ``cache_size``): a device re-enrolled by another process is
compared against its previous fingerprint, a true observation of it, until this process evicts it
or enrols it itself. The value frequencies (how common each value is) are kept in memory, rebuilt
from the store at start-up and updated by this process's own enrolments; slightly stale
frequencies only soften a weight.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from openidv.behavior.device.fingerprint import Fingerprint
from openidv.behavior.device.link_index import DeviceIndex
from openidv.behavior.device.linking import MAX_BLOCK, LinkParams, rank_candidates

if TYPE_CHECKING:
    from collections.abc import Sequence

    from openidv.store.signals import Signal, SignalStore, SignalWriter

DEVICE, BLOCK, STORAGE, HOST = "bh_device", "bh_block", "bh_storage", "bh_host"
CACHE_SIZE = 50_000  # decoded fingerprints kept (a few kB each)


class StoreDeviceIndex(DeviceIndex):
    def __init__(self, params: LinkParams, signals: SignalStore, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(params)
        self.signals = signals
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Fingerprint] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _remember(self, device_id: str, fp: Fingerprint) -> None:
        with self._cache_lock:
            self._cache[device_id] = fp
            self._cache.move_to_end(device_id)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    @classmethod
    def build(cls, params: LinkParams, signals: SignalStore) -> StoreDeviceIndex:
        """Value frequencies from each device's latest stored fingerprint (one pass at start-up):
        a device seen in ten sessions counts once, as in the in-memory index."""
        idx = cls(params, signals)
        latest: dict[str, bytes] = {}
        for s in signals.iter_kind(DEVICE):  # oldest first
            if s.value:
                latest[s.key] = s.value
        for raw in latest.values():
            idx.count(Fingerprint.from_json(raw))
        return idx

    def candidate_ids(self, fp: Fingerprint) -> list[str]:
        groups = []
        for key in fp.block_keys():
            rows = self.signals.find(BLOCK, self.signals.blind(key), limit=MAX_BLOCK)
            groups.append([str(r.attrs.get("device")) for r in reversed(rows) if r.attrs.get("device")])
        return rank_candidates(groups)

    def fingerprint_of(self, device_id: str) -> Fingerprint | None:
        with self._cache_lock:
            cached = self._cache.get(device_id)
        if cached is not None:
            return cached
        rows = self.signals.find(DEVICE, device_id, limit=1, with_values=True)
        fp = Fingerprint.from_json(rows[0].value) if rows and rows[0].value else None
        if fp is not None:
            self._remember(device_id, fp)
        return fp

    def storage_owner(self, storage_id: str) -> str | None:
        rows = self.signals.find(STORAGE, self.signals.blind("sid:" + storage_id), limit=1)
        owner = rows[0].attrs.get("device") if rows else None
        return str(owner) if owner else None

    def host_owner(self, host_id: str) -> str | None:
        rows = self.signals.find(HOST, self.signals.blind("host:" + host_id), limit=1)
        owner = rows[0].attrs.get("device") if rows else None
        return str(owner) if owner else None

    def forget(self, erased: Sequence[Signal]) -> None:
        """Undo what erased ``bh_device`` rows left in memory (called after their deletion): the
        cached fingerprint, and the value frequencies when the erased row was the device's latest
        (they count each device's latest fingerprint once, so the now-latest one takes its place, or
        the device leaves the count when it had no other session)."""
        for row in erased:
            if row.kind != DEVICE or not row.value:
                continue
            with self._cache_lock:
                self._cache.pop(row.key, None)
            remaining = self.signals.find(DEVICE, row.key, limit=1, with_values=True)
            newer = remaining and row.created_at is not None and remaining[0].created_at is not None \
                and remaining[0].created_at > row.created_at
            if newer:
                continue  # a later session's fingerprint is the one counted
            gone = Fingerprint.from_json(row.value)
            if remaining and remaining[0].value:
                self.count(Fingerprint.from_json(remaining[0].value), gone)
            else:
                self.uncount(gone)

    def enrol(self, writer: SignalWriter, device_id: str, fp: Fingerprint) -> None:
        """Record this session's fingerprint of the device (called from on_decision); the value
        frequencies replace the device's previous fingerprint."""
        old = self.fingerprint_of(device_id)
        writer.put(DEVICE, device_id, value=fp.to_json(), attrs={"v": 2})
        for key in fp.block_keys():
            writer.put(BLOCK, writer.blind(key), attrs={"device": device_id})
        if fp.storage_id:
            writer.put(STORAGE, writer.blind("sid:" + fp.storage_id), attrs={"device": device_id})
        if fp.host_id:
            writer.put(HOST, writer.blind("host:" + fp.host_id), attrs={"device": device_id})
        self.count(fp, old)
        self._remember(device_id, fp)
