"""Capture simulation: a flat document image becomes a photo taken in some condition.

Conditions are named families of parameter ranges. ``TRAIN_CONDITIONS`` are used to build training
data; ``HELDOUT_CONDITIONS`` (glare, low light, low resolution with tilt) are never used for
training and serve for evaluation only. ``cropped`` cuts part of the document off on purpose and
is used to test the refusal path, not accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.synth import backgrounds

TRAIN_CONDITIONS = ("scan", "desk", "handheld", "shadow", "rotated")
HELDOUT_CONDITIONS = ("glare", "lowlight", "lowres")
SPECIAL_CONDITIONS = ("cropped",)
CANVASES = ((1280, 960), (1600, 1200), (1024, 768), (1920, 1080), (960, 1280), (1200, 1600), (1080, 1080))


@dataclass
class CaptureParams:
    condition: str
    angle_deg: float = 0.0
    fill: float = 0.8  # document width / canvas short side
    perspective: float = 0.0  # corner jitter as a fraction of the document size
    blur_sigma: float = 0.0
    motion_px: float = 0.0
    noise_sigma: float = 2.0
    jpeg_quality: int = 90
    gain: float = 1.0
    glare: int = 0
    shadow: bool = False
    lowres_px_per_mm: float = 0.0  # downscale so the document has this many pixels per mm (0 = keep)
    crop: float = 0.0  # fraction of the document pushed out of frame
    background: str = "plain"
    canvas: tuple[int, int] = (1280, 960)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sample_params(condition: str, rng: np.random.Generator) -> CaptureParams:
    """Draw capture parameters for one named condition."""
    p = CaptureParams(condition, canvas=CANVASES[int(rng.integers(len(CANVASES)))])
    p.angle_deg = float(rng.normal(0, 2))
    p.fill = float(rng.uniform(0.6, 0.92))
    p.perspective = float(rng.uniform(0, 0.03))
    p.noise_sigma = float(rng.uniform(1, 4))
    p.jpeg_quality = int(rng.integers(70, 96))
    p.blur_sigma = float(rng.uniform(0, 0.8))
    p.background = str(rng.choice(backgrounds.KINDS))
    if rng.random() < 0.15:
        p.angle_deg += 180.0
    if condition == "scan":
        p.background, p.perspective, p.fill = "plain", 0.0, float(rng.uniform(0.7, 0.95))
    elif condition == "handheld":
        p.angle_deg = float(rng.normal(0, 12))
        p.perspective = float(rng.uniform(0.02, 0.08))
        p.motion_px = float(rng.uniform(0, 4))
        p.jpeg_quality = int(rng.integers(55, 90))
    elif condition == "shadow":
        p.shadow, p.gain = True, float(rng.uniform(0.7, 1.0))
    elif condition == "rotated":
        p.angle_deg = float(rng.uniform(0, 360))
        p.fill = float(rng.uniform(0.45, 0.7))
    elif condition == "glare":
        p.glare = int(rng.integers(1, 3))
        p.perspective = float(rng.uniform(0.01, 0.05))
    elif condition == "lowlight":
        p.gain = float(rng.uniform(0.3, 0.55))
        p.noise_sigma = float(rng.uniform(4, 9))
        p.jpeg_quality = int(rng.integers(50, 80))
        p.blur_sigma = float(rng.uniform(0.3, 1.0))
    elif condition == "lowres":
        p.angle_deg = float(rng.normal(0, 8)) + (180.0 if rng.random() < 0.2 else 0.0)
        p.perspective = float(rng.uniform(0.01, 0.05))
        # MRZ documents at 2.8-4.5 px/mm (MRZ pitch 7-11 px); make_sample raises this for
        # barcodes, whose modules (about 0.25 mm) cannot be resolved below about 5 px/mm.
        p.lowres_px_per_mm = float(rng.uniform(2.8, 4.5))
    elif condition == "cropped":
        p.crop = float(rng.uniform(0.2, 0.45))
    elif condition != "desk":
        raise ValueError(f"unknown capture condition {condition!r}")
    return p


@dataclass
class Captured:
    image: NDArray[Any]  # RGB
    params: CaptureParams
    homography: NDArray[Any]  # flat document pixels -> capture pixels
    quads: dict[str, NDArray[Any]] = field(default_factory=dict)  # name -> 4x2 points in the capture
    jpeg: bytes = b""  # the capture as the camera stored it (decodes to `image`)


def _placement(doc_wh: tuple[int, int], p: CaptureParams, rng: np.random.Generator) -> NDArray[Any]:
    """Corners of the document in the capture: rotated, tilted, scaled to `fill`, kept in frame."""
    (dw, dh), (cw, ch) = doc_wh, p.canvas
    a = np.radians(p.angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], float) - [dw / 2, dh / 2]
    pts = corners @ rot.T
    pts += rng.uniform(-1, 1, (4, 2)) * p.perspective * max(dw, dh)
    extent = pts.max(axis=0) - pts.min(axis=0)
    scale = p.fill * min(cw / extent[0], ch / extent[1])
    pts = pts * scale
    half = np.abs(pts).max(axis=0)
    slack = np.maximum(np.array([cw / 2, ch / 2]) - half, 0)
    centre = np.array([cw / 2, ch / 2]) + rng.uniform(-1, 1, 2) * slack * 0.8
    if p.crop > 0:
        direction = rng.normal(size=2)
        direction /= np.linalg.norm(direction)
        centre = np.array([cw / 2, ch / 2]) + direction * (np.array([cw / 2, ch / 2]) + half * (p.crop * 2 - 1))
    return pts + centre


def capture(doc: NDArray[Any], p: CaptureParams, rng: np.random.Generator,
            boxes: dict[str, tuple[int, int, int, int]] | None = None,
            extra_docs: list[NDArray[Any]] | None = None, doc_width_mm: float = 0.0) -> Captured:
    """Photograph `doc` (RGB) under `p`. `boxes` (flat-document boxes) are mapped to quads."""
    cw, ch = p.canvas
    canvas = backgrounds.make(p.background, (ch, cw), rng).astype(np.float32)
    dh, dw = doc.shape[:2]
    dst = _placement((dw, dh), p, rng)
    src = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    for other in extra_docs or []:
        _composite(canvas, other, _other_placement(other, p, rng, dst), rng)
    _composite(canvas, doc, hom, rng)
    img = _lighting(canvas, p, rng)
    img = _degrade(img, p, rng)
    quads = {"document": cv2.perspectiveTransform(src[None], hom)[0].astype(np.float64)}
    for name, (x0, y0, x1, y1) in (boxes or {}).items():
        q = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float32)
        quads[name] = cv2.perspectiveTransform(q, hom)[0].astype(np.float64)
    doc_px = float(np.linalg.norm(quads["document"][1] - quads["document"][0]))
    if p.lowres_px_per_mm and doc_width_mm and p.lowres_px_per_mm * doc_width_mm < doc_px:
        f = p.lowres_px_per_mm * doc_width_mm / doc_px
        img = cv2.resize(img, (round(img.shape[1] * f), round(img.shape[0] * f)), interpolation=cv2.INTER_AREA)
        hom = np.diag([f, f, 1.0]) @ hom
        quads = {k: v * f for k, v in quads.items()}
    img, data = _jpeg(img, p.jpeg_quality)
    return Captured(img, p, hom, quads, data)


def _other_placement(other: NDArray[Any], p: CaptureParams, rng: np.random.Generator,
                     taken: NDArray[Any]) -> NDArray[Any]:
    """A homography putting a second document beside the first (for multiple-document photos)."""
    oh, ow = other.shape[:2]
    cw, ch = p.canvas
    s = 0.4 * min(cw, ch) / max(ow, oh)
    a = np.radians(rng.uniform(-20, 20))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = (np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], float) - [ow / 2, oh / 2]) * s @ rot.T
    far = np.array([cw * 0.25 if taken[:, 0].mean() > cw / 2 else cw * 0.75, ch * rng.uniform(0.3, 0.7)])
    src = np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], np.float32)
    return cv2.getPerspectiveTransform(src, (corners + far).astype(np.float32))


def _lowres_field(shape: tuple[int, int], fn: object, factor: int = 8) -> NDArray[Any]:
    """Evaluate a smooth field on a coarse grid and upsample it (smooth fields need no full res)."""
    h, w = shape
    sh, sw = max(2, h // factor), max(2, w // factor)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    small = fn(xx * (w / sw), yy * (h / sh))  # type: ignore[operator]
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _composite(canvas: NDArray[Any], doc: NDArray[Any], hom: NDArray[Any],
               rng: np.random.Generator) -> None:
    ch, cw = canvas.shape[:2]
    warped = cv2.warpPerspective(doc, hom, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    mask = cv2.warpPerspective(np.full(doc.shape[:2], 255, np.uint8), hom, (cw, ch), flags=cv2.INTER_LINEAR)
    small = cv2.resize(mask, (cw // 4, ch // 4), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 1.5)
    shadow = cv2.resize(np.roll(small, (1, 1), axis=(0, 1)), (cw, ch)).astype(np.float32) * (0.35 / 255.0)
    cv2.multiply(canvas, cv2.merge([1 - shadow] * 3), dst=canvas)
    m = cv2.merge([mask.astype(np.float32) * (1 / 255.0)] * 3)
    canvas[:] = canvas + (warped.astype(np.float32) - canvas) * m


def _lighting(img: NDArray[Any], p: CaptureParams, rng: np.random.Generator) -> NDArray[Any]:
    h, w = img.shape[:2]
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    tint = rng.uniform(0.92, 1.08, 3)
    field = _lowres_field((h, w), lambda x, y: (1 + gx * (x / w - 0.5) + gy * (y / h - 0.5)) * p.gain)
    if p.shadow:
        pts = rng.uniform([0, 0], [w, h], (int(rng.integers(3, 6)), 2)).astype(np.int32)
        m = np.zeros((h // 4, w // 4), np.uint8)
        cv2.fillPoly(m, [cv2.convexHull(pts // 4)], 255)
        m = cv2.GaussianBlur(m, (0, 0), rng.uniform(0.5, 4)).astype(np.float32) / 255
        field *= 1 - rng.uniform(0.3, 0.6) * cv2.resize(m, (w, h))
    img = img * cv2.merge([field * float(t) for t in tint])
    for _ in range(p.glare):
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.3, 0.9) * h
        sx, sy = rng.uniform(0.03, 0.12) * w, rng.uniform(0.02, 0.08) * h
        peak = rng.uniform(0.6, 0.95)
        g = _lowres_field((h, w), lambda x, y, cx=cx, cy=cy, sx=sx, sy=sy, peak=peak:
                          np.exp(-(((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2) / 2) * peak, 4)
        img = img + (255 - img) * cv2.merge([g] * 3)
    return img


def _degrade(img: NDArray[Any], p: CaptureParams, rng: np.random.Generator) -> NDArray[Any]:
    if p.blur_sigma > 0.05:
        img = cv2.GaussianBlur(img, (0, 0), p.blur_sigma)
    if p.motion_px >= 1:
        k: Any = np.zeros((int(p.motion_px) * 2 + 1,) * 2, np.float32)
        k[k.shape[0] // 2, :] = 1
        rot = cv2.getRotationMatrix2D((k.shape[1] / 2, k.shape[0] / 2), rng.uniform(0, 180), 1)
        k = cv2.warpAffine(k, rot, k.shape[::-1])
        img = cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))
    noise: Any = np.empty(img.shape, np.float32)
    cv2.setRNGSeed(int(rng.integers(1 << 31)))
    cv2.randn(noise, 0.0, float(p.noise_sigma))  # type: ignore[call-overload]  # stubs lack scalars
    return cv2.add(img, noise).clip(0, 255).astype(np.uint8)


def _jpeg(img: NDArray[Any], quality: int) -> tuple[NDArray[Any], bytes]:
    ok, buf = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    decoded: Any = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return np.ascontiguousarray(decoded[:, :, ::-1]), buf.tobytes()
