"""Typed errors with stable codes.

Every error a client can see is an :class:`OpenIDVError` subclass carrying a stable machine code
(``code``), an HTTP status and a human title. The HTTP layer renders them as RFC 7807
problem+json; the CLI prints them as one JSON line. Codes are part of the public contract: add
new ones, never rename or reuse old ones.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

PROBLEM_BASE = "https://openidv.dev/problems/"
_PLAIN = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def shown(value: object) -> str:
    """A client-supplied id or code as it may appear in an error's detail: itself when it is a plain
    token, else a placeholder - a detail never echoes markup, control characters or a megabyte."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) else "(not a valid id)"


class OpenIDVError(Exception):
    """Base class: a failure with a stable code that is safe to show to a client."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """Render as an RFC 7807 problem document (no stack trace, no internals)."""
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.code.replace("_", "-"),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance[:200]  # the request path, bounded: it is the client's own text
        body.update({k: v for k, v in self.extra.items() if k not in body})
        return body


# --- request shape ---------------------------------------------------------------------------
class BadRequest(OpenIDVError):
    code, status, title = "bad_request", 400, "Bad request"


class MalformedJSON(BadRequest):
    code, title = "malformed_json", "Request body is not valid JSON"


class MalformedMultipart(BadRequest):
    code, title = "malformed_multipart", "Request body is not valid multipart/form-data"


class JSONTooDeep(BadRequest):
    code, title = "json_too_deep", "JSON nesting is too deep"


class ValidationFailed(OpenIDVError):
    code, status, title = "validation_failed", 422, "Request failed validation"


class PayloadTooLarge(OpenIDVError):
    code, status, title = "payload_too_large", 413, "Payload too large"


class UnsupportedMediaType(OpenIDVError):
    code, status, title = "unsupported_media_type", 415, "Unsupported media type"


# --- images ----------------------------------------------------------------------------------
class ImageError(OpenIDVError):
    code, status, title = "image_invalid", 422, "Image could not be used"


class ImageEmpty(ImageError):
    code, title = "image_empty", "Image is empty"


class ImageUnsupportedFormat(ImageError):
    code, status, title = "image_unsupported_format", 415, "Image format not supported"


class ImageCorrupt(ImageError):
    code, title = "image_corrupt", "Image is corrupt or truncated"


class ImageTooLarge(ImageError):
    code, status, title = "image_too_large", 413, "Image too large"


class ImageDecompressionBomb(ImageError):
    code, status, title = "image_decompression_bomb", 413, "Image declares too many pixels"


class ImageUnsupportedMode(ImageError):
    code, title = "image_unsupported_mode", "Image colour mode not supported"


class ImageAnimated(ImageError):
    code, title = "image_animated", "Animated images are not accepted"


class ImageTooSmall(ImageError):
    code, title = "image_too_small", "Image dimensions too small"


class ImageBadAspect(ImageError):
    code, title = "image_bad_aspect_ratio", "Image is far longer than it is wide"


# --- auth --------------------------------------------------------------------------------------
class Unauthorized(OpenIDVError):
    code, status, title = "unauthorized", 401, "Missing or invalid API key"


class Forbidden(OpenIDVError):
    code, status, title = "forbidden", 403, "API key lacks the required scope"


# --- resources and state -----------------------------------------------------------------------
class NotFound(OpenIDVError):
    code, status, title = "not_found", 404, "Resource not found"


class SessionNotFound(NotFound):
    code, title = "session_not_found", "Session not found"


class Conflict(OpenIDVError):
    code, status, title = "conflict", 409, "Conflict with the current state"


class SessionStateConflict(Conflict):
    code, title = "session_state_conflict", "Session is not in a state that allows this"


class IdempotencyKeyReused(Conflict):
    code, status, title = "idempotency_key_reused", 422, "Idempotency key reused with a different request"


class IdempotencyKeyMissing(BadRequest):
    code, title = "idempotency_key_missing", "Idempotency-Key header is required"


class TooManyCaptures(Conflict):
    code, title = "too_many_captures", "Too many captures for this session"


class RateLimited(OpenIDVError):
    code, status, title = "rate_limited", 429, "Too many attempts"


class ServiceUnavailable(OpenIDVError):
    code, status, title = "service_unavailable", 503, "Service not ready"


# --- configuration and data integrity ---------------------------------------------------------
class ConfigError(OpenIDVError):
    code, status, title = "config_error", 500, "Configuration error"


class ModelIntegrityError(ConfigError):
    code, title = "model_integrity", "Model file does not match its recorded hash"


class DecryptionError(OpenIDVError):
    code, status, title = "decryption_failed", 500, "Stored data could not be decrypted"


def all_error_codes() -> dict[str, type[OpenIDVError]]:
    """Every concrete error code, for documentation and for the stability test."""
    seen: dict[str, type[OpenIDVError]] = {}
    stack: list[type[OpenIDVError]] = [OpenIDVError]
    while stack:
        cls = stack.pop()
        seen.setdefault(cls.code, cls)
        stack.extend(cls.__subclasses__())
    return seen
