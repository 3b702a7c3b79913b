from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from openidv import errors
from openidv.imaging.decode import DecodeLimits, decode_image, sniff_content_type

from .badimages import cases


@pytest.mark.parametrize(("name", "data", "code"), cases(), ids=[c[0] for c in cases()])
def test_bad_images_raise_typed_errors(name, data, code):
    with pytest.raises(errors.ImageError) as info:
        decode_image(data)
    assert info.value.code == code


def test_too_many_bytes():
    with pytest.raises(errors.ImageTooLarge):
        decode_image(b"\xff\xd8\xff" + b"0" * 2000, DecodeLimits(max_bytes=1000))


def test_exif_orientation_applied():
    img = Image.fromarray(np.zeros((100, 200, 3), np.uint8))  # wide
    exif = Image.Exif()
    exif[274] = 6  # rotate 90 CW on display
    exif[271] = "TestMake"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    out = decode_image(buf.getvalue())
    assert (out.height, out.width) == (200, 100)  # now tall
    assert out.orientation_applied == 6 and out.exif["make"] == "TestMake"


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "LA"])
def test_accepted_modes_become_rgb(mode):
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (80, 90, 3), dtype=np.uint8)).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    out = decode_image(buf.getvalue())
    assert out.rgb.shape == (80, 90, 3) and out.rgb.dtype == np.uint8


def test_sniffing_ignores_names():
    assert sniff_content_type(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert sniff_content_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_content_type(b"GIF89a") is None


def test_multi_picture_jpegs_are_read_as_their_first_picture() -> None:
    """Phones save MPO files (the photo, then a depth or HDR gain map): the photo is what counts."""
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8))
    buf = io.BytesIO()
    photo.save(buf, format="MPO", save_all=True, append_images=[Image.new("RGB", (200, 150))])
    out = decode_image(buf.getvalue())
    assert out.content_type == "image/jpeg" and out.rgb.shape == (300, 400, 3)


def test_a_flat_jpeg_is_not_taken_for_one_claiming_too_many_pixels() -> None:
    buf = io.BytesIO()
    Image.fromarray(np.full((1500, 2000, 3), 128, np.uint8)).save(buf, format="JPEG", quality=50)
    assert decode_image(buf.getvalue()).rgb.shape == (1500, 2000, 3)
