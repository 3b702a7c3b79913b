"""HTTP: ``POST /v1/behavior/score`` scores telemetry on its own, without a verification session.

For clients that want a bot / device verdict at a step of their own flow (sign-up form, login).
Stateless: no device linking or velocity (those need decided sessions), no storage. The caller's
IP is taken from the connection, never from the body. Requires an API key with the ``client`` scope.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Body, Request

from openidv import errors
from openidv.behavior.device.integrity import assess_device
from openidv.behavior.events import parse_events
from openidv.behavior.runtime import services
from openidv.behavior.schema import validate_telemetry
from openidv.behavior.scoring import Thresholds, assess, with_device
from openidv.service.deps import ClientDep, RuntimeDep  # imported with the router, never by the checks


def score_payload(payload: Any, client_ip: str | None, runtime: Any) -> dict[str, Any]:
    """Validate and score one telemetry object (what the endpoint returns)."""
    started = time.perf_counter()
    problems = validate_telemetry(payload)
    if problems:
        raise errors.ValidationFailed("telemetry does not match schema version 1", errors=problems)
    svc = services(runtime.env)
    network = dict(payload.get("network") or {})
    network.pop("ip", None)
    if client_ip:
        network["ip"] = client_ip
    network = svc.network(network)
    t = Thresholds.from_set(runtime.engine.thresholds.get("behavior_bot"))
    a = assess(parse_events(payload.get("events") or []), t, svc.models())
    out = a.as_dict()
    if payload.get("device"):
        integrity = assess_device(payload["device"], network)
        out["device"] = {
            "risk": integrity.risk,
            "automation": integrity.automation,
            "inconsistent": integrity.inconsistent,
            "findings": [{"grade": f.grade, "code": f.code, "detail": f.detail} for f in integrity.findings],
        }
        out = with_device(out, integrity.automation, integrity.inconsistent)
    out["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
    return out


def build_router() -> APIRouter:
    router = APIRouter(prefix="/behavior", tags=["behavior"])

    @router.post("/score")
    def score(request: Request, principal: ClientDep, runtime: RuntimeDep,
              body: dict[str, Any] = Body(..., description="Telemetry, schema version 1")) -> dict[str, Any]:
        """Bot score, anomaly score, device findings and reason codes for one telemetry object."""
        host = request.client.host if request.client else None
        return score_payload(body, host, runtime)

    return router
