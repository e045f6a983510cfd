"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import service as accounts
from app.web.deps import DbSession, OptionalUser
from app.web.security import ANON_COOKIE, SESSION_COOKIE
from app.web.templating import LANG_COOKIE, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (//evil, https://…) goes home."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/signin")
def signin_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request, "auth/signin.html", {"next": safe_next(next), "error": False, "username": ""}
    )


@router.post("/signin")
def signin(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    user = accounts.authenticate(session, username=username, password=password)
    if user is None:
        # One message for an unknown user and a wrong password: nothing to learn from it.
        return render(
            request,
            "auth/signin.html",
            {"next": safe_next(next), "username": username, "error": True},
            status_code=422,
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        # A token planted before sign-in must not become a signed-in session.
        accounts.end_session(session, token=old)
    token = accounts.start_session(
        session,
        user=user,
        ip_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )
    response.delete_cookie(ANON_COOKIE)
    return response


@router.post("/signout")
def signout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(session, token=token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/lang")
def switch_language(
    lang: Annotated[str, Form()] = "vi", next: Annotated[str, Form()] = "/"
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, "en" if lang == "en" else "vi", samesite="lax", max_age=60 * 60 * 24 * 365
    )
    return response
