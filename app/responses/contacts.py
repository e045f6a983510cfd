"""Reminders to answer a wave: who contacted which cooperative, when and how."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.errors import Invalid
from app.messages import N_
from app.responses.models import Wave, WaveContact

Channel = Literal["phone", "sms", "zalo", "visit"]
CHANNELS: tuple[str, ...] = get_args(Channel)


@dataclass(frozen=True)
class Contact:
    cooperative_id: int
    wave_id: int
    wave_title: dict[str, str]  # the wave's name in each language
    at: dt.datetime
    by: str | None
    channel: str


def record_contact(
    session: Session, *, wave: Wave, cooperative_id: int, channel: str, by: User
) -> WaveContact:
    """Note that a cooperative was reminded about a wave, now, by this user."""
    if channel not in CHANNELS:
        raise Invalid(N_("Unknown way of contact."))
    contact = WaveContact(
        wave_id=wave.id,
        cooperative_id=cooperative_id,
        contacted_at=utcnow(),
        contacted_by_id=by.id,
        channel=channel,
    )
    session.add(contact)
    session.flush()
    return contact


def contacted(wave_id: int) -> Select[int]:
    """The cooperatives reminded at least once in a wave (for filtering a list)."""
    return select(WaveContact.cooperative_id).where(WaveContact.wave_id == wave_id).distinct()


def last_contacts(
    session: Session, *, wave_id: int, cooperative_ids: list[int]
) -> dict[int, Contact]:
    """The latest reminder in a wave of each of these cooperatives."""
    if not cooperative_ids:
        return {}
    latest = (
        select(func.max(WaveContact.id))
        .where(WaveContact.wave_id == wave_id, WaveContact.cooperative_id.in_(cooperative_ids))
        .group_by(WaveContact.cooperative_id)
    )
    return {c.cooperative_id: c for c in _contacts(session, WaveContact.id.in_(latest))}


def contacts_of(session: Session, *, cooperative_id: int) -> list[Contact]:
    """Every reminder a cooperative received, newest first."""
    return _contacts(session, WaveContact.cooperative_id == cooperative_id)


def _contacts(session: Session, condition: object) -> list[Contact]:
    rows = session.execute(
        select(WaveContact, Wave, User.full_name)
        .join(Wave, Wave.id == WaveContact.wave_id)
        .outerjoin(User, User.id == WaveContact.contacted_by_id)
        .where(condition)  # type: ignore[arg-type]
        .order_by(WaveContact.contacted_at.desc(), WaveContact.id.desc())
    ).all()
    return [
        Contact(c.cooperative_id, c.wave_id, wave.title, c.contacted_at, who, c.channel)
        for c, wave, who in rows
    ]
