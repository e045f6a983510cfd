"""Recording and reading audit events."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.paging import paginate


class Actor(Protocol):
    id: int
    username: str


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> None:
    """Append one event in the caller's transaction, so it exists exactly when the change does."""
    session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            actor_username=actor.username if actor else None,
            action=action,
            target=target,
            detail=detail,
            ip_address=(ip_address or "")[:64] or None,
        )
    )
    session.flush()


def query(
    *,
    action: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Select[AuditEvent]:
    """Events matching the filters, newest first."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action == action)
    if actor:
        statement = statement.where(AuditEvent.actor_username == actor)
    if since:
        statement = statement.where(AuditEvent.at >= since)
    if until:
        statement = statement.where(AuditEvent.at < until)
    return statement


def events(session: Session, *, limit: int = 200, **filters: Any) -> list[AuditEvent]:
    """The newest matching events."""
    return list(session.scalars(query(**filters).limit(limit)))


def page(
    session: Session, *, number: int = 1, size: int = 50, **filters: Any
) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    rows, total = paginate(session, query(**filters), page=number, size=size)
    return [event for (event,) in rows], total


def actions(session: Session) -> list[str]:
    """Every action recorded so far, for a filter's choices."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def recorded(session: Session, *, action: str, target: str) -> bool:
    """Whether an event of this action on this target exists (to record a one-off just once)."""
    found = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.action == action, AuditEvent.target == target)
        .limit(1)
    )
    return found is not None
