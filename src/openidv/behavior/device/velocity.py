"""Velocity and reputation: sessions and accounts per device, IP and subnet in sliding windows.

Every decided session leaves one "seen" signal per entity (the linked device id, the blinded IP,
the blinded subnet) carrying the blinded account key, written in ``on_decision`` through the
transaction-bound SignalWriter (so only committed sessions count). Counting reads the signals store;
when ``settings.redis_url`` is set the same events also go to Redis sorted sets (score = time),
which answer the window counts in one round trip and are used first.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from openidv.store.signals import SignalStore, SignalWriter

ENTITIES = ("device", "ip", "subnet")
WINDOWS: Mapping[str, float] = {"1h": 3600.0, "24h": 86400.0, "7d": 7 * 86400.0}
KIND = {e: f"bh_seen_{e}" for e in ENTITIES}
MAX_SCAN = 5000  # rows read to count distinct accounts in the longest window


@dataclass(frozen=True)
class Counts:
    """Earlier sessions and distinct *other* accounts per window for one entity."""

    sessions: Mapping[str, int]
    accounts: Mapping[str, int]


class VelocityBackend(Protocol):
    def counts(self, entity: str, key: str, now: float, account: str | None = None) -> Counts: ...


class SignalVelocity:
    """Counts from the signals store (always available when there is a database)."""

    def __init__(self, signals: SignalStore) -> None:
        self.signals = signals

    def counts(self, entity: str, key: str, now: float, account: str | None = None) -> Counts:
        longest = max(WINDOWS.values())
        since = datetime.fromtimestamp(now - longest, UTC)
        rows = self.signals.find(KIND[entity], key, since=since, limit=MAX_SCAN)
        sessions: dict[str, int] = {}
        accounts: dict[str, int] = {}
        for name, span in WINDOWS.items():
            cutoff = datetime.fromtimestamp(now - span, UTC)
            inside = [r for r in rows if r.created_at is not None and r.created_at >= cutoff]
            sessions[name] = len({r.session_id for r in inside})
            accounts[name] = len({r.attrs.get("account") for r in inside} - {None, account})
        return Counts(sessions, accounts)


class RedisVelocity:
    """Sliding windows in Redis sorted sets: ``<prefix>:<entity>:<key>:s`` (sessions), ``...:a`` (accounts)."""

    def __init__(self, client: Any, prefix: str = "openidv:bh") -> None:
        self.r = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisVelocity:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5))

    def _keys(self, entity: str, key: str) -> tuple[str, str]:
        base = f"{self.prefix}:{entity}:{key}"
        return base + ":s", base + ":a"

    def counts(self, entity: str, key: str, now: float, account: str | None = None) -> Counts:
        ks, ka = self._keys(entity, key)
        pipe = self.r.pipeline()
        for span in WINDOWS.values():
            pipe.zcount(ks, now - span, "+inf")
        for span in WINDOWS.values():
            pipe.zcount(ka, now - span, "+inf")
        pipe.zscore(ka, account or "")
        *res, own = pipe.execute()
        n = len(WINDOWS)
        own_t = float(own) if own is not None and account else None
        accounts = {w: int(c) - (own_t is not None and own_t >= now - span)
                    for (w, span), c in zip(WINDOWS.items(), res[n:], strict=True)}
        return Counts(dict(zip(WINDOWS, (int(x) for x in res[:n]), strict=True)), accounts)

    def forget(self, entity: str, key: str, session_id: str, account: str | None) -> None:
        """An erased session leaves the windows; so does its account's entry (the set keeps one
        time per account, so another session of that account is counted again when it recurs)."""
        ks, ka = self._keys(entity, key)
        pipe = self.r.pipeline()
        pipe.zrem(ks, session_id)
        if account:
            pipe.zrem(ka, account)
        pipe.execute()

    def record(self, entity: str, key: str, session_id: str, account: str | None, now: float) -> None:
        ks, ka = self._keys(entity, key)
        horizon = now - max(WINDOWS.values())
        pipe = self.r.pipeline()
        pipe.zadd(ks, {session_id: now})
        pipe.zremrangebyscore(ks, "-inf", horizon)
        pipe.expire(ks, int(max(WINDOWS.values())) + 3600)
        if account:
            pipe.zadd(ka, {account: now})
            pipe.zremrangebyscore(ka, "-inf", horizon)
            pipe.expire(ka, int(max(WINDOWS.values())) + 3600)
        pipe.execute()


def entity_keys(device_id: str | None, ip_key: str | None, subnet_key: str | None) -> dict[str, str]:
    return {k: v for k, v in (("device", device_id), ("ip", ip_key), ("subnet", subnet_key)) if v}


def record_signals(writer: SignalWriter, keys: Mapping[str, str], account: str | None) -> None:
    """The durable record of this session for future counts (inside the decision's transaction)."""
    for entity, key in keys.items():
        writer.put(KIND[entity], key, attrs={"account": account} if account else {})


def exceeded(counts: Mapping[str, Counts], limits: Mapping[str, float]) -> list[str]:
    """Names of the limits (``<entity>.<sessions|accounts>.<window>``) that this session passes.

    The current session (and its account) count too: a limit of N allows N in the window.
    """
    out = []
    for entity, c in counts.items():
        for metric, per in (("sessions", c.sessions), ("accounts", c.accounts)):
            for window, value in per.items():
                name = f"{entity}.{metric}.{window}"
                if name in limits and value + 1 > limits[name]:
                    out.append(name)
    return out


def now_s() -> float:
    return time.time()
