"""Device fingerprints: the telemetry's device attributes, normalised for matching.

Raw attributes vary in form between browsers (a missing field, a different casing, a driver
version inside the WebGL string). :func:`fingerprint` reduces them to a small flat mapping of
comparable values; the linker (:mod:`openidv.behavior.device.linking`) scores two fingerprints
attribute by attribute. Nothing here is secret, but a fingerprint can single a person out, so it
is stored sealed (encrypted) and only blinded digests are used as lookup keys.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openidv.behavior.device.network import subnet
from openidv.behavior.device.ua import parse_ua

# Attributes compared one by one. "browser_major" is compared by distance (an update is drift).
ATTRIBUTES = (
    "canvas", "audio", "webgl", "webgl_vendor", "fonts", "platform", "os", "os_version", "browser",
    "browser_major", "hw", "mem", "screen", "pixel_ratio", "color_depth", "touch", "timezone", "languages",
    "arch", "model", "subnet",
)
# Blocking keys: a returning device is a candidate if it shares any one of these attribute groups.
BLOCKS = (
    ("canvas", "audio"),
    ("webgl", "fonts", "hw"),
    ("fonts", "platform", "screen"),
    ("audio", "webgl", "hw", "mem"),
    ("canvas", "timezone", "languages"),
    ("webgl", "platform", "languages", "touch", "screen"),
    ("fonts", "languages", "timezone"),
    ("subnet", "platform", "os"),
)
_DRIVER_VERSION = re.compile(r"\s*(?:\(0x[0-9a-f]+\)|,\s*(?:D3D|OpenGL|Vulkan)[^)]*|\d+\.\d+\.\d+(?:\.\d+)*)", re.I)


@dataclass(frozen=True)
class Fingerprint:
    values: Mapping[str, Any]  # attribute -> str | int | float | frozenset[str]
    storage_id: str | None = None

    def get(self, attr: str) -> Any:
        return self.values.get(attr)

    def to_json(self) -> bytes:
        data = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in self.values.items()}
        return json.dumps({"v": data, "s": self.storage_id}, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Fingerprint:
        d = json.loads(raw)
        values = {k: frozenset(v) if isinstance(v, list) else v for k, v in d["v"].items()}
        return cls(values, d.get("s"))

    def block_keys(self) -> list[str]:
        """Digests of the blocking groups this fingerprint has complete."""
        keys = []
        for i, group in enumerate(BLOCKS):
            parts = [self.values.get(a) for a in group]
            if any(p is None or p == "" for p in parts):
                continue
            text = "|".join(",".join(sorted(p)) if isinstance(p, frozenset) else str(p) for p in parts)
            keys.append(f"b{i}:" + hashlib.sha256(text.encode()).hexdigest()[:24])
        return keys


def form_factor(fp: Fingerprint) -> str:
    """"mobile" for phone and tablet operating systems, else "desktop" (each has its link threshold)."""
    return "mobile" if fp.values.get("os") in ("Android", "iOS") else "desktop"


def _text(v: Any, limit: int = 128) -> str | None:
    return v.strip()[:limit] if isinstance(v, str) and v.strip() else None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _mapping(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def normalise_webgl(renderer: str | None) -> str | None:
    """GPU model without driver build numbers, which change with driver updates."""
    if not renderer:
        return None
    r = _DRIVER_VERSION.sub("", renderer)
    return re.sub(r"\s+", " ", r).strip().lower()[:128] or None


def fingerprint(device: Mapping[str, Any], network: Mapping[str, Any] | None = None) -> Fingerprint:
    """Normalised comparable attributes of telemetry ``device`` (and ``network``) objects; missing
    ones are left out."""
    ua = parse_ua(str(device.get("user_agent") or ""))
    webgl, screen, ch = (_mapping(device.get(k)) for k in ("webgl", "screen", "client_hints"))
    w, h = _num(screen.get("width")), _num(screen.get("height"))
    fonts = device.get("fonts")
    langs = device.get("languages")
    raw: dict[str, Any] = {
        "canvas": _text(device.get("canvas_hash")),
        "audio": _text(device.get("audio_hash")),
        "webgl": normalise_webgl(_text(webgl.get("unmasked_renderer")) or _text(webgl.get("renderer"))),
        "webgl_vendor": (_text(webgl.get("unmasked_vendor")) or _text(webgl.get("vendor")) or "").lower() or None,
        "fonts": frozenset(str(f)[:64] for f in fonts[:256]) if isinstance(fonts, list) and fonts else None,
        "platform": _text(device.get("platform")),
        "os": ua.os or None,
        "os_version": ua.os_version or None,
        "browser": ua.browser or None,
        "browser_major": ua.browser_major,
        "hw": _num(device.get("hardware_concurrency")),
        "mem": _num(device.get("device_memory")),
        "screen": f"{int(max(w, h))}x{int(min(w, h))}" if w and h else None,
        "pixel_ratio": _num(screen.get("pixel_ratio")),
        "color_depth": _num(screen.get("color_depth")),
        "touch": _num(device.get("max_touch_points")),
        "timezone": _text(device.get("timezone"), 64),
        "languages": ",".join(str(x).lower()[:35] for x in langs[:3]) if isinstance(langs, list) and langs else None,
        "arch": "/".join(x for x in (_text(ch.get("architecture")), _text(ch.get("bitness"))) if x) or None,
        "model": _text(ch.get("model")),
        "subnet": subnet((network or {}).get("ip")),
    }
    values = {k: v for k, v in raw.items() if v is not None}
    sid = device.get("storage_id")
    return Fingerprint(values, sid if isinstance(sid, str) and sid else None)
