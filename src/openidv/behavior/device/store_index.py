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

import hashlib
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
        # which fingerprint of each device this process's value counts hold (a digest): erasure
        # adjusts the counts only for what this process counted itself
        self._counted: dict[str, bytes] = {}

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
        for device_id, raw in latest.items():
            idx.count(Fingerprint.from_json(raw))
            idx._counted[device_id] = _digest(raw)
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
        """Undo what erased ``bh_device`` rows left in this process (called after their deletion):
        the cached fingerprint, and - when the erased fingerprint is the one this process's value
        counts hold for the device - the counts: the device's latest remaining fingerprint takes
        its place, or the device leaves the counts when it has no other session. Counts built or
        enrolled by another process are not this process's to correct."""
        for row in erased:
            if row.kind != DEVICE:
                continue
            with self._cache_lock:
                self._cache.pop(row.key, None)
            if not row.value or self._counted.get(row.key) != _digest(row.value):
                continue
            gone = Fingerprint.from_json(row.value)
            remaining = self.signals.find(DEVICE, row.key, limit=1, with_values=True)
            if remaining and remaining[0].value:
                self.count(Fingerprint.from_json(remaining[0].value), gone)
                self._counted[row.key] = _digest(remaining[0].value)
            else:
                self.uncount(gone)
                self._counted.pop(row.key, None)

    def enrol(self, writer: SignalWriter, device_id: str, fp: Fingerprint) -> None:
        """Record this session's fingerprint of the device (called from on_decision); the value
        frequencies replace the device's previous fingerprint."""
        old = self.fingerprint_of(device_id)
        raw = fp.to_json()
        writer.put(DEVICE, device_id, value=raw, attrs={"v": 2})
        for key in fp.block_keys():
            writer.put(BLOCK, writer.blind(key), attrs={"device": device_id})
        if fp.storage_id:
            writer.put(STORAGE, writer.blind("sid:" + fp.storage_id), attrs={"device": device_id})
        if fp.host_id:
            writer.put(HOST, writer.blind("host:" + fp.host_id), attrs={"device": device_id})
        counted = self._counted.get(device_id)
        if counted is None:
            self.count(fp)  # a device new to this process's counts
        elif old is not None and counted == _digest(old.to_json()):
            self.count(fp, old)  # its counted fingerprint replaced
        else:  # counted from a fingerprint this process no longer has: keep n, add the new values
            self.add_values(fp)
        self._counted[device_id] = _digest(raw)
        self._remember(device_id, fp)


def _digest(raw: bytes) -> bytes:
    """Which fingerprint, independent of how its JSON was written (sets and keys are sorted)."""
    return hashlib.blake2b(Fingerprint.from_json(raw).to_json(), digest_size=16).digest()
