"""Responses for the demo waves: scored submissions, drafts and gaps, bulk-inserted."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.db import Base
from app.demo.accounts import ADVISOR, MANAGER
from app.demo.answers import (
    BASE_MATURITY,
    SECTOR_MATURITY,
    Subject,
    draw_answers,
    draw_subjects,
    registry_answers,
)
from app.demo.waves import TODAY, WAVES, Form, WaveRef, create_waves, published_forms
from app.responses.models import Answer, DimensionScore, Response, ResponseStatus
from app.scoring.engine import score
from app.surveys.answers import AnswerValue

# Paper forms the Alliance types in for cooperatives without a smartphone or the habit.
ON_BEHALF_SHARE = 0.15
# The demo manager's cooperatives show every state on their home page: what they did per
# wave and questionnaire (absent: not started); a draft of theirs is about half answered.
MANAGER_PLAN = {
    ("2025", "digital"): ResponseStatus.SUBMITTED,
    ("2025", "value_chain"): ResponseStatus.SUBMITTED,
    ("2025", "ocop"): ResponseStatus.SUBMITTED,
    ("2026", "digital"): ResponseStatus.DRAFT,
    ("2026", "ocop"): ResponseStatus.SUBMITTED,
}
MANAGER_DRAFT_SHARE = 0.5
ROWS_PER_INSERT = 5000
VIETNAM = dt.timezone(dt.timedelta(hours=7))


@dataclass
class Counts:
    waves: list[str] = field(default_factory=list)
    submitted: int = 0
    drafts: int = 0
    answers: int = 0
    reported: int = 0  # progress units already reported


@dataclass(frozen=True)
class Actors:
    """Who enters answers: the advisor on paper forms, the manager for their own."""

    advisor_id: int | None
    manager_id: int | None
    managed: frozenset[int]


@dataclass
class Pending:
    """A response row waiting for its id, with its answers and dimension scores."""

    row: dict[str, Any]
    answers: dict[str, AnswerValue]
    dimensions: dict[str, float]


def generate_responses(
    session: Session, *, seed: int, progress: Callable[[int], None] | None
) -> Counts:
    """Two waves of answers for the registry just made: scored submissions, drafts, gaps."""
    counts = Counts()
    forms = published_forms(session)
    if not any(forms):
        return counts  # nothing published: no wave could ask anything
    waves = create_waves(session, forms=forms)
    if not waves:
        return counts
    counts.waves = [w.spec.key for w in waves]
    rng = random.Random(seed * 7919 + 1)
    advisor = accounts.get_user(session, username=ADVISOR)
    manager = accounts.get_user(session, username=MANAGER)
    managed = (
        set(session.scalars(accounts.accessible_cooperative_ids(session, user=manager)))
        if manager
        else set()
    )
    actors = Actors(
        advisor_id=advisor.id if advisor else None,
        manager_id=manager.id if manager else None,
        managed=frozenset(managed),
    )
    coops = session.execute(
        select(
            Cooperative.id,
            func.coalesce(Cooperative.former_district_id, Cooperative.area_id),
            Cooperative.sector,
            Cooperative.members,
        )
        .where(Cooperative.status == CooperativeStatus.ACTIVE)
        .order_by(Cooperative.id)
    ).all()
    products: dict[int, list[tuple[int, str | None, int]]] = {}
    for product_id, coop_id, group, stars in session.execute(
        select(Product.id, Product.cooperative_id, Product.ocop_group, Product.stars)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(Cooperative.status == CooperativeStatus.ACTIVE)
        .order_by(Product.cooperative_id, Product.id)
    ).all():
        products.setdefault(coop_id, []).append((product_id, group, stars))
    area_ids = sorted({area_id for _, area_id, _, _ in coops})
    district = {area_id: rng.gauss(0, 0.05) for area_id in area_ids}

    chunk = 1000
    for start in range(0, len(coops), chunk):
        pending: list[Pending] = []
        for coop_id, area_id, sector, members in coops[start : start + chunk]:
            subjects = draw_subjects(
                rng,
                coop_id=coop_id,
                base=BASE_MATURITY
                + district[area_id]
                + SECTOR_MATURITY.get(sector, 0.0)
                + 0.03 * (math.log(members or 20) - 3.3),
                sector=sector,
                products=products.get(coop_id, []),
                keys={key for asked in forms for key in asked},
                waves=len(WAVES),
            )
            for wave in waves:
                for subject in subjects:
                    form = forms[wave.index].get(subject.key)
                    if form is None:
                        continue
                    made = draw_response(rng, wave, form, subject, actors)
                    if made is not None:
                        pending.append(made)
        _insert(session, pending, counts)
        done = len(coops[start : start + chunk])
        counts.reported += done
        if progress:
            progress(done)
    session.flush()
    return counts


def draw_response(
    rng: random.Random,
    wave: WaveRef,
    form: Form,
    subject: Subject,
    actors: Actors,
) -> Pending | None:
    """One subject's response in one wave, or None when it has not started."""
    spec = wave.spec
    mine = subject.cooperative_id in actors.managed
    draw = rng.random()
    if mine:
        status = MANAGER_PLAN.get((spec.key, subject.key))
    elif draw < spec.submitted:
        status = ResponseStatus.SUBMITTED
    elif draw < spec.submitted + spec.drafts:
        status = ResponseStatus.DRAFT
    else:
        status = None
    if status is None:
        return None
    known = registry_answers(form.q, subject.registry)
    answers = draw_answers(rng, form.q, subject.maturity[wave.index], known)
    if mine:
        entered_by, on_behalf = actors.manager_id, False
    elif rng.random() < ON_BEHALF_SHARE:
        entered_by, on_behalf = actors.advisor_id, actors.advisor_id is not None
    else:
        entered_by, on_behalf = None, False
    last_day = min(spec.closes_on, TODAY)
    row: dict[str, Any] = {
        "wave_id": wave.id,
        "questionnaire_key": subject.key,
        "version_id": form.version_id,
        "cooperative_id": subject.cooperative_id,
        "product_id": subject.product_id,
        "subject_key": (
            f"p{subject.product_id}"
            if subject.product_id is not None
            else f"c{subject.cooperative_id}"
        ),
        "revision": 1,
        "entered_by_id": entered_by,
        "on_behalf": on_behalf,
        "superseded_at": None,
    }
    if status == ResponseStatus.DRAFT:
        share = MANAGER_DRAFT_SHARE if mine else rng.uniform(0.15, 0.85)
        answered = [code for code in form.order if code in answers]
        if not answered:
            return None
        kept = answered[: max(1, round(len(answered) * share))]
        started = _moment(rng, spec.opens_on, last_day)
        row |= {
            "status": ResponseStatus.DRAFT,
            "last_step": form.step[kept[-1]],
            "created_at": started,
            "updated_at": min(
                started + dt.timedelta(minutes=rng.randint(5, 14 * 24 * 60)), _closing(last_day)
            ),
            "submitted_at": None,
            "submitted_by_id": None,
            "overall": None,
            "level": None,
            "scoring_version": None,
            # No score_detail key: a None there would be stored as JSON null, not SQL NULL.
        }
        return Pending(row, {code: answers[code] for code in kept}, {})
    result = score(form.q, answers)
    submitted = _moment(rng, spec.opens_on, last_day)
    row |= {
        "status": ResponseStatus.SUBMITTED,
        "last_step": len(form.q.dimensions),
        "created_at": max(
            submitted - dt.timedelta(minutes=rng.randint(15, 21 * 24 * 60)),
            _opening(spec.opens_on),
        ),
        "updated_at": submitted,
        "submitted_at": submitted,
        "submitted_by_id": entered_by,
        "overall": result.overall,
        "level": result.level,
        "scoring_version": result.scoring_version,
        "score_detail": result.to_json(),
    }
    return Pending(row, answers, {k: d.score for k, d in result.dimensions.items()})


def _moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    """A moment in office hours, Vietnam time, on a day between two dates; in UTC."""
    day = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
    return _opening(day) + dt.timedelta(minutes=rng.randint(0, 10 * 60))


def _opening(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7), tzinfo=VIETNAM).astimezone(dt.UTC)


def _closing(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=VIETNAM).astimezone(dt.UTC)


def _insert(session: Session, pending: list[Pending], counts: Counts) -> None:
    """Bulk-insert responses, then their answers and dimension scores, a slice at a time."""
    if not pending:
        return
    # Alike rows together, so each slice is one batched INSERT (see render_nulls in registry.py).
    rows = sorted((p.row for p in pending), key=lambda row: row["status"])
    for start in range(0, len(rows), ROWS_PER_INSERT):
        session.execute(
            insert(Response),
            rows[start : start + ROWS_PER_INSERT],
            execution_options={"render_nulls": True},
        )
    # Read the ids back by the natural key: RETURNING in parameter order makes SQLite insert
    # row by row, which is many times slower than this one indexed query.
    coop_ids = sorted({p.row["cooperative_id"] for p in pending})
    ids = {
        (wave_id, key, subject): response_id
        for response_id, wave_id, key, subject in session.execute(
            select(
                Response.id, Response.wave_id, Response.questionnaire_key, Response.subject_key
            ).where(Response.cooperative_id.in_(coop_ids), Response.revision == 1)
        )
    }
    answers: list[dict[str, Any]] = []
    dimensions: list[dict[str, Any]] = []
    for item in pending:
        row = item.row
        response_id = ids[row["wave_id"], row["questionnaire_key"], row["subject_key"]]
        moment = row["updated_at"]
        answers += (
            {"response_id": response_id, "question_code": c, "value": v, "updated_at": moment}
            for c, v in item.answers.items()
        )
        dimensions += (
            {"response_id": response_id, "dimension_key": k, "score": s}
            for k, s in item.dimensions.items()
        )
        if row["status"] == ResponseStatus.SUBMITTED:
            counts.submitted += 1
        else:
            counts.drafts += 1
    # Into the tables themselves: the ORM's per-row bookkeeping nearly doubles the time here.
    for model, rows in ((Answer, answers), (DimensionScore, dimensions)):
        table = Base.metadata.tables[model.__tablename__]
        for start in range(0, len(rows), ROWS_PER_INSERT):
            session.execute(insert(table), rows[start : start + ROWS_PER_INSERT])
    counts.answers += len(answers)
