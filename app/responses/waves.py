"""Running waves from the administration pages: create with chosen versions, open, close.

Closing a wave makes its submitted responses final and leaves its drafts as drafts, visible as
unfinished; answering and submitting refuse a wave that is not open.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.messages import N_, Bilingual
from app.responses import service
from app.responses.models import Response, ResponseStatus, Wave, WaveStatus
from app.responses.schemas import NewWaveForm
from app.surveys.models import QuestionnaireVersion


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


def create(session: Session, *, form: NewWaveForm) -> Wave:
    """A new wave, not yet open, asking one chosen version of each chosen questionnaire."""
    return service.create_wave(
        session,
        key=form.key,
        name=form.name,
        name_en=form.name_en,
        version_ids=form.versions,
        opens_on=form.opens_on,
        closes_on=form.closes_on,
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
            N_("'%(name)s' is open. Close it before opening another wave."),
            name=Bilingual(**other.title),
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
