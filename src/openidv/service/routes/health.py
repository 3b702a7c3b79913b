"""Health (liveness of the process), readiness (store reachable, pipeline built), metrics, catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from openidv import __version__, errors
from openidv.service.deps import AdminDep, AnyKeyDep, MetricsDep, RuntimeDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
def ready(request: Request) -> dict[str, Any]:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None or runtime.db is None:
        raise errors.ServiceUnavailable("the service is still starting")
    try:
        with runtime.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        raise errors.ServiceUnavailable("the database is not reachable") from None
    # no key needed here (orchestrators probe it), so nothing about the deployment either: the check
    # list and the policy version are at the authenticated /v1/checks
    return {"status": "ready"}


@router.get("/metrics", response_class=Response)
def metrics(principal: AdminDep, m: MetricsDep) -> Response:
    return Response(m.render(), media_type="text/plain; version=0.0.4")


@router.get("/v1/checks")
def checks(principal: AnyKeyDep, runtime: RuntimeDep) -> dict[str, Any]:
    p = runtime.pipeline
    return {
        "checks": [
            {
                "name": c.name,
                "version": c.version,
                "requires": list(c.requires),
                "score_meaning": c.score_meaning,
                "reason_codes": list(c.reason_codes),
            }
            for c in (p.checks[n] for n in p.order)
        ],
        "policy_version": runtime.engine.version,
    }


@router.get("/v1/reason-codes")
def reason_codes(principal: AnyKeyDep, runtime: RuntimeDep) -> dict[str, Any]:
    cat = runtime.engine.catalogue
    return {"codes": [cat.get(c).__dict__ for c in cat.codes()]}
