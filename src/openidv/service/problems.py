"""Exception handlers: every error leaves as RFC 7807 problem+json with a stable code.

No stack trace, exception message from a library, or echo of the submitted values ever reaches
the client: validation errors keep only the location, a message and the error type.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from openidv import errors

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem_response(exc: errors.OpenIDVError, request: Request) -> JSONResponse:
    response = JSONResponse(exc.to_problem(str(request.url.path)), status_code=exc.status, media_type=PROBLEM)
    retry = exc.extra.get("retry_after_s")
    if isinstance(retry, int | float) and retry >= 0:  # RFC 9110: clients and proxies read the header
        response.headers["Retry-After"] = str(int(retry))
    return response


def _clean(err: dict[str, Any]) -> dict[str, Any]:
    return {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", "")), "type": err.get("type")}


async def on_openidv_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.OpenIDVError)
    return problem_response(exc, request)


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_clean(e) for e in exc.errors()][:50]
    if any(d["type"] == "json_invalid" for d in details):
        return problem_response(errors.MalformedJSON("invalid JSON body"), request)
    problem = errors.ValidationFailed(f"{len(details)} field(s) failed validation", errors=details)
    return problem_response(problem, request)


# What the form parser says, as a client may read it: the parser's messages are matched by their
# start, never passed through (a library's wording is not part of our contract).
_MULTIPART_DETAIL = (
    ("Missing boundary", "the Content-Type header names no multipart boundary"),
    ("The Content-Disposition header field", "a part has no Content-Disposition header with a field name"),
    ("Too many", "the body has more parts than a capture upload takes"),
    ("Part exceeded", "a form field that is not a file is larger than the form parser takes (1 MB)"),
)


def _multipart_problem(message: str) -> errors.MalformedMultipart:
    for start, detail in _MULTIPART_DETAIL:
        if message.startswith(start):
            return errors.MalformedMultipart(detail)
    return errors.MalformedMultipart("the multipart body could not be parsed (cut short, or a part's headers are "
                                     "not valid)")


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    ctype = request.headers.get("content-type", "").strip().lower()
    if exc.status_code == 400 and ctype.startswith("multipart/form-data"):
        return problem_response(_multipart_problem(str(exc.detail)), request)
    mapping: dict[int, type[errors.OpenIDVError]] = {
        404: errors.NotFound,
        405: errors.BadRequest,
        401: errors.Unauthorized,
        403: errors.Forbidden,
        413: errors.PayloadTooLarge,
        415: errors.UnsupportedMediaType,
    }
    cls = mapping.get(exc.status_code, errors.BadRequest)
    err = cls("method not allowed" if exc.status_code == 405 else None)
    response = problem_response(err, request)
    if exc.status_code == 405:
        response.status_code = 405
        body = err.to_problem(str(request.url.path)) | {
            "status": 405,
            "code": "method_not_allowed",
            "title": "Method not allowed",
        }
        return JSONResponse(body, status_code=405, media_type=PROBLEM)
    return response


async def on_data_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refuses (a character PostgreSQL does not store in text, a number out of
    its range) that no validation caught: the request's fault, so a 400, logged for the next fix."""
    log.warning("database refused a value", extra={"route": request.url.path, "error": type(exc).__name__})
    return problem_response(errors.BadRequest("a value in the request cannot be stored or looked up"), request)


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"route": request.url.path})
    return problem_response(errors.OpenIDVError("an internal error occurred; it has been logged"), request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.OpenIDVError, on_openidv_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(DataError, on_data_error)
    app.add_exception_handler(Exception, on_unexpected)
