"""Tesseract through a subprocess (no Python binding needed): words with boxes and confidences.

The image goes to Tesseract's stdin as PNG and TSV comes back on stdout, so nothing touches the
disk. Per-field settings are the page segmentation mode and an optional character whitelist.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import cv2
from numpy.typing import NDArray


class OCRUnavailable(RuntimeError):
    """Tesseract is not installed or failed."""


@dataclass(frozen=True)
class Word:
    text: str
    conf: float
    box: tuple[int, int, int, int]
    line: tuple[int, int, int]  # (block, paragraph, line) as Tesseract numbers them


@functools.cache
def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_words(gray: NDArray[Any], psm: int = 11, whitelist: str | None = None, lang: str = "eng",
              timeout_s: float = 15.0) -> list[Word]:
    """Words Tesseract reads in a grey image."""
    exe = tesseract_path()
    if exe is None:
        raise OCRUnavailable("tesseract is not installed (Debian: tesseract-ocr)")
    ok, png = cv2.imencode(".png", gray)
    if not ok:
        raise OCRUnavailable("could not encode the image for tesseract")
    cmd = [exe, "stdin", "stdout", "--psm", str(psm), "-l", lang]
    if whitelist:
        cmd += ["-c", f"tessedit_char_whitelist={whitelist}"]
    cmd.append("tsv")
    try:
        proc = subprocess.run(cmd, input=png.tobytes(), capture_output=True, timeout=timeout_s, check=False,
                              env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired as exc:
        raise OCRUnavailable(f"tesseract timed out after {timeout_s}s") from exc
    if proc.returncode != 0:
        raise OCRUnavailable(f"tesseract failed: {proc.stderr.decode(errors='replace')[:200]}")
    return parse_tsv(proc.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> list[Word]:
    words = []
    for row in tsv.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or not parts[11].strip():
            continue
        try:
            left, top, w, h = (int(parts[i]) for i in (6, 7, 8, 9))
            conf = float(parts[10])
        except ValueError:
            continue
        words.append(Word(parts[11].strip(), conf, (left, top, left + w, top + h),
                          (int(parts[2]), int(parts[3]), int(parts[4]))))
    return words


def line_groups(words: list[Word]) -> list[tuple[str, tuple[int, int, int, int], list[float]]]:
    """Words joined into text lines (Tesseract's grouping): text, box, and each word's confidence."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        groups.setdefault(w.line, []).append(w)
    out = []
    for ws in groups.values():
        ws = sorted(ws, key=lambda w: w.box[0])
        box = (min(w.box[0] for w in ws), min(w.box[1] for w in ws), max(w.box[2] for w in ws),
               max(w.box[3] for w in ws))
        out.append((" ".join(w.text for w in ws), box, [w.conf for w in ws]))
    return out


def prepare(rgb: NDArray[Any], target_height_px: int = 900) -> tuple[NDArray[Any], float]:
    """Grey, upscaled if small (Tesseract wants ~25-35 px capitals), lightly denoised."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    f = max(1.0, target_height_px / gray.shape[0])
    if f > 1.0:
        gray = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return cv2.bilateralFilter(gray, 5, 30, 5), f
