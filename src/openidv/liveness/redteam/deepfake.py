"""Face-swap deepfake: the source identity's face warped onto the target by landmarks, rendered at
a generator's lower resolution, colour-corrected to the target and blended in."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from openidv.liveness.redteam.align import source_to_target
from openidv.liveness.redteam.common import FaceRef, box_size, ellipse_mask, face_ellipse, to_float, to_uint8


def colour_transfer(src: np.ndarray, dst: np.ndarray, mask: np.ndarray, strength: float) -> np.ndarray:
    """Reinhard mean/std matching in LAB inside the mask (uint8 in, uint8 out)."""
    s = cv2.cvtColor(src, cv2.COLOR_RGB2LAB).astype(np.float32)
    d = cv2.cvtColor(dst, cv2.COLOR_RGB2LAB).astype(np.float32)
    sel = mask > 0.5
    if sel.sum() < 16:
        return src
    ms, ss = s[sel].mean(axis=0), s[sel].std(axis=0) + 1e-3
    md, sd = d[sel].mean(axis=0), d[sel].std(axis=0) + 1e-3
    t = (s - ms) / ss * sd + md
    t = s * (1 - strength) + t * strength
    return np.asarray(cv2.cvtColor(np.clip(t, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB), np.uint8)


def face_swap(target: FaceRef, source: FaceRef, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
    h, w = target.rgb.shape[:2]
    m = source_to_target(source, target)
    warped = cv2.warpAffine(source.rgb, m[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    gen_px = int(rng.choice([48, 64, 96, 128, 192]))
    face = box_size(target.box)
    if gen_px < face:  # the generator produced a smaller face that was upscaled into the frame
        k = gen_px / face
        small = cv2.resize(warped, (max(8, round(w * k)), max(8, round(h * k))), interpolation=cv2.INTER_AREA)
        warped = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    centre, axes, angle = face_ellipse(target.box, target.landmarks5)
    k_axes = float(rng.uniform(0.8, 1.0))
    axes = (axes[0] * k_axes, axes[1] * k_axes * rng.uniform(0.85, 1.0))
    hard = ellipse_mask((h, w), centre, axes, angle)
    strength = float(rng.uniform(0.6, 1.0))
    warped = colour_transfer(warped, target.rgb, hard, strength)
    poisson = rng.random() < 0.3
    if poisson:
        m8 = (hard > 0.5).astype(np.uint8) * 255
        x, y, bw, bh = cv2.boundingRect(m8)
        try:
            out = cv2.seamlessClone(warped, target.rgb, m8, (x + bw // 2, y + bh // 2), cv2.NORMAL_CLONE)
            return out, {"generator_px": gen_px, "blend": "poisson", "colour_strength": round(strength, 3)}
        except cv2.error:
            poisson = False
    feather = float(rng.uniform(0.02, 0.1)) * face
    alpha = cv2.GaussianBlur(hard, (0, 0), max(feather, 0.5))[..., None]
    out = to_float(target.rgb) * (1 - alpha) + to_float(np.asarray(warped, np.uint8)) * alpha
    return to_uint8(out), {
        "generator_px": gen_px,
        "blend": "feather",
        "feather": round(feather, 2),
        "colour_strength": round(strength, 3),
    }
