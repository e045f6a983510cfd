"""What advisors keep about a cooperative: its assessments across waves, its answers read back,
their notes, and the follow-ups they plan and mark done. Notes are internal to the Alliance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.accounts.permissions import Capability, can
from app.accounts.service import accessible_cooperative_ids
from app.advice.models import AdvisorNote, FollowUp
from app.advice.schemas import FollowUpForm, NoteForm
from app.advice.schemas import today as today  # follow-up dates are checked against it
from app.areas.models import Area
from app.audit import service as audit
from app.cooperatives import service as cooperatives
from app.cooperatives.models import Cooperative, Product
from app.db import utcnow
from app.errors import NotFound
from app.messages import N_
from app.responses import contacts
from app.responses import service as responses
from app.responses.models import Response, Wave
from app.scoring.engine import visible_codes
from app.surveys import service as surveys
from app.surveys.definition import Question, Questionnaire
from app.surveys.models import QuestionnaireVersion

# Notes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    id: int
    body: str
    created_at: dt.datetime
    author: str | None


def add_note(
    session: Session, *, cooperative_id: int, author: User, note: NoteForm, ip_address: str | None
) -> AdvisorNote:
    """Keep an advisor's note on a cooperative, and record it in the audit log."""
    written = AdvisorNote(cooperative_id=cooperative_id, author_id=author.id, body=note.body)
    session.add(written)
    session.flush()
    audit.record(
        session,
        actor=author,
        action="note.create",
        target=f"cooperative:{cooperative_id}",
        detail={"note_id": written.id},
        ip_address=ip_address,
    )
    return written


def list_notes(session: Session, *, cooperative_id: int) -> list[Note]:
    """A cooperative's notes, newest first, with their author's name."""
    rows = session.execute(
        select(AdvisorNote, User.full_name)
        .outerjoin(User, User.id == AdvisorNote.author_id)
        .where(AdvisorNote.cooperative_id == cooperative_id)
        .order_by(AdvisorNote.created_at.desc(), AdvisorNote.id.desc())
    ).all()
    return [Note(n.id, n.body, n.created_at, author) for n, author in rows]


# Follow-ups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFollowUp:
    id: int
    description: str
    due_on: dt.date
    author: str | None
    done_at: dt.datetime | None
    done_by: str | None
    overdue: bool


def plan_follow_up(
    session: Session,
    *,
    cooperative_id: int,
    author: User,
    planned: FollowUpForm,
    ip_address: str | None,
) -> FollowUp:
    """Plan a follow-up of a cooperative for a date, and record it in the audit log."""
    follow_up = FollowUp(
        cooperative_id=cooperative_id,
        author_id=author.id,
        description=planned.description,
        due_on=planned.due_on,
    )
    session.add(follow_up)
    session.flush()
    audit.record(
        session,
        actor=author,
        action="followup.create",
        target=f"cooperative:{cooperative_id}",
        detail={"follow_up_id": follow_up.id, "due_on": planned.due_on.isoformat()},
        ip_address=ip_address,
    )
    return follow_up


def mark_done(
    session: Session,
    *,
    cooperative_id: int,
    follow_up_id: int,
    user: User,
    ip_address: str | None,
) -> FollowUp:
    """Mark a follow-up done (once: marking it again changes nothing), recorded in the audit log."""
    follow_up = session.scalar(
        select(FollowUp).where(
            FollowUp.id == follow_up_id, FollowUp.cooperative_id == cooperative_id
        )
    )
    if follow_up is None:
        raise NotFound(N_("Follow-up not found."))
    if follow_up.done_at is not None:
        return follow_up
    follow_up.done_at = utcnow()
    follow_up.done_by_id = user.id
    session.flush()
    audit.record(
        session,
        actor=user,
        action="followup.done",
        target=f"cooperative:{cooperative_id}",
        detail={"follow_up_id": follow_up.id},
        ip_address=ip_address,
    )
    return follow_up


def list_follow_ups(
    session: Session, *, cooperative_id: int, today: dt.date
) -> list[PlannedFollowUp]:
    """A cooperative's follow-ups: open ones by date, then done ones, latest done first."""
    author, done_by = aliased(User), aliased(User)
    rows = session.execute(
        select(FollowUp, author.full_name, done_by.full_name)
        .outerjoin(author, author.id == FollowUp.author_id)
        .outerjoin(done_by, done_by.id == FollowUp.done_by_id)
        .where(FollowUp.cooperative_id == cooperative_id)
    ).all()
    items = [
        PlannedFollowUp(
            f.id, f.description, f.due_on, a, f.done_at, d, f.done_at is None and f.due_on < today
        )
        for f, a, d in rows
    ]
    open_ = sorted((i for i in items if i.done_at is None), key=lambda i: (i.due_on, i.id))
    done = sorted(
        (i for i in items if i.done_at is not None),
        key=lambda i: (i.done_at or dt.datetime.min.replace(tzinfo=dt.UTC), i.id),
        reverse=True,
    )
    return open_ + done


# Assessments across waves --------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The submission that counts for one wave × questionnaire × subject of a cooperative."""

    response_id: int
    wave_key: str
    wave_title: dict[str, str]  # the name in each language
    questionnaire_key: str
    title: dict[str, str]
    product_id: int | None
    product_name: str | None
    overall: float | None
    level: dict[str, str] | None
    submitted_at: dt.datetime | None
    revision: int
    entered_by: str | None
    on_behalf: bool


def _level_label(questionnaire: Questionnaire, key: str | None) -> dict[str, str] | None:
    if key is None:
        return None
    try:
        label = questionnaire.level(key).label
    except KeyError:
        return {"vi": key, "en": key}
    return {"vi": label.vi, "en": label.en}


def assessments(session: Session, *, cooperative_id: int) -> list[Assessment]:
    """Every current submission of a cooperative and its products: newest wave first."""
    entered_by = aliased(User)
    rows = session.execute(
        select(Response, Wave, QuestionnaireVersion, Product.name, entered_by.full_name)
        .join(Wave, Wave.id == Response.wave_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .outerjoin(Product, Product.id == Response.product_id)
        .outerjoin(entered_by, entered_by.id == Response.entered_by_id)
        .where(
            Response.cooperative_id == cooperative_id,
            Response.counting,
        )
    ).all()
    found = []
    for response, wave, version, product_name, who in rows:
        questionnaire = surveys.definition(version)
        found.append(
            (
                (wave.opens_on or dt.date.min, wave.id, questionnaire.order),
                Assessment(
                    response_id=response.id,
                    wave_key=wave.key,
                    wave_title=wave.title,
                    questionnaire_key=response.questionnaire_key,
                    title={"vi": version.title_vi, "en": version.title_en},
                    product_id=response.product_id,
                    product_name=product_name,
                    overall=response.overall,
                    level=_level_label(questionnaire, response.level),
                    submitted_at=response.submitted_at,
                    revision=response.revision,
                    entered_by=who,
                    on_behalf=response.on_behalf,
                ),
            )
        )
    found.sort(
        key=lambda pair: (
            (-pair[0][0].toordinal(), -pair[0][1], pair[0][2]),
            pair[1].questionnaire_key,
            pair[1].product_name or "",
        )
    )
    return [a for _, a in found]


@dataclass(frozen=True)
class ProductBand:
    """A product's official stars and its OCOP self-check band in each wave."""

    product: Product
    bands: dict[str, Assessment]  # wave key -> the ocop self-check that counts


def product_bands(*, products: list[Product], history: list[Assessment]) -> list[ProductBand]:
    """Each product with its self-check per wave, taken from the cooperative's assessments."""
    return [
        ProductBand(
            product,
            {a.wave_key: a for a in history if a.product_id == product.id},
        )
        for product in products
    ]


# Answers read back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    code: str
    label: dict[str, str]
    # Pieces of the answer: {vi, en} pairs (option labels, yes/no) or raw numbers and text.
    parts: list[Any]
    unit: dict[str, str] | None
    required: bool = False


@dataclass(frozen=True)
class AnswerSection:
    title: dict[str, str]
    lines: list[AnswerLine]


@dataclass(frozen=True)
class AnswerSheet:
    """The answers of one current submission, and the others that could be read instead."""

    cooperative: Cooperative
    history: list[Assessment]
    assessment: Assessment | None  # None when the cooperative has submitted nothing yet
    sections: list[AnswerSection]


def _pair(text: Any) -> dict[str, str]:
    return {"vi": text.vi, "en": text.en}


YES = {"vi": "Có", "en": "Yes"}
NO = {"vi": "Không", "en": "No"}


def answer_parts(question: Question, value: Any) -> list[Any]:
    """An answer as a person reads it: option labels rather than stored values."""
    if value is None:
        return []
    if question.type in ("single_choice", "multiple_choice"):
        values = value if isinstance(value, list) else [value]
        parts: list[Any] = []
        for item in values:
            option = question.option(str(item))
            parts.append(_pair(option.label) if option else str(item))
        return parts
    if question.type == "yes_no":
        return [YES if value == "yes" else NO]
    return [value]


def answer_sections(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[AnswerSection]:
    """Every question now shown, by dimension, with its answer as a person reads it."""
    shown = visible_codes(questionnaire, answers)
    seen: set[str] = set()
    sections = []
    for dimension in questionnaire.dimensions:
        lines = []
        for question in questionnaire.questions_by_dimension[dimension.key]:
            if question.code in seen or question.code not in shown:
                continue
            seen.add(question.code)
            lines.append(
                AnswerLine(
                    code=question.code,
                    label=_pair(question.label),
                    parts=answer_parts(question, answers.get(question.code)),
                    unit=_pair(question.unit) if question.unit else None,
                    required=question.required,
                )
            )
        sections.append(AnswerSection(_pair(dimension.title), lines))
    return sections


def answer_sheet(
    session: Session, *, user: User, cooperative_id: int, response_id: int | None
) -> AnswerSheet:
    """The answers of one of a cooperative's current submissions (default: the newest)."""
    visible = accessible_cooperative_ids(session, user=user)
    cooperative, _ = cooperatives.get_cooperative(
        session, cooperative_id=cooperative_id, visible=visible
    )
    history = assessments(session, cooperative_id=cooperative.id)
    if response_id is None and not history:
        return AnswerSheet(cooperative, history, None, [])
    wanted = response_id or history[0].response_id
    assessment = next((a for a in history if a.response_id == wanted), None)
    if assessment is None:
        raise NotFound(N_("Response not found."))
    response = session.get(Response, wanted)
    assert response is not None  # it was just listed
    questionnaire = responses.questionnaire_of(session, response=response)
    answers = responses.load_answers(session, response=response, questionnaire=questionnaire)
    sections = answer_sections(questionnaire, answers)
    return AnswerSheet(cooperative, history, assessment, sections)


# The profile page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Everything a cooperative's profile shows to one viewer."""

    cooperative: Cooperative
    area: Area
    products: list[ProductBand]
    open_wave: Wave | None
    states: list[responses.SubjectState]
    history: list[Assessment]
    # (key, name in each language) of the waves in the history, newest first
    waves: list[tuple[str, dict[str, str]]]
    # Notes, follow-ups and answers are internal to the Alliance: a manager never gets them.
    internal: bool
    notes: list[Note]
    follow_ups: list[PlannedFollowUp]
    contacts: list[contacts.Contact]  # reminders to answer a wave, newest first


def profile(session: Session, *, user: User, cooperative_id: int) -> Profile:
    """A cooperative's profile as this user may see it (NotFound when they may not see it)."""
    visible = accessible_cooperative_ids(session, user=user)
    cooperative, area = cooperatives.get_cooperative(
        session, cooperative_id=cooperative_id, visible=visible
    )
    products = cooperatives.list_products(session, cooperative_ids=[cooperative.id])
    wave = responses.open_wave(session)
    states = (
        responses.subject_states(
            session, wave=wave, cooperative_ids=[cooperative.id], products=products
        )
        if wave
        else []
    )
    history = assessments(session, cooperative_id=cooperative.id)
    internal = can(user, Capability.ADVISE)
    waves: dict[str, dict[str, str]] = {}
    for a in history:
        waves.setdefault(a.wave_key, a.wave_title)
    return Profile(
        cooperative=cooperative,
        area=area,
        products=product_bands(products=products, history=history),
        open_wave=wave,
        states=states,
        history=history,
        waves=list(waves.items()),
        internal=internal,
        notes=list_notes(session, cooperative_id=cooperative.id) if internal else [],
        follow_ups=(
            list_follow_ups(session, cooperative_id=cooperative.id, today=today())
            if internal
            else []
        ),
        contacts=contacts.contacts_of(session, cooperative_id=cooperative.id) if internal else [],
    )
