"""Waves, drafts saved answer by answer, submission exactly once, and revisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import Role, User
from app.cooperatives.models import Product
from app.cooperatives.vocabulary import ocop_group_answer, ocop_group_of
from app.db import upsert, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.messages import N_
from app.responses.models import (
    Answer,
    DimensionScore,
    Response,
    ResponseStatus,
    Wave,
    WaveQuestionnaire,
    WaveStatus,
)
from app.scoring.engine import missing_required, score, visible_codes
from app.surveys import service as surveys
from app.surveys.answers import InvalidAnswer, coerce_stored, parse_answer
from app.surveys.definition import Question, Questionnaire
from app.surveys.models import QuestionnaireVersion


def subject_key(*, cooperative_id: int, product_id: int | None) -> str:
    """The one-column subject of a response: a product when there is one, else the cooperative."""
    return f"p{product_id}" if product_id is not None else f"c{cooperative_id}"


# Waves ---------------------------------------------------------------------------------------


def open_wave(session: Session) -> Wave | None:
    """The wave now open for answers (the most recent one if several are)."""
    return session.scalar(
        select(Wave)
        .where(Wave.status == WaveStatus.OPEN)
        .order_by(Wave.opens_on.desc(), Wave.id.desc())
        .limit(1)
    )


def list_waves(session: Session) -> list[Wave]:
    """Every wave, newest first."""
    return list(session.scalars(select(Wave).order_by(Wave.opens_on.desc(), Wave.id.desc())))


def previous_wave(session: Session, *, wave: Wave) -> Wave | None:
    """The wave before this one, against which progress is measured."""
    query = select(Wave).where(Wave.id != wave.id, Wave.status != WaveStatus.DRAFT)
    if wave.opens_on is not None:
        query = query.where(Wave.opens_on < wave.opens_on)
    return session.scalar(query.order_by(Wave.opens_on.desc(), Wave.id.desc()).limit(1))


def get_wave(session: Session, *, wave_id: int) -> Wave:
    """One wave."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(N_("Wave not found."))
    return wave


def wave_version(session: Session, *, wave_id: int, key: str) -> QuestionnaireVersion:
    """The questionnaire version a wave asks for one questionnaire."""
    version = session.scalar(
        select(QuestionnaireVersion)
        .join(WaveQuestionnaire, WaveQuestionnaire.version_id == QuestionnaireVersion.id)
        .where(WaveQuestionnaire.wave_id == wave_id, WaveQuestionnaire.questionnaire_key == key)
    )
    if version is None:
        raise NotFound(N_("This wave does not ask that questionnaire."))
    return version


def wave_versions(session: Session, *, wave_id: int) -> dict[str, QuestionnaireVersion]:
    """Every questionnaire version a wave asks, by questionnaire key."""
    rows = session.execute(
        select(WaveQuestionnaire.questionnaire_key, QuestionnaireVersion)
        .join(QuestionnaireVersion, WaveQuestionnaire.version_id == QuestionnaireVersion.id)
        .where(WaveQuestionnaire.wave_id == wave_id)
    ).all()
    return dict(rows)


def create_wave(
    session: Session,
    *,
    key: str,
    name: str,
    version_ids: dict[str, int],
    name_en: str | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    status: WaveStatus = WaveStatus.DRAFT,
) -> Wave:
    """A new wave asking the given questionnaire versions."""
    if session.scalar(select(Wave.id).where(Wave.key == key)) is not None:
        raise Conflict(N_("Wave '%(key)s' exists."), key=key)
    wave = Wave(
        key=key,
        name=name,
        name_en=name_en,
        status=status,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    session.add(wave)
    session.flush()
    for questionnaire_key, version_id in version_ids.items():
        session.add(
            WaveQuestionnaire(
                wave_id=wave.id, questionnaire_key=questionnaire_key, version_id=version_id
            )
        )
    session.flush()
    return wave


# Responses -----------------------------------------------------------------------------------


def get_response_to_fill(
    session: Session, *, response_id: int, visible: Select[int]
) -> tuple[Response, Questionnaire]:
    """A visible response with the questionnaire version it answers, in one query."""
    row = session.execute(
        select(Response, QuestionnaireVersion.content_hash)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .where(Response.id == response_id, Response.cooperative_id.in_(visible))
    ).first()
    if row is None:
        raise NotFound(N_("Response not found."))
    response, digest = row
    return response, surveys.definition_of(session, version_id=response.version_id, digest=digest)


def latest_responses(
    session: Session, *, wave_id: int, cooperative_ids: list[int]
) -> dict[tuple[str, str], Response]:
    """The newest revision per (questionnaire, subject) of the given cooperatives in a wave."""
    if not cooperative_ids:
        return {}
    rows = session.scalars(
        select(Response)
        .where(Response.wave_id == wave_id, Response.cooperative_id.in_(cooperative_ids))
        .order_by(Response.revision)
    )
    return {(r.questionnaire_key, r.subject_key): r for r in rows}


def current_submissions(
    session: Session, *, wave_id: int, cooperative_ids: list[int]
) -> dict[tuple[str, str], Response]:
    """The submitted revision that counts per (questionnaire, subject) of the given cooperatives."""
    if not cooperative_ids:
        return {}
    rows = session.scalars(
        select(Response).where(
            Response.wave_id == wave_id,
            Response.cooperative_id.in_(cooperative_ids),
            Response.status == ResponseStatus.SUBMITTED,
            Response.superseded_at.is_(None),
        )
    )
    return {(r.questionnaire_key, r.subject_key): r for r in rows}


def answer_counts(session: Session, *, response_ids: list[int]) -> dict[int, int]:
    """How many answers each response holds."""
    if not response_ids:
        return {}
    rows = session.execute(
        select(Answer.response_id, func.count())
        .where(Answer.response_id.in_(response_ids))
        .group_by(Answer.response_id)
    ).all()
    return dict(rows)


def start(
    session: Session,
    *,
    wave: Wave,
    key: str,
    cooperative_id: int,
    product_id: int | None,
    user: User,
) -> Response:
    """The draft to fill for a subject: the existing newest one, or a new first revision."""
    if wave.status != WaveStatus.OPEN:
        raise Conflict(N_("The wave is closed."))
    version = wave_version(session, wave_id=wave.id, key=key)
    # The version says what it is about; product questionnaires need a product.
    if (product_id is None) != (version.subject == "cooperative"):
        raise Invalid(N_("That questionnaire does not fit this subject."))
    subject = subject_key(cooperative_id=cooperative_id, product_id=product_id)
    existing = _newest(session, wave_id=wave.id, key=key, subject=subject)
    if existing is not None:
        return existing
    draft = Response(
        wave_id=wave.id,
        questionnaire_key=key,
        version_id=version.id,
        cooperative_id=cooperative_id,
        product_id=product_id,
        subject_key=subject,
        revision=1,
        entered_by_id=user.id,
        on_behalf=user.role != Role.MANAGER,
    )
    started = _insert_or_reuse(session, draft)
    if product_id is not None:
        _group_from_product(session, response=started, version=version, product_id=product_id)
    return started


# The product form asks a product's OCOP group, and the OCOP questionnaire asks it too (its
# answer decides which questions apply). Asked once: a new draft takes the product's group as
# its answer (the respondent may still correct it), and a product without one takes the
# submitted answer.
GROUP_QUESTION = "ocop_group"


def _group_from_product(
    session: Session, *, response: Response, version: QuestionnaireVersion, product_id: int
) -> None:
    """Answer a new draft's group question from its product's stored group."""
    try:
        question = surveys.definition(version).question(GROUP_QUESTION)
    except KeyError:
        return
    group = session.scalar(select(Product.ocop_group).where(Product.id == product_id))
    answer = ocop_group_answer(group)
    if answer is None or question.type != "single_choice" or question.option(answer) is None:
        return
    given = select(Answer.question_code).where(
        Answer.response_id == response.id, Answer.question_code == GROUP_QUESTION
    )
    if session.scalar(given) is None:
        session.add(Answer(response_id=response.id, question_code=GROUP_QUESTION, value=answer))
        session.flush()


def _group_to_product(session: Session, *, response: Response, answers: dict[str, Any]) -> None:
    """Give a product without a group the group its submitted response answered."""
    group = ocop_group_of(answers.get(GROUP_QUESTION))
    if response.product_id is None or group is None:
        return
    session.execute(
        update(Product)
        .where(Product.id == response.product_id, Product.ocop_group.is_(None))
        .values(ocop_group=group)
    )


def _newest(session: Session, *, wave_id: int, key: str, subject: str) -> Response | None:
    return session.scalar(
        select(Response)
        .where(
            Response.wave_id == wave_id,
            Response.questionnaire_key == key,
            Response.subject_key == subject,
        )
        .order_by(Response.revision.desc())
        .limit(1)
    )


def _insert_or_reuse(session: Session, draft: Response) -> Response:
    """Insert a draft; when another request inserted the same revision first, use theirs.

    The unique constraint on (wave, questionnaire, subject, revision) decides the race.
    """
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
        return draft
    except IntegrityError:
        existing = _newest(
            session, wave_id=draft.wave_id, key=draft.questionnaire_key, subject=draft.subject_key
        )
        if existing is None:
            raise
        return existing


def questionnaire_of(session: Session, *, response: Response) -> Questionnaire:
    """The exact questionnaire version a response answers."""
    return surveys.definition_of(session, version_id=response.version_id)


# Read on every save: built once, and run on the session's connection (plain rows need none
# of the ORM's handling, which cost more than the query itself).
_ANSWERS = select(Answer.question_code, Answer.value).where(
    Answer.response_id == bindparam("response_id")
)


def load_answers(
    session: Session, *, response: Response, questionnaire: Questionnaire
) -> dict[str, Any]:
    """The stored answers, read back through each question's type (bad stored data is dropped)."""
    answers: dict[str, Any] = {}
    for code, value in session.connection().execute(_ANSWERS, {"response_id": response.id}):
        try:
            question = questionnaire.question(code)
        except KeyError:
            continue
        coerced = coerce_stored(question, value)
        if coerced is not None:
            answers[code] = coerced
    return answers


def _read_only() -> Conflict:
    return Conflict(
        N_("This response was submitted and is read-only; start a revision to correct it.")
    )


def _require_open(session: Session, response: Response) -> None:
    wave = session.get(Wave, response.wave_id)
    if wave is None or wave.status != WaveStatus.OPEN:
        raise Conflict(N_("The wave is closed."))


_RESPONSES = cast(Table, Response.__table__)
# Stamps a response that is still a draft of an open wave; matches nothing otherwise.
_CLAIM_DRAFT = (
    update(_RESPONSES)
    .where(
        _RESPONSES.c.id == bindparam("response_id"),
        _RESPONSES.c.status == ResponseStatus.DRAFT,
        _RESPONSES.c.wave_id.in_(select(Wave.id).where(Wave.status == WaveStatus.OPEN)),
    )
    .values(updated_at=bindparam("now"), last_step=bindparam("step"))
)


def save_answer(
    session: Session, *, response: Response, question: Question, raw: list[str], step: int
) -> Any:
    """Store one answer the moment it is given (an empty answer clears it); returns the value.

    Raises Invalid with the field's message when the input cannot be accepted, and Conflict
    when the response can no longer change; the stored answer is then left as it was.

    `response` may have been read in an earlier transaction: whether it is still a draft of an
    open wave is decided here, by the conditional UPDATE that also stamps it. That UPDATE
    locks the response row, so a save and a submission of the same response are serialised:
    a save either lands before the submission reads the answers, or finds it submitted.
    """
    try:
        value = parse_answer(question, raw)
    except InvalidAnswer as exc:
        raise Invalid(exc.message) from None
    now = utcnow()
    claimed = session.connection().execute(
        _CLAIM_DRAFT, {"response_id": response.id, "now": now, "step": step}
    )
    if claimed.rowcount != 1:
        status = session.scalar(select(Response.status).where(Response.id == response.id))
        if status is None:
            raise Conflict(N_("This correction was discarded; the submitted response stands."))
        if status != ResponseStatus.DRAFT:
            raise _read_only()
        raise Conflict(N_("The wave is closed."))
    # The UPDATE ran on the table, not through the ORM: the object says what it wrote.
    set_committed_value(response, "updated_at", now)
    set_committed_value(response, "last_step", step)
    if value is None:
        session.execute(
            delete(Answer).where(
                Answer.response_id == response.id, Answer.question_code == question.code
            )
        )
    else:
        upsert(
            session,
            cast(Table, Answer.__table__),
            values={
                "response_id": response.id,
                "question_code": question.code,
                "value": value,
                "updated_at": now,
            },
            keys=("response_id", "question_code"),
            update=("value", "updated_at"),
        )
    return value


@dataclass(frozen=True)
class Progress:
    answered: int
    visible: int

    @property
    def share(self) -> float:
        return self.answered / self.visible if self.visible else 0.0


def progress(
    questionnaire: Questionnaire, answers: dict[str, Any], shown: frozenset[str] | None = None
) -> Progress:
    """How much of what is asked has an answer (`shown`: the visible codes, when known)."""
    if shown is None:
        shown = visible_codes(questionnaire, answers)
    return Progress(answered=sum(1 for code in shown if code in answers), visible=len(shown))


def submit(session: Session, *, response: Response, user: User) -> Response:
    """Submit a draft exactly once; asking again (double tap, retry, second tab) is a no-op.

    The UPDATE only matches while the row is still a draft, so of two racing requests one
    submits and the other finds it done; the partial unique index allows one current
    submission per subject even if revisions raced.
    """
    if response.status == ResponseStatus.SUBMITTED:
        return response
    # Lock the row before reading the answers: a save of this response waits for the
    # submission (and then finds it submitted), or the submission waits for the save.
    session.execute(select(Response.id).where(Response.id == response.id).with_for_update()).first()
    questionnaire = questionnaire_of(session, response=response)
    answers = load_answers(session, response=response, questionnaire=questionnaire)
    missing = missing_required(questionnaire, answers)
    if missing:
        raise Invalid(N_("Required questions still unanswered: %(count)s."), count=len(missing))
    _require_open(session, response)
    result = score(questionnaire, answers)
    now = utcnow()
    session.execute(
        update(Response)
        .where(
            Response.wave_id == response.wave_id,
            Response.questionnaire_key == response.questionnaire_key,
            Response.subject_key == response.subject_key,
            Response.counting,
            Response.revision < response.revision,
        )
        .values(superseded_at=now)
    )
    claimed = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.DRAFT)
        .values(
            status=ResponseStatus.SUBMITTED,
            submitted_at=now,
            submitted_by_id=user.id,
            overall=result.overall,
            level=result.level,
            scoring_version=result.scoring_version,
            score_detail=result.to_json(),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        session.execute(
            insert(DimensionScore),
            [
                {"response_id": response.id, "dimension_key": d.key, "score": d.score}
                for d in result.dimensions.values()
            ],
        )
        _group_to_product(session, response=response, answers=answers)
    session.refresh(response)
    return response


def revise(session: Session, *, response: Response, user: User) -> Response:
    """Start a correction of a submitted response: a new draft revision with its answers.

    The submitted revision stays as it was, in the history, and keeps counting until the
    correction is submitted.
    """
    if response.status != ResponseStatus.SUBMITTED:
        return response
    _require_open(session, response)
    newest = _newest(
        session,
        wave_id=response.wave_id,
        key=response.questionnaire_key,
        subject=response.subject_key,
    )
    if newest is not None and newest.revision > response.revision:
        return newest
    draft = Response(
        wave_id=response.wave_id,
        questionnaire_key=response.questionnaire_key,
        version_id=response.version_id,
        cooperative_id=response.cooperative_id,
        product_id=response.product_id,
        subject_key=response.subject_key,
        revision=response.revision + 1,
        entered_by_id=user.id,
        on_behalf=user.role != Role.MANAGER,
    )
    made = _insert_or_reuse(session, draft)
    if made is draft:
        rows = session.execute(
            select(Answer.question_code, Answer.value).where(Answer.response_id == response.id)
        ).all()
        if rows:
            now = utcnow()
            session.execute(
                insert(Answer),
                [
                    {
                        "response_id": draft.id,
                        "question_code": code,
                        "value": value,
                        "updated_at": now,
                    }
                    for code, value in rows
                ],
            )
    return made


def discard_correction(session: Session, *, response: Response) -> Response:
    """Throw away a draft correction; the submission it would have replaced keeps counting.

    Only a draft revision above the first can go: a first draft is the cooperative's only
    copy of its answers, and a submission is history. Returns the submission that counts.
    """
    if response.status != ResponseStatus.DRAFT or response.revision < 2:
        raise Conflict(N_("Only a correction that has not been submitted can be discarded."))
    counted = current_submission(
        session,
        wave_id=response.wave_id,
        key=response.questionnaire_key,
        subject=response.subject_key,
    )
    if counted is None:
        raise NotFound(N_("Submitted response not found."))
    # Conditional, so a submission racing the discard wins and nothing half-deleted remains.
    gone = session.execute(
        delete(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.DRAFT)
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("The correction was just submitted and can no longer be discarded."))
    session.expunge(response)
    return counted


def history(session: Session, *, wave_id: int, key: str, subject: str) -> list[Response]:
    """Every revision of one subject's response in a wave, newest first."""
    return list(
        session.scalars(
            select(Response)
            .where(
                Response.wave_id == wave_id,
                Response.questionnaire_key == key,
                Response.subject_key == subject,
            )
            .order_by(Response.revision.desc())
        )
    )


def current_submission(
    session: Session, *, wave_id: int, key: str, subject: str
) -> Response | None:
    """The submitted revision that counts for a subject in a wave."""
    return session.scalar(
        select(Response).where(
            Response.wave_id == wave_id,
            Response.questionnaire_key == key,
            Response.subject_key == subject,
            Response.counting,
        )
    )


@dataclass(frozen=True)
class SubjectState:
    """Where one questionnaire stands for one subject in a wave, for home and profile pages."""

    key: str
    title: dict[str, str]
    cooperative_id: int
    product_id: int | None
    product_name: str | None
    status: str  # not_started, in_progress, submitted
    response_id: int | None
    share: float
    level: dict[str, str] | None
    overall: float | None
    revision: int
    # A correction being drafted while the submission above keeps counting.
    correction_id: int | None = None
    correction_share: float = 0.0


def subject_states(
    session: Session, *, wave: Wave, cooperative_ids: list[int], products: list[Any]
) -> list[SubjectState]:
    """Every questionnaire each cooperative (and each product) is asked in a wave."""
    versions = wave_versions(session, wave_id=wave.id)
    latest = latest_responses(session, wave_id=wave.id, cooperative_ids=cooperative_ids)
    current = current_submissions(session, wave_id=wave.id, cooperative_ids=cooperative_ids)
    cooperative_keys = sorted(k for k, v in versions.items() if v.subject == "cooperative")
    product_keys = sorted(k for k, v in versions.items() if v.subject == "product")
    subjects: list[tuple[str, int, Any]] = [
        (key, cid, None) for cid in cooperative_ids for key in cooperative_keys
    ] + [(key, p.cooperative_id, p) for p in products for key in product_keys]
    states = []
    for key, cid, product in subjects:
        version = versions.get(key)
        if version is None:
            continue
        questionnaire = surveys.definition(version)
        subject = subject_key(cooperative_id=cid, product_id=product.id if product else None)
        response = latest.get((key, subject))
        status, share, level, overall = "not_started", 0.0, None, None
        correction_id, correction_share = None, 0.0
        if response is not None and response.status == ResponseStatus.DRAFT:
            counted = current.get((key, subject))
            if counted is not None:
                # The submission keeps counting until its correction is submitted.
                correction_id = response.id
                answers = load_answers(session, response=response, questionnaire=questionnaire)
                correction_share = progress(questionnaire, answers).share
                response = counted
        if response is not None and response.status == ResponseStatus.SUBMITTED:
            status, share, overall = "submitted", 1.0, response.overall
            answered_q = surveys.definition(
                session.get(QuestionnaireVersion, response.version_id) or version
            )
            if response.level:
                found = answered_q.level(response.level).label
                level = {"vi": found.vi, "en": found.en}
        elif response is not None:
            status = "in_progress"
            answers = load_answers(session, response=response, questionnaire=questionnaire)
            share = progress(questionnaire, answers).share
        states.append(
            SubjectState(
                key=key,
                title={"vi": questionnaire.title.vi, "en": questionnaire.title.en},
                cooperative_id=cid,
                product_id=product.id if product else None,
                product_name=product.name if product else None,
                status=status,
                response_id=response.id if response else None,
                share=share,
                level=level,
                overall=overall,
                revision=response.revision if response else 0,
                correction_id=correction_id,
                correction_share=correction_share,
            )
        )
    return states
