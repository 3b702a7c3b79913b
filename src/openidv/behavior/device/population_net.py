"""The network side of the generated device population: ISPs, carriers and the network of a visit.

What a server sees of a returning device's network, and why it is modelled this way:

* **Fixed-line ISPs** per country with Zipf-like market shares (national broadband markets are
  concentrated: the largest ISP typically serves 25-40%, OECD broadband statistics). A household's
  router gets an address from its ISP; the /24 (IPv4) or /48 (IPv6 prefix) is the "home subnet".
  Most ISPs keep a subscriber's address for weeks to months and change it on CPE reboots, outages
  or lease loss; some renumber periodically, every ~24 h (PPPoE forced reconnect), most commonly in
  Germany (Padmanabhan et al., "Reasons Dynamic Addresses Change", IMC 2016). A renumbered household
  lands elsewhere in its ISP's regional pool, usually in another /24; the ASN stays.
* **Mobile carriers** (3-4 per country) put phones behind carrier-grade NAT: the public address
  comes from a small regional egress pool shared by every subscriber of the region, so a phone on
  mobile data changes /24 between visits while strangers on the same carrier share it; the carrier
  ASN is stable (the SIM does not change).
* **Elsewhere**: a laptop or phone at work, a cafe or a friend's uses another ISP of the country.
* **Travel**: a phone abroad on mobile data is, by default, *home-routed* (its IP is still its home
  carrier's, in its home country: EU roaming and most international roaming work this way); on
  hotel or cafe Wi-Fi it gets a local ISP's address in the destination country.
* **IPv6**: an ISP offers it or not; shares follow Google's per-country IPv6 statistics.

ASNs are from the 32-bit private-use range (RFC 6996), addresses are synthetic; the network object
carries ``asn`` and ``country`` as the deployment's IP lookup table would add them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from openidv.behavior.device.population_data import COUNTRIES, COUNTRY_P

FIXED_ISPS, CARRIERS = 8, 4
SUBNETS_PER_ISP = 65536  # /24s (or /48s) an ISP announces
REGION_SIZE = 4096  # a renumbered household stays in its region's pool
CGNAT_REGIONS, CGNAT_POOL = 8, 32  # carrier egress: /24s per region
CARRIER_SHARE = (0.38, 0.30, 0.20, 0.12)
STICKY_DAYS = 120.0  # mean time between address changes at a non-periodic ISP (assumption)
_FIRST_OCTETS = [o for o in range(1, 224) if o not in (10, 100, 127, 169, 172, 192, 198, 203)]


@dataclass(frozen=True)
class Isp:
    index: int
    asn: int
    country: str
    mobile: bool
    share: float  # of the country's fixed-line (or mobile) subscribers
    periodic: bool  # renumbers its subscribers about daily
    ipv6: bool


@dataclass(frozen=True)
class NetVisit:
    """The network a visit came from."""

    isp: int
    subnet: int
    country: str  # the IP's country (home-routed roaming keeps the home country)
    kind: str  # home, mobile, elsewhere, roaming, abroad
    host: int = 7


@lru_cache(maxsize=1)
def isps() -> tuple[Isp, ...]:
    """The world's ISPs and carriers: fixed (it is the world, not the sample), seed 7."""
    rng = np.random.default_rng(7)
    out: list[Isp] = []
    for c in COUNTRIES:
        fixed = 1.0 / np.arange(1, FIXED_ISPS + 1) ** 1.1
        for _k, share in enumerate(fixed / fixed.sum()):
            periodic = bool(rng.random() < (0.5 if c.code == "DE" else 0.15))
            out.append(Isp(len(out), 4_200_000_000 + len(out), c.code, False, float(share), periodic,
                           bool(rng.random() < c.ipv6)))
        for share in CARRIER_SHARE:
            out.append(Isp(len(out), 4_200_000_000 + len(out), c.code, True, share, False,
                           bool(rng.random() < c.ipv6)))
    return tuple(out)


def country_isps(country: str, mobile: bool) -> list[Isp]:
    return [i for i in isps() if i.country == country and i.mobile == mobile]


def pick_isp(rng: np.random.Generator, country: str, mobile: bool) -> Isp:
    options = country_isps(country, mobile)
    p = np.array([i.share for i in options])
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def pick_country(rng: np.random.Generator, exclude: str | None = None) -> str:
    p = np.array([0.0 if c.code == exclude else w for c, w in zip(COUNTRIES, COUNTRY_P, strict=True)])
    return COUNTRIES[int(rng.choice(len(COUNTRIES), p=p / p.sum()))].code


def random_subnet(rng: np.random.Generator) -> int:
    return int(rng.integers(0, SUBNETS_PER_ISP))


def renumber(rng: np.random.Generator, isp: int, subnet: int, gap_days: float) -> int:
    """The household's subnet after `gap_days`: kept, or another in the ISP's regional pool."""
    periodic = isps()[isp].periodic
    p_change = 1.0 - np.exp(-gap_days) if periodic else 1.0 - np.exp(-gap_days / STICKY_DAYS)
    if rng.random() >= p_change:
        return subnet
    region = subnet // REGION_SIZE
    return region * REGION_SIZE + int(rng.integers(0, REGION_SIZE))


def cgnat_subnet(rng: np.random.Generator, region: int) -> int:
    return region * CGNAT_POOL + int(rng.integers(0, CGNAT_POOL))


def render(net: NetVisit, lookup: bool = True) -> dict[str, Any]:
    """The telemetry network object: the address, plus what the IP lookup table adds."""
    isp = isps()[net.isp]
    if isp.ipv6:
        ip = f"2a00:{isp.index:x}:{net.subnet:x}:{net.host % 65536:x}::{(net.host * 7919) % 65536:x}"
    else:
        o = _FIRST_OCTETS[isp.index % len(_FIRST_OCTETS)]
        ip = f"{o}.{net.subnet // 256}.{net.subnet % 256}.{2 + net.host % 250}"
    out: dict[str, Any] = {"ip": ip}
    if lookup:
        out.update({"asn": isp.asn, "country": net.country})
    return out


def visit_network(rng: np.random.Generator, mobile: bool, home_isp: int, home_subnet: int, carrier: int,
                  region: int, country: str, abroad: str | None) -> NetVisit:
    """Where a visit comes from. At home, phones are on the household Wi-Fi or on mobile data:
    smartphone users spend roughly 40-70% of their connected time on Wi-Fi depending on the country
    (Opensignal Wi-Fi/mobile reports 2016-2020); assumption for a verification made at home: 55%
    home Wi-Fi, 35% mobile data, 10% elsewhere. Desktops and laptops: 85% on their usual network."""
    host = int(rng.integers(0, 1 << 16))
    if abroad is not None:
        if mobile and rng.random() < 0.5:
            return NetVisit(carrier, cgnat_subnet(rng, region), country, "roaming", host)
        return NetVisit(pick_isp(rng, abroad, False).index, random_subnet(rng), abroad, "abroad", host)
    r = rng.random()
    p_home, p_mobile = (0.55, 0.35) if mobile else (0.85, 0.0)
    if r < p_home:
        return NetVisit(home_isp, home_subnet, country, "home", home_subnet % 251)
    if r < p_home + p_mobile:
        return NetVisit(carrier, cgnat_subnet(rng, region), country, "mobile", host)
    return NetVisit(pick_isp(rng, country, False).index, random_subnet(rng), country, "elsewhere", host)
