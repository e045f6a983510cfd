"""Changing one's own password, and asking for a one-time code after forgetting it.

No email is assumed: a manager who forgot their password leaves a request, their advisor (or
an administrator) sees it, and hands them a one-time code in person or by phone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from app.accounts import onboarding
from app.accounts import service as accounts
from app.accounts.models import PasswordRequest, Role, User, UserCooperative
from app.accounts.passwords import password_problem, verify_password
from app.cooperatives.models import Cooperative
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.messages import N_

# A second request within this time is the same request: tapping twice changes nothing.
REPEAT_WINDOW = dt.timedelta(hours=24)


def change_password(session: Session, *, user: User, current: str, new: str, confirm: str) -> None:
    """Replace a signed-in user's password after checking the current one and the policy."""
    if not verify_password(user.password_hash, current):
        raise Invalid(N_("The current password is not correct."))
    problem = password_problem(new, username=user.username)
    if problem is not None:
        raise Invalid(problem)
    if new != confirm:
        raise Invalid(N_("The two new passwords do not match."))
    if new == current:
        raise Invalid(N_("The new password must differ from the current one."))
    accounts.set_password(session, user=user, password=new)


def request_code(session: Session, *, username: str) -> bool:
    """Leave a request for a one-time code; whether an active manager account was found.

    The page says the same thing either way, so nobody learns which usernames exist.
    """
    user = accounts.get_user(session, username=username)
    if user is None or not user.is_active or user.role != Role.MANAGER:
        return False
    now = utcnow()
    recent = session.scalar(
        select(PasswordRequest.id).where(
            PasswordRequest.user_id == user.id,
            PasswordRequest.handled_at.is_(None),
            PasswordRequest.created_at > now - REPEAT_WINDOW,
        )
    )
    if recent is None:
        session.add(PasswordRequest(user_id=user.id, created_at=now))
        session.flush()
    return True


@dataclass(frozen=True)
class PendingRequest:
    """A manager waiting for a one-time code, with the cooperatives to recognise them by."""

    id: int
    created_at: dt.datetime
    user_id: int
    username: str
    full_name: str
    cooperatives: list[tuple[str, str]]  # (registration code, name)


def _requests(visible: Select[int]) -> Select[PasswordRequest, User]:
    # A request is the advisor's when the manager runs a cooperative the advisor may see.
    return (
        select(PasswordRequest, User)
        .join(User, User.id == PasswordRequest.user_id)
        .where(
            User.is_active.is_(True),
            select(UserCooperative.user_id)
            .where(
                UserCooperative.user_id == User.id,
                UserCooperative.cooperative_id.in_(visible),
            )
            .exists(),
        )
    )


def pending_requests(session: Session, *, visible: Select[int]) -> list[PendingRequest]:
    """Unanswered requests of managers of cooperatives this viewer may see, oldest first."""
    rows = session.execute(
        _requests(visible)
        .where(PasswordRequest.handled_at.is_(None))
        .order_by(PasswordRequest.created_at)
    ).all()
    if not rows:
        return []
    user_ids = list({user.id for _, user in rows})
    names: dict[int, list[tuple[str, str]]] = {}
    for uid, code, name in session.execute(
        select(UserCooperative.user_id, Cooperative.registration_code, Cooperative.name)
        .join(Cooperative, Cooperative.id == UserCooperative.cooperative_id)
        .where(UserCooperative.user_id.in_(user_ids), Cooperative.id.in_(visible))
        .order_by(Cooperative.name)
    ):
        names.setdefault(uid, []).append((code, name))
    return [
        PendingRequest(
            request.id,
            request.created_at,
            user.id,
            user.username,
            user.full_name,
            names.get(user.id, []),
        )
        for request, user in rows
    ]


def answer_request(
    session: Session, *, request_id: int, visible: Select[int], by: User
) -> tuple[User, onboarding.IssuedCode]:
    """Issue the one-time code a request asks for; every open request of that manager is done.

    A request already answered can be answered again: the manager may have lost the code.
    """
    row = session.execute(_requests(visible).where(PasswordRequest.id == request_id)).first()
    if row is None:
        raise NotFound(N_("Request not found (it may have been handled already)."))
    _, manager = row
    issued = onboarding.issue_code(session, user=manager, created_by=by)
    session.execute(
        update(PasswordRequest)
        .where(PasswordRequest.user_id == manager.id, PasswordRequest.handled_at.is_(None))
        .values(handled_at=utcnow(), handled_by_id=by.id)
        .execution_options(synchronize_session=False)
    )
    return manager, issued
