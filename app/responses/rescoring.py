"""Rescoring: bring stored scores back in line with the current engine, from stored answers.

Scores are computed once, at submission, and reads never recompute them. When a stored score
is found wrong (the engine fixed), this recomputes
the submitted responses of one questionnaire version and rewrites only what differs. Answers
are never touched, nor are drafts, which have no score.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

# Flushing a Response sorts tables by foreign key, so every table it refers to must be mapped,
# even in a process (the command line) that never imported those packages.
import app.accounts.models
import app.cooperatives.models  # noqa: F401
from app.errors import NotFound
from app.messages import N_
from app.responses.models import Answer, DimensionScore, Response, ResponseStatus
from app.scoring.engine import ScoreResult, score
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire
from app.surveys.models import QuestionnaireVersion

# Responses read and written at a time: bounds memory on a national-scale database.
BATCH = 1000


@dataclass(frozen=True)
class Change:
    """A submitted response whose stored score differed from the engine's."""

    response_id: int
    cooperative_id: int
    old_overall: float | None
    new_overall: float
    old_level: str | None
    new_level: str
    old_scoring_version: str | None
    new_scoring_version: str


def count_submitted(session: Session, *, version_id: int) -> int:
    """How many submitted responses (current and superseded) answer this version."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.version_id == version_id, Response.status == ResponseStatus.SUBMITTED)
        )
        or 0
    )


def rescore_version(session: Session, *, version_id: int, dry_run: bool = False) -> list[Change]:
    """Recompute every submitted response of a version; store and return what differs."""
    version = session.get(QuestionnaireVersion, version_id)
    if version is None:
        raise NotFound(N_("Version not found."))
    questionnaire = surveys.definition(version)
    changes: list[Change] = []
    for batch in _batches(session, version_id=version_id):
        changes += _rescore(session, questionnaire, batch, dry_run=dry_run)
    session.flush()
    return changes


def stored_results(
    session: Session, *, version_id: int
) -> Iterator[tuple[float, str, dict[str, Any]]]:
    """Each submitted response of a version as (stored overall, stored level, answers)."""
    for batch in _batches(session, version_id=version_id):
        ids = [r.id for r in batch]
        answers = _answers(session, ids)
        for response in batch:
            if response.overall is not None and response.level is not None:
                yield response.overall, response.level, answers[response.id]


def _answers(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored answers of these responses, by response id then question code."""
    answers: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for response_id, code, value in session.execute(
        select(Answer.response_id, Answer.question_code, Answer.value).where(
            Answer.response_id.in_(ids)
        )
    ):
        answers[response_id][code] = value
    return answers


def _batches(session: Session, *, version_id: int) -> Iterator[list[Response]]:
    # Keyset pagination on id: stable while rows of the batch just read are being updated.
    after = 0
    while True:
        batch = list(
            session.scalars(
                select(Response)
                .where(
                    Response.version_id == version_id,
                    Response.status == ResponseStatus.SUBMITTED,
                    Response.id > after,
                )
                .order_by(Response.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        yield batch
        after = batch[-1].id


def _rescore(
    session: Session, questionnaire: Questionnaire, batch: list[Response], *, dry_run: bool
) -> list[Change]:
    ids = [r.id for r in batch]
    answers = _answers(session, ids)
    stored: dict[int, dict[str, float]] = {i: {} for i in ids}
    for response_id, key, value in session.execute(
        select(
            DimensionScore.response_id, DimensionScore.dimension_key, DimensionScore.score
        ).where(DimensionScore.response_id.in_(ids))
    ):
        stored[response_id][key] = value
    changes: list[Change] = []
    rows: list[dict[str, Any]] = []
    for response in batch:
        result = score(questionnaire, answers[response.id])
        if not _differs(response, stored[response.id], result):
            continue
        changes.append(
            Change(
                response_id=response.id,
                cooperative_id=response.cooperative_id,
                old_overall=response.overall,
                new_overall=result.overall,
                old_level=response.level,
                new_level=result.level,
                old_scoring_version=response.scoring_version,
                new_scoring_version=result.scoring_version,
            )
        )
        if not dry_run:
            response.overall = result.overall
            response.level = result.level
            response.scoring_version = result.scoring_version
            response.score_detail = result.to_json()
            rows += (
                {"response_id": response.id, "dimension_key": d.key, "score": d.score}
                for d in result.dimensions.values()
            )
    if changes and not dry_run:
        changed = [c.response_id for c in changes]
        session.execute(delete(DimensionScore).where(DimensionScore.response_id.in_(changed)))
        session.execute(insert(DimensionScore), rows)
        session.flush()
    return changes


def _differs(response: Response, dimensions: dict[str, float], result: ScoreResult) -> bool:
    return (
        response.overall != result.overall
        or response.level != result.level
        or response.scoring_version != result.scoring_version
        or dimensions != {k: d.score for k, d in result.dimensions.items()}
        # The detail is what the result page shows: it must tell the same story.
        or response.score_detail != result.to_json()
    )
