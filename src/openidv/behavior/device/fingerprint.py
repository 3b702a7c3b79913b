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

# Attributes fixed by the hardware and OS model: compared together, as one piece of evidence.
HARDWARE = ("webgl", "webgl_vendor", "hw", "mem", "model", "arch", "touch", "platform", "os")
ATTRIBUTES = (
    *HARDWARE, "canvas", "audio", "fonts", "os_version", "browser", "browser_major", "screen", "pixel_ratio",
    "color_depth", "insets", "timezone", "languages", "locale", "subnet", "asn",
)
# Blocking keys: a known device is a candidate if it shares any one of these attribute groups. Each
# group leaves out something that drifts, so that any single drift (an update, travel, a new
# screen or network, a font) leaves at least one group intact; each includes something per-user
# (languages, fonts, time zone, network), so that the blocks of popular phone models stay small.
BLOCKS = (
    ("canvas", "audio", "languages"),
    (*HARDWARE, "fonts", "languages"),
    (*HARDWARE, "screen", "pixel_ratio", "insets", "languages"),
    (*HARDWARE, "timezone", "languages"),
    (*HARDWARE, "subnet"),
    (*HARDWARE, "asn", "timezone"),
    ("fonts", "screen", "timezone"),
    ("subnet", "languages"),
)
_DRIVER_VERSION = re.compile(r"\s*(?:\(0x[0-9a-f]+\)|,\s*(?:D3D|OpenGL|Vulkan)[^)]*|\d+\.\d+\.\d+(?:\.\d+)*)", re.I)


@dataclass(frozen=True)
class Fingerprint:
    values: Mapping[str, Any]  # attribute -> str | int | float | frozenset[str]
    storage_id: str | None = None  # the collector's first-party localStorage id
    host_id: str | None = None  # the integrator's own device id (telemetry device.device_id), if it sends one

    def get(self, attr: str) -> Any:
        return self.values.get(attr)

    def to_json(self) -> bytes:
        data = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in self.values.items()}
        return json.dumps({"v": data, "s": self.storage_id, "h": self.host_id}, sort_keys=True,
                          separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Fingerprint:
        d = json.loads(raw)
        values = {k: frozenset(v) if isinstance(v, list) else v for k, v in d["v"].items()}
        return cls(values, d.get("s"), d.get("h"))

    def block_keys(self) -> list[str]:
        """Digests of the blocking groups this fingerprint can form: every attribute outside the
        hardware tuple must be present (hardware attributes a browser does not expose, such as the
        client-hints model on Safari, count as empty)."""
        keys = []
        for i, group in enumerate(BLOCKS):
            parts = [self.values.get(a) for a in group]
            if any((p is None or p == "") and a not in HARDWARE for a, p in zip(group, parts, strict=True)):
                continue
            text = "|".join(_key_text(p) for p in parts)
            keys.append(f"v2b{i}:" + hashlib.sha256(text.encode()).hexdigest()[:24])
        return keys


def _key_text(v: Any) -> str:
    if v is None:
        return ""
    return ",".join(sorted(v)) if isinstance(v, frozenset) else str(v)


def form_factor(fp: Fingerprint) -> str:
    """"mobile" for phone and tablet operating systems, else "desktop" (each has its link threshold)."""
    return "mobile" if fp.values.get("os") in ("Android", "iOS") else "desktop"


def _text(v: Any, limit: int = 128) -> str | None:
    return v.strip()[:limit] if isinstance(v, str) and v.strip() else None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _mapping(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _insets(screen: Mapping[str, Any]) -> str | None:
    """What the OS reserves on the screen (taskbar, Dock, menu bar, panel): a per-user setting that
    survives a change of monitor, unlike the screen size."""
    vals = [_num(screen.get(k)) for k in ("width", "height", "avail_width", "avail_height")]
    if any(v is None for v in vals):
        return None
    w, h, aw, ah = (float(v) for v in vals)  # type: ignore[arg-type]
    return f"{int(w - aw)}x{int(h - ah)}"


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
    net = network or {}
    raw: dict[str, Any] = {
        "canvas": _text(device.get("canvas_hash")),
        "audio": _text(device.get("audio_hash")),
        "webgl": normalise_webgl(_text(webgl.get("unmasked_renderer")) or _text(webgl.get("renderer"))),
        "webgl_vendor": (_text(webgl.get("unmasked_vendor")) or _text(webgl.get("vendor")) or "").lower() or None,
        "fonts": frozenset(str(f)[:64] for f in fonts[:256]) if isinstance(fonts, list) and fonts else None,
        "platform": _text(device.get("platform")),
        "os": ua.os or None,
        # Client hints carry the real OS version where the user agent is frozen or reduced (macOS
        # 10_15_7, "Android 10; K"); elsewhere the user agent's (iOS carries major_minor_patch).
        "os_version": _text(ch.get("platform_version"), 32) or ua.os_version or None,
        "browser": ua.browser or None,
        "browser_major": ua.browser_major,
        "hw": _num(device.get("hardware_concurrency")),
        "mem": _num(device.get("device_memory")),
        "screen": f"{int(max(w, h))}x{int(min(w, h))}" if w and h else None,
        "pixel_ratio": _num(screen.get("pixel_ratio")),
        "color_depth": _num(screen.get("color_depth")),
        "insets": _insets(screen),
        "touch": _num(device.get("max_touch_points")),
        "timezone": _text(device.get("timezone"), 64),
        "languages": ",".join(str(x).lower()[:35] for x in langs[:8]) if isinstance(langs, list) and langs else None,
        "locale": (_text(device.get("locale"), 35) or "").lower() or None,
        "arch": "/".join(x for x in (_text(ch.get("architecture")), _text(ch.get("bitness"))) if x) or None,
        "model": _text(ch.get("model")),
        "subnet": subnet(net.get("ip")),
        "asn": _num(net.get("asn")),
    }
    values = {k: v for k, v in raw.items() if v is not None}
    sid, host = device.get("storage_id"), device.get("device_id")
    return Fingerprint(values, sid if isinstance(sid, str) and sid else None,
                       host[:128] if isinstance(host, str) and host else None)
