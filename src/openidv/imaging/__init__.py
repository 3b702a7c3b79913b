"""Safe decoding of untrusted image bytes and simple image measurements."""

from openidv.imaging.decode import DecodedImage, DecodeLimits, decode_image, sniff_content_type

__all__ = ["DecodeLimits", "DecodedImage", "decode_image", "sniff_content_type"]
