"""One entry point for every species: ``generate(species, ref, rng, ...) -> Generated``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from openidv.liveness.redteam.align import scaled
from openidv.liveness.redteam.camera import CameraParams, capture
from openidv.liveness.redteam.common import FaceRef, Generated, box_size, to_float
from openidv.liveness.redteam.deepfake import face_swap
from openidv.liveness.redteam.print_attack import render_print
from openidv.liveness.redteam.scene import add_reflection, content_crop, place
from openidv.liveness.redteam.screen import render_screen
from openidv.liveness.redteam.self_blend import self_blend
from openidv.liveness.redteam.wearables import cutout, mask_texture
from openidv.liveness.species import Species


@dataclass(frozen=True)
class GeneratorConfig:
    """Ranges shared by all species; `camera` is the same simulated camera for both classes."""

    camera: CameraParams = field(default_factory=CameraParams)
    upscale: tuple[float, float] = (1.2, 2.0)  # source photo -> scene resolution before the camera
    face_px: tuple[float, float] = (100.0, 170.0)  # face width on a print/screen canvas
    # red team v5 (True): prints and screens reflect the room, devices show their sheen and
    # lens, held instruments are held by a drawn hand, and what is shown may be a close-up that
    # fills the instrument; False (the default: the shipped model's data) draws exactly what v4
    # drew. v5 was measured at stop 29 and not adopted (docs/liveness.md)
    instrument_detail: bool = False


# how often a glossy surface shows the room, and how strongly (a choice, not tuned: most phone
# and tablet screens are glass; a third of photo prints are glossy)
REFLECTION = {Species.SCREEN: (0.7, (0.04, 0.25)), Species.PRINT: (0.3, (0.03, 0.15))}


def _skin(ref: FaceRef) -> NDArray[np.float32]:
    x0, y0, x1, y1 = (int(v) for v in ref.box)
    cx, cy, r = (x0 + x1) // 2, (y0 + y1) // 2, max(2, (x1 - x0) // 6)
    patch = ref.rgb[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r]
    return np.asarray(patch.reshape(-1, 3).mean(axis=0) / 255.0, np.float32)


def _scene_scale(ref: FaceRef, rng: np.random.Generator, cfg: GeneratorConfig) -> FaceRef:
    return scaled(ref, float(rng.uniform(*cfg.upscale)))


def generate_bona_fide(ref: FaceRef, rng: np.random.Generator, cfg: GeneratorConfig | None = None) -> Generated:
    """The genuine capture of `ref`: the same camera, no instrument."""
    cfg = cfg or GeneratorConfig()
    scene = _scene_scale(ref, rng, cfg)
    rgb, box, cam = capture(scene.rgb, scene.box, rng, cfg.camera)
    return Generated(rgb, box, Species.BONA_FIDE, {"camera": cam}, ref.subject_id)


def generate_self_blend(ref: FaceRef, rng: np.random.Generator, cfg: GeneratorConfig | None = None) -> Generated:
    """A training-only pseudo face swap (:mod:`.self_blend`), labelled deepfake, through the same camera."""
    cfg = cfg or GeneratorConfig()
    base = _scene_scale(ref, rng, cfg)
    img, params = self_blend(base, rng)
    rgb, box, cam = capture(img, base.box, rng, cfg.camera)
    return Generated(rgb, box, Species.DEEPFAKE, {**params, "camera": cam}, ref.subject_id)


def _flat(
    species: Species,
    ref: FaceRef,
    rng: np.random.Generator,
    cfg: GeneratorConfig,
    pool: Sequence[NDArray[np.uint8]],
) -> Generated:
    face_px = float(rng.uniform(*cfg.face_px))
    detail = cfg.instrument_detail
    content, box = content_crop(ref, rng, face_px, close_up=detail)
    if species is Species.PRINT:
        instr = render_print(to_float(content), box, rng)
    else:
        instr = render_screen(to_float(content), box, rng, detail)
    if detail:
        p, (lo, hi) = REFLECTION[species]
        reflect = rng.random() < p
        if reflect:
            instr = replace(instr, rgb=np.clip(add_reflection(instr.rgb, rng, pool, float(rng.uniform(lo, hi))), 0, 1))
        instr.params["reflection"] = reflect
    canvas, cbox, placement = place(instr, rng, pool, skin=_skin(ref), detail=detail)
    rgb, obox, cam = capture(canvas, cbox, rng, cfg.camera)
    return Generated(rgb, obox, species, {**instr.params, **placement, "camera": cam}, ref.subject_id)


def generate(
    species: Species,
    ref: FaceRef,
    rng: np.random.Generator,
    *,
    other: FaceRef | None = None,
    pool: Sequence[NDArray[np.uint8]] = (),
    cfg: GeneratorConfig | None = None,
) -> Generated:
    """A labelled sample of `species` attacking the identity in `ref`.

    `other` is a second bona fide person (the attacker wearing a cut-out, the body a deepfake is
    pasted onto); `pool` holds photos whose corners serve as backgrounds behind prints and screens.
    """
    cfg = cfg or GeneratorConfig()
    if species is Species.BONA_FIDE:
        return generate_bona_fide(ref, rng, cfg)
    if species in (Species.PRINT, Species.SCREEN):
        return _flat(species, ref, rng, cfg, pool)
    if species is Species.INJECTION_CLEAN:
        clean = replace(cfg.camera, strength=0.0, jpeg_quality=(97, 100))
        sample = generate_bona_fide(ref, rng, replace(cfg, camera=clean))
        return Generated(sample.rgb, sample.box, species, sample.params, ref.subject_id)
    if species in (Species.CUTOUT, Species.DEEPFAKE) and other is None:
        raise ValueError(f"{species.value} needs a second person (`other`)")
    k = float(rng.uniform(*cfg.upscale))
    if species is Species.CUTOUT:
        assert other is not None
        wearer = scaled(other, k)
        src = scaled(ref, k * box_size(other.box) / max(box_size(ref.box), 1.0))
        img, params = cutout(wearer, src, rng)
        base = wearer
    elif species is Species.MASK:
        base = scaled(ref, k)
        img, params = mask_texture(base, rng)
    elif species is Species.DEEPFAKE:
        assert other is not None
        base = scaled(other, k)
        img, params = face_swap(base, scaled(ref, k), rng)
    else:
        raise ValueError(f"{species.value} is a sequence-level species; use the frame simulator")
    rgb, box, cam = capture(img, base.box, rng, cfg.camera)
    return Generated(rgb, box, species, {**params, "camera": cam}, ref.subject_id)
