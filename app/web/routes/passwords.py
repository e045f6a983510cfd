"""Changing one's password, asking for a one-time code, and advisors answering those requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import recovery, throttle
from app.accounts import service as accounts
from app.audit import service as audit
from app.errors import Invalid
from app.web import flash, i18n
from app.web.deps import Adviser, CurrentUser, DbSession, OptionalUser
from app.web.routes.auth import set_session_cookie, throttled
from app.web.templating import render, request_locale

router = APIRouter()


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/account/password")
def password_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "auth/change_password.html", {"error": None})


@router.post("/account/password")
def change_password(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    current: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        recovery.change_password(session, user=user, current=current, new=password, confirm=confirm)
    except Invalid as exc:
        return render(
            request,
            "auth/change_password.html",
            {"error": i18n.translate(exc.message, request_locale(request))},
            status_code=422,
        )
    # Every other browser signed in as this user is signed out; this one carries on.
    accounts.end_user_sessions(session, user_id=user.id)
    token = accounts.start_session(
        session, user=user, ip_address=_ip(request), user_agent=request.headers.get("user-agent")
    )
    audit.record(
        session,
        actor=user,
        action="account.password",
        target=f"user:{user.username}",
        ip_address=_ip(request),
    )
    response = flash.redirect(request, "/", "password_changed")
    set_session_cookie(request, response, token)
    return response


@router.get("/signin/forgot")
def forgot_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/account/password", status_code=303)
    return render(request, "auth/forgot.html", {"username": "", "error": None})


@router.post("/signin/forgot")
def forgot(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    name = accounts.normalise_username(username)
    waiting = throttle.wait(session, username=name, ip_address=_ip(request))
    if waiting:
        return throttled(request, "auth/forgot.html", waiting, {"username": username})
    if name and recovery.request_code(session, username=name):
        audit.record(
            session,
            actor=None,
            action="account.code_requested",
            target=f"user:{name}",
            ip_address=_ip(request),
        )
    # The same answer whether or not the account exists.
    response = flash.redirect(request, "/signin/code", "reset_requested")
    return response


@router.get("/password-requests")
def requests_page(request: Request, session: DbSession, user: Adviser) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    return render(
        request,
        "auth/password_requests.html",
        {"requests": recovery.pending_requests(session, visible=visible), "issued": None},
    )


@router.post("/password-requests/{request_id}/code")
def answer_request(
    request: Request, session: DbSession, user: Adviser, request_id: int
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    manager, issued = recovery.answer_request(
        session, request_id=request_id, visible=visible, by=user
    )
    audit.record(
        session,
        actor=user,
        action="account.codes",
        target=f"user:{manager.username}",
        detail={"codes": 1, "reset": True, "requested": True},
        ip_address=_ip(request),
    )
    return render(
        request,
        "auth/password_requests.html",
        {
            "requests": recovery.pending_requests(session, visible=visible),
            "issued": issued,
            "manager": manager,
            "signin_url": str(request.base_url).rstrip("/") + "/signin/code",
        },
    )
