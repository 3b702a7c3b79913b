"""Drawn stand-ins for faces, ID cards and capture degradations.

These images let the demo, the tests and the usability tuning run on a machine with no real data.
They are deliberately simple (no claim to look like a real person or document); the document and
liveness capabilities have their own, much richer generators. Everything is driven by a seeded
``numpy.random.Generator`` so a given seed always draws the same image.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

RGB = NDArray[np.uint8]

SKIN_TONES = [(241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36), (255, 219, 172), (110, 70, 40)]
HAIR = [(20, 20, 20), (60, 40, 20), (120, 80, 40), (200, 170, 90), (90, 90, 90)]


def _background(rng: np.random.Generator, h: int, w: int) -> RGB:
    base = rng.integers(40, 220, size=3)
    grad = np.linspace(0.8, 1.2, w)[None, :, None] * np.linspace(0.9, 1.1, h)[:, None, None]
    img = np.clip(base[None, None, :] * grad + rng.normal(0, 6, (h, w, 3)), 0, 255)
    return img.astype(np.uint8)


def draw_face(rng: np.random.Generator, size: int = 256, background: RGB | None = None) -> RGB:
    """A frontal cartoon face filling most of a square image."""
    img = background.copy() if background is not None else _background(rng, size, size)
    cx, cy = (
        size // 2 + int(rng.integers(-size // 20, size // 20)),
        size // 2 + int(rng.integers(-size // 20, size // 20)),
    )
    fw, fh = int(size * rng.uniform(0.24, 0.3)), int(size * rng.uniform(0.32, 0.38))
    skin = tuple(int(c) for c in SKIN_TONES[int(rng.integers(len(SKIN_TONES)))])
    hair = tuple(int(c) for c in HAIR[int(rng.integers(len(HAIR)))])
    cv2.ellipse(img, (cx, cy - fh // 3), (int(fw * 1.1), int(fh * 0.8)), 0, 180, 360, hair, -1)
    cv2.ellipse(img, (cx, cy), (fw, fh), 0, 0, 360, skin, -1)
    eye_dx, eye_y = fw // 2, cy - fh // 6
    for sx in (-1, 1):
        cv2.ellipse(img, (cx + sx * eye_dx, eye_y), (fw // 6, fh // 12), 0, 0, 360, (250, 250, 250), -1)
        cv2.circle(img, (cx + sx * eye_dx, eye_y), max(2, fh // 16), (50, 40, 30), -1)
        cv2.line(
            img,
            (cx + sx * eye_dx - fw // 5, eye_y - fh // 7),
            (cx + sx * eye_dx + fw // 5, eye_y - fh // 7),
            hair,
            max(2, size // 100),
        )
    cv2.line(img, (cx, eye_y + fh // 12), (cx - fw // 10, cy + fh // 5), tuple(int(c * 0.8) for c in skin), 2)
    cv2.ellipse(img, (cx, cy + fh // 2 - fh // 8), (fw // 3, fh // 10), 0, 0, 180, (150, 60, 60), max(2, size // 80))
    return img


@dataclass(frozen=True)
class CardText:
    surname: str
    given_names: str
    document_number: str
    date_of_birth: str
    expiry: str
    nationality: str


def draw_id_card(rng: np.random.Generator, text: CardText, width: int = 1012, face: RGB | None = None) -> RGB:
    """An ID-1-proportioned card (85.6 x 54 mm) with a portrait, printed fields and an MRZ-like band."""
    h = int(width * 54 / 85.6)
    card = _background(rng, h, width)
    colour = rng.integers(150, 250, size=3)
    card[:] = np.clip(card * 0.3 + colour * 0.7, 0, 255).astype(np.uint8)
    for k in range(0, width, 14):  # a simple guilloche-like wave pattern
        ys = (h / 2 + np.sin(np.linspace(0, 6 * np.pi, 60) + k / 30) * h / 3).astype(np.int32)
        xs = np.linspace(k, k + 120, 60).astype(np.int32)
        cv2.polylines(card, [np.stack([xs, ys], 1)], False, tuple(int(c * 0.85) for c in colour), 1)
    portrait = face if face is not None else draw_face(rng, size=int(h * 0.55))
    ph, pw = int(h * 0.55), int(h * 0.45)
    crop = cv2.resize(portrait, (pw, ph))
    y0, x0 = int(h * 0.2), int(width * 0.04)
    card[y0 : y0 + ph, x0 : x0 + pw] = crop
    font, ink = cv2.FONT_HERSHEY_SIMPLEX, (20, 20, 40)
    scale = width / 1400
    rows = [
        ("SURNAME", text.surname),
        ("GIVEN NAMES", text.given_names),
        ("DOCUMENT NO", text.document_number),
        ("DATE OF BIRTH", text.date_of_birth),
        ("EXPIRY", text.expiry),
        ("NATIONALITY", text.nationality),
    ]
    for i, (label, value) in enumerate(rows):
        y = int(h * 0.2) + i * int(h * 0.09)
        cv2.putText(card, label, (x0 + pw + 30, y), font, scale * 0.6, ink, 1, cv2.LINE_AA)
        cv2.putText(card, value, (x0 + pw + 30, y + int(h * 0.04)), font, scale, ink, 2, cv2.LINE_AA)
    band_y = int(h * 0.8)
    cv2.rectangle(card, (0, band_y), (width, h), (235, 235, 235), -1)
    mrz = f"I<{text.nationality}{text.document_number}<<<<<<<<<<<<<<<"[:30]
    cv2.putText(card, mrz, (int(width * 0.03), band_y + int(h * 0.1)), cv2.FONT_HERSHEY_PLAIN, scale * 2.6, ink, 2)
    return card


def place_on_background(rng: np.random.Generator, card: RGB, canvas_scale: float = 1.3) -> RGB:
    """The card photographed on a table: margin, slight rotation and perspective."""
    h, w = card.shape[:2]
    ch, cw = int(h * canvas_scale), int(w * canvas_scale)
    canvas = _background(rng, ch, cw)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    ox, oy = (cw - w) / 2, (ch - h) / 2
    jitter = rng.uniform(-0.03, 0.03, size=(4, 2)) * [w, h]
    dst = (src + np.array([ox, oy]) + jitter).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = np.asarray(cv2.warpPerspective(card, m, (cw, ch)), dtype=np.uint8)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (cw, ch)) > 0
    canvas[mask] = warped[mask]
    return canvas


# --- degradations (the usability check must catch these) ------------------------------------------
def blur(img: RGB, sigma: float) -> RGB:
    return np.asarray(cv2.GaussianBlur(img, (0, 0), sigmaX=sigma), dtype=np.uint8)


def darken(img: RGB, gain: float, gamma: float) -> RGB:
    x = (img.astype(np.float32) / 255.0) ** gamma * gain
    return np.clip(x * 255, 0, 255).astype(np.uint8)


def overexpose(img: RGB, gain: float) -> RGB:
    return np.clip(img.astype(np.float32) * gain + 40, 0, 255).astype(np.uint8)


def add_glare(rng: np.random.Generator, img: RGB, area: float) -> RGB:
    """A saturated specular blob covering about `area` of the image, with a soft halo."""
    h, w = img.shape[:2]
    out = img.astype(np.float32)
    ax = np.sqrt(area * h * w / np.pi) * rng.uniform(0.7, 1.4)
    ay = area * h * w / (np.pi * ax)
    cx, cy = int(rng.uniform(0.25, 0.75) * w), int(rng.uniform(0.25, 0.75) * h)
    halo = np.zeros((h, w), np.float32)
    cv2.ellipse(halo, (cx, cy), (int(ax * 1.4), int(ay * 1.4)), float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    halo = np.asarray(cv2.GaussianBlur(halo, (0, 0), sigmaX=max(2.0, ax / 4)), dtype=np.float32)
    core = np.zeros((h, w), np.float32)
    cv2.ellipse(core, (cx, cy), (int(ax), int(ay)), 0, 0, 360, 1.0, -1)
    alpha = np.clip(np.maximum(core, halo * 0.8), 0, 1)[..., None]
    out = out * (1 - alpha) + 255.0 * alpha
    return np.clip(out, 0, 255).astype(np.uint8)


def add_noise_and_jpeg(rng: np.random.Generator, img: RGB, noise: float, quality: int) -> RGB:
    noisy = np.clip(img.astype(np.float32) + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(noisy, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid array
        return noisy
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return np.asarray(cv2.cvtColor(np.asarray(decoded), cv2.COLOR_BGR2RGB), dtype=np.uint8)


def natural_variation(rng: np.random.Generator, img: RGB) -> RGB:
    """Acceptable capture variation: mild lighting change, noise and compression."""
    gain = rng.uniform(0.8, 1.15)
    lit = np.clip(img.astype(np.float32) * gain + rng.uniform(-12, 12), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        lit = blur(lit, float(rng.uniform(0.3, 1.0)))
    return add_noise_and_jpeg(rng, lit, float(rng.uniform(1, 5)), int(rng.integers(70, 96)))
