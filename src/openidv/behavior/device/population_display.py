"""Screens of generated devices: what ``screen.width/height``, ``devicePixelRatio`` and
``screen.availWidth/availHeight`` report, from the panel, the user's scaling and the taskbar.

Browsers report the screen in CSS pixels: the physical resolution divided by the OS scaling
(Windows display scaling, macOS "looks like" resolutions, Android display size, iPhone Display
Zoom), which is a per-user setting that persists, so two laptops with the same panel can report
different screens. ``avail*`` excludes the Windows taskbar, the macOS menu bar and Dock, a Linux
panel: their size and position are user settings too, kept when the user plugs in another monitor
(they are sized in CSS pixels / points). Tables and sources: :mod:`population_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from openidv.behavior.device import population_data as pd


@dataclass(frozen=True)
class Display:
    width: int  # CSS pixels as reported (portrait for phones)
    height: int
    pixel_ratio: float
    menu: int = 0  # macOS menu bar on this display (points)


def _weighted(rng: np.random.Generator, items: tuple[Any, ...], weights: tuple[float, ...]) -> Any:
    p = np.array(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def windows_display(rng: np.random.Generator) -> Display:
    phys, laptop, _ = _weighted(rng, pd.WIN_DISPLAYS, tuple(w for *_, w in pd.WIN_DISPLAYS))
    if laptop:
        key = "laptop_1080" if phys[0] <= 1920 else "laptop_hi"
    else:
        key = "monitor_4k" if phys[0] >= 3840 else "monitor_1440" if phys[1] >= 1440 else "other"
    options = pd.WIN_SCALES[key]
    scale = float(_weighted(rng, tuple(s for s, _ in options), tuple(w for _, w in options)))
    return Display(round(phys[0] / scale), round(phys[1] / scale), scale)


def mac_builtin(rng: np.random.Generator) -> Display:
    default, alternatives, notch, _ = _weighted(rng, pd.MAC_DISPLAYS, tuple(x[3] for x in pd.MAC_DISPLAYS))
    size = default if rng.random() < 0.8 else alternatives[int(rng.integers(0, len(alternatives)))]
    return Display(size[0], size[1], 2.0, 37 if notch else 25)


def mac_external(rng: np.random.Generator) -> Display:
    size, dpr = pd.MAC_EXTERNAL[int(rng.integers(0, len(pd.MAC_EXTERNAL)))]
    return Display(size[0], size[1], dpr, 25)


def linux_display(rng: np.random.Generator) -> Display:
    size, dpr = pd.LINUX_DISPLAYS[int(rng.integers(0, len(pd.LINUX_DISPLAYS)))]
    return Display(size[0], size[1], dpr)


def desktop_display(rng: np.random.Generator, kind: str, external: bool = False) -> Display:
    """The usual screen of a new desktop or laptop (``external``: another monitor it is used with)."""
    if kind == "Windows":
        return windows_display(rng)
    if kind == "macOS":
        return mac_external(rng) if external else mac_builtin(rng)
    return linux_display(rng)


def taskbar(rng: np.random.Generator, kind: str, os_version: tuple[int, ...]) -> tuple[int, int]:
    """(width, height) the OS reserves outside the menu bar: taskbar, Dock or panel."""
    if kind == "Windows":
        options = pd.TASKBAR_WIN11 if os_version[0] >= 13 else pd.TASKBAR_WIN10
        bar = _weighted(rng, tuple(x for x, _ in options), tuple(w for _, w in options))
        return (int(rng.integers(62, 240)), 0) if bar == "vertical" else (int(bar[0]), int(bar[1]))
    if kind == "macOS":
        dock = _weighted(rng, tuple(x for x, _ in pd.MAC_DOCK), tuple(w for _, w in pd.MAC_DOCK))
        size = int(rng.integers(36, 128))
        return {"bottom_default": (0, 70), "bottom_custom": (0, size), "hidden": (0, 0), "side": (size, 0)}[dock]
    if kind == "Linux":
        return pd.LINUX_PANELS[int(rng.integers(0, len(pd.LINUX_PANELS)))]
    return (0, 0)


def phone_display(rng: np.random.Generator, kind: str, model: int) -> Display:
    """Android: physical pixels over the density the display-size setting gives; iPhone: the
    standard or Display Zoom size of the model."""
    if kind == "iOS":
        standard, zoomed, dpr, _ = pd.IPHONES[model]
        w, h = zoomed if rng.random() < pd.DISPLAY_ZOOM else standard
        return Display(w, h, dpr)
    _, _, phys, dpr, *_ = pd.ANDROID_MODELS[model]
    factor = float(_weighted(rng, tuple(f for f, _ in pd.DISPLAY_SIZE), tuple(w for _, w in pd.DISPLAY_SIZE)))
    ratio = round(dpr * factor, 4)
    return Display(round(phys[0] / ratio), round(phys[1] / ratio), ratio)
