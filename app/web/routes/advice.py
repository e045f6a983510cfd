"""Advisors' notes and follow-ups on a cooperative's profile, and the targeting pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import service as accounts
from app.accounts.models import User
from app.advice import service as advice
from app.advice.schemas import FollowUpForm, NoteForm
from app.errors import Invalid
from app.messages import Message
from app.paging import MAX_SIZE, Page
from app.targeting import criteria as targeting
from app.targeting import queries as targeting_queries
from app.targeting import shortlists
from app.targeting.schemas import ShortlistName
from app.validation import parse
from app.web.deps import Adviser, DbSession, Posted
from app.web.routes.cooperatives import profile_context
from app.web.templating import is_htmx, render

router = APIRouter()


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _after_change(
    request: Request, session: DbSession, user: User, cooperative_id: int
) -> Response:
    """htmx gets the refreshed advice panel; a plain browser goes back to the profile."""
    if is_htmx(request):
        found = advice.profile(session, user=user, cooperative_id=cooperative_id)
        return render(request, "cooperatives/profile.html", profile_context(found), block="advice")
    return RedirectResponse(f"/cooperatives/{cooperative_id}#advice", status_code=303)


def _form_errors(
    request: Request,
    found: advice.Profile,
    errors: dict[str, Message],
    values: dict[str, str],
) -> Response:
    """The profile again, with the messages beside the fields and what was typed kept."""
    return render(
        request,
        "cooperatives/profile.html",
        profile_context(found, errors=errors, values=values),
        status_code=422,
        block="advice" if is_htmx(request) else None,
    )


@router.post("/cooperatives/{cooperative_id}/notes")
def write_note(
    request: Request,
    session: DbSession,
    user: Adviser,
    cooperative_id: int,
    body: Annotated[str, Form()] = "",
) -> Response:
    found = advice.profile(session, user=user, cooperative_id=cooperative_id)
    typed = {"body": body}
    try:
        advice.add_note(
            session,
            cooperative_id=found.cooperative.id,
            author=user,
            note=parse(NoteForm, typed),
            ip_address=_client_ip(request),
        )
    except Invalid as refused:
        return _form_errors(request, found, refused.fields, typed)
    return _after_change(request, session, user, found.cooperative.id)


@router.post("/cooperatives/{cooperative_id}/follow-ups")
def plan_follow_up(
    request: Request,
    session: DbSession,
    user: Adviser,
    cooperative_id: int,
    description: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
) -> Response:
    found = advice.profile(session, user=user, cooperative_id=cooperative_id)
    typed = {"description": description, "due_on": due_on}
    try:
        advice.plan_follow_up(
            session,
            cooperative_id=found.cooperative.id,
            author=user,
            planned=parse(FollowUpForm, typed),
            ip_address=_client_ip(request),
        )
    except Invalid as refused:
        return _form_errors(request, found, refused.fields, typed)
    return _after_change(request, session, user, found.cooperative.id)


@router.post("/cooperatives/{cooperative_id}/follow-ups/{follow_up_id}/done")
def mark_done(
    request: Request, session: DbSession, user: Adviser, cooperative_id: int, follow_up_id: int
) -> Response:
    found = advice.profile(session, user=user, cooperative_id=cooperative_id)
    advice.mark_done(
        session,
        cooperative_id=found.cooperative.id,
        follow_up_id=follow_up_id,
        user=user,
        ip_address=_client_ip(request),
    )
    return _after_change(request, session, user, found.cooperative.id)


# Targeting -----------------------------------------------------------------------------------

TEMPLATES = {"support": "targeting/support.html", "model": "targeting/models.html"}


def _targeting_page(
    request: Request,
    session: DbSession,
    user: User,
    kind: str,
    params: Mapping[str, str],
    *,
    name: str = "",
    name_errors: dict[str, Message] | None = None,
) -> Response:
    found = targeting.search(session, kind=kind, params=params)
    visible = accounts.accessible_cooperative_ids(session, user=user)
    rows, page = (
        targeting_queries.results_page(
            session, visible=visible, criteria=found.criteria, page=_page_number(params)
        )
        if found.criteria
        else ([], Page(number=1, size=MAX_SIZE, total=0))
    )
    errors = found.errors | (name_errors or {})
    return render(
        request,
        TEMPLATES[found.kind],
        {
            "search": found,
            "rows": rows,
            "page": page,
            "total": page.total,
            "offset": page.first - 1 if rows else 0,
            "errors": errors,
            "name": name,
        },
        status_code=422 if errors else 200,
    )


def _page_number(params: Mapping[str, str]) -> int:
    text = params.get("page", "")
    return int(text) if text.isdecimal() and int(text) > 0 else 1


@router.get("/targeting")
def support_page(request: Request, session: DbSession, user: Adviser) -> Response:
    return _targeting_page(request, session, user, "support", request.query_params)


@router.get("/targeting/models")
def models_page(request: Request, session: DbSession, user: Adviser) -> Response:
    return _targeting_page(request, session, user, "model", request.query_params)


@router.post("/targeting/shortlists")
def save_shortlist(
    request: Request,
    session: DbSession,
    user: Adviser,
    kind: Annotated[str, Form()],
    form: Posted,
    name: Annotated[str, Form()] = "",
) -> Response:
    # The criteria fields are named by the questionnaires of the wave (one level each).
    params = {
        k: v
        for k, v in form.items()
        if isinstance(v, str) and k not in ("kind", "name", "csrf_token")
    }
    found = targeting.search(session, kind=kind, params=params)
    try:
        named = parse(ShortlistName, {"name": name})
    except Invalid as refused:
        return _targeting_page(
            request, session, user, kind, params, name=name, name_errors=refused.fields
        )
    if found.criteria is None:
        return _targeting_page(request, session, user, kind, params, name=name)
    saved = shortlists.save_shortlist(
        session,
        user=user,
        visible=accounts.accessible_cooperative_ids(session, user=user),
        named=named,
        found=found,
        ip_address=_client_ip(request),
    )
    return RedirectResponse(f"/targeting/shortlists/{saved.id}", status_code=303)


@router.get("/targeting/shortlists")
def shortlists_page(request: Request, session: DbSession, user: Adviser) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    return render(
        request,
        "targeting/shortlists.html",
        {"saved": shortlists.list_shortlists(session, visible=visible)},
    )


@router.get("/targeting/shortlists/{shortlist_id}")
def shortlist_page(
    request: Request, session: DbSession, user: Adviser, shortlist_id: int
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    opened = shortlists.open_shortlist(session, shortlist_id=shortlist_id, visible=visible)
    return render(request, "targeting/shortlist.html", {"opened": opened})


@router.post("/targeting/shortlists/{shortlist_id}/export")
def export_shortlist(
    request: Request,
    session: DbSession,
    user: Adviser,
    shortlist_id: int,
    fmt: Annotated[str, Form(alias="format")] = "csv",
) -> Response:
    filename, content = shortlists.export_shortlist(
        session,
        shortlist_id=shortlist_id,
        visible=accounts.accessible_cooperative_ids(session, user=user),
        fmt=fmt,
        user=user,
        ip_address=_client_ip(request),
    )
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "cache-control": "no-store",
        },
    )


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
