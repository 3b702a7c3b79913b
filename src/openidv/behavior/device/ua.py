"""A small user-agent parser: browser family and version, OS family and version, form factor.

Enough for consistency checks and fingerprint normalisation, no more: a full UA database is a
dependency we do not need (client hints carry the reliable values on Chromium browsers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_BROWSERS = (  # order matters: more specific tokens first
    ("HeadlessChrome", re.compile(r"HeadlessChrome/(\d+)")),
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/")),
)
_OS = (
    ("iOS", re.compile(r"(?:iPhone|iPad|iPod).*? OS (\d+(?:_\d+)*)")),  # the full version: 17_4_1
    ("Android", re.compile(r"Android (\d+)")),
    ("Windows", re.compile(r"Windows NT (\d+\.\d+)")),
    ("macOS", re.compile(r"Mac OS X (\d+[_.]\d+)")),
    ("ChromeOS", re.compile(r"CrOS \S+ (\d+)")),
    ("Linux", re.compile(r"Linux()")),
)


@dataclass(frozen=True)
class UserAgent:
    browser: str  # "" when unknown
    browser_major: int | None
    os: str
    os_version: str
    mobile: bool
    engine: str  # Blink, Gecko, WebKit or ""

    @property
    def chromium(self) -> bool:
        return self.engine == "Blink"


@lru_cache(maxsize=4096)
def parse_ua(ua: str) -> UserAgent:
    browser, major = "", None
    for name, rx in _BROWSERS:
        m = rx.search(ua)
        if m:
            browser, major = name, int(m.group(1))
            break
    os_name, os_version = "", ""
    for name, rx in _OS:
        m = rx.search(ua)
        if m:
            os_name, os_version = name, m.group(1).replace("_", ".")
            break
    if os_name == "Linux" and "Android" in ua:
        os_name = "Android"
    mobile = bool(re.search(r"Mobi|iPhone|iPod|Android.*Mobile", ua))
    if "Gecko/" in ua and "Firefox" in ua:
        engine = "Gecko"
    elif "Chrome/" in ua or "HeadlessChrome" in ua or "CriOS" in ua:
        engine = "WebKit" if os_name == "iOS" else "Blink"
    elif "AppleWebKit" in ua:
        engine = "WebKit"
    else:
        engine = ""
    return UserAgent(browser, major, os_name, os_version, mobile, engine)
