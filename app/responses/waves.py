"""Running waves from the administration pages: create with chosen versions, open, close.

Closing a wave makes its submitted responses final and leaves its drafts as drafts, visible as
unfinished; answering and submitting refuse a wave that is not open.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid
from app.messages import N_, Message
from app.responses import service
from app.responses.models import Response, ResponseStatus, Wave, WaveStatus
from app.surveys.models import QuestionnaireVersion

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


@dataclass(frozen=True)
class WaveRow:
    """A wave on the administration list: its versions and how far its responses are."""

    wave: Wave
    versions: dict[str, QuestionnaireVersion]
    submitted: int
    drafts: int


def list_waves(session: Session) -> list[WaveRow]:
    """Every wave, newest first, with its versions and counts of current submissions and drafts."""
    counts: dict[tuple[int, str], int] = {}
    for wave_id, status, count in session.execute(
        select(Response.wave_id, Response.status, func.count())
        .where(Response.superseded_at.is_(None))
        .group_by(Response.wave_id, Response.status)
    ):
        counts[(wave_id, status)] = count
    return [
        WaveRow(
            wave=wave,
            versions=service.wave_versions(session, wave_id=wave.id),
            submitted=counts.get((wave.id, ResponseStatus.SUBMITTED), 0),
            drafts=counts.get((wave.id, ResponseStatus.DRAFT), 0),
        )
        for wave in service.list_waves(session)
    ]


def get_row(session: Session, *, wave_id: int) -> WaveRow:
    """One wave with its versions and counts."""
    wave = service.get_wave(session, wave_id=wave_id)
    return next(row for row in list_waves(session) if row.wave.id == wave.id)


def check_new_wave(
    session: Session,
    *,
    key: str,
    name: str,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    version_ids: dict[str, int],
) -> dict[str, Message]:
    """What is wrong with a new wave's fields, by field (empty when it can be created)."""
    problems: dict[str, Message] = {}
    if not KEY.match(key):
        problems["key"] = Message(
            N_("A wave key is 1–32 letters, digits, '.', '_' or '-' (e.g. 2027).")
        )
    elif session.scalar(select(Wave.id).where(Wave.key == key)) is not None:
        problems["key"] = Message(N_("Wave '%(key)s' exists."), key=key)
    if not name.strip():
        problems["name"] = Message(N_("Please enter a name."))
    elif len(name) > 200:
        problems["name"] = Message(N_("At most 200 characters."))
    if opens_on and closes_on and closes_on < opens_on:
        problems["closes_on"] = Message(N_("The closing date must come after the opening date."))
    if not version_ids:
        problems["versions"] = Message(N_("Choose at least one questionnaire."))
    for questionnaire_key, version_id in version_ids.items():
        version = session.get(QuestionnaireVersion, version_id)
        if version is None or version.key != questionnaire_key:
            problems[f"version_{questionnaire_key}"] = Message(N_("Unknown version."))
    return problems


def create(
    session: Session,
    *,
    key: str,
    name: str,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    version_ids: dict[str, int],
) -> Wave:
    """A new wave, not yet open, asking one chosen version of each chosen questionnaire."""
    problems = check_new_wave(
        session,
        key=key,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        version_ids=version_ids,
    )
    if problems:
        first = next(iter(problems.values()))
        raise Invalid(first)
    return service.create_wave(
        session,
        key=key,
        name=name.strip(),
        version_ids=version_ids,
        opens_on=opens_on,
        closes_on=closes_on,
    )


def open_(session: Session, *, wave: Wave) -> bool:
    """Open a wave for answers (again, if it was closed); returns whether anything changed.

    One wave is open at a time: managers are asked one set of questionnaires.
    """
    if wave.status == WaveStatus.OPEN:
        return False
    other = service.open_wave(session)
    if other is not None:
        raise Conflict(
            N_("'%(name)s' is open. Close it before opening another wave."), name=other.name
        )
    if not service.wave_versions(session, wave_id=wave.id):
        raise Conflict(N_("This wave asks no questionnaire."))
    wave.status = WaveStatus.OPEN
    session.flush()
    return True


def close(session: Session, *, wave: Wave) -> bool:
    """Close an open wave: submissions become final, drafts stay as unfinished drafts."""
    if wave.status == WaveStatus.CLOSED:
        return False
    if wave.status != WaveStatus.OPEN:
        raise Conflict(N_("Only an open wave can be closed."))
    wave.status = WaveStatus.CLOSED
    session.flush()
    return True
