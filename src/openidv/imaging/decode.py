"""Decode untrusted image bytes into an RGB array, or raise a typed error.

The order of the guards matters: cheap checks on the raw bytes first (size, magic number), then
the header (declared pixel count, frame count, colour mode, bit depth) before any pixel is
decoded, so a decompression bomb is refused without allocating its pixels. The declared
content type of an upload is never trusted; the bytes say what they are.

Accepted: baseline/progressive JPEG, 8-bit PNG (grey, RGB, palette, with or without alpha), still
WebP, and HEIF/HEIC (a phone camera's default format; decoded by ``pi-heif``, its primary picture,
10-bit pictures reduced to 8 bits, its rotation applied by the decoder). Refused with a stable
code: empty, oversize, unknown format (AVIF too), animated, CMYK, 16-bit or float samples,
truncated or corrupt data, too many or too few pixels.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from openidv import errors

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
)
# HEIF (ISO/IEC 23008-12) files start with an ``ftyp`` box naming a major brand; these are HEVC
# pictures the decoder reads (AV1 pictures - AVIF - it cannot: refused as unsupported).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"mif2"}
_KNOWN_OTHER: tuple[tuple[bytes, str], ...] = (
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)
_PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heif": "HEIF"}
ACCEPTED_TEXT = "JPEG, PNG, WebP, HEIF"
_ACCEPTED_MODES = {"RGB", "L", "RGBA", "LA", "P", "PA", "1"}
# A JPEG may declare up to this many times the pixel limit's width and height and still be decoded,
# reduced by the decoder (`_draft_within`); 8 is the largest reduction the JPEG decoder does.
JPEG_DRAFT_MAX_REDUCTION = 8
_EXIF_KEEP = {271: "make", 272: "model", 305: "software", 306: "datetime", 36867: "datetime_original"}


@dataclass(frozen=True)
class DecodeLimits:
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 40_000_000
    min_side: int = 64
    # A camera frame, a scan or a screenshot is never longer than this many times its width: a
    # longer image is a crafted one (downscaling it for a hash would round a side to no pixels).
    max_aspect: float = 10.0
    # Fewest bits per pixel a JPEG (or a HEIF) can carry: even a flat grey JPEG spends ~6 bits per 8x8 block on
    # its DC and end-of-block codes (~0.1 bit per pixel); far fewer means the frame header declares
    # pixels the data does not hold (a 3 KB file claiming 6000x6000 would decode to 108 MB of grey).
    min_jpeg_bits_per_pixel: float = 0.01


@dataclass
class DecodedImage:
    rgb: NDArray[np.uint8]
    content_type: str
    exif: dict[str, Any] = field(default_factory=dict)
    orientation_applied: int = 1

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])


def sniff_content_type(data: bytes) -> str | None:
    """The accepted content type the bytes really are, or None."""
    for magic, offset, ctype in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if ctype == "image/webp" and data[:4] != b"RIFF":
                continue
            return ctype
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS and _heif_decodes(data):
        return "image/heif"
    return None


def _heif_decodes(data: bytes) -> bool:
    """A ``mif1`` file may hold AV1 pictures (AVIF) under a HEIF brand: its compatible brands say."""
    size = int.from_bytes(data[0:4], "big")  # the whole ftyp box: brands may follow past any fixed offset
    brands = {data[i : i + 4] for i in range(16, min(size, 4096, len(data)) - 3, 4)} | {data[8:12]}
    return not brands & {b"avif", b"avis"}


def _register_heif() -> None:
    """Teach Pillow to open HEIF, once, when the first HEIF arrives (no side effect at import)."""
    global _heif_ready
    if not _heif_ready:
        import pi_heif

        pi_heif.register_heif_opener(thumbnails=False)
        _heif_ready = True


_heif_ready = False


def _describe_unknown(data: bytes) -> str:
    for magic, ctype in _KNOWN_OTHER:
        if data.startswith(magic):
            return ctype
    if data[4:8] == b"ftyp":
        return "image/avif" if b"avi" in data[8:64] else "video/mp4 or another ISO media file"
    return "unknown"


def _png_bit_depth(data: bytes) -> int | None:
    # IHDR is the first chunk: 8-byte signature, 4 length, 4 type, 4 width, 4 height, 1 bit depth.
    if len(data) >= 25 and data[12:16] == b"IHDR":
        return data[24]
    return None


def _safe_exif(img: Image.Image) -> tuple[dict[str, Any], int]:
    try:
        exif = img.getexif()
    except Exception:
        return {}, 1
    kept = {name: str(exif[tag])[:128] for tag, name in _EXIF_KEEP.items() if tag in exif}
    orientation = exif.get(274, 1)
    return kept, int(orientation) if isinstance(orientation, int) and 1 <= orientation <= 8 else 1


def read_image_file(path: Path, limits: DecodeLimits | None = None) -> bytes:
    """The bytes of an image file for the commands, bounded like an upload: a missing path, a
    directory, a device or a pipe is refused by name, and no more than ``max_bytes + 1`` bytes are
    ever read (``/dev/zero`` named as an image must not fill the memory)."""
    limits = limits or DecodeLimits()
    if not path.exists():
        raise errors.ValidationFailed(f"{path}: no such file")
    if not path.is_file():
        raise errors.ValidationFailed(f"{path}: not a regular file")
    with path.open("rb") as fh:
        data = fh.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise errors.ImageTooLarge(f"{path.name} is larger than {limits.max_bytes} bytes")
    return data


def decode_image(data: bytes, limits: DecodeLimits | None = None) -> DecodedImage:
    """Validate and decode; EXIF orientation is applied so pixels are upright as the camera saw them.

    HEIF is decoded in a child process (:mod:`openidv.imaging.isolated`): its C decoders crashed on
    fuzzed files, and a crash must cost one upload, not the service process."""
    limits = limits or DecodeLimits()
    if len(data) <= limits.max_bytes and sniff_content_type(data) == "image/heif":
        from openidv.imaging.isolated import decode_in_child

        return decode_in_child(data, limits)
    return decode_here(data, limits)


def decode_here(data: bytes, limits: DecodeLimits | None = None) -> DecodedImage:
    """:func:`decode_image` in this process, every format (the isolated HEIF child calls this)."""
    limits = limits or DecodeLimits()
    if not data:
        raise errors.ImageEmpty("the upload has no bytes")
    if len(data) > limits.max_bytes:
        raise errors.ImageTooLarge(f"{len(data)} bytes exceeds the limit of {limits.max_bytes}")
    ctype = sniff_content_type(data)
    if ctype is None:
        raise errors.ImageUnsupportedFormat(
            f"content looks like {_describe_unknown(data)}; accepted: {ACCEPTED_TEXT}", detected=_describe_unknown(data)
        )
    if ctype == "image/png" and (_png_bit_depth(data) or 8) > 8:
        raise errors.ImageUnsupportedMode("16-bit PNG samples are not accepted; export as 8-bit")
    if ctype == "image/heif":
        _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise errors.ImageDecompressionBomb("the image declares more pixels than allowed") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise errors.ImageCorrupt("the image header could not be parsed") from None
    with img:
        return _decode_opened(img, ctype, limits, len(data))


def _decode_opened(img: Image.Image, ctype: str, limits: DecodeLimits, n_bytes: int) -> DecodedImage:
    # Phones write multi-picture JPEGs (MPO: the photo, then a depth or HDR gain map) and HEIF files
    # with several pictures; the first (HEIF: the primary) is the photo, the others are not frames
    # of an animation.
    multi_picture = (ctype == "image/jpeg" and img.format == "MPO") or ctype == "image/heif"
    if img.format != _PIL_FORMAT[ctype] and not multi_picture:
        raise errors.ImageCorrupt(f"bytes start like {ctype} but parse as {img.format}")
    width, height = img.size
    declared = width * height
    if ctype == "image/jpeg" and limits.max_pixels < declared <= limits.max_pixels * JPEG_DRAFT_MAX_REDUCTION**2:
        width, height = _draft_within(img, limits.max_pixels)
    if width * height > limits.max_pixels:
        raise errors.ImageDecompressionBomb(
            f"{width}x{height} = {width * height} pixels exceeds the limit of {limits.max_pixels}"
        )
    if max(width, height) > limits.max_aspect * max(min(width, height), 1):
        raise errors.ImageBadAspect(
            f"{width}x{height} is longer than {limits.max_aspect:g} times its width; send a photo, not a strip"
        )
    if ctype in ("image/jpeg", "image/heif") and 8 * n_bytes < limits.min_jpeg_bits_per_pixel * declared:
        # HEVC compresses a flat picture even harder than JPEG: an 8.7 KB HEIF declaring 36 MP decoded
        # to 0.5 GB in its child (a review, stop 34); a camera photo carries 1-3 bits per pixel
        raise errors.ImageCorrupt("the image declares far more pixels than its data can hold")
    if not multi_picture and (getattr(img, "n_frames", 1) > 1 or getattr(img, "is_animated", False)):
        raise errors.ImageAnimated("animated images are not accepted; send one still frame")
    if img.mode not in _ACCEPTED_MODES:
        raise errors.ImageUnsupportedMode(f"colour mode {img.mode} is not accepted; send 8-bit RGB or grey")
    exif, orientation = _safe_exif(img)
    try:
        img.load()
        upright = ImageOps.exif_transpose(img) if orientation != 1 else img
        rgb = _to_rgb(upright)
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError, Image.DecompressionBombError):
        raise errors.ImageCorrupt("the image data is truncated or corrupt") from None
    if min(rgb.shape[:2]) < limits.min_side:
        raise errors.ImageTooSmall(f"{rgb.shape[1]}x{rgb.shape[0]} is below the minimum side of {limits.min_side}")
    return DecodedImage(rgb=rgb, content_type=ctype, exif=exif, orientation_applied=orientation)


def _draft_within(img: Image.Image, max_pixels: int) -> tuple[int, int]:
    """Decode a JPEG larger than `max_pixels` at 1/2, 1/4 or 1/8 of its size, whichever is the
    largest that fits: the decoder scales in the DCT domain, so the full-size picture is never
    held. A 48-megapixel phone photo is then read at 12 megapixels instead of refused; the pixel
    limit keeps bounding the memory a request takes. Returns the size it will decode to."""
    width, height = img.size
    for k in (2, 4, 8):
        w, h = -(-width // k), -(-height // k)
        if w * h <= max_pixels:
            img.draft(img.mode, (w, h))
            break
    return img.size


def _to_rgb(img: Image.Image) -> NDArray[np.uint8]:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    arr = np.asarray(img.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(arr)


def browser_viewable(content_type: str, data: bytes, limits: DecodeLimits | None = None) -> tuple[str, bytes]:
    """The stored bytes of a capture as a reviewer's browser can show them: HEIF (which most
    browsers cannot display) as a JPEG of the decoded, upright picture; others unchanged. The
    original stays in the store as the evidence."""
    if content_type != "image/heif":
        return content_type, data
    return "image/jpeg", encode_jpeg(decode_image(data, limits).rgb, quality=95)


def encode_png(rgb: NDArray[np.uint8]) -> bytes:
    """Encode an RGB array as PNG bytes (used by generators, demos and tests)."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def encode_jpeg(rgb: NDArray[np.uint8], quality: int = 92) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
