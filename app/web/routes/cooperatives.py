"""Cooperative lists and profiles: registry facts, products, and this wave's questionnaires."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.accounts.models import Role
from app.advice import service as advice
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.cooperatives import service as cooperatives
from app.cooperatives.schemas import ProductForm, RegistryQuery
from app.cooperatives.vocabulary import SECTORS, STATUSES
from app.errors import Invalid
from app.messages import Message
from app.paging import MAX_SIZE
from app.reports import registry, registry_export
from app.reports.downloads import Format
from app.validation import parse
from app.web import flash
from app.web.deps import Adviser, DbSession, Respondent
from app.web.routes.home import ProductFormState, manager_home
from app.web.templating import render

router = APIRouter()


@router.get("/cooperatives")
def list_page(
    request: Request,
    session: DbSession,
    user: Adviser,
    query: Annotated[RegistryQuery, Query()],
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    area_ids = areas.descendant_ids(session, area_ids=[query.district]) if query.district else None
    found = registry.search(
        session,
        visible=visible,
        text=query.q,
        area_ids=area_ids,
        sector=query.sector,
        status=query.status,
        wave_state=query.wave_status or None,
        page=query.page,
        size=MAX_SIZE,
    )
    return render(
        request,
        "cooperatives/list.html",
        {
            "registry": found,
            "query": query,
            "communes": cooperatives.areas_in_use(
                session, level=AreaLevel.COMMUNE, visible=visible
            ),
            "districts": cooperatives.areas_in_use(
                session, level=AreaLevel.FORMER_DISTRICT, visible=visible
            ),
            "sectors": SECTORS,
            "statuses": STATUSES,
            "wave_states": registry.WAVE_STATES,
            "filters": query.model_dump(exclude={"page"}, exclude_defaults=True),
        },
    )


@router.post("/cooperatives/export")
def export_registry(
    request: Request,
    session: DbSession,
    user: Adviser,
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
    errors: dict[str, Message] | None = None,
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
        "product_form": None,
    }


@router.get("/cooperatives/{cooperative_id}/answers")
def answers(
    request: Request,
    session: DbSession,
    user: Adviser,
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
    request: Request,
    session: DbSession,
    user: Respondent,
    cooperative_id: int,
    name: Annotated[str, Form()] = "",
    ocop_group: Annotated[str, Form()] = "",
    stars: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    cooperative, _ = cooperatives.get_cooperative(
        session, cooperative_id=cooperative_id, visible=visible
    )
    typed = {"name": name, "ocop_group": ocop_group, "stars": stars}
    try:
        product = parse(ProductForm, typed)
    except Invalid as refused:
        # The page the form was on, again, with what was typed and each problem beside it.
        form = ProductFormState(cooperative.id, refused.fields, typed)
        if back == "home" and user.role == Role.MANAGER:  # the home page only managers have
            return manager_home(request, session, user, product_form=form)
        found = advice.profile(session, user=user, cooperative_id=cooperative.id)
        return render(
            request,
            "cooperatives/profile.html",
            profile_context(found) | {"product_form": form},
            status_code=422,
        )
    cooperatives.add_product(session, cooperative_id=cooperative.id, product=product)
    target = "/" if back == "home" else f"/cooperatives/{cooperative.id}"
    return flash.redirect(request, target, "product_added")
