"""Fonts the generator may use, found on the system (Debian fonts-ocr-b, DejaVu, Liberation)."""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

_OCRB_CANDIDATES = (
    "/usr/share/fonts/opentype/ocr-b/OCRB.otf",
    "/usr/share/fonts/truetype/ocr-b/OCRB.ttf",
)
_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")

# Families for the visual zone (regular, bold) - files looked up in _DIRS.
VIZ_FAMILIES: dict[str, tuple[str, str]] = {
    "dejavu_sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "dejavu_condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "dejavu_serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "liberation_sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "liberation_narrow": ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
    "liberation_serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "liberation_mono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    "dejavu_mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
}


def _find(name: str) -> Path | None:
    for d in _DIRS:
        p = Path(d) / name
        if p.is_file():
            return p
    return None


@functools.cache
def ocrb_path() -> Path | None:
    """The OCR-B font file, or None when fonts-ocr-b is not installed."""
    for c in _OCRB_CANDIDATES:
        if Path(c).is_file():
            return Path(c)
    return None


def ocrb_variants() -> list[Path]:
    """OCR-B regular plus its sharp and oblique cuts where installed."""
    base = ocrb_path()
    if base is None:
        return []
    return [p for p in (base, base.with_name("OCRBS.otf"), base.with_name("OCRBL.otf")) if p.is_file()]


def mrz_font_path() -> Path:
    """OCR-B if present, else a monospace stand-in (so tests run without fonts-ocr-b)."""
    path = ocrb_path() or _find("DejaVuSansMono.ttf") or _find("LiberationMono-Regular.ttf")
    if path is None:
        raise RuntimeError("no usable font: install fonts-ocr-b or fonts-dejavu")
    return path


def available_viz_families() -> list[str]:
    return [k for k, (reg, _) in VIZ_FAMILIES.items() if _find(reg) is not None]


@functools.lru_cache(maxsize=256)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def viz_font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    reg, bld = VIZ_FAMILIES.get(family, VIZ_FAMILIES["dejavu_sans"])
    path = _find(bld if bold else reg) or _find(reg) or mrz_font_path()
    return font(str(path), size)
