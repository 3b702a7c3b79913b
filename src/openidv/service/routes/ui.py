"""The reviewer console: a static page that works the review queue through the v1 API.

The page itself holds no data and needs no key; every call it makes carries the reviewer's key
(kept in the tab's sessionStorage only). A strict Content-Security-Policy allows only our own
script and style, and images from blob: URLs (the decrypted captures it fetches).
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Response

from openidv import errors

router = APIRouter(tags=["review console"], include_in_schema=False)
_CSP = (
    "default-src 'self'; img-src 'self' blob:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_TYPES = {"review.js": "text/javascript", "review.css": "text/css"}


def _file(name: str) -> bytes:
    return resources.files("openidv.service").joinpath("ui", name).read_bytes()


def _headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": _CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }


@router.get("/review")
def review_page() -> Response:
    return Response(_file("review.html"), media_type="text/html; charset=utf-8", headers=_headers())


@router.get("/review/static/{name}")
def review_static(name: str) -> Response:
    if name not in _TYPES:
        raise errors.NotFound(f"no file {errors.shown(name)}")
    return Response(_file(name), media_type=_TYPES[name], headers=_headers())
