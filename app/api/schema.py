"""The OpenAPI description of the JSON API, for signed-in readers only.

It lists every operation the portal serves, the administrators' included: not something to
hand to anyone who asks. (No interactive docs page: Swagger UI's scripts come from a CDN,
which the Content-Security-Policy and an intranet both rule out; any OpenAPI viewer reads
this file.)
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.web.deps import ReportReader

router = APIRouter(include_in_schema=False)


@router.get("/api/openapi.json")
def openapi(request: Request, user: ReportReader) -> JSONResponse:
    return JSONResponse(request.app.openapi())
