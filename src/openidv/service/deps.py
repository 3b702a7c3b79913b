"""Typed FastAPI dependencies: the runtime, the authenticated principal, scope checks.

Plugins use these too: ``Depends(require("client"))`` on their routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from openidv import errors
from openidv.runtime import Runtime
from openidv.service.metrics import Metrics
from openidv.store.apikeys import ApiKeys, Principal
from openidv.store.repository import SessionRepository


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise errors.ServiceUnavailable("the service is still starting")
    return runtime


def get_repo(runtime: Annotated[Runtime, Depends(get_runtime)]) -> SessionRepository:
    if runtime.repo is None:
        raise errors.ServiceUnavailable("no store configured")
    return runtime.repo


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def authenticate(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Principal:
    if runtime.db is None:
        raise errors.ServiceUnavailable("no store configured")
    return ApiKeys(runtime.db).authenticate(_presented_key(request))


def require(scope: str) -> Callable[[Principal], Principal]:
    """A dependency that authenticates and checks one scope (admin implies every scope)."""

    def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        principal.require(scope)
        return principal

    check.__name__ = f"require_{scope}"
    return check


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
RepoDep = Annotated[SessionRepository, Depends(get_repo)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ClientDep = Annotated[Principal, Depends(require("client"))]
ReviewerDep = Annotated[Principal, Depends(require("reviewer"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
AnyKeyDep = Annotated[Principal, Depends(authenticate)]
