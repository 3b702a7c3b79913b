"""The FastAPI application factory.

``create_app(settings)`` wires middleware, error handlers and routers (the core's and every
plugin's); the lifespan builds the :class:`~openidv.runtime.Runtime` (store, models, pipeline)
once, ensures the bootstrap admin key, starts the retention worker (expired captures and each
plugin's own data, at start and every ``retention_interval_s``) and the webhook worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from openidv import __version__
from openidv.config import Settings, get_settings
from openidv.plugins import load_plugins
from openidv.runtime import Runtime
from openidv.service import logs, problems
from openidv.service.metrics import Metrics
from openidv.service.middleware import BodyGuard, HeadAsGet, RequestContext
from openidv.service.retention import RetentionWorker
from openidv.service.routes import health, reviews, sessions, ui
from openidv.service.webhooks import WebhookWorker
from openidv.store.apikeys import ApiKeys


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.configure(settings.log_level)
    plugins = runtime.plugins if runtime is not None else load_plugins(settings.enabled_plugins)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime.build(settings, plugins=plugins)
        assert rt.db is not None and rt.repo is not None
        if settings.bootstrap_admin_key is not None:
            ApiKeys(rt.db).ensure("bootstrap-admin", ["admin"], settings.bootstrap_admin_key.get_secret_value())
        retention = RetentionWorker(rt, settings.retention_interval_s)
        retention.start()  # its first pass runs now, as the start-up purge did
        worker = WebhookWorker(rt.db, settings) if settings.webhook_url and settings.webhook_secret else None
        if worker:
            worker.start()
        app.state.runtime = rt
        try:
            yield
        finally:
            retention.stop()
            if worker:
                worker.stop()
            app.state.runtime = None
            if runtime is None:
                rt.close()

    app = FastAPI(
        title="OpenIDV",
        version=__version__,
        description="Identity verification: create a session, upload captures, submit, get a decision with reasons.",
        lifespan=lifespan,
    )
    metrics = Metrics()
    app.state.metrics = metrics
    app.state.runtime = None
    problems.install(app)
    v1 = APIRouter(prefix="/v1")
    v1.include_router(sessions.router)
    v1.include_router(reviews.router)
    for plugin in plugins:
        for router in plugin.routers():
            v1.include_router(router)
    app.include_router(health.router)
    app.include_router(ui.router)
    app.include_router(v1)
    app.add_middleware(BodyGuard, settings=settings)
    app.add_middleware(RequestContext, metrics=metrics)
    app.add_middleware(HeadAsGet)
    return app
