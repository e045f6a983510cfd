"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import app.tables  # noqa: F401 - every model mapped before the first request
from app import memory
from app.api import schema, v1
from app.config import ROOT, Settings, get_settings
from app.db import Database
from app.documents.downloads import MEDIA as DOCUMENT_MEDIA
from app.reports.downloads import MEDIA as EXPORT_MEDIA
from app.web import errors
from app.web.deps import ids_in_range, verify_csrf
from app.web.limits import BoundedBodies
from app.web.routes import (
    admin,
    advice,
    auth,
    chase,
    cooperatives,
    dashboard,
    documents,
    home,
    passwords,
    reports,
    responses,
    system,
)
from app.web.security import SecurityHeaders

# Downloads that are zip or deflate inside (workbooks, documents): not compressed again.
COMPRESSED = (EXPORT_MEDIA["xlsx"], *DOCUMENT_MEDIA.values())


class Portal(FastAPI):
    """FastAPI with the outermost layers of our own: even a 500 page carries the security
    headers, and answering it does not drop the connection."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        stack: ASGIApp = SecurityHeaders(
            errors.AnsweredErrors(BoundedBodies(super().build_middleware_stack())),
            https=settings.https,
        )
        if settings.forwarded_allow_ips.strip():
            # Outermost, so every layer sees the client's address as the proxy reported it.
            stack = cast(
                ASGIApp,
                ProxyHeadersMiddleware(
                    cast(Any, stack), trusted_hosts=settings.forwarded_allow_ips
                ),
            )
        return stack


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the portal for the given settings (default: from the environment)."""
    settings = settings or get_settings()
    database = db or Database(settings.database_url, pool_size=settings.database_pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if db is None:
            database.dispose()

    app = Portal(
        title="HTX Số",
        summary="Self-assessment portal for cooperatives and the provincial Cooperative Alliance",
        lifespan=lifespan,
        dependencies=[Depends(ids_in_range), Depends(verify_csrf)],
        # Served by app.api.schema to signed-in readers only.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    errors.install(app)
    app.include_router(system.router)
    app.include_router(auth.router)
    app.include_router(passwords.router)
    app.include_router(home.router)
    app.include_router(cooperatives.router)
    app.include_router(responses.router)
    app.include_router(reports.router)
    app.include_router(dashboard.router)
    app.include_router(documents.router)
    app.include_router(advice.router)
    app.include_router(chase.router)
    app.include_router(admin.router)
    app.include_router(v1.router)
    app.include_router(schema.router)
    app.mount("/static", StaticFiles(directory=ROOT / "app" / "static"), name="static")
    # Pages and CSV shrink to a fifth. Gzip spent a tenth of a second on a national workbook
    # to save nothing; level 6 (zlib's default) takes half the time of 9 for 4% more bytes.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=500,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *COMPRESSED),
    )
    return app


def app_from_env() -> FastAPI:
    """Entry point for uvicorn/gunicorn: `uvicorn --factory app.main:app_from_env`."""
    app = create_app()
    memory.settle()
    return app
