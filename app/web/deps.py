"""Request-scoped dependencies: the database session, the signed-in user, role guards, CSRF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.permissions import Capability, can
from app.config import Settings
from app.db import Database
from app.errors import Forbidden
from app.messages import N_
from app.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    REFUSAL,
    SAFE_METHODS,
    SESSION_COOKIE,
    bad_token,
    refusal_from_headers,
    token_matches,
)

F = TypeVar("F", bound=Callable[..., object])


class NotSignedIn(Exception):
    """Raised when a page needs a signed-in user; the handler sends the browser to sign in."""


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def reads_then_writes(endpoint: F) -> F:
    """Mark a route that reads in a snapshot and writes in its own short transaction.

    Its request session is read-only (on SQLite a deferred BEGIN, which does not take the
    write lock), and the route writes through `Database.transaction()` once it knows what to
    write. The write lock is then held for the write alone, not for the whole request.
    """
    endpoint.reads_then_writes = True  # type: ignore[attr-defined]
    return endpoint


def _reads_only(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return request.method in SAFE_METHODS or getattr(endpoint, "reads_then_writes", False)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    db = get_db(request)
    factory = db.read_sessions if _reads_only(request) else db.sessions
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope="function": commit when the route returns, not after the response has gone out,
# so a client never sees success for a write that then fails to commit.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def signed_in_user(request: Request, session: Session) -> User | None:
    """The signed-in user, or None; refreshes the session's idle timer now and then.

    Resolved once per request (kept on `request.state`), whichever route asks first.
    """
    if hasattr(request.state, "user"):
        user: User | None = request.state.user
        return user
    request.state.user = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        settings = get_settings_dep(request)
        state = accounts.resolve_session(
            session,
            token=token,
            idle=dt.timedelta(minutes=settings.session_idle_minutes),
            absolute=dt.timedelta(hours=settings.session_absolute_hours),
        )
        if state is not None:
            request.state.user = state.user
            request.state.viewer = accounts.Viewer.of(state.user)
            if state.needs_touch and not _reads_only(request):
                # This request already writes: a second write transaction would wait on its
                # own lock (SQLite) until the busy timeout.
                accounts.touch_session(session, token_hash=state.token_hash)
            elif state.needs_touch:
                with get_db(request).transaction() as writer:
                    accounts.touch_session(writer, token_hash=state.token_hash)
    return request.state.user  # type: ignore[no-any-return]


def current_user(request: Request, session: DbSession) -> User | None:
    """The signed-in user, or None (see `signed_in_user`)."""
    return signed_in_user(request, session)


OptionalUser = Annotated[User | None, Depends(current_user)]


# Plain checks are `async def`: a sync dependency costs a trip through the thread pool.
async def require_user(user: OptionalUser) -> User:
    """The signed-in user; anyone else is sent to the sign-in page."""
    if user is None:
        raise NotSignedIn
    return user


CurrentUser = Annotated[User, Depends(require_user)]


def admit(user: User | None, capability: Capability) -> User:
    """The user, if signed in with the capability; otherwise the matching refusal."""
    if user is None:
        raise NotSignedIn
    if not can(user, capability):
        raise Forbidden(N_("Your account may not open this page."))
    return user


def require(capability: Capability) -> Callable[[User], Awaitable[User]]:
    """A dependency that admits only users with the capability (`accounts.permissions`)."""

    async def guard(user: CurrentUser) -> User:
        return admit(user, capability)

    return guard


# The largest id a row can have on either database (a 64-bit signed integer).
MAX_ID = 2**63 - 1


async def ids_in_range(request: Request) -> None:
    """A number in a URL that no row can have is a page that does not exist (404).

    Checked once for every route, before any route reads it: SQLite refuses to bind an integer
    beyond 64 bits at all (an OverflowError, once a 500 on every route taking an id).
    """
    for value in request.path_params.values():
        digits = value.removeprefix("-") if isinstance(value, str) else ""
        if digits.isdecimal() and (len(digits) > 19 or int(digits) > MAX_ID):
            raise HTTPException(status_code=404)


# What routes and the API declare; each names a capability, never a list of roles.
ReportReader = Annotated[User, Depends(require(Capability.READ_REPORTS))]
Adviser = Annotated[User, Depends(require(Capability.ADVISE))]
Respondent = Annotated[User, Depends(require(Capability.RESPOND))]
Admin = Annotated[User, Depends(require(Capability.ADMINISTER))]


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request from another site or without this browser's CSRF token.

    What the headers tell was already decided at the door (`app.web.limits`), before the
    body was read; here the routes that never read their body are refused too, and a form's
    token field is checked.
    """
    refusal = request.scope.get(REFUSAL)
    if refusal is not None:
        raise refusal
    if request.method in SAFE_METHODS:
        return
    secret = get_settings_dep(request).secret_key
    refusal = refusal_from_headers(request, secret)
    if refusal is not None:
        raise refusal
    if request.headers.get(CSRF_HEADER) is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        if not token_matches(value if isinstance(value, str) else None, request, secret):
            raise bad_token()


async def form_data(request: Request) -> FormData:
    """The posted form, for forms whose field names depend on the data (one per questionnaire).

    Read on the event loop so the route itself can stay a plain `def`: a blocking query inside
    an `async def` route stalls the event loop, and with it the commits of other requests.
    """
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]
