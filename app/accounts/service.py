"""Accounts, sign-in sessions, and the one function that says which cooperatives a user sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Select, delete, false, func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, Role, SignInCode, User, UserArea, UserCooperative
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.areas.service import descendant_ids
from app.cooperatives.models import Cooperative
from app.db import utcnow
from app.errors import Conflict, Invalid
from app.messages import N_

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,99}$")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively, without surrounding spaces or control characters.

    Control characters are never part of a username; PostgreSQL refuses NUL in any text.
    """
    return _CONTROL.sub("", username).strip().lower()


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str | None,
    cooperative_ids: tuple[int, ...] = (),
    area_ids: tuple[int, ...] = (),
    whole_province: bool = False,
    check_policy: bool = True,
) -> User:
    """Create an account; a manager is linked to cooperatives, an advisor to areas or to the
    whole province."""
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise Invalid(N_("A username is 3–100 lower-case letters, digits, '.', '_' or '-'."))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(N_("'%(username)s' is taken."), username=username)
    if password is not None and check_policy:
        problem = password_problem(password, username=username, names=(full_name,))
        if problem:
            raise Invalid(problem)
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        whole_province=whole_province and role == Role.ADVISOR,
    )
    session.add(user)
    session.flush()
    session.add_all(UserCooperative(user_id=user.id, cooperative_id=c) for c in cooperative_ids)
    session.add_all(UserArea(user_id=user.id, area_id=a) for a in area_ids)
    session.flush()
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None; as slow for an unknown user."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, *, user: User, ip_address: str | None, user_agent: str | None
) -> str:
    """A new sign-in session for the user; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)  # 256 bits
    now = utcnow()
    session.add(
        AuthSession(
            token_hash=_hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            ip_address=(ip_address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    user.last_login_at = now
    session.flush()
    return token


@dataclass(frozen=True)
class Viewer:
    """What pages may know of the signed-in user: a plain snapshot, never a live row."""

    id: int
    username: str
    full_name: str
    role: str

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.username, user.full_name, user.role)


@dataclass(frozen=True)
class SessionState:
    user: User
    token_hash: str
    needs_touch: bool


def resolve_session(
    session: Session, *, token: str, idle: dt.timedelta, absolute: dt.timedelta
) -> SessionState | None:
    """The user behind a cookie token, if the session is live and the account active."""
    token_hash = _hash_token(token)
    row = session.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    auth, user = row
    now = utcnow()
    if not user.is_active or now - auth.last_seen_at > idle or now - auth.created_at > absolute:
        return None
    # Refreshing last_seen on every request would turn every page view into a write.
    return SessionState(user, token_hash, needs_touch=now - auth.last_seen_at > idle / 20)


def touch_session(session: Session, *, token_hash: str) -> None:
    """Record activity on a session, extending its idle timeout."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash)
        .values(last_seen_at=utcnow())
    )


def end_session(session: Session, *, token: str) -> None:
    """Sign out: the session is deleted on the server, so the cookie is worthless."""
    session.execute(delete(AuthSession).where(AuthSession.token_hash == _hash_token(token)))


def end_user_sessions(session: Session, *, user_id: int) -> None:
    """End every session of a user (disabled account, password reset)."""
    session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))


def purge_expired(session: Session, *, idle: dt.timedelta, absolute: dt.timedelta) -> None:
    """Delete sessions past a timeout and sign-in codes used or expired over a day ago."""
    now = utcnow()
    session.execute(
        delete(AuthSession).where(
            (AuthSession.last_seen_at < now - idle) | (AuthSession.created_at < now - absolute)
        )
    )
    # A day's grace: a manager told "this code was used" still sees that, not "unknown code".
    spent = now - dt.timedelta(days=1)
    session.execute(
        delete(SignInCode).where((SignInCode.used_at < spent) | (SignInCode.expires_at < spent))
    )


def set_password(session: Session, *, user: User, password: str) -> None:
    """Set a new password after checking it against the policy."""
    problem = password_problem(password, username=user.username, names=(user.full_name,))
    if problem:
        raise Invalid(problem)
    user.password_hash = hash_password(password)
    session.flush()


def get_user(session: Session, *, username: str) -> User | None:
    """The user with this username, if any."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def accessible_cooperative_ids(session: Session, *, user: User) -> Select[int]:
    """The ids of the cooperatives this user may see, as a subquery-ready select.

    Every list, report and export filters through this; nothing else decides visibility.
    """
    if user.role in (Role.ADMIN, Role.STEERING):
        return select(Cooperative.id)
    if user.role == Role.MANAGER:
        return select(UserCooperative.cooperative_id).where(UserCooperative.user_id == user.id)
    if user.whole_province:
        return select(Cooperative.id)
    area_ids = list(session.scalars(select(UserArea.area_id).where(UserArea.user_id == user.id)))
    if not area_ids:
        # Fails closed: an advisor whose last area was removed sees nothing, not everything.
        return select(Cooperative.id).where(false())
    # An advisor's area may be a province, a 2025 commune or a former district: a cooperative
    # is theirs when it lies in one of them in either tree.
    within = descendant_ids(session, area_ids=area_ids)
    return select(Cooperative.id).where(
        Cooperative.area_id.in_(within) | Cooperative.former_district_id.in_(within)
    )


def sees_nothing(session: Session, *, user: User) -> bool:
    """Whether an advisor has neither an area nor the whole province: pages say so."""
    if user.role != Role.ADVISOR or user.whole_province:
        return False
    return session.scalar(select(UserArea.area_id).where(UserArea.user_id == user.id)) is None


def count_users(session: Session) -> dict[str, int]:
    """Active accounts per role."""
    rows = session.execute(
        select(User.role, func.count()).where(User.is_active.is_(True)).group_by(User.role)
    )
    return dict(rows.all())
