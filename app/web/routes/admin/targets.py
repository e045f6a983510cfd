"""A wave's targets: the administrator sets them, the dashboard shows progress against them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.messages import Message
from app.responses import service as responses
from app.responses.models import Wave
from app.surveys import service as surveys
from app.targets import service as targets
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, Posted, client_ip, see_other
from app.web.templating import render

router = APIRouter()


def _page(
    request: Request,
    session: DbSession,
    wave: Wave,
    values: dict[str, str],
    errors: dict[str, Message],
    status_code: int = 200,
) -> Response:
    versions = responses.wave_versions(session, wave_id=wave.id)
    questionnaires = {key: surveys.definition(version) for key, version in versions.items()}
    context: dict[str, Any] = {
        "wave": wave,
        "targets": targets.list_targets(session, wave_id=wave.id),
        "questionnaires": questionnaires,
        "values": values,
        "errors": errors,
    }
    return render(request, "admin/targets.html", context, status_code=status_code)


@router.get("/waves/{wave_id}/targets")
def targets_page(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    return _page(request, session, wave, {"metric": "coverage", "percent": ""}, {})


@router.post("/waves/{wave_id}/targets")
def set_target(
    request: Request, session: DbSession, user: Admin, wave_id: int, form: Posted
) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    values = {
        name: str(form.get(name) or "").strip()
        for name in ("metric", "questionnaire_level", "percent")
    }
    # One select offers "questionnaire:level" pairs, so the level always belongs to the
    # questionnaire chosen with it.
    questionnaire, _, level = values["questionnaire_level"].partition(":")
    target, errors = targets.check_target(
        session,
        wave=wave,
        metric=values["metric"],
        questionnaire=questionnaire,
        level=level,
        percent=values["percent"],
    )
    if target is None:
        for field in ("questionnaire", "level"):
            if field in errors:
                errors["questionnaire_level"] = errors.pop(field)
        return _page(request, session, wave, values, errors, status_code=422)
    targets.set_target(session, wave=wave, target=target, actor=user, ip_address=client_ip(request))
    return see_other(f"/admin/waves/{wave.id}/targets")


@router.post("/waves/{wave_id}/targets/{target_id}/remove")
def remove_target(
    request: Request, session: DbSession, user: Admin, wave_id: int, target_id: int
) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    targets.remove_target(
        session, wave=wave, target_id=target_id, actor=user, ip_address=client_ip(request)
    )
    return see_other(f"/admin/waves/{wave.id}/targets")
