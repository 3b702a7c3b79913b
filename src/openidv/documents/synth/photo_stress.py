"""Photographic stress for a flat image of a document page: what a hand-held phone does to it.

Rotation, down-scaling, perspective tilt about either axis, a bowed page, JPEG, blur, camera shake, a glare spot
or a hard shadow over the MRZ band, gamma and sensor noise, as fixed transforms (`transforms`, one
stress at a time) or drawn at random and combined (`random_stress`, harsher than any one of them).
Used on real page images (the ICAO specimen photos, ``benchmarks/documents_mrz_robustness.py``) and
on flat renders of generated documents (``training/tune_mrz_ambiguity.py``), so that the reader is
tuned and measured under the same stresses. Images are BGR or RGB uint8 (the background colour is
grey enough for either).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

BACKGROUND = (120, 110, 100)
Image = NDArray[Any]


def rotate(im: Image, angle: float) -> Image:
    h, w = im.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c), int(h * c + w * s)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(im, m, (nw, nh), borderValue=BACKGROUND)


def scale(im: Image, width: int) -> Image:
    k = width / im.shape[1]
    return cv2.resize(im, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)


def tilt(im: Image, about_x: float, about_y: float) -> Image:
    """The page turned about its horizontal / vertical axis, seen by a pinhole camera."""
    h, w = im.shape[:2]
    pad = int(0.25 * max(h, w))
    im = cv2.copyMakeBorder(im, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=BACKGROUND)
    big_h, big_w = im.shape[:2]
    rx, ry = np.radians(about_x), np.radians(about_y)

    def project(x: float, y: float) -> list[float]:
        dx, dy = x - big_w / 2, y - big_h / 2
        k = big_w / (big_w + dx * np.sin(ry) + dy * np.sin(rx))
        return [big_w / 2 + dx * np.cos(ry) * k, big_h / 2 + dy * np.cos(rx) * k]

    src = np.array([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]], np.float32)
    dst = np.array([project(float(x), float(y)) for x, y in src], np.float32)
    out: Image = cv2.warpPerspective(im, cv2.getPerspectiveTransform(src, dst), (big_w, big_h),
                                     borderValue=BACKGROUND)
    return out


def bow(im: Image, sag: float) -> Image:
    """The page bowed: each horizontal line sags by up to `sag` of the page height at its middle
    (a passport page bulging as it is held; `sag` < 0 bulges up), its ends staying put."""
    h, w = im.shape[:2]
    pad = int(abs(sag) * h) + 20
    im = cv2.copyMakeBorder(im, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=BACKGROUND)
    big_h, big_w = im.shape[:2]
    ys, xs = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    u = np.clip((xs - big_w / 2) / (w / 2), -1.2, 1.2)
    out: Image = cv2.remap(im, xs, ys - sag * h * (1 - u**2), cv2.INTER_LINEAR, borderValue=BACKGROUND)
    return out


def jpeg(im: Image, quality: int) -> Image:
    _, buf = cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, quality])
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if out is None:  # cannot happen for an image cv2 just encoded
        raise ValueError("JPEG round trip failed")
    return np.asarray(out)


def glare(im: Image, at_x: float, strength: float = 0.85) -> Image:
    """A specular highlight over the MRZ band (a Gaussian spot towards white)."""
    h, w = im.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r = w * 0.12
    a = np.exp(-(((xx - w * at_x) / r) ** 2 + ((yy - h * 0.85) / (r * 0.6)) ** 2)) * strength
    return np.clip(im * (1 - a[..., None]) + 255 * a[..., None], 0, 255).astype(np.uint8)


def thumb(im: Image, at_x: float) -> Image:
    """A thumb holding the page over the MRZ band's end: a skin-toned, shaded ellipse from beyond
    the page's right edge to `at_x` of its width (from the left edge when `at_x` < 0.5), tilted
    like a thumb reaching in. Hides the characters under it; an MRZ hidden so is not to be read."""
    h, w = im.shape[:2]
    ax, ay = int(0.2 * w), int(0.15 * h)
    cx = int(at_x * w) + ax if at_x >= 0.5 else int(at_x * w) - ax
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, (cx, int(0.82 * h)), (ax, ay), -12 if at_x >= 0.5 else 12, 0, 360, 255, -1)
    a = cv2.GaussianBlur(mask, (0, 0), 2.0).astype(np.float32)[..., None] / 255
    xx = np.arange(w, dtype=np.float32)[None, :, None]
    shade = 0.75 + 0.25 * np.clip(1 - np.abs(xx - cx) / ax, 0, 1)  # rounder, darker towards its rim
    skin = np.array([150, 165, 205], np.float32) * shade
    return np.clip(im * (1 - a) + skin * a, 0, 255).astype(np.uint8)


def blur(im: Image, sigma: float) -> Image:
    out: Image = cv2.GaussianBlur(im, (0, 0), sigma)
    return out


def motion_blur(img: Image, length: float, angle: float) -> Image:
    """Smear an image along a straight line of `length` pixels at `angle` degrees (hand shake
    during the exposure): a normalised line kernel, drawn with sub-pixel ends."""
    size = int(np.ceil(length)) | 1
    size = max(size, 3)
    k = np.zeros((size * 4, size * 4), np.float32)
    c = size * 2
    dx, dy = np.cos(np.radians(angle)) * length * 2, np.sin(np.radians(angle)) * length * 2
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
    kernel = np.asarray(cv2.resize(k, (size, size), interpolation=cv2.INTER_AREA), np.float32)
    out: Image = cv2.filter2D(img, -1, kernel / max(float(kernel.sum()), 1e-6), borderType=cv2.BORDER_REPLICATE)
    return out


def shadow(im: Image, depth: float, angle: float) -> Image:
    """A hard-edged shadow (a phone or a hand between the lamp and the page) darkening the page by
    `depth` beyond a straight edge through the middle of the MRZ band, at `angle` degrees."""
    h, w = im.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    a = np.radians(angle)
    dark = (xx - 0.5 * w) * np.cos(a) + (yy - 0.8 * h) * np.sin(a) > 0
    out: Image = np.where(dark[..., None], (im * (1 - depth)).astype(np.uint8), im)
    return out


def gamma(im: Image, g: float) -> Image:
    return (255 * (im / 255.0) ** g).astype(np.uint8)


def in_frame(im: Image, frame: tuple[int, int], page_frac: float, seed: int = 0) -> Image:
    """The page as a small part of a large phone photo: scaled to `page_frac` of the frame's
    width, turned 4 degrees, on a blotchy desk of `frame` (width, height) pixels, JPEG 85. A
    12-megapixel photo of a passport held at arm's length has the page a thousand pixels wide
    in a frame four times wider."""
    w, h = frame
    rng = np.random.default_rng(seed)
    desk = cv2.resize((rng.random((h // 16, w // 16, 3)) * 160 + 40).astype(np.uint8), (w, h),
                      interpolation=cv2.INTER_CUBIC)
    page = rotate(scale(im, int(page_frac * w)), 4)
    _lay(desk, page, (h - page.shape[0]) // 2, (w - page.shape[1]) // 3)
    return jpeg(desk, 85)


def on_print(im: Image, turn: float, frame: tuple[int, int] = (2400, 1800), page_frac: float = 0.5,
             seed: int = 0) -> Image:
    """The page lying on a sheet of lower-case print that fills the photo, turned `turn` degrees
    against it: the sheet's text lines outnumber the page's and may look like an MRZ's."""
    w, h = frame
    rng = np.random.default_rng(seed)
    sheet = np.full((h, w, 3), 235, np.uint8)
    letters = list("abcdefghijklmnopqrstuvwxyz     etaoin,.")
    for y in range(30, h, 34):
        line = "".join(rng.choice(letters, size=w // 17))
        cv2.putText(sheet, line, (10, y), cv2.FONT_HERSHEY_PLAIN, 1.2, (30, 30, 30), 2)
    page = rotate(scale(im, int(page_frac * w)), turn)
    _lay(sheet, page, (h - page.shape[0]) // 2, (w - page.shape[1]) // 2)
    return jpeg(sheet, 85)


def _lay(scene: Image, page: Image, y: int, x: int) -> None:
    """Put a rotated page on the scene at (x, y), in place; the corners rotation filled with
    `BACKGROUND` show the scene."""
    ph, pw = page.shape[:2]
    region = scene[y : y + ph, x : x + pw]
    inside = np.all(page == BACKGROUND, axis=2)
    scene[y : y + ph, x : x + pw] = np.where(inside[..., None], region, page)


def _small_rotated_jpeg(im: Image) -> Image:
    return jpeg(rotate(scale(im, 520), 30), 40)


def _small_tilted_blurred(im: Image) -> Image:
    return blur(tilt(scale(im, 640), 20, 15), 1.0)


def transforms() -> list[tuple[str, Callable[[Image], Image]]]:
    """57 single stresses, two combinations, five large phone photos with the page small in the
    frame, three with it lying on a sheet of print, five shaken, three with a hard shadow across
    the MRZ, three turned far about the vertical axis and four bowed (82), each with a name."""
    out: list[tuple[str, Callable[[Image], Image]]] = []
    out += [(f"rotate {a}", partial(rotate, angle=a)) for a in [*range(0, 360, 15), 3, 7, 11, -5, -9]]
    out += [(f"width {w}", partial(scale, width=w)) for w in (1000, 800, 640, 520, 440, 380, 320)]
    out += [(f"tilt {x},{y}", partial(tilt, about_x=x, about_y=y))
            for x, y in ((15, 0), (25, 0), (35, 0), (0, 15), (0, 25), (0, 35), (20, 20), (-20, 15))]
    out += [(f"jpeg {q}", partial(jpeg, quality=q)) for q in (50, 30, 20, 12)]
    out += [(f"blur {s}", partial(blur, sigma=s)) for s in (1.0, 1.5, 2.0, 2.5)]
    out += [(f"glare {g}", partial(glare, at_x=g)) for g in (0.2, 0.5, 0.8)]
    out += [(f"gamma {g}", partial(gamma, g=g)) for g in (0.5, 2.0)]
    out += [("width 520 + rotate 30 + jpeg 40", _small_rotated_jpeg),
            ("width 640 + tilt 20,15 + blur 1", _small_tilted_blurred)]
    out += [(f"in frame {w}x{h} at {f}", partial(in_frame, frame=(w, h), page_frac=f))
            for w, h, f in ((4000, 3000, 0.2), (4000, 3000, 0.25), (4000, 3000, 0.35), (3000, 4000, 0.25),
                            (3000, 4000, 0.35))]
    out += [(f"on print turned {t}", partial(on_print, turn=t)) for t in (0, 7, 20)]
    out += [(f"width {w} + shake {n} at {a}", partial(_shaken, width=w, length=n, angle=a))
            for w, n, a in ((1000, 7, 0), (1000, 7, 30), (1000, 7, 90), (640, 5, 0), (640, 5, 60))]
    out += [(f"width 1000 + shadow {d} at {a}", partial(_shadowed, depth=d, angle=a))
            for d, a in ((0.6, 60), (0.75, 60), (0.75, 120))]
    out += [(f"tilt {x},{y}", partial(tilt, about_x=x, about_y=y)) for x, y in ((0, 45), (0, -40), (15, 40))]
    out += [(f"width {w} + bow {s}", partial(_bowed, width=w, sag=s))
            for w, s in ((1000, 0.03), (1000, 0.05), (1000, -0.05), (640, 0.05))]
    return out


def occlusions() -> list[tuple[str, Callable[[Image], Image]]]:
    """What hides part of an MRZ line in a hand-held photo (10, each with a name): a thumb over its
    right or left end reaching 12-30% into the page, and glare saturated to white over either end.
    Nothing read from such a photo is right but a new photo (MRZ_UNREADABLE) or, when only the
    margin is covered, the exact lines; kept apart from `transforms` so that its 82 cases stay
    comparable from stop to stop."""
    out: list[tuple[str, Callable[[Image], Image]]] = []
    out += [(f"thumb to {x}", partial(thumb, at_x=x)) for x in (0.85, 0.8, 0.75, 0.7, 0.12, 0.17, 0.22, 0.27)]
    out += [(f"white glare at {g}", partial(glare, at_x=g, strength=1.0)) for g in (0.1, 0.9)]
    return out


def _shaken(im: Image, width: int, length: float, angle: float) -> Image:
    return jpeg(motion_blur(scale(im, width), length, angle), 85)


def _bowed(im: Image, width: int, sag: float) -> Image:
    return jpeg(bow(scale(im, width), sag), 85)


def _shadowed(im: Image, depth: float, angle: float) -> Image:
    return jpeg(shadow(scale(im, 1000), depth, angle), 85)


def random_stress(rng: np.random.Generator) -> tuple[str, Callable[[Image], Image]]:
    """A random combination of the stresses above, harsher than any single one: scale 360-1100 px,
    any rotation, tilt up to 28 degrees on both axes, then blur, noise, gamma, glare and JPEG each
    with some probability. Returns a name that lists what was drawn."""
    width = int(rng.integers(360, 1101))
    angle = float(rng.uniform(0, 360))
    tx, ty = (float(v) for v in rng.uniform(-28, 28, 2))
    sigma = float(rng.uniform(0.5, 2.0)) if rng.random() < 0.5 else 0.0
    noise = float(rng.uniform(2, 12)) if rng.random() < 0.5 else 0.0
    g = float(rng.uniform(0.5, 2.0)) if rng.random() < 0.3 else 1.0
    glare_at = float(rng.uniform(0.1, 0.9)) if rng.random() < 0.3 else None
    quality = int(rng.integers(15, 91))
    noise_seed = int(rng.integers(1 << 31))
    name = (f"width {width} rotate {angle:.0f} tilt {tx:.0f},{ty:.0f} blur {sigma:.1f} noise {noise:.0f} "
            f"gamma {g:.2f} glare {glare_at if glare_at is None else round(glare_at, 2)} jpeg {quality}")

    def fn(im: Image) -> Image:
        out = scale(im, width)
        if glare_at is not None:
            out = glare(out, glare_at)
        out = rotate(tilt(out, tx, ty), angle)
        if sigma:
            out = blur(out, sigma)
        if g != 1.0:
            out = gamma(out, g)
        if noise:
            n = np.random.default_rng(noise_seed).normal(0, noise, out.shape)
            out = np.clip(out + n, 0, 255).astype(np.uint8)
        return jpeg(out, quality)

    return name, fn
