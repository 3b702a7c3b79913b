"""A frame-sequence simulator for the active challenge: genuine responses and attacks on it.

A genuine response renders the bona fide face under the screen's light (each flash adds light
of its colour, mostly on the face, delayed by the display-to-camera latency), turns or nods the
head by a depth-based warp (the nose, closer to the camera, moves more than the eyes), and
returns timestamped frames with sensor noise, exposure drift, hand shake and JPEG.

Attacks: ``replay`` re-sends the frames of an earlier valid session (optionally re-encoded,
re-timed and relabelled with the new challenge id); ``ignore_sequence`` is a stream rendered
without knowing the colours (random ones, or none) that still performs a head action; ``still``
shows the issued colours on a face that does not move (a photo held up to the screen's light, or
a user who skipped the action), which only the head-action test can reject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from openidv.liveness.active import Frame
from openidv.liveness.challenge import ACTIONS, PALETTE, Challenge
from openidv.liveness.redteam.align import eye_centres, scaled
from openidv.liveness.redteam.camera import jpeg_roundtrip
from openidv.liveness.redteam.common import FaceRef, FloatImage, ellipse_mask, face_ellipse


@dataclass(frozen=True)
class SimConfig:
    fps: tuple[float, float] = (10.0, 18.0)
    reflect: tuple[float, float] = (0.03, 0.15)  # flash light on the face relative to ambient
    background_share: tuple[float, float] = (0.0, 0.3)  # how much of it reaches the background
    latency_ms: tuple[float, float] = (20.0, 120.0)
    max_angle_deg: tuple[float, float] = (18.0, 32.0)
    frame_side: tuple[int, int] = (240, 320)


def _depth(shape: tuple[int, int], ref: FaceRef) -> FloatImage:
    """A face-shaped depth map (pixels): an ellipsoid plus a nose ridge."""
    h, w = shape
    (cx, cy), (ax, ay), _ = face_ellipse(ref.box, ref.landmarks5)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx - cx) / (ax * 1.1), (yy - cy) / (ay * 1.1)
    z = 0.45 * ax * np.sqrt(np.clip(1 - u**2 - v**2, 0, 1))
    if ref.landmarks5 is not None:
        nose = ref.landmarks5[4]
        eyes = ref.landmarks5[:4].mean(axis=0)
        iod = float(np.linalg.norm(ref.landmarks5[0:2].mean(0) - ref.landmarks5[2:4].mean(0))) or ax
        nx, ny = (nose + eyes) / 2 * 0.3 + nose * 0.7
        z += 0.45 * iod * np.exp(-(((xx - nx) / (0.22 * iod)) ** 2 + ((yy - ny) / (0.45 * iod)) ** 2))
    return np.asarray(cv2.GaussianBlur(z, (0, 0), 2.0), np.float32)


def _face_axes(ref: FaceRef) -> tuple[tuple[float, float], tuple[float, float]]:
    """The face's own horizontal (left eye to right eye) and downward axes in the image.

    A head turns and nods about its own axes: on a face tilted in the frame, a nod moves the nose
    along the tilted face's vertical, not straight down the image."""
    if ref.landmarks5 is None:
        return (1.0, 0.0), (0.0, 1.0)
    left, right = eye_centres(ref)
    v = right - left
    n = float(np.hypot(v[0], v[1])) or 1.0
    ux = (float(v[0]) / n, float(v[1]) / n)
    return ux, (-ux[1], ux[0])


def _turn(
    img: FloatImage,
    z: FloatImage,
    yaw: float,
    pitch: float,
    axes: tuple[tuple[float, float], tuple[float, float]] = ((1.0, 0.0), (0.0, 1.0)),
) -> FloatImage:
    h, w = z.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    (hx, hy), (vx, vy) = axes
    sy, sp = np.float32(np.sin(yaw)), np.float32(np.sin(pitch))
    map_x = xx - z * (sy * np.float32(hx) + sp * np.float32(vx))
    map_y = yy - z * (sy * np.float32(hy) + sp * np.float32(vy))
    return np.asarray(cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101), np.float32)


def _angles(action: str, t: float, ch: Challenge, peak: float) -> tuple[float, float]:
    """Head angles (yaw, pitch) in radians at time t: a smooth out-and-back in the action window."""
    s = (t - ch.action_start_ms - 150.0) / max(ch.action_ms - 400.0, 1.0)
    a = float(np.sin(np.pi * s)) * peak if 0 < s < 1 else 0.0
    if action == "turn_left":
        return a, 0.0
    if action == "turn_right":
        return -a, 0.0
    return 0.0, a


def _screen_colour(t: float, colours: Sequence[str] | None, ch: Challenge) -> FloatImage:
    neutral = np.array([0.6, 0.6, 0.6], np.float32)
    if colours is None:
        return neutral
    i = int((t - ch.baseline_ms) // ch.flash_ms)
    if t < ch.baseline_ms or i >= len(colours):
        return neutral
    return np.asarray(PALETTE[colours[i]], np.float32) / 255.0


def render(
    ref: FaceRef,
    ch: Challenge,
    rng: np.random.Generator,
    cfg: SimConfig | None = None,
    *,
    colours: Sequence[str] | None = (),
    action: str | None = "",
    frame_id: str | None = "",
) -> list[Frame]:
    """Frames of one capture. `colours=()` follows the challenge, None shows no flashes;
    `action=""` performs the challenge's action; `frame_id=""` labels frames with the challenge id."""
    cfg = cfg or SimConfig()
    side = int(rng.integers(*cfg.frame_side))
    scene = scaled(ref, side / ref.rgb.shape[1])
    base: FloatImage = scene.rgb.astype(np.float32) / 255.0
    z = _depth(base.shape[:2], scene)
    head_axes = _face_axes(scene)
    centre, axes, angle = face_ellipse(scene.box, scene.landmarks5)
    share = float(rng.uniform(*cfg.background_share))
    light_mask = share + (1 - share) * ellipse_mask(
        base.shape[:2], centre, (axes[0] * 1.3, axes[1] * 1.2), angle, feather=axes[0] * 0.3
    )
    alpha = float(rng.uniform(*cfg.reflect))
    latency = float(rng.uniform(*cfg.latency_ms))
    fps = float(rng.uniform(*cfg.fps))
    peak = np.deg2rad(float(rng.uniform(*cfg.max_angle_deg)))
    seq_colours = ch.colours if colours == () else colours
    seq_action = ch.action if action == "" else action
    label = ch.id if frame_id == "" else frame_id
    frames: list[Frame] = []
    t, gain = float(rng.uniform(0, 40)), 1.0
    while t <= ch.duration_ms + 200:
        light = _screen_colour(t - latency, seq_colours, ch) * alpha
        img: FloatImage = base * (1.0 + light_mask[..., None] * light[None, None, :]) / (1.0 + 0.6 * alpha)
        if seq_action:
            yaw, pitch = _angles(seq_action, t, ch, float(peak))
            img = _turn(img, z, yaw, pitch, head_axes) if (yaw or pitch) else img
        gain *= float(np.exp(rng.normal(0, 0.01)))
        shake = rng.normal(0, 1.0, 2)
        m = np.array([[1, 0, shake[0]], [0, 1, shake[1]]], np.float32)
        img = cv2.warpAffine(img * gain, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT_101)
        img = img + rng.standard_normal(img.shape).astype(np.float32) * 0.012
        rgb = jpeg_roundtrip(np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8), int(rng.integers(70, 93)))
        frames.append(Frame(rgb, len(frames), round(t, 1), label))
        t += 1000.0 / fps * float(np.clip(rng.normal(1.0, 0.08), 0.7, 1.3))
    return frames


def genuine(ref: FaceRef, ch: Challenge, rng: np.random.Generator, cfg: SimConfig | None = None) -> list[Frame]:
    return render(ref, ch, rng, cfg)


def replay(
    earlier: Sequence[Frame],
    ch: Challenge,
    rng: np.random.Generator,
    relabel: bool = True,
    reencode: bool = True,
) -> list[Frame]:
    """An earlier valid session's frames sent again for a new challenge."""
    out = []
    for f in earlier:
        rgb = jpeg_roundtrip(f.rgb, int(rng.integers(75, 95))) if reencode else f.rgb
        out.append(replace(f, rgb=rgb, challenge_id=ch.id if relabel else f.challenge_id))
    return out


def ignore_sequence(ref: FaceRef, ch: Challenge, rng: np.random.Generator, cfg: SimConfig | None = None) -> list[Frame]:
    """A stream that does not know the colours: random flashes or none; head action random or right."""
    mode = rng.random()
    names = list(PALETTE)
    colours: Sequence[str] | None = None if mode < 0.4 else [names[int(rng.integers(len(names)))] for _ in ch.colours]
    action = ch.action if rng.random() < 0.5 else ACTIONS[int(rng.integers(len(ACTIONS)))]
    return render(ref, ch, rng, cfg, colours=colours, action=action)


def still(ref: FaceRef, ch: Challenge, rng: np.random.Generator, cfg: SimConfig | None = None) -> list[Frame]:
    """The issued colours reflected by a face that does not move (hand shake and noise only)."""
    return render(ref, ch, rng, cfg, action=None)
