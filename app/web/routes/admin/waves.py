"""Survey waves: opening one with its questionnaire versions, then opening and closing it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.errors import Invalid
from app.responses import service as responses
from app.responses import waves
from app.responses.schemas import NewWaveForm
from app.surveys import service as surveys
from app.validation import parse
from app.web import flash
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, Posted, client_ip
from app.web.templating import render

router = APIRouter()


@router.get("/waves")
def waves_page(request: Request, session: DbSession, user: Admin) -> Response:
    return render(request, "admin/waves.html", {"rows": waves.list_waves(session)})


def _wave_form(
    request: Request,
    session: DbSession,
    values: dict[str, Any],
    errors: dict[str, Any],
    status_code: int = 200,
) -> Response:
    versions = surveys.list_versions(session)
    keys = list(dict.fromkeys(v.key for v in versions))
    return render(
        request,
        "admin/wave_new.html",
        {"versions": versions, "keys": keys, "values": values, "errors": errors},
        status_code=status_code,
    )


@router.get("/waves/new")
def new_wave_page(request: Request, session: DbSession, user: Admin) -> Response:
    latest = {v.key: v.id for v in reversed(surveys.list_versions(session))}
    return _wave_form(request, session, {"key": "", "name": "", "versions": latest}, {})


@router.post("/waves")
def create_wave(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    values: dict[str, Any] = {
        name: str(form.get(name) or "")
        for name in ("key", "name", "name_en", "opens_on", "closes_on")
    }
    values["versions"] = {
        name.removeprefix("version_"): int(value)
        for name, value in form.multi_items()
        if name.startswith("version_") and isinstance(value, str) and value.isdecimal()
    }
    try:
        wave = waves.create(session, form=parse(NewWaveForm, values, session=session))
    except Invalid as refused:
        return _wave_form(request, session, values, refused.fields, status_code=422)
    chosen = responses.wave_versions(session, wave_id=wave.id)
    audit.record(
        session,
        actor=user,
        action="wave.create",
        target=f"wave:{wave.key}",
        detail={"name": wave.name, "versions": {k: v.version for k, v in chosen.items()}},
        ip_address=client_ip(request),
    )
    return flash.redirect(request, "/admin/waves", "wave_created")


@router.post("/waves/{wave_id}/open")
def open_wave(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    before = wave.status
    if waves.open_(session, wave=wave):
        audit.record(
            session,
            actor=user,
            action="wave.open",
            target=f"wave:{wave.key}",
            detail={"from": before},
            ip_address=client_ip(request),
        )
    return flash.redirect(request, "/admin/waves", "wave_opened")


@router.get("/waves/{wave_id}/close")
def close_wave_page(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    return render(
        request, "admin/wave_close.html", {"row": waves.get_row(session, wave_id=wave_id)}
    )


@router.post("/waves/{wave_id}/close")
def close_wave(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    if waves.close(session, wave=wave):
        audit.record(
            session,
            actor=user,
            action="wave.close",
            target=f"wave:{wave.key}",
            ip_address=client_ip(request),
        )
    return flash.redirect(request, "/admin/waves", "wave_closed")
