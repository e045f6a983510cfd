"""One stored score per cooperative, wave and questionnaire, and the combined index, in SQL.

A cooperative questionnaire has one current submission per cooperative. A product
questionnaire (OCOP) has one per product: the cooperative's standing is its best product's
score (ties: the product registered first). The combined index is the plain mean of a
cooperative's questionnaire scores in the wave; every cooperative questionnaire the wave asks
is required, a product questionnaire counts when the cooperative has a submitted product.
Nothing here reads answers or recomputes a score: it reads responses.overall and
dimension_scores, as stored at submission.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    Select,
    String,
    Subquery,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.cooperatives.models import Product
from app.reports.scope import current
from app.responses import service as responses
from app.responses.models import DimensionScore, Response
from app.surveys import service as surveys
from app.surveys.models import QuestionnaireVersion

COMBINED = "combined"


def picked(*, wave_id: int, key: str, subject: str) -> Subquery:
    """cooperative_id, response_id, product_id, score, level: the submission that stands for it."""
    if subject != "product":
        return (
            select(
                Response.cooperative_id.label("cooperative_id"),
                Response.id.label("response_id"),
                Response.product_id.label("product_id"),
                Response.overall.label("score"),
                Response.level.label("level"),
            )
            .where(current(wave_id, key))
            .subquery(f"picked_{key}")
        )
    ranked = (
        select(
            Response.cooperative_id.label("cooperative_id"),
            Response.id.label("response_id"),
            Response.product_id.label("product_id"),
            Response.overall.label("score"),
            Response.level.label("level"),
            func.row_number()
            .over(
                partition_by=Response.cooperative_id,
                order_by=(Response.overall.desc(), Response.product_id, Response.id),
            )
            .label("place"),
        )
        .where(current(wave_id, key))
        .subquery(f"ranked_{key}")
    )
    return (
        select(
            ranked.c.cooperative_id,
            ranked.c.response_id,
            ranked.c.product_id,
            ranked.c.score,
            ranked.c.level,
        )
        .where(ranked.c.place == 1)
        .subquery(f"picked_{key}")
    )


def component(key: str) -> str:
    """The combined index's column for one questionnaire (never clashes with its own columns)."""
    return f"part_{key}"


def component_scores(*, wave_id: int, subjects: Mapping[str, str]) -> Subquery:
    """cooperative_id, questionnaire_key, score: each questionnaire's stored score, one row each."""
    cooperative_keys = [k for k, s in subjects.items() if s != "product"]
    product_keys = [k for k, s in subjects.items() if s == "product"]
    parts: list[Select[int, str, float | None]] = []
    if cooperative_keys:
        parts.append(
            select(
                Response.cooperative_id.label("cooperative_id"),
                Response.questionnaire_key.label("questionnaire_key"),
                Response.overall.label("score"),
            ).where(current(wave_id), Response.questionnaire_key.in_(cooperative_keys))
        )
    for key in product_keys:
        best = picked(wave_id=wave_id, key=key, subject="product")
        parts.append(
            select(
                best.c.cooperative_id,
                cast(literal(key), String(32)).label("questionnaire_key"),
                best.c.score,
            )
        )
    if len(parts) == 1:
        return parts[0].subquery("component_scores")
    return union_all(*parts).subquery("component_scores")


def combined(*, wave_id: int, subjects: Mapping[str, str]) -> Subquery:
    """cooperative_id, score and a `part_<key>` column per questionnaire: the combined index.

    One GROUP BY over the union of the stored scores, rather than a join per questionnaire:
    joining subqueries made SQLite loop over one for each row of the other.
    """
    required = [k for k, s in subjects.items() if s != "product"] or list(subjects)
    scores = component_scores(wave_id=wave_id, subjects=subjects)
    return (
        select(
            scores.c.cooperative_id,
            func.avg(scores.c.score).label("score"),
            *(
                func.max(case((scores.c.questionnaire_key == k, scores.c.score))).label(
                    component(k)
                )
                for k in subjects
            ),
        )
        .group_by(scores.c.cooperative_id)
        .having(
            func.sum(case((scores.c.questionnaire_key.in_(required), 1), else_=0)) == len(required)
        )
        .subquery("combined_index")
    )


@dataclass(frozen=True)
class Measures:
    """Per cooperative: the overall score (and level), and a score per dimension."""

    overall: Subquery  # cooperative_id, score, level
    dimensions: Subquery  # cooperative_id, dimension_key, score


def measures(*, wave_id: int, key: str, subjects: Mapping[str, str]) -> Measures:
    """The stored scores a ranking aggregates, for one questionnaire or the combined index.

    For the combined index the "dimensions" are the questionnaires it combines.
    """
    if key == COMBINED:
        index = combined(wave_id=wave_id, subjects=subjects)
        overall = select(index.c.cooperative_id, index.c.score, null().label("level")).subquery(
            "overall_combined"
        )
        # Its "dimensions" are its questionnaires, for the cooperatives that have the index.
        parts = component_scores(wave_id=wave_id, subjects=subjects)
        dimensions = (
            select(
                parts.c.cooperative_id,
                parts.c.questionnaire_key.label("dimension_key"),
                parts.c.score,
            )
            .where(parts.c.cooperative_id.in_(select(index.c.cooperative_id)))
            .subquery("dimensions_combined")
        )
        return Measures(overall, dimensions)
    best = picked(wave_id=wave_id, key=key, subject=subjects[key])
    overall = select(best.c.cooperative_id, best.c.score, best.c.level).subquery(f"overall_{key}")
    dimensions = (
        select(
            best.c.cooperative_id,
            DimensionScore.dimension_key.label("dimension_key"),
            DimensionScore.score.label("score"),
        )
        .join(DimensionScore, DimensionScore.response_id == best.c.response_id)
        .subquery(f"dimensions_{key}")
    )
    return Measures(overall, dimensions)


@dataclass
class Standing:
    """A cooperative's stored score in one questionnaire of a wave."""

    overall: float
    level: str | None
    response_id: int | None
    product_id: int | None = None
    product_name: str | None = None
    # Its dimension scores in the order the reader asked for (None: not stored); empty when
    # not asked for.
    dimensions: tuple[float | None, ...] = ()


@dataclass
class CooperativeScores:
    """A cooperative's standings in a wave, by questionnaire, and its combined index."""

    by_key: dict[str, Standing] = field(default_factory=dict)
    combined: float | None = None
    components: dict[str, float] = field(default_factory=dict)


def dimension_keys(session: Session, *, wave_id: int) -> dict[str, list[str]]:
    """Each questionnaire's dimension keys: those of the version the wave asks, in its order,
    then any other that a submission counting in the wave was scored on (one answered on an
    earlier version)."""
    keys = {
        key: [d.key for d in surveys.definition(version).dimensions]
        for key, version in responses.wave_versions(session, wave_id=wave_id).items()
    }
    answered = session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id.in_(select(Response.version_id).where(current(wave_id))))
        .order_by(QuestionnaireVersion.id)
    )
    for version in answered:
        found = keys.setdefault(version.key, [])
        found += [d.key for d in surveys.definition(version).dimensions if d.key not in found]
    return keys


def by_dimension(keys: Sequence[str], scores: Sequence[float | None]) -> dict[str, float]:
    """A standing's dimension scores by key, those stored only."""
    return {k: score for k, score in zip(keys, scores, strict=True) if score is not None}


def dimension_scores(
    session: Session, *, wave_id: int, key: str, dimensions: Sequence[str]
) -> dict[int, tuple[float | None, ...]]:
    """Each counting submission's stored dimension scores in the order of `dimensions`, by
    response id.

    Pivoted in SQL, a row per submission: the database turns a national wave's 335,000 rows
    into 68,000 in about the time it takes to send them, and a sheet takes each as it comes
    (read a row per score into dicts, they had cost a quarter of the scores workbook).
    """
    if not dimensions:
        return {}
    rows = session.connection().execute(
        select(
            Response.id,
            *(
                func.max(case((DimensionScore.dimension_key == d, DimensionScore.score)))
                for d in dimensions
            ),
        )
        .join(DimensionScore, DimensionScore.response_id == Response.id)
        .where(current(wave_id, key))
        # Grouped by the responses' own id, which SQLite reads in order from the index of
        # counting submissions: no sort (by the dimension scores' column, it sorted 68,000).
        .group_by(Response.id)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def cooperative_scores(
    session: Session,
    *,
    wave_id: int,
    subjects: Mapping[str, str],
    cooperatives: Select[int],
    dimensions: Mapping[str, Sequence[str]] | None = None,
) -> dict[int, CooperativeScores]:
    """The standings of the given cooperatives in a wave (only those with a score appear).

    `dimensions` names, per questionnaire, the dimension scores each standing carries and
    their order; none are read without it.
    """
    table: dict[int, CooperativeScores] = {}
    for key, subject in subjects.items():
        best = picked(wave_id=wave_id, key=key, subject=subject)
        rows = session.execute(
            select(
                best.c.cooperative_id,
                best.c.score,
                best.c.level,
                best.c.response_id,
                best.c.product_id,
                Product.name,
            )
            .outerjoin(Product, Product.id == best.c.product_id)
            .where(best.c.cooperative_id.in_(cooperatives))
        ).all()
        wanted = dimensions.get(key, ()) if dimensions is not None and rows else ()
        # Every counting submission's dimensions, kept for the standings below: reading them
        # apart from the picked subquery (and the scope in it) took two thirds of the time.
        found = dimension_scores(session, wave_id=wave_id, key=key, dimensions=wanted)
        none = (None,) * len(wanted)
        for cid, score, level, response_id, product_id, product_name in rows:
            standing = Standing(
                score,
                level,
                response_id,
                product_id,
                product_name,
                found.get(response_id, none) if wanted else (),
            )
            table.setdefault(cid, CooperativeScores()).by_key[key] = standing
    if subjects:
        index = combined(wave_id=wave_id, subjects=subjects)
        for row in session.execute(
            select(index).where(index.c.cooperative_id.in_(cooperatives))
        ).mappings():
            entry = table.setdefault(row["cooperative_id"], CooperativeScores())
            entry.combined = row["score"]
            entry.components = {
                k: row[component(k)] for k in subjects if row[component(k)] is not None
            }
    return table
