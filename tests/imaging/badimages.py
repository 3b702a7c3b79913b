"""A catalogue of bad images: each entry is (name, bytes, expected error code)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def _save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _rgb(w: int = 320, h: int = 240) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG declaring a huge canvas (IDAT is a short compressed run of zeros)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def cases() -> list[tuple[str, bytes, str]]:
    good_jpeg = _save(_rgb(), "JPEG", quality=90)
    good_png = _save(_rgb(), "PNG")
    frames = [_rgb(200, 200), Image.fromarray(np.zeros((200, 200, 3), np.uint8))]
    apng = io.BytesIO()
    frames[0].save(apng, format="PNG", save_all=True, append_images=frames[1:])
    awebp = io.BytesIO()
    frames[0].save(awebp, format="WEBP", save_all=True, append_images=frames[1:])
    gif = io.BytesIO()
    frames[0].convert("P").save(gif, format="GIF", save_all=True, append_images=[f.convert("P") for f in frames[1:]])
    return [
        ("zero_bytes", b"", "image_empty"),
        ("truncated_jpeg", good_jpeg[: len(good_jpeg) // 3], "image_corrupt"),
        ("truncated_png", good_png[: len(good_png) // 2], "image_corrupt"),
        ("jpeg_header_only", good_jpeg[:20], "image_corrupt"),
        (
            "random_bytes",
            bytes(np.random.default_rng(1).integers(0, 255, 5000, dtype=np.uint8)),
            "image_unsupported_format",
        ),
        ("text_file", b"hello, this is not an image\n" * 10, "image_unsupported_format"),
        ("pdf", b"%PDF-1.7\n" + b"0" * 500, "image_unsupported_format"),
        ("gif_animated", gif.getvalue(), "image_unsupported_format"),
        ("bmp", _save(_rgb(), "BMP"), "image_unsupported_format"),
        ("tiff", _save(_rgb(), "TIFF"), "image_unsupported_format"),
        ("cmyk_jpeg", _save(_rgb().convert("CMYK"), "JPEG"), "image_unsupported_mode"),
        (
            "png_16bit_grey",
            _save(Image.fromarray(np.full((100, 100), 40000, np.uint16)), "PNG"),
            "image_unsupported_mode",
        ),
        ("png_bomb", png_bomb(), "image_decompression_bomb"),
        ("apng_animated", apng.getvalue(), "image_animated"),
        ("webp_animated", awebp.getvalue(), "image_animated"),
        ("tiny_image", _save(_rgb(20, 20), "PNG"), "image_too_small"),
        ("jpeg_magic_then_png", b"\xff\xd8\xff" + good_png, "image_corrupt"),
        # a strip: downscaled for a hash it would round a side to no pixels
        (
            "extreme_aspect_strip",
            _save(Image.fromarray(np.zeros((2000, 64), np.uint8)), "PNG"),
            "image_bad_aspect_ratio",
        ),
        # a 64x64 JPEG whose frame header claims 1900x1900 (within the tests' pixel limits): 11 MB of grey
        ("jpeg_header_claims_more_pixels", jpeg_claiming(1900, 1900), "image_corrupt"),
    ]


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose start-of-frame header declares another size than its data holds."""
    data = bytearray(_save(_rgb(64, 64), "JPEG"))
    i = data.find(b"\xff\xc0")
    data[i + 5 : i + 7] = struct.pack(">H", height)
    data[i + 7 : i + 9] = struct.pack(">H", width)
    return bytes(data)
