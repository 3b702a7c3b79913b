"""IP addresses: validation, the subnet used for velocity and linking, and an optional lookup table.

The lookup table (CSV: ``cidr,asn,as_org,country,datacenter,vpn,tor,proxy``) is whatever the
deployment licenses (a commercial IP-intelligence export, a cloud provider's published ranges, a
Tor exit list). None ships with the project: without one, the network flags are simply absent.
"""

from __future__ import annotations

import bisect
import csv
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openidv.errors import ConfigError

FLAGS = ("datacenter", "vpn", "tor", "proxy")


def parse_ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(value, str):
        return None
    try:
        ip = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def subnet(value: Any) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address: one household, office or carrier pool."""
    ip = parse_ip(value)
    if ip is None:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class IpRecord:
    asn: int | None
    as_org: str | None
    country: str | None
    flags: Mapping[str, bool]

    def as_network(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.flags)
        if self.asn is not None:
            out["asn"] = self.asn
        if self.as_org:
            out["as_org"] = self.as_org[:256]
        if self.country:
            out["country"] = self.country
        return out


def _truthy(v: str | None) -> bool:
    return (v or "").strip().lower() in ("1", "true", "yes", "y")


class IpTable:
    """Non-overlapping ranges sorted by start; lookup by binary search (IPv4 and IPv6 kept apart)."""

    def __init__(self, rows: list[tuple[int, int, int, IpRecord]]) -> None:
        self._rows = sorted(rows, key=lambda r: (r[0], r[1]))
        self._keys = [(r[0], r[1]) for r in self._rows]

    @classmethod
    def load(cls, path: Path) -> IpTable:
        if not path.is_file():
            raise ConfigError(f"IP lookup table {path} does not exist")
        rows: list[tuple[int, int, int, IpRecord]] = []
        with path.open(newline="", encoding="utf-8") as fh:
            for n, rec in enumerate(csv.DictReader(fh), start=2):
                try:
                    net = ipaddress.ip_network((rec.get("cidr") or "").strip(), strict=False)
                except ValueError:
                    raise ConfigError(f"{path}:{n}: bad cidr {rec.get('cidr')!r}") from None
                asn = (rec.get("asn") or "").strip().upper().removeprefix("AS")
                country = (rec.get("country") or "").strip().upper() or None
                record = IpRecord(int(asn) if asn.isdigit() else None, (rec.get("as_org") or "").strip() or None,
                                  country if country and len(country) == 2 else None,
                                  {f: _truthy(rec.get(f)) for f in FLAGS})
                rows.append((net.version, int(net.network_address), int(net.broadcast_address), record))
        return cls(rows)

    def lookup(self, value: Any) -> IpRecord | None:
        """The narrowest range containing the address (nested ranges allowed, 64 deep)."""
        ip = parse_ip(value)
        if ip is None:
            return None
        addr = int(ip)
        i = bisect.bisect_right(self._keys, (ip.version, addr)) - 1
        best: tuple[int, IpRecord] | None = None
        for j in range(i, max(i - 64, -1), -1):
            version, start, end, record = self._rows[j]
            if version != ip.version:
                break
            if start <= addr <= end and (best is None or end - start < best[0]):
                best = (end - start, record)
        return best[1] if best else None
