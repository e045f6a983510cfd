"""Cooperatives not yet in a 2025 commune: the list to place, and placing one by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.areas.models import Area, AreaLevel
from app.areas.service import list_areas
from app.audit import service as audit
from app.cooperatives import placement
from app.cooperatives.models import Cooperative
from app.paging import page_of
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, client_ip, see_other
from app.web.templating import render

router = APIRouter()


# Each row carries a select of its province's communes: a page keeps to a readable size.
PAGE = 50


@router.get("/placements")
def placements_page(
    request: Request,
    session: DbSession,
    user: Admin,
    placed: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    everyone = select(Cooperative.id)
    waiting = placement.unplaced(session, visible=everyone)
    shown, where = page_of(waiting, page=page, size=PAGE)
    communes: dict[int, list[Area]] = {}
    for commune in list_areas(session, level=AreaLevel.COMMUNE):
        if commune.parent_id is not None:
            communes.setdefault(commune.parent_id, []).append(commune)
    return render(
        request,
        "admin/placements.html",
        {
            "waiting": shown,
            "total": len(waiting),
            "communes": communes,
            "placed": placed,
            "page": where,
        },
    )


@router.post("/placements/auto")
def place_automatically(request: Request, session: DbSession, user: Admin) -> Response:
    done = placement.place_unplaced(session)
    audit.record(
        session,
        actor=user,
        action="place_cooperatives",
        target="registry",
        detail={"placed": done.placed, "remaining": done.remaining},
        ip_address=client_ip(request),
    )
    return see_other(f"/admin/placements?placed={done.placed}")


@router.post("/placements/{cooperative_id}")
def place_one(
    request: Request,
    session: DbSession,
    user: Admin,
    cooperative_id: int,
    commune_id: Annotated[int, Form()],
) -> Response:
    cooperative = placement.place(session, cooperative_id=cooperative_id, commune_id=commune_id)
    audit.record(
        session,
        actor=user,
        action="place_cooperative",
        target=f"cooperative:{cooperative.id}",
        detail={"commune_id": commune_id},
        ip_address=client_ip(request),
    )
    return see_other("/admin/placements?placed=1")
