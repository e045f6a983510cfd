"""Sign-in throttling per account and per address, kept in the database so it holds across workers.

Failures are counted over a sliding window; past the limit further attempts are refused before
the password is even checked. The counts apply to any username typed, known or not, so a refusal
says nothing about whether an account exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts.models import SignInAttempt
from app.db import utcnow

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
KEEP = dt.timedelta(days=30)


def _failures(session: Session, *, since: dt.datetime, **match: str) -> int:
    query = (
        select(func.count())
        .select_from(SignInAttempt)
        .where(SignInAttempt.at >= since, SignInAttempt.succeeded.is_(False))
    )
    for column, value in match.items():
        query = query.where(getattr(SignInAttempt, column) == value)
    return session.scalar(query) or 0


def is_throttled(session: Session, *, username: str, ip_address: str | None) -> bool:
    """Whether sign-in for this username or from this address must wait."""
    since = utcnow() - WINDOW
    if _failures(session, since=since, username=username) >= MAX_FAILURES_PER_ACCOUNT:
        return True
    return bool(
        ip_address
        and _failures(session, since=since, ip_address=ip_address) >= MAX_FAILURES_PER_ADDRESS
    )


def record_attempt(
    session: Session, *, username: str, ip_address: str | None, succeeded: bool
) -> None:
    """Remember an attempt; a success clears the account's earlier failures."""
    now = utcnow()
    if succeeded:
        session.execute(
            delete(SignInAttempt).where(
                SignInAttempt.username == username, SignInAttempt.succeeded.is_(False)
            )
        )
    session.add(
        SignInAttempt(
            username=username[:200],
            ip_address=(ip_address or "")[:64] or None,
            at=now,
            succeeded=succeeded,
        )
    )
    # Old rows only cost space; drop them as we go rather than with a scheduled job.
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP))
    session.flush()
