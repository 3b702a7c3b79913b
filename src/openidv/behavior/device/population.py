"""Generated device populations with realistic drift, to tune and measure device linking.

Real fingerprint data of other people's devices cannot ship with the project, so linking is
measured on generated populations whose structure follows published fingerprinting studies
(AmIUnique, Laperdrix et al. 2016; Gomez-Boix et al. 2018; FP-Stalker, Vastel et al. 2018) and
platform behaviour; sources and assumptions are listed beside every table in
:mod:`~openidv.behavior.device.population_data` and :mod:`~openidv.behavior.device.population_net`.

What makes two devices differ (and what does not):

* **Hardware and rendering** are shared by every device of one model: phones of one model, OS
  release and browser release render identically (canvas and audio hashes are functions of OS,
  engine, release line, GPU and CPU architecture, not random per device).
* **Per-user settings that persist** across visits: the browser language list and its order, the
  locale, the time zone, display scaling (Windows scaling, macOS "looks like" resolution, Android
  display size, iPhone Display Zoom: they change the CSS screen size and devicePixelRatio), the
  taskbar / Dock / panel that ``screen.avail*`` excludes, installed fonts (desktops).
* **Network continuity**: the household's ISP (ASN) and, until the ISP renumbers it, its subnet;
  the phone's carrier. Households hold several devices, so family members share the home
  network, time zone, language and sometimes the phone model: the hard case for network evidence.

Drift between visits is driven by the time between them (``gap``): browsers update every few weeks,
OSes on their release cadence, ISPs renumber, storage is cleared at a rate per month, and Safari's
tracking prevention deletes script-written storage after seven days without a visit; a visit may be
made from elsewhere, while travelling (time zone and IP country change together, or a home-routed
roaming IP), or on another screen. Nothing guarantees that a device can be re-linked: identical
phones that lost their storage and came back on another network are kept, and reported as a slice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from openidv.behavior.device import population_data as pd
from openidv.behavior.device import population_net as pn
from openidv.behavior.device.population_display import Display, desktop_display, phone_display, taskbar

HOUSEHOLD_SHARE = 0.2  # devices joining a household already in the population (assumption)
ITP_DAYS = 7.0  # Safari deletes script-writable storage after 7 days without a visit (WebKit ITP 2.3)
CLEAR_DAYS = 84.0  # mean time to clearing site data: ~30% within a month (comScore 2007 cookie study)
# Safari resets the 7-day clock whenever the user interacts with the site: users who visit the
# integrator's site at least weekly between verifications (online banking, marketplaces) keep their
# storage; one-off flows do not. Assumption: half of the users are such regular visitors.
ENGAGED = 0.5
PRIVATE_HABIT, PRIVATE_VISIT = 0.05, 0.02  # always / occasionally in a private window (assumption)
STORAGE_BLOCKED = 0.01  # storage unavailable to the collector (assumption)
TRAVEL = 0.08  # visits made away from home in another time zone (assumption)
SCREEN_CHANGE, INSETS_CHANGE = 0.12, 0.03  # desktop visits on another screen / with another taskbar (assumption)


def _h(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _new_id(rng: np.random.Generator) -> str:
    return _h("sid", rng.random()) + _h(rng.random())


@dataclass(frozen=True)
class Device:
    """A generated device's latent state at one visit; :meth:`attributes` renders what a collector
    sees and :meth:`network` what the server sees."""

    os: str
    os_version: tuple[int, ...]
    browser: str
    major: int
    minor: int  # Safari's minor version (it follows the OS); 0 elsewhere
    gpu: str
    model: str
    model_index: int  # phones: index in the model table (household members may share a model)
    display: Display
    alt_display: Display | None  # desktops: the other screen the machine is used with
    taskbar: tuple[int, int]  # width, height reserved by the taskbar / Dock / panel (a user setting)
    cores: int
    memory: int | None
    fonts: tuple[str, ...]
    country: str  # home country
    timezone: str
    languages: tuple[str, ...]  # the user's language list (the browser exposes all, or the first: Safari)
    locale: str
    storage_id: str | None
    mobile: bool
    home_isp: int
    home_subnet: int
    carrier: int = -1
    carrier_region: int = 0
    household: int = -1
    private_habit: bool = False
    private_now: bool = False
    engaged: bool = False  # visits the integrator's site at least weekly (Safari's 7-day clock resets)
    net: pn.NetVisit | None = None

    @property
    def screen(self) -> str:
        return f"{self.display.width}x{self.display.height}"

    def network(self, lookup: bool = True) -> dict[str, Any]:
        net = self.net or pn.NetVisit(self.home_isp, self.home_subnet, self.country, "home")
        return pn.render(net, lookup)

    def attributes(self) -> dict[str, Any]:
        return render_attributes(self)


def render_attributes(d: Device) -> dict[str, Any]:
    engine = "WebKit" if d.browser == "Safari" or d.os == "iOS" else "Gecko" if d.browser == "Firefox" else "Blink"
    # Renderings change every few browser releases and with OS builds (the canvas draws an emoji,
    # whose font ships with the OS), not with every release.
    line = (d.major, d.minor) if engine == "WebKit" else d.major // 4
    os_build = d.os_version[:2]
    ds = d.display
    dev: dict[str, Any] = {
        "user_agent": _ua(d), "platform": _platform(d), "languages": browser_languages(d.languages, d.browser),
        "locale": d.locale,
        "timezone": d.timezone, "hardware_concurrency": d.cores,
        "screen": {"width": ds.width, "height": ds.height, "avail_width": ds.width - d.taskbar[0],
                   "avail_height": ds.height - ds.menu - d.taskbar[1], "pixel_ratio": ds.pixel_ratio,
                   "color_depth": 30 if d.os == "macOS" and engine == "Blink" else 24},
        "max_touch_points": 5 if d.mobile else 0, "fonts": list(d.fonts),
        "webgl": {"unmasked_renderer": d.gpu, "unmasked_vendor": d.gpu.split(",")[0]},
        "canvas_hash": _h("canvas", d.os, os_build, engine, line, d.gpu, d.fonts[:1]),
        "audio_hash": _h("audio", d.os, engine, d.major // 8 if engine != "WebKit" else d.major,
                         "arm" if d.mobile or "Apple M" in d.gpu else "x86"),
    }
    if engine == "Blink":
        dev["device_memory"] = d.memory
        dev["client_hints"] = {
            "mobile": d.mobile, "platform": d.os, "model": d.model,
            "platform_version": ".".join(map(str, ([*list(d.os_version), 0, 0, 0])[:3])),
            "architecture": "arm" if d.mobile or "Apple M" in d.gpu else "x86", "bitness": "64",
            "brands": [{"brand": "Chromium", "version": str(d.major)}]}
    if d.storage_id:
        dev["storage_id"] = d.storage_id
    return dev


def _ua(d: Device) -> str:
    """User agents as browsers send them today: macOS frozen at 10_15_7 (Chrome, Safari) / 10.15
    (Firefox), Android reduced to "Android 10; K" (Chrome's UA reduction, the model and version are
    only in client hints), iOS with its real version."""
    ios = "_".join(str(v) for v in d.os_version if v) if d.os == "iOS" else ""
    osp = {"Windows": "Windows NT 10.0; Win64; x64", "macOS": "Macintosh; Intel Mac OS X 10_15_7",
           "Linux": "X11; Linux x86_64", "Android": "Linux; Android 10; K",
           "iOS": f"iPhone; CPU iPhone OS {ios} like Mac OS X"}[d.os]
    if d.browser == "Firefox":
        osp = osp.replace("10_15_7", "10.15")
        return f"Mozilla/5.0 ({osp}; rv:{d.major}.0) Gecko/20100101 Firefox/{d.major}.0"
    if d.browser == "Safari":
        mob = " Mobile/15E148" if d.os == "iOS" else ""
        tail = "604.1" if d.os == "iOS" else "605.1.15"
        return (f"Mozilla/5.0 ({osp}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{d.major}.{d.minor}{mob} "
                f"Safari/{tail}")
    mob = " Mobile" if d.mobile else ""
    if d.browser == "Samsung Internet":
        return (f"Mozilla/5.0 ({osp}) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{d.major}.0 "
                f"Chrome/{d.major + 96}.0.0.0{mob} Safari/537.36")
    tail = f" Edg/{d.major}.0.0.0" if d.browser == "Edge" else ""
    return (f"Mozilla/5.0 ({osp}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{d.major}.0.0.0{mob} "
            f"Safari/537.36{tail}")


def _platform(d: Device) -> str:
    return {"Windows": "Win32", "macOS": "MacIntel", "Linux": "Linux x86_64", "Android": "Linux armv81",
            "iOS": "iPhone"}[d.os]


def _choice(rng: np.random.Generator, weighted: tuple[tuple[Any, float], ...]) -> Any:
    p = np.array([w for _, w in weighted], dtype=float)
    return weighted[int(rng.choice(len(weighted), p=p / p.sum()))][0]


def _country(code: str) -> pd.Country:
    return next(c for c in pd.COUNTRIES if c.code == code)


def languages(rng: np.random.Generator, country: str) -> tuple[tuple[str, ...], str]:
    """The user's language list and UI locale: the country's language, or a minority language or an
    English UI; English or another language added by some; rarely reordered by hand."""
    c = _country(country)
    r = rng.random()
    if r < c.minority_share:
        primary = str(rng.choice(c.minority))
    elif r < c.minority_share + 0.03 and not c.lang.startswith("en"):
        primary = "en-US"
    else:
        primary = c.lang
    base = primary.split("-")[0]
    chain = [primary, base]
    if base != "en" and rng.random() < (c.english_extra if primary == c.lang else 0.4):
        chain += ["en-GB" if rng.random() < 0.3 else "en-US", "en"]
    if primary != c.lang and rng.random() < 0.6:
        chain += [c.lang, c.lang.split("-")[0]]
    if rng.random() < 0.05:
        chain.append(str(rng.choice(pd.OTHER_LANGS)))
    chain = list(dict.fromkeys(chain))
    locale = chain[0]
    if len(chain) > 2 and rng.random() < 0.03:
        chain.insert(0, chain.pop(2))
    return tuple(chain), locale


def browser_languages(chain: tuple[str, ...], browser: str) -> list[str]:
    """navigator.languages: the user's list, except Safari, which exposes only the first (WebKit
    reduces it for privacy)."""
    return list(chain[:1]) if browser == "Safari" else list(chain)


def _zone(rng: np.random.Generator, country: str) -> str:
    c = _country(country)
    return str(c.zones[int(rng.choice(len(c.zones), p=np.array(c.zone_p) / sum(c.zone_p)))])


def _browser(rng: np.random.Generator, kind: str, model: str) -> str:
    if kind == "Android":
        return "Samsung Internet" if model.startswith("SM-") and rng.random() < 0.3 else "Chrome"
    options = {"Windows": (("Chrome", 0.70), ("Edge", 0.22), ("Firefox", 0.08)),
               "macOS": (("Chrome", 0.55), ("Safari", 0.38), ("Firefox", 0.07)),
               "Linux": (("Chrome", 0.6), ("Firefox", 0.4))}[kind]
    return str(_choice(rng, options))


def _version(rng: np.random.Generator, browser: str) -> int:
    return pd.LATEST[browser] - int(rng.choice([0, 0, 0, 1, 1, 2, 3, 5]))


def _phone(rng: np.random.Generator, kind: str, home: Device | None) -> dict[str, Any]:
    same = home is not None and home.os == kind and rng.random() < 0.3  # family members' phones
    if kind == "iOS":
        idx = home.model_index if same and home else int(
            rng.choice(len(pd.IPHONES), p=_norm([x[3] for x in pd.IPHONES])))
        ver = pd.IOS_RELEASES[int(rng.choice(len(pd.IOS_RELEASES), p=_norm(pd.IOS_P)))]
        return {"os_version": ver, "browser": "Safari", "major": ver[0], "minor": ver[1], "gpu": "Apple GPU",
                "model": "", "model_index": idx, "display": phone_display(rng, kind, idx), "cores": 6,
                "memory": None, "fonts": pd.BASE_FONTS["iOS"]}
    idx = home.model_index if same and home else int(
        rng.choice(len(pd.ANDROID_MODELS), p=_norm([x[6] for x in pd.ANDROID_MODELS])))
    model, gpu, _, _, cores, mem, _ = pd.ANDROID_MODELS[idx]
    browser = _browser(rng, kind, model)
    return {"os_version": (int(_choice(rng, pd.ANDROID_VERSIONS)),), "browser": browser,
            "major": _version(rng, browser), "minor": 0, "gpu": gpu, "model": model, "model_index": idx,
            "display": phone_display(rng, kind, idx), "cores": cores, "memory": mem,
            "fonts": pd.BASE_FONTS["Android"]}


def _desktop(rng: np.random.Generator, kind: str) -> dict[str, Any]:
    browser = _browser(rng, kind, "")
    if kind == "Windows":
        ver, gpus = _choice(rng, pd.WINDOWS_VERSIONS), pd.WIN_GPUS
    elif kind == "macOS":
        ver, gpus = _choice(rng, pd.MAC_VERSIONS), pd.MAC_GPUS
    else:
        ver, gpus = (6, 1, 0), pd.LINUX_GPUS
    if browser == "Safari":  # Safari 18 runs on macOS 13+; minor releases come with OS updates
        major, minor = (18, int(rng.integers(0, 3))) if ver[0] >= 13 and rng.random() < 0.85 else (17, 6)
    else:
        major, minor = _version(rng, browser), 0
    fonts = list(pd.BASE_FONTS[kind])
    fonts += [f for f in pd.EXTRA_FONTS if f not in fonts and rng.random() < 0.15]
    zipf = 1.0 / np.arange(1, len(gpus) + 1) ** 0.8  # GPU popularity
    return {"os_version": tuple(ver), "browser": browser, "major": major, "minor": minor,
            "gpu": gpus[int(rng.choice(len(gpus), p=zipf / zipf.sum()))], "model": "", "model_index": -1,
            "display": desktop_display(rng, kind), "alt_display": desktop_display(rng, kind, external=True),
            "cores": int(rng.choice([4, 6, 8, 8, 12, 16, 16, 20, 24])), "memory": int(rng.choice([4, 8, 8, 8])),
            "fonts": tuple(sorted(fonts))}


def _norm(w: Any) -> np.ndarray:
    a = np.asarray(w, dtype=float)
    return a / a.sum()


def _kind(rng: np.random.Generator, home: Device | None) -> str:
    kind = str(rng.choice(pd.KINDS, p=_norm(pd.KIND_P)))
    if home is not None and home.mobile and kind in ("Android", "iOS"):
        kind = home.os if rng.random() < 0.6 else kind  # families tend to share a phone platform
    return kind


def new_device(rng: np.random.Generator, home: Device | None = None, household: int = -1) -> Device:
    """A device drawn from the population mix, at its first visit; with ``home``, a device of the
    same household (same home network, time zone and usually language)."""
    kind = _kind(rng, home)
    country = home.country if home else pn.pick_country(rng)
    hw = _phone(rng, kind, home) if kind in ("Android", "iOS") else _desktop(rng, kind)
    langs, locale = (home.languages, home.locale) if home and rng.random() < 0.7 else languages(rng, country)
    isp = home.home_isp if home else pn.pick_isp(rng, country, mobile=False).index
    subnet = home.home_subnet if home else pn.random_subnet(rng)
    mobile = kind in ("Android", "iOS")
    carrier, region = -1, 0
    if mobile:
        shared = home is not None and home.carrier >= 0 and rng.random() < 0.6  # family plans
        carrier = home.carrier if shared and home else pn.pick_isp(rng, country, mobile=True).index
        region = home.carrier_region if home and home.carrier >= 0 else int(rng.integers(0, pn.CGNAT_REGIONS))
    habit = bool(rng.random() < PRIVATE_HABIT)
    d = Device(
        os=kind, taskbar=taskbar(rng, kind, hw["os_version"]), alt_display=hw.pop("alt_display", None),
        country=country, timezone=home.timezone if home else _zone(rng, country), languages=langs, locale=locale,
        storage_id=None if rng.random() < STORAGE_BLOCKED else _new_id(rng), mobile=mobile, home_isp=isp,
        home_subnet=subnet, carrier=carrier, carrier_region=region,
        household=home.household if home else household, private_habit=habit, engaged=bool(rng.random() < ENGAGED),
        private_now=habit or bool(rng.random() < PRIVATE_VISIT), **hw)
    net = pn.visit_network(rng, mobile, isp, subnet, carrier, region, country, None)
    return replace(d, net=net)


def new_population(rng: np.random.Generator, n: int) -> list[Device]:
    """`n` devices; a share of them join the household of an earlier one."""
    out: list[Device] = []
    for i in range(n):
        if out and rng.random() < HOUSEHOLD_SHARE:
            out.append(new_device(rng, home=out[int(rng.integers(0, len(out)))]))
        else:
            out.append(new_device(rng, household=i))
    return out


def newcomer(rng: np.random.Generator, population: list[Device], household: int) -> Device:
    """A device never seen before, sometimes of a household that is already known (a family
    member verifying from home: same network, time zone and language)."""
    if population and rng.random() < HOUSEHOLD_SHARE:
        return new_device(rng, home=population[int(rng.integers(0, len(population)))])
    return new_device(rng, household=household)
