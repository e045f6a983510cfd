"""Each role's landing page, and the patterns page."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts import recovery
from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.areas import service as areas
from app.cooperatives import service as cooperatives
from app.messages import Message
from app.responses import service as responses
from app.responses.models import WaveStatus
from app.web.deps import CurrentUser, DbSession
from app.web.routes.dashboard import show_dashboard
from app.web.templating import render

router = APIRouter()


@dataclass(frozen=True)
class ProductFormState:
    """A product form sent back: the cooperative it was for, its problems, what was typed."""

    cooperative_id: int
    errors: dict[str, Message]
    values: dict[str, str]


def manager_home(
    request: Request, session: DbSession, user: User, *, product_form: ProductFormState | None
) -> Response:
    """A manager's cooperatives, their products and this wave's questionnaires (422 with a
    product form sent back)."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    mine = cooperatives.list_cooperatives(session, visible=visible)
    products = cooperatives.list_products(session, cooperative_ids=[c.id for c, _ in mine])
    wave = responses.open_wave(session)
    states = (
        responses.subject_states(
            session, wave=wave, cooperative_ids=[c.id for c, _ in mine], products=products
        )
        if wave
        else []
    )
    return render(
        request,
        "home/manager.html",
        {
            "cooperatives": mine,
            "products": products,
            "wave": wave,
            "states": states,
            "product_form": product_form,
        },
        status_code=422 if product_form else 200,
    )


@router.get("/")
def home(request: Request, session: DbSession, user: CurrentUser) -> Response:
    if user.role == Role.MANAGER:
        return manager_home(request, session, user, product_form=None)
    visible = accounts.accessible_cooperative_ids(session, user=user)
    if user.role == Role.STEERING and any(
        w.status != WaveStatus.DRAFT for w in responses.list_waves(session)
    ):
        # The Steering Committee reads summaries: its home is the dashboard of the current wave.
        return show_dashboard(request, session, user, wave=None, questionnaire=None, level=None)
    # Managers waiting for a one-time code: the advisor who follows them sees it first thing.
    waiting = (
        len(recovery.pending_requests(session, visible=visible))
        if user.role in (Role.ADVISOR, Role.ADMIN)
        else 0
    )
    if user.role in (Role.ADVISOR, Role.STEERING):
        districts = cooperatives.district_counts(session, visible=visible)
        return render(
            request,
            "home/districts.html",
            {
                "districts": districts,
                "no_area": accounts.sees_nothing(session, user=user),
                "password_requests": waiting,
            },
        )
    return render(
        request,
        "home/admin.html",
        {
            "password_requests": waiting,
            "users": accounts.count_users(session),
            "cooperative_count": cooperatives.count_cooperatives(session),
            "area_count": areas.count_areas(session),
        },
    )


@router.get("/patterns")
def patterns(request: Request, user: CurrentUser) -> Response:
    return render(request, "patterns.html")
