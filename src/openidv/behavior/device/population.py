"""Generated device populations with realistic drift, to tune and measure device linking.

Real fingerprint data of other people's devices cannot ship with the project, so linking is
measured on generated populations whose structure follows published fingerprinting studies
(AmIUnique, Laperdrix et al. 2016; Gomez-Boix et al. 2018): most entropy on desktops comes from
fonts, GPU, canvas and audio renderings; phones of one model and OS version are near-identical;
canvas and audio hashes are functions of the rendering stack (OS, engine, GPU, browser release
line), not random per device.

A returning device drifts between visits the way real ones do: browser updates (which can change
canvas and audio renderings), OS updates, travel across time zones, a new or external screen, an
installed font, and cleared storage (the first-party id is gone).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

COUNTRIES = {  # country -> (time zones, languages)
    "US": (["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"], ["en-US", "en"]),
    "GB": (["Europe/London"], ["en-GB", "en"]),
    "DE": (["Europe/Berlin"], ["de-DE", "de", "en"]),
    "FR": (["Europe/Paris"], ["fr-FR", "fr", "en"]),
    "ES": (["Europe/Madrid"], ["es-ES", "es"]),
    "IT": (["Europe/Rome"], ["it-IT", "it", "en"]),
    "NL": (["Europe/Amsterdam"], ["nl-NL", "nl", "en"]),
    "PL": (["Europe/Warsaw"], ["pl-PL", "pl"]),
    "BR": (["America/Sao_Paulo"], ["pt-BR", "pt"]),
    "IN": (["Asia/Kolkata"], ["en-IN", "hi", "en"]),
    "JP": (["Asia/Tokyo"], ["ja-JP", "ja"]),
    "AU": (["Australia/Sydney", "Australia/Melbourne"], ["en-AU", "en"]),
}
COUNTRY_P = np.array([25, 10, 9, 8, 6, 5, 4, 4, 8, 10, 5, 6], dtype=float)
WIN_GPUS = [f"ANGLE (NVIDIA, NVIDIA GeForce {m} Direct3D11 vs_5_0 ps_5_0, D3D11)" for m in (
    "GTX 1050 Ti", "GTX 1060 6GB", "GTX 1650", "GTX 1660 SUPER", "RTX 2060", "RTX 2070 SUPER", "RTX 3050",
    "RTX 3060", "RTX 3060 Ti", "RTX 3070", "RTX 3080", "RTX 4060", "RTX 4070", "RTX 4090")] + [
    f"ANGLE (Intel, Intel(R) {m} Direct3D11 vs_5_0 ps_5_0, D3D11)" for m in (
        "UHD Graphics 620", "UHD Graphics 630", "Iris(R) Xe Graphics", "HD Graphics 520", "UHD Graphics 770",
        "HD Graphics 4600")] + [
    f"ANGLE (AMD, AMD Radeon {m} Direct3D11 vs_5_0 ps_5_0, D3D11)" for m in (
        "RX 580 Series", "RX 6600", "RX 6700 XT", "Vega 8 Graphics", "Graphics", "RX 7600")]
MAC_GPUS = ["ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)",
            "ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)",
            "ANGLE (Apple, ANGLE Metal Renderer: Apple M3, Unspecified Version)",
            "ANGLE (Apple, ANGLE Metal Renderer: Apple M1 Pro, Unspecified Version)",
            "ANGLE (Intel Inc., Intel(R) Iris(TM) Plus Graphics 655, OpenGL 4.1)"]
LINUX_GPUS = ["Mesa Intel(R) UHD Graphics 620 (KBL GT2)", "NVIDIA GeForce GTX 1060/PCIe/SSE2",
              "AMD Radeon RX 580 Series (polaris10, LLVM 15.0.6, DRM 3.49, 6.1.0)"]
ANDROID_MODELS = [  # model, GPU, screen, pixel ratio, cores, memory
    ("SM-S911B", "Adreno (TM) 740", "2340x1080", 3.0, 8, 8), ("SM-A546B", "Mali-G68 MC4", "2340x1080", 2.625, 8, 8),
    ("SM-A145R", "Mali-G52", "2408x1080", 2.0, 8, 4), ("Pixel 7", "Mali-G710", "2400x1080", 2.625, 8, 8),
    ("Pixel 6a", "Mali-G78", "2400x1080", 2.625, 8, 4), ("Redmi Note 12", "Adreno (TM) 610", "2400x1080", 2.75, 8, 4),
    ("M2101K6G", "Adreno (TM) 618", "2400x1080", 2.75, 8, 6), ("CPH2387", "Mali-G57 MC2", "2412x1080", 2.0, 8, 4),
    ("SM-G991B", "Mali-G78", "2400x1080", 3.0, 8, 8), ("moto g(30)", "Adreno (TM) 610", "1600x720", 1.75, 8, 4),
]
IPHONES = [("390x844", 3.0), ("393x852", 3.0), ("430x932", 3.0), ("375x667", 2.0), ("414x896", 2.0),
           ("428x926", 3.0), ("375x812", 3.0)]
DESKTOP_SCREENS = ["1920x1080", "1366x768", "1536x864", "2560x1440", "1440x900", "1680x1050", "1280x720",
                   "3840x2160", "1600x900", "2560x1080"]
DESKTOP_SCREEN_P = np.array([35, 12, 10, 10, 6, 4, 4, 5, 5, 3], dtype=float)
MAC_SCREENS = ["1440x900", "1512x982", "1728x1117", "1680x1050", "2560x1440", "1920x1080"]
BASE_FONTS = {
    "Windows": ["Arial", "Calibri", "Cambria", "Consolas", "Courier New", "Georgia", "Segoe UI", "Tahoma",
                "Times New Roman", "Trebuchet MS", "Verdana", "Impact", "Comic Sans MS", "Constantia", "Corbel"],
    "macOS": ["Arial", "Courier New", "Geneva", "Georgia", "Helvetica", "Helvetica Neue", "Lucida Grande", "Menlo",
              "Monaco", "Optima", "Palatino", "Times New Roman", "Verdana", "Futura", "Gill Sans"],
    "Linux": ["DejaVu Sans", "DejaVu Serif", "Liberation Mono", "Liberation Sans", "Noto Sans", "Ubuntu"],
    "Android": ["Roboto", "Noto Sans", "Noto Serif", "Droid Sans"],
    "iOS": ["Arial", "Courier New", "Georgia", "Helvetica", "Helvetica Neue", "Times New Roman", "Verdana"],
}
EXTRA_FONTS = ["Franklin Gothic Medium", "Garamond", "Candara", "Arial Black", "Lucida Console", "Roboto",
               "Noto Sans", "Ubuntu", "SF Pro Text", "Gill Sans", "Futura", "Optima", "Palatino", "Helvetica",
               "DejaVu Sans", "Liberation Sans", "Droid Sans", "Noto Serif", "Menlo", "Monaco"]
LATEST = {"Chrome": 131, "Edge": 131, "Firefox": 133, "Safari": 18, "Samsung Internet": 26}


def _h(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Device:
    """A generated device's latent state; :meth:`attributes` renders what a collector would see."""

    os: str
    os_major: int
    browser: str
    major: int
    gpu: str
    model: str
    screen: str
    pixel_ratio: float
    cores: int
    memory: int | None
    fonts: tuple[str, ...]
    country: str
    timezone: str
    languages: tuple[str, ...]
    storage_id: str | None
    mobile: bool
    home_net: int = 0
    net: int = 0  # network of the current visit

    def network(self) -> dict[str, Any]:
        return {"ip": f"{10 + self.net // 65536 % 200}.{self.net // 256 % 256}.{self.net % 256}.{7 + self.net % 200}"}

    def attributes(self) -> dict[str, Any]:
        engine = {"Firefox": "Gecko", "Safari": "WebKit"}.get(self.browser, "Blink")
        if self.os == "iOS":
            engine = "WebKit"
        release_line = self.major // 4  # renderings change every few releases, not every one
        w, h = (int(v) for v in self.screen.split("x"))
        dev: dict[str, Any] = {
            "user_agent": _ua(self), "platform": _platform(self), "languages": list(self.languages),
            "timezone": self.timezone, "hardware_concurrency": self.cores,
            "screen": {"width": w, "height": h, "pixel_ratio": self.pixel_ratio, "color_depth": 24 if self.mobile else
                       (30 if "2560" in self.screen or "3840" in self.screen else 24)},
            "max_touch_points": 5 if self.mobile else 0, "fonts": list(self.fonts),
            "webgl": {"unmasked_renderer": self.gpu, "unmasked_vendor": self.gpu.split(",")[0]},
            "canvas_hash": _h("canvas", self.os, self.os_major, engine, release_line, self.gpu, self.fonts[:1]),
            "audio_hash": _h("audio", self.os, engine, self.major // 8, "arm" if self.mobile else "x86"),
        }
        if engine == "Blink":
            dev["device_memory"] = self.memory
            dev["client_hints"] = {"mobile": self.mobile, "platform": self.os, "model": self.model,
                                   "architecture": "arm" if self.mobile or "Apple M" in self.gpu else "x86",
                                   "bitness": "64"}
        if self.storage_id:
            dev["storage_id"] = self.storage_id
        return dev


def _ua(d: Device) -> str:
    osp = {"Windows": "Windows NT 10.0; Win64; x64", "macOS": f"Macintosh; Intel Mac OS X 10_15_{d.os_major % 8}",
           "Linux": "X11; Linux x86_64", "Android": f"Linux; Android {d.os_major}; {d.model}",
           "iOS": f"iPhone; CPU iPhone OS {d.os_major}_1 like Mac OS X"}[d.os]
    if d.browser == "Firefox":
        return f"Mozilla/5.0 ({osp}; rv:{d.major}.0) Gecko/20100101 Firefox/{d.major}.0"
    if d.browser == "Safari":
        mob = " Mobile/15E148" if d.os == "iOS" else ""
        return f"Mozilla/5.0 ({osp}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{d.major}.1{mob} Safari/604.1"
    tail = {"Edge": f" Edg/{d.major}.0.0.0", "Samsung Internet": f" SamsungBrowser/{d.major}.0"}.get(d.browser, "")
    mob = " Mobile" if d.mobile else ""
    return (f"Mozilla/5.0 ({osp}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{d.major}.0.0.0{mob} "
            f"Safari/537.36{tail}")


def _platform(d: Device) -> str:
    return {"Windows": "Win32", "macOS": "MacIntel", "Linux": "Linux x86_64", "Android": "Linux armv81",
            "iOS": "iPhone"}[d.os]


def _pick(rng: np.random.Generator, items: list[Any], p: np.ndarray | None = None) -> Any:
    if p is None:  # Zipf-like popularity
        p = 1.0 / np.arange(1, len(items) + 1) ** 0.8
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _browser_version(rng: np.random.Generator, browser: str) -> int:
    return LATEST[browser] - int(rng.choice([0, 0, 0, 1, 1, 2, 3, 5]))


CARRIER_NETS = 300  # carrier-grade NAT pools shared by phones on mobile data


def new_device(rng: np.random.Generator) -> Device:
    """One device drawn from the population mix (desktop 68%, Android 20%, iPhone 12%), on its home
    network, or for a phone on mobile data half of the time."""
    d = _new_device(rng)
    home = int(rng.integers(CARRIER_NETS, 10_000_000))
    return replace(d, home_net=home, net=_visit_net(d, home, rng))


def _visit_net(d: Device, home: int, rng: np.random.Generator) -> int:
    if d.mobile and rng.random() < 0.5:
        return int(rng.integers(0, CARRIER_NETS))
    return home if rng.random() < 0.85 else int(rng.integers(CARRIER_NETS, 10_000_000))


def _new_device(rng: np.random.Generator) -> Device:
    kind = rng.choice(["Windows", "macOS", "Linux", "Android", "iOS"], p=[0.5, 0.15, 0.03, 0.2, 0.12])
    country = str(rng.choice(list(COUNTRIES), p=COUNTRY_P / COUNTRY_P.sum()))
    tzs, langs = COUNTRIES[country]
    tz = str(rng.choice(tzs))
    sid = _h("sid", rng.random()) + _h(rng.random()) if rng.random() < 0.75 else None
    if kind == "iOS":
        screen, dpr = _pick(rng, IPHONES)
        return Device("iOS", int(rng.choice([16, 17, 17, 18, 18, 18])), "Safari", 18, "Apple GPU", "", screen, dpr, 6,
                      None, tuple(BASE_FONTS["iOS"]), country, tz, tuple(langs), sid, True)
    if kind == "Android":
        model, gpu, screen, dpr, cores, mem = _pick(rng, ANDROID_MODELS)
        browser = "Samsung Internet" if model.startswith("SM-") and rng.random() < 0.3 else "Chrome"
        return Device("Android", int(rng.choice([12, 13, 14, 14, 15])), browser, _browser_version(rng, browser), gpu,
                      model, screen, dpr, cores, mem, tuple(BASE_FONTS["Android"]), country, tz, tuple(langs), sid,
                      True)
    browser = str(rng.choice(["Chrome", "Edge", "Firefox"], p=[0.75, 0.15, 0.10]) if kind != "macOS" else
                  rng.choice(["Chrome", "Safari", "Firefox"], p=[0.55, 0.38, 0.07]))
    gpu = _pick(rng, {"Windows": WIN_GPUS, "macOS": MAC_GPUS, "Linux": LINUX_GPUS}[str(kind)])
    screen = _pick(rng, MAC_SCREENS) if kind == "macOS" else _pick(rng, DESKTOP_SCREENS, DESKTOP_SCREEN_P)
    fonts = list(BASE_FONTS[str(kind)])
    fonts += [f for f in EXTRA_FONTS if f not in fonts and rng.random() < 0.15]
    return Device(str(kind), 10 if kind == "Windows" else int(rng.choice([13, 14, 15])), browser,
                  _browser_version(rng, browser), gpu, "", screen,
                  float(rng.choice([1.0, 1.25, 1.5, 2.0], p=[0.5, 0.2, 0.15, 0.15])) if kind != "macOS" else 2.0,
                  int(rng.choice([4, 6, 8, 8, 12, 16, 16, 20, 24])), int(rng.choice([4, 8, 8, 8])),
                  tuple(sorted(fonts)), country, tz, tuple(langs), sid, False)


def drift(d: Device, rng: np.random.Generator) -> Device:
    """The same device at a later visit."""
    out = d
    if rng.random() < 0.5:  # browser auto-update
        out = replace(out, major=out.major + int(rng.integers(1, 4)))
    if rng.random() < 0.1:  # OS update
        out = replace(out, os_major=out.os_major + 1)
    if rng.random() < 0.12:  # travel: another country's time zone, same languages
        other = str(rng.choice([c for c in COUNTRIES if c != out.country]))
        out = replace(out, timezone=str(rng.choice(COUNTRIES[other][0])))
    if not out.mobile and rng.random() < 0.12:  # external or new screen
        out = replace(out, screen=_pick(rng, DESKTOP_SCREENS, DESKTOP_SCREEN_P),
                      pixel_ratio=float(rng.choice([1.0, 1.25, 1.5, 2.0])))
    if not out.mobile and rng.random() < 0.05:  # a font installed
        extra = [f for f in EXTRA_FONTS if f not in out.fonts]
        if extra:
            out = replace(out, fonts=tuple(sorted([*out.fonts, str(rng.choice(extra))])))
    out = replace(out, net=_visit_net(out, out.home_net, rng))  # home, elsewhere, or mobile data
    if out.storage_id and rng.random() < 0.35:  # storage cleared: the collector makes a new id
        out = replace(out, storage_id=_h("sid", rng.random()) + _h(rng.random()))
    return out
