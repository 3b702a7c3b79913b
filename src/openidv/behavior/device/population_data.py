"""Tables behind the generated device population (:mod:`openidv.behavior.device.population`).

Every number here is either taken from a public source named beside it (rounded) or marked
*assumption*; the assumptions are the ones a deployment should replace with its own traffic.
Nothing here is measured on OpenIDV traffic (there is none yet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Country:
    code: str
    weight: float  # share of the population (assumption: an international IDV deployment)
    zones: tuple[str, ...]  # IANA zones with their share of the country's users
    zone_p: tuple[float, ...]
    lang: str  # primary language tag of the country (BCP 47)
    english_extra: float  # share of non-English users with English added to their browser languages
    minority: tuple[str, ...]  # other primary languages common among residents (immigrant languages)
    minority_share: float
    ipv6: float  # share of users reaching the web over IPv6


# IPv6 shares: Google IPv6 adoption statistics per country, 2024, rounded to 0.05.
# English as an added browser language: Eurostat Adult Education Survey 2016/2022 (share of adults
# speaking English as a foreign language: DE ~60%, FR ~40%, NL ~90%, ES/IT ~35%, PL ~35%), halved
# because speaking English does not mean adding it in browser settings (assumption).
# Minority primary languages: US Census ACS (13% speak Spanish at home; assumption: 8% set a
# Spanish browser); EU residents born abroad ~8-15% (Eurostat migr_pop3ctb), assumption 6% use
# another primary language.
COUNTRIES: tuple[Country, ...] = (
    Country("US", 25, ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                       "America/Los_Angeles"), (0.47, 0.29, 0.05, 0.02, 0.17), "en-US", 0.0,
            ("es-US", "es-MX", "zh-CN", "vi-VN"), 0.10, 0.50),
    Country("GB", 10, ("Europe/London",), (1.0,), "en-GB", 0.0, ("pl-PL", "ro-RO", "en-US"), 0.07, 0.45),
    Country("DE", 9, ("Europe/Berlin",), (1.0,), "de-DE", 0.30, ("tr-TR", "ru-RU", "pl-PL", "en-US"), 0.07, 0.70),
    Country("FR", 8, ("Europe/Paris",), (1.0,), "fr-FR", 0.20, ("ar-MA", "pt-PT", "en-US"), 0.06, 0.80),
    Country("ES", 6, ("Europe/Madrid", "Atlantic/Canary"), (0.95, 0.05), "es-ES", 0.18,
            ("ca-ES", "en-GB", "ro-RO"), 0.10, 0.10),
    Country("IT", 5, ("Europe/Rome",), (1.0,), "it-IT", 0.18, ("ro-RO", "en-US"), 0.05, 0.15),
    Country("NL", 4, ("Europe/Amsterdam",), (1.0,), "nl-NL", 0.45, ("tr-TR", "en-GB"), 0.06, 0.50),
    Country("PL", 4, ("Europe/Warsaw",), (1.0,), "pl-PL", 0.18, ("uk-UA", "en-US"), 0.05, 0.20),
    Country("BR", 8, ("America/Sao_Paulo", "America/Manaus", "America/Recife"), (0.85, 0.07, 0.08), "pt-BR", 0.10,
            ("es-419", "en-US"), 0.03, 0.45),
    Country("IN", 10, ("Asia/Kolkata",), (1.0,), "en-IN", 0.0, ("hi-IN", "ta-IN", "te-IN", "bn-IN", "mr-IN"), 0.25,
            0.70),
    Country("JP", 5, ("Asia/Tokyo",), (1.0,), "ja-JP", 0.10, ("en-US", "zh-CN"), 0.03, 0.50),
    Country("AU", 6, ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth",
                      "Australia/Adelaide"), (0.34, 0.30, 0.18, 0.10, 0.08), "en-AU", 0.0,
            ("zh-CN", "vi-VN", "en-GB"), 0.06, 0.30),
)
COUNTRY_P = np.array([c.weight for c in COUNTRIES], dtype=float) / sum(c.weight for c in COUNTRIES)
OTHER_LANGS = ("es", "fr", "de", "it", "pt", "ru", "zh-CN", "ja", "ar", "hi")  # added second languages

# Shares of the population mix: StatCounter 2024 puts mobile at ~60% of web page views worldwide,
# and identity verification skews further to phones (document and selfie capture need a camera;
# desktop flows often hand over to the phone). Assumption: phones 60% (Android 33%, iPhone 27%: our
# country mix is weighted to markets where iOS holds 30-55% of phones), desktops 40% (Windows 28%,
# macOS 10%, Linux 2%).
KINDS = ("Windows", "macOS", "Linux", "Android", "iOS")
KIND_P = (0.28, 0.10, 0.02, 0.33, 0.27)

# Windows GPUs (WebGL unmasked renderer as ANGLE reports it). Share: Steam hardware survey 2024
# for the discrete cards, integrated Intel/AMD for most office and laptop machines (assumption).
WIN_GPUS = tuple(
    [f"ANGLE (NVIDIA, NVIDIA GeForce {m} Direct3D11 vs_5_0 ps_5_0, D3D11)" for m in (
        "GTX 1050 Ti", "GTX 1060 6GB", "GTX 1650", "GTX 1660 SUPER", "RTX 2060", "RTX 2070 SUPER", "RTX 3050",
        "RTX 3060", "RTX 3060 Ti", "RTX 3070", "RTX 3080", "RTX 4060", "RTX 4070", "RTX 4090")]
    + [f"ANGLE (Intel, Intel(R) {m} Direct3D11 vs_5_0 ps_5_0, D3D11)" for m in (
        "UHD Graphics 620", "UHD Graphics 630", "Iris(R) Xe Graphics", "HD Graphics 520", "UHD Graphics 770",
        "HD Graphics 4600", "UHD Graphics")]
    + [f"ANGLE (AMD, AMD Radeon {m} Direct3D11 vs_5_0 ps_5_0, D3D11)" for m in (
        "RX 580 Series", "RX 6600", "RX 6700 XT", "Vega 8 Graphics", "Graphics", "RX 7600")])
MAC_GPUS = ("ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)",
            "ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)",
            "ANGLE (Apple, ANGLE Metal Renderer: Apple M3, Unspecified Version)",
            "ANGLE (Apple, ANGLE Metal Renderer: Apple M1 Pro, Unspecified Version)",
            "ANGLE (Intel Inc., Intel(R) Iris(TM) Plus Graphics 655, OpenGL 4.1)")
LINUX_GPUS = ("Mesa Intel(R) UHD Graphics 620 (KBL GT2)", "NVIDIA GeForce GTX 1060/PCIe/SSE2",
              "AMD Radeon RX 580 Series (polaris10, LLVM 15.0.6, DRM 3.49, 6.1.0)")

# Windows displays: (physical resolution, laptop?, weight). Windows picks a default scaling from the
# panel's DPI (100% on desktop monitors, 125-150% on 14-15" 1080p laptops, 150-200% on 4K), users
# change it; the browser reports the physical size divided by the scale as screen.width/height and
# the scale as devicePixelRatio. StatCounter's 2024 desktop resolutions (1920x1080 ~23%, 1536x864
# ~10%, 1366x768 ~7%, 1280x720 ~5%, 2560x1440 ~4%) are these CSS sizes, so the mix reproduces them.
WIN_DISPLAYS = (((1920, 1080), True, 30), ((1920, 1080), False, 22), ((1366, 768), True, 8),
                ((2560, 1440), False, 8), ((1920, 1200), True, 5), ((3840, 2160), False, 4),
                ((1600, 900), False, 4), ((1440, 900), False, 3), ((2560, 1600), True, 4),
                ((1680, 1050), False, 2), ((2560, 1080), False, 2), ((3440, 1440), False, 3),
                ((2880, 1800), True, 3), ((1280, 1024), False, 2))
# scale -> weight, by (laptop, physical width); assumption from Windows' recommended-scaling rules.
WIN_SCALES = {
    "laptop_1080": ((1.25, 0.5), (1.5, 0.35), (1.0, 0.15)),
    "laptop_hi": ((1.5, 0.55), (2.0, 0.25), (1.75, 0.1), (1.25, 0.1)),
    "monitor_4k": ((1.5, 0.45), (2.0, 0.25), (1.75, 0.1), (1.0, 0.2)),
    "monitor_1440": ((1.0, 0.75), (1.25, 0.25)),
    "other": ((1.0, 0.9), (1.25, 0.1)),
}
# Windows taskbar in CSS pixels (it is sized in effective pixels at every scale): Windows 10 40 px
# (30 with small buttons), Windows 11 48 px; hidden when auto-hide is on; on Windows 10 it can sit
# vertically with a user-chosen width. Shares are an assumption.
TASKBAR_WIN10 = (((0, 40), 0.80), ((0, 30), 0.07), ((0, 0), 0.06), ("vertical", 0.04), ((0, 40), 0.03))
TASKBAR_WIN11 = (((0, 48), 0.92), ((0, 0), 0.08))

# Mac displays: (CSS size at the default "looks like" setting, alternatives offered by System
# Settings > Displays, notch?). The browser reports the "looks like" size with devicePixelRatio 2.
MAC_DISPLAYS = (((1440, 900), ((1280, 800), (1680, 1050)), False, 20),
                ((1470, 956), ((1280, 832), (1710, 1112)), True, 25),
                ((1512, 982), ((1352, 878), (1800, 1169)), True, 20),
                ((1728, 1117), ((1496, 967), (2056, 1329)), True, 10),
                ((1710, 1112), ((1470, 956), (2016, 1310)), True, 10),
                ((2240, 1260), ((1920, 1080), (2560, 1440)), False, 15))
MAC_EXTERNAL = (((1920, 1080), 1.0), ((2560, 1440), 1.0), ((1920, 1080), 2.0), ((2560, 1440), 2.0),
                ((3008, 1692), 2.0))
# Menu bar: 25 pt, 37-38 pt on notched MacBooks; the Dock, unless hidden, takes its size (a slider,
# default ~64 pt including margins) from the bottom or a side. Shares are an assumption.
MAC_DOCK = (("bottom_default", 0.5), ("bottom_custom", 0.15), ("hidden", 0.2), ("side", 0.15))

LINUX_DISPLAYS = (((1920, 1080), 1.0), ((2560, 1440), 1.0), ((1366, 768), 1.0), ((3840, 2160), 2.0))
LINUX_PANELS = ((0, 32), (0, 27), (0, 44), (0, 48), (0, 0), (56, 27))  # GNOME, Xfce, KDE, Cinnamon, none, Ubuntu dock

# Android: (client-hints model, GPU, physical pixels, default devicePixelRatio, cores, device memory,
# market weight). Android's Settings > Display size (Samsung: Screen zoom) changes the density and so
# the CSS screen size and devicePixelRatio on the same phone; Android's display-size steps are
# roughly x0.85, x1, x1.1, x1.2, x1.3 of the default density.
ANDROID_MODELS = (
    ("SM-S911B", "Adreno (TM) 740", (1080, 2340), 3.0, 8, 8, 9),  # Galaxy S23
    ("SM-S918B", "Adreno (TM) 740", (1080, 2316), 2.8125, 8, 8, 5),  # Galaxy S23 Ultra
    ("SM-G991B", "Mali-G78", (1080, 2400), 3.0, 8, 8, 5),  # Galaxy S21
    ("SM-A546B", "Mali-G68 MC4", (1080, 2340), 2.625, 8, 8, 10),  # Galaxy A54
    ("SM-A256B", "Mali-G68", (1080, 2340), 2.625, 8, 8, 8),  # Galaxy A25
    ("SM-A155F", "Mali-G57 MC2", (1080, 2340), 2.625, 8, 4, 8),  # Galaxy A15
    ("SM-A145R", "Mali-G52", (1080, 2408), 2.0, 8, 4, 8),  # Galaxy A14
    ("Pixel 8", "Mali-G715", (1080, 2400), 2.625, 8, 8, 4),
    ("Pixel 7", "Mali-G710", (1080, 2400), 2.625, 8, 8, 5),
    ("Pixel 6a", "Mali-G78", (1080, 2400), 2.625, 8, 4, 4),
    ("23021RAAEG", "Adreno (TM) 610", (1080, 2400), 2.75, 8, 4, 7),  # Redmi Note 12
    ("2201117TY", "Adreno (TM) 610", (1080, 2400), 2.75, 8, 4, 5),  # Redmi Note 11
    ("M2101K6G", "Adreno (TM) 618", (1080, 2400), 2.75, 8, 4, 4),  # Redmi Note 10 Pro
    ("CPH2387", "Mali-G57 MC2", (1080, 2412), 2.0, 8, 4, 4),  # OPPO A57
    ("moto g(30)", "Adreno (TM) 610", (720, 1600), 1.75, 8, 4, 4),
)
DISPLAY_SIZE = ((1.0, 0.72), (1.1, 0.13), (1.2, 0.06), (0.85, 0.06), (1.3, 0.03))  # assumption
# Android versions in use (Google's distribution dashboard / StatCounter 2024, rounded).
ANDROID_VERSIONS = ((14, 0.38), (13, 0.22), (12, 0.14), (15, 0.12), (11, 0.09), (10, 0.05))

# iPhones: (CSS portrait size, Display Zoom size, devicePixelRatio, weight). Apple's Display Zoom
# ("Larger Text") makes the phone report a smaller CSS screen. Weights: iOS model shares
# (StatCounter / DeviceAtlas 2024), rounded.
IPHONES = (((390, 844), (320, 693), 3.0, 22), ((393, 852), (320, 693), 3.0, 24), ((430, 932), (375, 812), 3.0, 12),
           ((428, 926), (375, 812), 3.0, 7), ((375, 812), (320, 693), 3.0, 7), ((414, 896), (375, 812), 2.0, 12),
           ((375, 667), (320, 568), 2.0, 9), ((402, 874), (375, 812), 3.0, 4), ((440, 956), (402, 874), 3.0, 3))
DISPLAY_ZOOM = 0.10  # share of iPhone users with Display Zoom on (assumption)
# iOS releases in use with shares (Apple's App Store adoption figures and StatCounter, 2024-12,
# rounded); the user agent carries major_minor[_patch], Safari's Version/ major.minor.
IOS_RELEASES = ((15, 8, 3), (16, 7, 10), (17, 4, 1), (17, 5, 1), (17, 6, 1), (18, 0, 1), (18, 1, 1), (18, 2, 0))
IOS_P = (0.03, 0.08, 0.04, 0.05, 0.16, 0.10, 0.26, 0.28)
# Windows 10 reports client-hints platformVersion 10.0.0 (22H2); Windows 11 13.0.0 (21H2),
# 14.0.0 (22H2), 15.0.0 (23H2), 19.0.0 (24H2) (Microsoft's UA-CH documentation). Shares: StatCounter
# 2024-12 (Windows 10 ~61%, 11 ~36%), 11's releases an assumption.
WINDOWS_VERSIONS = (((10, 0, 0), 0.61), ((14, 0, 0), 0.05), ((15, 0, 0), 0.16), ((19, 0, 0), 0.18))
MAC_VERSIONS = (((13, 7, 1), 0.12), ((14, 7, 1), 0.30), ((15, 1, 1), 0.35), ((15, 2, 0), 0.15), ((12, 7, 6), 0.08))

BASE_FONTS = {
    "Windows": ("Arial", "Calibri", "Cambria", "Consolas", "Courier New", "Georgia", "Segoe UI", "Tahoma",
                "Times New Roman", "Trebuchet MS", "Verdana", "Impact", "Comic Sans MS", "Constantia", "Corbel"),
    "macOS": ("Arial", "Courier New", "Geneva", "Georgia", "Helvetica", "Helvetica Neue", "Lucida Grande", "Menlo",
              "Monaco", "Optima", "Palatino", "Times New Roman", "Verdana", "Futura", "Gill Sans"),
    "Linux": ("DejaVu Sans", "DejaVu Serif", "Liberation Mono", "Liberation Sans", "Noto Sans", "Ubuntu"),
    "Android": ("Roboto", "Noto Sans", "Noto Serif", "Droid Sans"),
    "iOS": ("Arial", "Courier New", "Georgia", "Helvetica", "Helvetica Neue", "Times New Roman", "Verdana"),
}
# Fonts installed with applications (Office, Adobe, LibreOffice, games), which the collector's
# probe list detects on desktops; each is present on a minority of machines (assumption 15%).
EXTRA_FONTS = ("Franklin Gothic Medium", "Garamond", "Candara", "Arial Black", "Lucida Console", "Roboto",
               "Noto Sans", "Ubuntu", "SF Pro Text", "Gill Sans", "Futura", "Optima", "Palatino", "Helvetica",
               "DejaVu Sans", "Liberation Sans", "Droid Sans", "Noto Serif", "Menlo", "Monaco")
LATEST = {"Chrome": 131, "Edge": 131, "Firefox": 133, "Samsung Internet": 26}
# Chromium-family and Firefox majors ship every 4 weeks; Samsung Internet about every 8.
RELEASE_DAYS = {"Chrome": 28, "Edge": 28, "Firefox": 28, "Samsung Internet": 56}
