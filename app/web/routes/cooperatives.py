"""Cooperative lists and profiles: registry facts, products, and this wave's questionnaires."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.advice import service as advice
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.cooperatives import service as cooperatives
from app.reports import registry_export
from app.reports.downloads import Format
from app.web.deps import DbSession, require_roles
from app.web.templating import render

router = APIRouter()
Staff = Annotated[User, Depends(require_roles(Role.ADVISOR, Role.ADMIN))]
Respondent = Annotated[User, Depends(require_roles(Role.MANAGER, Role.ADVISOR, Role.ADMIN))]


@router.get("/cooperatives")
def list_page(
    request: Request, session: DbSession, user: Staff, district: int | None = None
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    area_ids = areas.descendant_ids(session, area_ids=[district]) if district else None
    rows = cooperatives.list_cooperatives(session, visible=visible, area_ids=area_ids)
    return render(
        request,
        "cooperatives/list.html",
        {
            "rows": rows,
            "communes": cooperatives.areas_in_use(
                session, level=AreaLevel.COMMUNE, visible=visible
            ),
            "districts": cooperatives.areas_in_use(
                session, level=AreaLevel.FORMER_DISTRICT, visible=visible
            ),
            "district": district,
        },
    )


@router.post("/cooperatives/export")
def export_registry(
    request: Request,
    session: DbSession,
    user: Staff,
    fmt: Annotated[Format, Form(alias="format")] = "csv",
) -> Response:
    """The registry of the cooperatives this advisor or administrator may see."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    download = registry_export.export_registry(
        session,
        visible=visible,
        fmt=fmt,
        actor=user,
        via="web",
        ip_address=request.client.host if request.client else None,
    )
    return Response(
        download.body,
        media_type=download.media_type,
        headers={
            "content-disposition": f'attachment; filename="{download.filename}"',
            "cache-control": "no-store",
        },
    )


@router.get("/cooperatives/{cooperative_id}")
def profile(
    request: Request, session: DbSession, user: Respondent, cooperative_id: int
) -> Response:
    found = advice.profile(session, user=user, cooperative_id=cooperative_id)
    return render(request, "cooperatives/profile.html", profile_context(found))


def profile_context(
    found: advice.Profile,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the profile page and its advice fragment render, with any form errors."""
    return {
        "profile": found,
        "cooperative": found.cooperative,
        "area": found.area,
        "products": [p.product for p in found.products],
        "wave": found.open_wave,
        "states": found.states,
        "errors": errors or {},
        "values": values or {},
        "today": advice.today(),
    }


@router.get("/cooperatives/{cooperative_id}/answers")
def answers(
    request: Request,
    session: DbSession,
    user: Staff,
    cooperative_id: int,
    response: int | None = None,
) -> Response:
    sheet = advice.answer_sheet(
        session, user=user, cooperative_id=cooperative_id, response_id=response
    )
    return render(
        request, "cooperatives/answers.html", {"sheet": sheet, "cooperative": sheet.cooperative}
    )


@router.post("/cooperatives/{cooperative_id}/products")
def add_product(
    session: DbSession,
    user: Respondent,
    cooperative_id: int,
    name: Annotated[str, Form(max_length=300)],
    ocop_group: Annotated[str, Form(max_length=32)] = "",
    stars: Annotated[int, Form(ge=0, le=5)] = 0,
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    cooperative, _ = cooperatives.get_cooperative(
        session, cooperative_id=cooperative_id, visible=visible
    )
    cooperatives.add_product(
        session,
        cooperative_id=cooperative.id,
        name=name,
        ocop_group=ocop_group or None,
        stars=stars,
    )
    target = "/" if back == "home" else f"/cooperatives/{cooperative.id}"
    return RedirectResponse(target, status_code=303)
