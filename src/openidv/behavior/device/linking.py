"""Fuzzy device linking: is this the device of an earlier session, despite drift?

Two fingerprints are compared in eleven *comparisons* (hardware, canvas, audio, browser, OS
version, fonts, screen, screen insets, time zone, languages, network), each of which returns an
agreement *level*: exact, a partial level where drift has a typical form (a browser or OS that
moved forward, a font added, the same primary language, the same ASN but another subnet), or
disagreement. In the Fellegi-Sunter way each level adds ``log(m / u)``: ``m`` is how often a
returning device shows that level, ``u`` how often an unrelated device does.

* ``m`` per level is estimated on a generated population of returning devices (canvas and audio
  separately for devices whose browser or OS was updated in between, since renderings change
  with releases).
* ``u`` is **value-specific** where the level has a value (the exact value, the primary
  language, the ASN): the share of *other* indexed devices with that value, shrunk towards a
  prior; and **conditional on the hardware** when the hardware agrees, so that agreeing on the
  screen of a popular phone model counts for little among the thousand phones of that model.
  Levels without a value (a browser update) use the prior from random pairs.
* The decision uses the **posterior log odds** of the best candidate against every other
  explanation (other candidates and a device never seen), so near-identical devices split the
  probability and none of them is linked on the fingerprint alone.

Candidates come from blocking (:data:`fingerprint.BLOCKS`): any shared key makes a candidate, the
ones sharing the most keys are scored. The first-party storage id, when the browser kept it, links
outright. Parameters: ``python -m openidv.behavior.training.train_device``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openidv.behavior.device.fingerprint import HARDWARE, Fingerprint

PRIOR_STRENGTH = 50.0  # pseudo-devices behind the prior u of each level
CONDITIONAL_STRENGTH = 5.0  # pseudo-devices behind a value's frequency, given the hardware
MAX_AGREE = 12.0  # cap of one comparison's weight (nats)
MAX_BLOCK = 200  # most recent devices kept per blocking key
UPDATE_STEPS = 8  # a browser major up to this many releases newer is an update (~8 months of Chrome)
MAX_CANDIDATES = 50  # scored per lookup, those sharing the most blocking keys
FONT_NEAR = 0.85  # Jaccard similarity of font sets that counts as "a font installed or removed"

COMPARISONS: dict[str, tuple[str, ...]] = {
    "hardware": HARDWARE,
    "canvas": ("canvas",),
    "audio": ("audio",),
    "browser": ("browser", "browser_major"),
    "os_version": ("os", "os_version"),
    "fonts": ("fonts",),
    "screen": ("screen", "pixel_ratio", "color_depth"),
    "insets": ("insets",),
    "timezone": ("timezone",),
    "languages": ("languages", "locale"),
    "network": ("subnet", "asn"),
}
TOP = {"browser": 2, "os_version": 2, "fonts": 2, "languages": 2, "network": 2}  # others: 1
RENDERING = ("canvas", "audio")


def top_level(comp: str) -> int:
    return TOP.get(comp, 1)


# The combiner's inputs: each comparison's Fellegi-Sunter weight, alone, when the hardware agrees
# and on phones. The weights of one fingerprint are not independent (a canvas hash is mostly implied
# by the GPU, OS and browser release; time zone, language and network all follow the country), so
# summing them over-counts; a logistic regression on these features, fitted on candidate pairs of a
# generated population, learns how much each weight is worth in each context.
FEATURES = (*(f"w:{c}" for c in COMPARISONS), *(f"hw*w:{c}" for c in COMPARISONS if c != "hardware"),
            *(f"mobile*w:{c}" for c in COMPARISONS))


@dataclass(frozen=True)
class LinkParams:
    """Estimated on a generated population: ``m["comp:level"]`` (``|upd``: after a software
    update), prior ``u["comp:level"]`` (``|hw``: among devices with the same hardware), and the
    combiner (``coef`` per :data:`FEATURES`, ``intercept``: the log likelihood ratio's offset).
    Without a combiner the weights are summed (plain Fellegi-Sunter)."""

    m: Mapping[str, float]
    u: Mapping[str, float]
    coef: Mapping[str, float] = field(default_factory=dict)
    intercept: float = 0.0

    def to_json(self) -> str:
        return json.dumps({"m": dict(self.m), "u": dict(self.u), "coef": dict(self.coef),
                           "intercept": self.intercept}, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LinkParams:
        d = json.loads(text)
        return cls(dict(d["m"]), dict(d["u"]), dict(d.get("coef") or {}), float(d.get("intercept") or 0.0))


def combine(weights: Mapping[str, float], hw: bool, mobile: bool, params: LinkParams) -> float:
    """Log likelihood ratio (nats) of a pair from its per-comparison weights."""
    if not params.coef:
        return sum(weights.values())
    c = params.coef
    total = params.intercept
    for comp, w in weights.items():
        k = c.get("w:" + comp, 0.0) + (c.get("hw*w:" + comp, 0.0) if hw else 0.0)
        total += (k + (c.get("mobile*w:" + comp, 0.0) if mobile else 0.0)) * w
    return total


def feature_vector(weights: Mapping[str, float], hw: bool, mobile: bool) -> list[float]:
    by_name = {f"w:{c}": w for c, w in weights.items()}
    by_name |= {f"hw*w:{c}": w for c, w in weights.items() if hw and c != "hardware"}
    by_name |= {f"mobile*w:{c}": w for c, w in weights.items() if mobile}
    return [by_name.get(f, 0.0) for f in FEATURES]


def _value_key(v: Any) -> str:
    return ",".join(sorted(v)) if isinstance(v, frozenset) else str(v)


def group_key(fp: Fingerprint, comp: str) -> str:
    return "|".join(_value_key(fp.values.get(a, "")) for a in COMPARISONS[comp])


def _version(v: Any) -> tuple[int, ...]:
    out = []
    for part in str(v).split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)


def _exact(a: Fingerprint, b: Fingerprint, attrs: tuple[str, ...]) -> int | None:
    seen = False
    for attr in attrs:
        va, vb = a.values.get(attr), b.values.get(attr)
        if va is None and vb is None:
            continue
        if va != vb:
            return 0
        seen = True
    return 1 if seen else None


def _browser(a: Mapping[str, Any], b: Mapping[str, Any]) -> int | None:
    if a.get("browser") is None or b.get("browser") is None:
        return None
    if a["browser"] != b["browser"]:
        return 0
    ma, mb = a.get("browser_major"), b.get("browser_major")
    if ma == mb:
        return 2
    return 1 if isinstance(ma, int | float) and isinstance(mb, int | float) and 0 < ma - mb <= UPDATE_STEPS else 0


def _os_version(a: Mapping[str, Any], b: Mapping[str, Any]) -> int | None:
    if a.get("os") != b.get("os"):
        return 0
    va, vb = a.get("os_version"), b.get("os_version")
    if va is None or vb is None:
        return None
    if va == vb:
        return 2
    return 1 if _version(va) > _version(vb) else 0


def _fonts(a: Mapping[str, Any], b: Mapping[str, Any]) -> int | None:
    fa, fb = a.get("fonts"), b.get("fonts")
    if not isinstance(fa, frozenset) or not isinstance(fb, frozenset):
        return None
    if fa == fb:
        return 2
    return 1 if len(fa & fb) / max(len(fa | fb), 1) >= FONT_NEAR else 0


def primary_language(v: Any) -> str | None:
    return str(v).split(",")[0].split("-")[0] or None if v else None


def _languages(a: Mapping[str, Any], b: Mapping[str, Any]) -> int | None:
    la, lb = a.get("languages"), b.get("languages")
    if la is None or lb is None:
        return None
    if la == lb and a.get("locale") == b.get("locale"):
        return 2
    return 1 if primary_language(la) == primary_language(lb) else 0


def _network(a: Mapping[str, Any], b: Mapping[str, Any]) -> int | None:
    sa, sb, aa, ab = a.get("subnet"), b.get("subnet"), a.get("asn"), b.get("asn")
    if sa is not None and sa == sb:
        return 2
    if aa is not None and aa == ab:
        return 1
    return 0 if (sa is not None and sb is not None) or (aa is not None and ab is not None) else None


_LEVELS = {"browser": _browser, "os_version": _os_version, "fonts": _fonts, "languages": _languages,
           "network": _network}


def level(comp: str, a: Fingerprint, b: Fingerprint) -> int | None:
    """Agreement level of `a` (the new visit) with `b` (the indexed device); None: not comparable."""
    fn = _LEVELS.get(comp)
    return fn(a.values, b.values) if fn else _exact(a, b, COMPARISONS[comp])


def value_key(comp: str, lvl: int, fp: Fingerprint) -> str | None:
    """The value whose frequency is the level's u (None: the level has no value)."""
    if lvl == top_level(comp):
        return group_key(fp, comp)
    if comp == "languages" and lvl == 1:
        return primary_language(fp.values.get("languages"))
    if comp == "network" and lvl == 1 and fp.values.get("asn") is not None:
        return _value_key(fp.values["asn"])
    return None


def software_updated(a: Fingerprint, b: Fingerprint) -> bool:
    """The browser or OS moved to another release between b and a: renderings may differ."""
    return (a.values.get("browser_major") != b.values.get("browser_major")
            or a.values.get("os_version") != b.values.get("os_version"))


def m_key(comp: str, lvl: int, a: Fingerprint, b: Fingerprint) -> str:
    key = f"{comp}:{lvl}"
    return key + "|upd" if comp in RENDERING and software_updated(a, b) else key


def posterior_log_odds(scores: list[float], n_devices: int) -> float:
    """Log odds that the best candidate is the device, against every other explanation.

    With each of the ``n`` known devices equally likely a priori, P(device i | data) is proportional
    to ``exp(s_i) / n`` and P(a new device) to about 1, so the best candidate's odds are
    ``exp(s_1) / (n + sum_{i>1} exp(s_i))``. Near-identical devices (phones of one model) share
    their score and so split the probability: none of them is linked on the fingerprint alone.
    """
    best = scores[0]
    rest = sorted(scores[1:], reverse=True)
    hi = max([math.log(n_devices), *rest])
    total = math.exp(math.log(n_devices) - hi) + sum(math.exp(x - hi) for x in rest)
    return best - (hi + math.log(total))


def rank_candidates(groups: Iterable[Iterable[str]], keep: int = MAX_CANDIDATES) -> list[str]:
    """Devices sharing the most blocking keys first (then the most recent), at most `keep`."""
    shared: dict[str, int] = defaultdict(int)
    recency: dict[str, int] = {}
    for group in groups:
        for rank, device_id in enumerate(dict.fromkeys(reversed(list(group)))):  # a device once per key
            shared[device_id] += 1
            recency[device_id] = min(recency.get(device_id, rank), rank)
    ordered = sorted(shared, key=lambda d: (-shared[d], recency[d]))
    return ordered[:keep]


def count_keys(fp: Fingerprint) -> list[tuple[str, ...]]:
    """Value-frequency keys of a fingerprint: every valued level, alone and within its hardware."""
    hw = group_key(fp, "hardware")
    keys: list[tuple[str, ...]] = []
    for comp in COMPARISONS:
        for lvl in range(1, top_level(comp) + 1):
            key = value_key(comp, lvl, fp)
            if key is None:
                continue
            keys.append(("g", comp, str(lvl), key))
            if comp != "hardware":
                keys.append(("hg", hw, comp, str(lvl), key))
    return keys
