"""Long-lived resources of this capability, one set per Environment (``env.services["behavior"]``).

Everything loads lazily on first use and is reused: the scoring models, the device-linking
parameters, the store-backed device index, the velocity backend (Redis when ``redis_url`` is set)
and the optional IP lookup table (``<home>/ip_ranges.csv``, see :mod:`openidv.behavior.device.network`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openidv.behavior.device.network import IpTable, parse_ip

if TYPE_CHECKING:
    from openidv.behavior.device.linking import LinkParams
    from openidv.behavior.device.store_index import StoreDeviceIndex
    from openidv.behavior.device.velocity import VelocityBackend
    from openidv.behavior.scoring import BehaviorModels
    from openidv.checks.base import Environment
    from openidv.config import Settings
    from openidv.store.signals import SignalStore

KEY = "behavior"
IP_TABLE_FILE = "ip_ranges.csv"


class BehaviorServices:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._index: StoreDeviceIndex | None = None
        self._redis: Any = None
        self._ip_table: IpTable | None = None
        self._ip_loaded = False

    def models(self) -> BehaviorModels:
        from openidv.behavior.scoring import models

        return models()

    def link_params(self) -> LinkParams:
        from openidv.behavior.device.linking import LinkParams
        from openidv.models.registry import model_path

        return LinkParams.from_json(model_path("openidv.behavior", "device_link").read_text("utf-8"))

    def device_index(self, signals: SignalStore) -> StoreDeviceIndex:
        from openidv.behavior.device.store_index import StoreDeviceIndex

        with self._lock:
            if self._index is None or self._index.signals is not signals:
                self._index = StoreDeviceIndex.build(self.link_params(), signals)
            return self._index

    def built_device_index(self) -> StoreDeviceIndex | None:
        """The device index if this process has built it (an erasure must not build one: a fresh
        index already lacks the erased rows)."""
        with self._lock:
            return self._index

    def velocity(self, signals: SignalStore) -> VelocityBackend:
        from openidv.behavior.device.velocity import SignalVelocity

        redis = self.redis()
        return redis if redis is not None else SignalVelocity(signals)

    def redis(self) -> Any:
        """The Redis velocity backend when ``settings.redis_url`` is set, else None."""
        from openidv.behavior.device.velocity import RedisVelocity

        if not self.settings.redis_url:
            return None
        with self._lock:
            if self._redis is None:
                self._redis = RedisVelocity.from_url(self.settings.redis_url)
            return self._redis

    def ip_table(self) -> IpTable | None:
        with self._lock:
            if not self._ip_loaded:
                path = getattr(self.settings, "behavior_ip_table", None) or Path(self.settings.home) / IP_TABLE_FILE
                self._ip_table = IpTable.load(Path(path)) if Path(path).is_file() else None
                self._ip_loaded = True
            return self._ip_table

    def network(self, network: dict[str, Any]) -> dict[str, Any]:
        """The telemetry's network object with lookup-table flags (the table wins over the client)."""
        out = dict(network)
        ip = parse_ip(out.get("ip"))
        table = self.ip_table()
        if ip is not None and table is not None:
            record = table.lookup(str(ip))
            for k in ("datacenter", "vpn", "tor", "proxy", "asn", "as_org", "country"):
                out.pop(k, None)
            if record is not None:
                out.update(record.as_network())
        return out


def services(env: Environment) -> BehaviorServices:
    svc = env.services.get(KEY)
    if not isinstance(svc, BehaviorServices):
        svc = BehaviorServices(env.settings)
        env.services[KEY] = svc
    return svc
