"""Commune boundaries: upload a GeoJSON file, see how many communes have one, remove them.

The file is read and matched in the request's read-only session; the boundaries are written
in one short transaction afterwards, so parsing a large file never holds the write lock.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.areas import boundaries
from app.audit import service as audit
from app.errors import Invalid
from app.web.deps import DbSession, get_db, get_settings_dep, reads_then_writes
from app.web.routes.admin.shared import Admin, Posted, client_ip, see_other
from app.web.templating import render

router = APIRouter()
ACCEPTED = (".geojson", ".json")


def _page(
    request: Request,
    session: DbSession,
    status_code: int = 200,
    **context: Any,
) -> Response:
    province = get_settings_dep(request).province
    context.setdefault("stored", None)
    context.setdefault("removed", None)
    context.setdefault("elsewhere", None)
    context.setdefault("error", None)
    context.setdefault("read_error", None)
    context.setdefault("reading", None)
    context.setdefault("filename", "")
    context["summary"] = boundaries.summary(session, province_code=province)
    context["max_mb"] = boundaries.MAX_BYTES // 2**20
    context["shown"] = boundaries.SHOWN_PROBLEMS
    return render(request, "admin/boundaries.html", context, status_code=status_code)


@router.get("/boundaries")
def boundaries_page(
    request: Request,
    session: DbSession,
    user: Admin,
    stored: Annotated[int | None, Query(ge=0)] = None,
    removed: Annotated[int | None, Query(ge=0)] = None,
    elsewhere: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    return _page(request, session, stored=stored, removed=removed, elsewhere=elsewhere)


@router.post("/boundaries")
@reads_then_writes
def upload_boundaries(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    # The form is read by a dependency: the body limit then applies before any field is parsed.
    file = form.get("file")
    filename = (file.filename or "") if isinstance(file, UploadFile) else ""
    if not isinstance(file, UploadFile) or not filename:
        return _page(request, session, 422, error="missing")
    if not filename.lower().endswith(ACCEPTED):
        return _page(request, session, 422, error="type", filename=filename)
    data = file.file.read(boundaries.MAX_BYTES + 1)
    try:
        reading = boundaries.read(
            session, data=data, province_code=get_settings_dep(request).province
        )
    except Invalid as exc:
        return _page(request, session, 422, error="read", read_error=exc.message, filename=filename)
    if not reading.ok:
        return _page(request, session, 422, reading=reading, filename=filename)
    with get_db(request).transaction() as writer:
        stored = boundaries.store(
            writer, reading=reading, source=filename, uploaded_by=user.username
        )
        audit.record(
            writer,
            actor=user,
            action="boundaries.upload",
            target="boundaries",
            detail={
                "filename": filename,
                "features": reading.features,
                "stored": stored,
                "points": reading.positions,
                "kept": reading.kept,
                "elsewhere": reading.elsewhere,
            },
            ip_address=client_ip(request),
        )
    aside = f"&elsewhere={reading.elsewhere}" if reading.elsewhere else ""
    return see_other(f"/admin/boundaries?stored={stored}{aside}")


@router.post("/boundaries/remove")
def remove_boundaries(request: Request, session: DbSession, user: Admin) -> Response:
    removed = boundaries.remove_all(session)
    audit.record(
        session,
        actor=user,
        action="boundaries.remove",
        target="boundaries",
        detail={"removed": removed},
        ip_address=client_ip(request),
    )
    return see_other(f"/admin/boundaries?removed={removed}")
