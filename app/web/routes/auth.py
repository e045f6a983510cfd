"""Sign-in (with a password, or once with a one-time code), sign-out and the language switch."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import onboarding, throttle
from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.passwords import password_problem
from app.audit import service as audit
from app.messages import N_, Message
from app.web.deps import DbSession, OptionalUser
from app.web.security import ANON_COOKIE, DEVICE_COOKIE, SESSION_COOKIE, secure_cookies
from app.web.templating import LANG_COOKIE, render

router = APIRouter()
# How long a browser stays known to an account after signing in there.
DEVICE_COOKIE_DAYS = 180


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
    name = accounts.normalise_username(username)
    known = throttle.is_known_device(
        request.app.state.settings.secret_key,
        username=name,
        token=request.cookies.get(DEVICE_COOKIE),
    )
    waiting = throttle.wait(session, username=name, ip_address=_ip(request), known_device=known)
    if waiting:
        # Refused before the password is checked, whatever the account: guessing slows here.
        return _throttled(
            request,
            "auth/signin.html",
            waiting,
            {"next": safe_next(next), "username": username},
        )
    user = accounts.authenticate(session, username=username, password=password)
    throttle.record_attempt(
        session,
        username=name,
        ip_address=_ip(request),
        succeeded=user is not None,
        known_device=known,
    )
    if user is None:
        audit.record(
            session,
            actor=None,
            action="signin.failed",
            detail={"username": name[:100], "method": "password"},
            ip_address=_ip(request),
        )
        # One message for an unknown user and a wrong password: nothing to learn from it.
        return render(
            request,
            "auth/signin.html",
            {"next": safe_next(next), "username": username, "error": True},
            status_code=422,
        )
    return _signed_in(request, session, user, safe_next(next), method="password")


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _throttled(
    request: Request, template: str, waiting: dt.timedelta, context: dict[str, object]
) -> Response:
    """The sign-in page saying how long to wait (429, with Retry-After)."""
    seconds = max(1, math.ceil(waiting.total_seconds()))
    response = render(
        request,
        template,
        {**context, "error": "throttled", "wait_seconds": seconds},
        status_code=429,
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _signed_in(
    request: Request, session: DbSession, user: User, target: str, *, method: str
) -> Response:
    """Start a session for the user, record it, and send the browser on."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        # A token planted before sign-in must not become a signed-in session.
        accounts.end_session(session, token=old)
    settings = request.app.state.settings
    # Dead sessions and spent codes go as others sign in: no scheduled job to forget.
    accounts.purge_expired(
        session,
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        absolute=dt.timedelta(hours=settings.session_absolute_hours),
    )
    token = accounts.start_session(
        session,
        user=user,
        ip_address=_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    audit.record(
        session,
        actor=user,
        action="signin",
        target=f"user:{user.username}",
        detail={"method": method},
        ip_address=_ip(request),
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.delete_cookie(ANON_COOKIE)
    # This browser is now known to the account: others' failures never slow it (throttle).
    response.set_cookie(
        DEVICE_COOKIE,
        throttle.device_token(request.app.state.settings.secret_key, username=user.username),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=DEVICE_COOKIE_DAYS * 24 * 60 * 60,
        path="/signin",
    )
    return response


# One-time codes -----------------------------------------------------------------------------


def _code_page(
    request: Request,
    *,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "auth/code.html",
        {"username": username, "error": error},
        status_code=status_code,
    )


def _password_page(
    request: Request,
    *,
    username: str,
    code: str,
    error: Message | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "auth/set_password.html",
        {"username": username, "code": code, "error": error},
        status_code=status_code,
    )


def _check(
    request: Request, session: DbSession, username: str, code: str
) -> tuple[User | None, Response | None]:
    """The account a code opens, or the page that says why not (attempts are throttled)."""
    name = accounts.normalise_username(username)
    waiting = throttle.wait(session, username=name, ip_address=_ip(request))
    if waiting:
        return None, _throttled(request, "auth/code.html", waiting, {"username": username})
    result, user = onboarding.check_code(session, username=name, code=code)
    if result != onboarding.CodeCheck.OK:
        throttle.record_attempt(session, username=name, ip_address=_ip(request), succeeded=False)
        audit.record(
            session,
            actor=None,
            action="signin.failed",
            detail={"username": name[:100], "method": "code", "reason": result},
            ip_address=_ip(request),
        )
        return None, _code_page(request, username=username, error=result, status_code=422)
    return user, None


@router.get("/signin/code")
def code_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return _code_page(request)


@router.post("/signin/code")
def code_check(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    """Step 1: the code is right for this account; it is used up only once a password is set."""
    _user, refusal = _check(request, session, username, code)
    if refusal is not None:
        return refusal
    return _password_page(request, username=username, code=code)


@router.post("/signin/code/password")
def code_set_password(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=50)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Step 2: choose a password; the code is spent, and the manager lands home signed in."""
    user, refusal = _check(request, session, username, code)
    if refusal is not None:
        return refusal
    assert user is not None
    problem = password_problem(password, username=user.username, names=(user.full_name,))
    if problem is None and password != confirm:
        problem = Message(N_("The two passwords are not the same."))
    if problem is not None:
        return _password_page(request, username=username, code=code, error=problem, status_code=422)
    if not onboarding.consume_code(session, user=user, code=code):
        # Another tab or device spent the code a moment ago.
        return _code_page(request, username=username, error="used", status_code=422)
    accounts.set_password(session, user=user, password=password)
    # A new password ends whatever sessions the account had; this browser gets a fresh one.
    accounts.end_user_sessions(session, user_id=user.id)
    throttle.record_attempt(
        session, username=user.username, ip_address=_ip(request), succeeded=True
    )
    return _signed_in(request, session, user, "/", method="code")


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
    request: Request, lang: Annotated[str, Form()] = "vi", next: Annotated[str, Form()] = "/"
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        "en" if lang == "en" else "vi",
        samesite="lax",
        secure=secure_cookies(request),
        max_age=60 * 60 * 24 * 365,
    )
    return response
