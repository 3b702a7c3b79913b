"""The attack generator: every species renders, is labelled, is reproducible from its seed."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.liveness.crops import CONTEXT_SIZE, PAD_VALUE, TIGHT_SIZE, face_views, square_crop
from openidv.liveness.redteam import generate
from openidv.liveness.redteam.camera import capture
from openidv.liveness.redteam.common import FaceRef
from openidv.liveness.species import INJECTION_SPECIES, MODEL_CLASSES, PRESENTATION_SPECIES, Species


@pytest.mark.parametrize("species", [Species.BONA_FIDE, *PRESENTATION_SPECIES, Species.INJECTION_CLEAN])
def test_every_species_renders_a_labelled_capture(species: Species, faces: list[FaceRef]) -> None:
    rng = np.random.default_rng(3)
    out = generate(species, faces[0], rng, other=faces[1], pool=[f.rgb for f in faces])
    assert out.species is species
    assert out.rgb.dtype == np.uint8 and out.rgb.ndim == 3 and out.rgb.shape[2] == 3
    h, w = out.rgb.shape[:2]
    x0, y0, x1, y1 = out.box
    assert 0 < x1 - x0 < w * 1.2 and 0 < y1 - y0 < h * 1.2
    assert -0.2 * w < (x0 + x1) / 2 < 1.2 * w  # the face stays in frame
    assert out.subject_id == faces[0].subject_id


def test_same_seed_same_sample(faces: list[FaceRef]) -> None:
    a = generate(Species.SCREEN, faces[0], np.random.default_rng(9), pool=[faces[2].rgb])
    b = generate(Species.SCREEN, faces[0], np.random.default_rng(9), pool=[faces[2].rgb])
    assert np.array_equal(a.rgb, b.rgb) and a.params == b.params


def test_species_needing_a_second_person_say_so(faces: list[FaceRef]) -> None:
    with pytest.raises(ValueError, match="second person"):
        generate(Species.DEEPFAKE, faces[0], np.random.default_rng(0))


def test_sequence_species_are_refused_by_the_still_generator(faces: list[FaceRef]) -> None:
    with pytest.raises(ValueError, match="sequence-level"):
        generate(Species.INJECTION_STATIC, faces[0], np.random.default_rng(0), other=faces[1])


def test_camera_stays_inside_a_small_scene(faces: list[FaceRef]) -> None:
    """Bona fide framing never samples outside the photo (that would paint synthetic edges)."""
    rng = np.random.default_rng(5)
    for _ in range(10):
        img, box, _ = capture(faces[0].rgb, faces[0].box, rng)
        assert img.shape[0] == img.shape[1]
        assert box[2] > box[0]


def test_views_have_fixed_sizes_and_grey_padding(faces: list[FaceRef]) -> None:
    tight, context = face_views(faces[0].rgb, faces[0].box)
    assert tight.shape == (TIGHT_SIZE, TIGHT_SIZE, 3) and context.shape == (CONTEXT_SIZE, CONTEXT_SIZE, 3)
    corner = square_crop(faces[0].rgb, (0, 0, 20, 20), 4.0, 32)
    assert (corner[0, 0] == PAD_VALUE).all()


def test_species_catalogue() -> None:
    assert MODEL_CLASSES[0] is Species.BONA_FIDE
    assert Species.DEEPFAKE.reason_code == "DEEPFAKE_SUSPECTED"
    assert Species.PRINT.reason_code == "SPOOF_SUSPECTED"
    assert {s.reason_code for s in INJECTION_SPECIES} == {"INJECTION_SUSPECTED", "REPLAYED_CAPTURE"}
    assert not any(s.is_presentation for s in INJECTION_SPECIES)


def test_high_density_panels_show_no_grid_but_keep_their_bezel() -> None:
    """A modern panel's sub-pixels are finer than the camera: no grid, the device frame remains."""
    from openidv.liveness.redteam.screen import render_screen

    content = np.full((120, 100, 3), 0.5, np.float32)
    kinds = set()
    for seed in range(40):
        instr = render_screen(content, (20.0, 20.0, 80.0, 90.0), np.random.default_rng(seed))
        kinds.add(instr.params["panel"])
        # flat content: a grid shows as column-to-column curvature; glare and banding are smooth
        curvature = float(np.abs(np.diff(instr.rgb[40:80, 40:60], n=2, axis=1)).max())
        if instr.params["panel"] == "high_density":
            assert instr.params["bezel"] and instr.params["grid_mix"] == 0.0
            assert instr.rgb.shape[0] > content.shape[0] and instr.rgb.shape[1] > content.shape[1]  # drawn
            assert curvature < 0.1  # a small glare spot bends a little
        else:
            assert curvature > 0.15
    assert kinds == {"high_density", "coarse"}


def test_self_blend_is_a_reproducible_deepfake_class_sample_of_one_person(faces: list[FaceRef]) -> None:
    from openidv.liveness.redteam import generate_self_blend
    from openidv.liveness.redteam.self_blend import self_blend

    a = generate_self_blend(faces[0], np.random.default_rng(4))
    b = generate_self_blend(faces[0], np.random.default_rng(4))
    assert a.species is Species.DEEPFAKE and a.params["pseudo"] == "self_blend"
    assert np.array_equal(a.rgb, b.rgb) and a.subject_id == faces[0].subject_id
    # before the camera: the blend changes the inner face and leaves the far corners alone
    img, params = self_blend(faces[0], np.random.default_rng(5))
    diff = np.abs(img.astype(np.int16) - faces[0].rgb.astype(np.int16)).mean(axis=2)
    x0, y0, x1, y1 = (int(v) for v in faces[0].box)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    inner = diff[cy - 5 : cy + 5, cx - 5 : cx + 5].mean()
    corner = diff[:4, :4].mean()
    if params["inner_altered"]:
        assert inner > corner
    else:
        assert corner > inner


def test_red_team_v4_draws_are_kept_and_v5_adds_instrument_detail(faces: list[FaceRef]) -> None:
    """v4 (the data of pad_passive 4.0.0) must reproduce: its samples carry none of v5's draws."""
    from openidv.liveness.redteam.generate import GeneratorConfig

    pool = [f.rgb for f in faces]
    v5 = GeneratorConfig(instrument_detail=True)
    reflections = []
    for seed in range(12):
        old = generate(Species.SCREEN, faces[0], np.random.default_rng(seed), pool=pool)  # the default: v4
        new = generate(Species.SCREEN, faces[0], np.random.default_rng(seed), pool=pool, cfg=v5)
        assert "reflection" not in old.params
        reflections.append(new.params["reflection"])
        again = generate(Species.SCREEN, faces[0], np.random.default_rng(seed), pool=pool, cfg=v5)
        assert np.array_equal(new.rgb, again.rgb)
    assert any(reflections) and not all(reflections)


def test_a_held_instrument_shows_fingertips_outside_it_and_a_thumb_over_its_edge() -> None:
    import cv2

    from openidv.liveness.redteam.scene import hand_masks

    quad = np.array([[60, 40], [200, 45], [195, 260], [55, 255]], np.float32)
    inside = np.zeros((300, 260), np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 1)
    for seed in range(10):
        behind, thumb = hand_masks((300, 260), np.random.default_rng(seed), quad)
        seen = behind > 0.5
        assert (seen & (inside == 0)).any()  # fingertips stick out round a side
        over = thumb > 0.5
        assert (over & (inside == 1)).any() and (over & (inside == 0)).any()  # across the edge
        assert (over & (inside == 1)).sum() < 0.1 * inside.sum()  # holds the edge, not the face


def test_a_reflection_adds_light_and_a_device_body_is_not_a_flat_frame() -> None:
    from openidv.liveness.redteam.scene import add_reflection
    from openidv.liveness.redteam.screen import bezel

    img = np.full((80, 60, 3), 0.3, np.float32)
    out = add_reflection(img, np.random.default_rng(1), [], 0.2)
    assert (out >= img - 1e-6).all() and float((out - img).max()) > 0.01
    for seed in range(10):
        plain, _, box = bezel(img, (10.0, 10.0, 50.0, 70.0), np.random.default_rng(seed))
        framed, _, _ = bezel(img, (10.0, 10.0, 50.0, 70.0), np.random.default_rng(seed), detail=True)
        width = round(box[0] - 10.0)
        assert np.ptp(plain[:width].mean(axis=2)) < 1e-6  # v4: one flat colour
        assert np.ptp(framed[:width].mean(axis=2)) > 0.005  # v5: sheen and, mostly, the lens
