"""Targeting over stored scores: who needs support on a dimension, and who could be a model.

Every query reads the scores stored at submission (responses.overall, responses.level,
dimension_scores) of the submissions that count (submitted, not superseded), and only for
the cooperatives `accessible_cooperative_ids` lets the viewer see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.areas.service import descendant_ids
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.cooperatives.service import in_areas
from app.paging import MAX_SIZE, Page, paginate
from app.reports import scope
from app.responses import service as responses
from app.responses.models import DimensionScore, Response
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire
from app.targeting.criteria import Criteria, ModelCriteria, SupportCriteria, by_min, levels_from
from app.targeting.rows import Contact, ModelRow, SupportRow, level_label

CHUNK = 5000  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits


_commune = aliased(Area, name="commune_area")
_district = aliased(Area, name="former_district_area")


def _listed(query: Select[Any]) -> Select[Any]:
    """The registry columns of a Contact, and the joins that find its commune and district."""
    return (
        query.add_columns(
            Cooperative.id,
            Cooperative.registration_code,
            Cooperative.name,
            Cooperative.sector,
            case((_commune.level == AreaLevel.COMMUNE, _commune.name), else_=None),
            _district.name,
            Cooperative.contact_name,
            Cooperative.phone,
            Cooperative.email,
        )
        .join(_commune, _commune.id == Cooperative.area_id)
        .outerjoin(_district, _district.id == Cooperative.former_district_id)
    )


def _filters(
    session: Session, query: Select[Any], *, area_id: int | None, sector: str | None
) -> Select[Any]:
    query = query.where(Cooperative.status == CooperativeStatus.ACTIVE)
    if area_id is not None:
        query = query.where(in_areas(descendant_ids(session, area_ids=[area_id])))
    if sector is not None:
        query = query.where(Cooperative.sector == sector)
    return query


def needs_support(
    session: Session,
    *,
    visible: Select[int],
    criteria: SupportCriteria,
    only: Select[int] | None = None,
) -> list[SupportRow]:
    """Cooperatives scoring below the threshold on the dimension, weakest first.

    For a product questionnaire a cooperative counts with its best product on that dimension.
    With `only` (a saved shortlist), those cooperatives are listed whatever they score now.
    """
    statement, rows_of = _support(session, visible=visible, criteria=criteria, only=only)
    return rows_of(session.execute(statement).all())


def _support(
    session: Session,
    *,
    visible: Select[int],
    criteria: SupportCriteria,
    only: Select[int] | None,
) -> tuple[Select[Any], Callable[[Sequence[Sequence[Any]]], list[SupportRow]]]:
    """The ordered statement of `needs_support`, and what turns its rows into SupportRows."""
    best = (
        select(
            Response.cooperative_id.label("cooperative_id"),
            Response.product_id.label("product_id"),
            Response.overall.label("overall"),
            Response.level.label("level"),
            DimensionScore.score.label("score"),
            func.row_number()
            .over(
                partition_by=Response.cooperative_id,
                order_by=(DimensionScore.score.desc(), Response.id),
            )
            .label("rank"),
        )
        .join(
            DimensionScore,
            and_(
                DimensionScore.response_id == Response.id,
                DimensionScore.dimension_key == criteria.dimension,
            ),
        )
        .where(
            scope.current(criteria.wave_id, criteria.questionnaire),
            Response.cooperative_id.in_(visible),
        )
        .subquery()
    )
    query = _listed(
        select(best.c.score, best.c.overall, best.c.level, Product.name).select_from(Cooperative)
    ).where(Cooperative.id.in_(visible))
    on_best = and_(best.c.cooperative_id == Cooperative.id, best.c.rank == 1)
    if only is None:
        query = _filters(
            session,
            query.join(best, on_best).where(best.c.score < criteria.threshold),
            area_id=criteria.area_id,
            sector=criteria.sector,
        )
    else:
        query = query.outerjoin(best, on_best).where(Cooperative.id.in_(only))
    query = query.outerjoin(Product, Product.id == best.c.product_id).order_by(
        best.c.score.is_(None), best.c.score, Cooperative.name, Cooperative.id
    )
    wave_versions = responses.wave_versions(session, wave_id=criteria.wave_id)
    version = wave_versions.get(criteria.questionnaire)
    questionnaire = surveys.definition(version) if version else None

    def rows_of(found: Sequence[Sequence[Any]]) -> list[SupportRow]:
        return [
            SupportRow(
                contact=Contact(*row[4:]),
                score=row[0],
                overall=row[1],
                level=level_label(questionnaire, row[2]),
                product_name=row[3],
            )
            for row in found
        ]

    return query, rows_of


def model_candidates(
    session: Session,
    *,
    visible: Select[int],
    criteria: ModelCriteria,
    only: Select[int] | None = None,
) -> list[ModelRow]:
    """Cooperatives at or above the chosen level of each questionnaire whose result is a level,
    with a product at or above the chosen band of a star-band questionnaire or official stars at
    or above the chosen number; strongest (the sum of their level questionnaires' overall
    scores) first."""
    statement, rows_of = _model(session, visible=visible, criteria=criteria, only=only)
    return rows_of(session.execute(statement).all())


def _model(
    session: Session,
    *,
    visible: Select[int],
    criteria: ModelCriteria,
    only: Select[int] | None,
) -> tuple[Select[Any], Callable[[Sequence[Sequence[Any]]], list[ModelRow]]]:
    """The ordered statement of `model_candidates`, and what turns its rows into ModelRows."""
    wave_versions = responses.wave_versions(session, wave_id=criteria.wave_id)
    definitions = {  # in page order, whatever order the criteria were stored in
        k: surveys.definition(wave_versions[k])
        for k in scope.ordered(wave_versions)
        if k in criteria.levels
    }
    leveled = {k: q for k, q in definitions.items() if not q.banded}
    banded = {k: q for k, q in definitions.items() if q.banded}
    table = _levels_of(criteria.wave_id, leveled)
    current = {
        key: (table.c[f"overall_{i}"], table.c[f"level_{i}"]) for i, key in enumerate(leveled)
    }
    query = select(*(c for pair in current.values() for c in pair)).select_from(Cooperative)
    if current:
        # A candidate has every level: an inner join, which SQLite drives from the scores.
        # A saved list shows its cooperatives whatever they have now.
        on = table.c.cooperative_id == Cooperative.id
        query = query.join(table, on, isouter=only is not None)
    query = _listed(query).where(Cooperative.id.in_(visible))
    if only is None:
        at_band = [
            select(Response.cooperative_id).where(
                scope.current(criteria.wave_id, key),
                Response.level.in_(levels_from(q, criteria.levels[key])),
            )
            for key, q in banded.items()
        ]
        starred = select(Product.cooperative_id).where(Product.stars >= criteria.min_stars)
        query = _filters(
            session,
            query.where(
                *(
                    level.in_(levels_from(leveled[key], criteria.levels[key]))
                    for key, (_, level) in current.items()
                ),
                or_(*(Cooperative.id.in_(b) for b in at_band), Cooperative.id.in_(starred)),
            ),
            area_id=criteria.area_id,
            sector=criteria.sector,
        )
    else:
        query = query.where(Cooperative.id.in_(only))
    strength = sum((func.coalesce(overall, 0) for overall, _ in current.values()), start=literal(0))
    listed_at = 2 * len(current)  # where the Contact columns start

    def rows_of(rows: Sequence[Sequence[Any]]) -> list[ModelRow]:
        return _model_rows(session, criteria.wave_id, definitions, rows, listed_at)

    return query.order_by(strength.desc(), Cooperative.name, Cooperative.id), rows_of


def _model_rows(
    session: Session,
    wave_id: int,
    definitions: dict[str, Questionnaire],
    rows: Sequence[Sequence[Any]],
    listed_at: int,
) -> list[ModelRow]:
    # Bands and stars are read for the rows at hand only: one page of a long list.
    leveled = {k: q for k, q in definitions.items() if not q.banded}
    banded = {k: q for k, q in definitions.items() if q.banded}
    ids = [row[listed_at] for row in rows]
    bands = {
        key: _best_bands(session, wave_id=wave_id, key=key, questionnaire=q, ids=ids)
        for key, q in banded.items()
    }
    stars = _best_stars(session, ids=ids)
    found = []
    for row in rows:
        cooperative_id = row[listed_at]
        scores: dict[str, float | None] = {}
        levels: dict[str, dict[str, str] | None] = {}
        products: dict[str, str | None] = {}
        for index, key in enumerate(leveled):
            scores[key] = row[2 * index]
            levels[key] = level_label(leveled[key], row[2 * index + 1])
        for key, best in bands.items():
            band = best.get(cooperative_id)
            scores[key] = band[1] if band else None
            levels[key] = level_label(banded[key], band[0]) if band else None
            products[key] = band[2] if band else None
        found.append(
            ModelRow(
                contact=Contact(*row[listed_at:]),
                scores={k: scores[k] for k in definitions},  # in page order
                levels={k: levels[k] for k in definitions},
                products=products,
                stars=stars.get(cooperative_id, 0),
            )
        )
    return found


def _levels_of(wave_id: int, leveled: dict[str, Questionnaire]) -> CTE:
    """Per cooperative, the overall score and level of each questionnaire of `leveled` (columns
    `overall_<i>`, `level_<i>` in its order; a product questionnaire's best-scored product).

    One materialized GROUP BY over the stored scores rather than a join per questionnaire:
    SQLite scanned the second once per row of the first (seconds for a few thousand).
    """
    keys = list(leveled)
    own = [k for k in keys if leveled[k].subject == "cooperative"]
    fields = (
        Response.cooperative_id.label("cooperative_id"),
        Response.questionnaire_key.label("key"),
        Response.overall.label("overall"),
        Response.level.label("level"),
    )
    # Without a level questionnaire, an empty table keeps the query's shape.
    parts: list[Select[int, str, float | None, str | None]] = [
        select(*fields).where(
            scope.current(wave_id) if own else false(),
            Response.questionnaire_key.in_(own),
            Response.product_id.is_(None),
        )
    ]
    for number, key in enumerate(k for k in keys if k not in own):
        place = func.row_number().over(
            partition_by=Response.cooperative_id, order_by=(Response.overall.desc(), Response.id)
        )
        ranked = (
            select(*fields, place.label("place"))
            .where(scope.current(wave_id, key))
            .subquery(f"ranked_{number}")
        )
        parts.append(
            select(ranked.c.cooperative_id, ranked.c.key, ranked.c.overall, ranked.c.level).where(
                ranked.c.place == 1
            )
        )
    scores: Subquery = (
        parts[0].subquery("level_scores")
        if len(parts) == 1
        else union_all(*parts).subquery("level_scores")
    )
    columns = []
    for index, key in enumerate(keys):
        mine = scores.c.key == key
        columns += [
            func.max(case((mine, scores.c.overall))).label(f"overall_{index}"),
            func.max(case((mine, scores.c.level))).label(f"level_{index}"),
        ]
    return (
        select(scores.c.cooperative_id, *columns)
        .group_by(scores.c.cooperative_id)
        .cte("levels_by_cooperative")
        .prefix_with("MATERIALIZED")
    )


def _best_bands(
    session: Session, *, wave_id: int, key: str, questionnaire: Questionnaire, ids: list[int]
) -> dict[int, tuple[str | None, float | None, str | None]]:
    """Per cooperative: the highest band of its products (level, score, product)."""
    rank_of = {
        level.key: index for index, level in enumerate(sorted(questionnaire.levels, key=by_min))
    }
    best: dict[int, tuple[str | None, float | None, str | None]] = {}
    for chunk in _chunks(ids):
        for cooperative_id, level, overall, name in session.execute(
            select(Response.cooperative_id, Response.level, Response.overall, Product.name)
            .outerjoin(Product, Product.id == Response.product_id)
            .where(scope.current(wave_id, key), Response.cooperative_id.in_(chunk))
        ).all():
            current = best.get(cooperative_id)
            rank = (rank_of.get(level or "", -1), overall or 0.0)
            if current is None or rank > (rank_of.get(current[0] or "", -1), current[1] or 0.0):
                best[cooperative_id] = (level, overall, name)
    return best


def _chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _best_stars(session: Session, *, ids: list[int]) -> dict[int, int]:
    stars: dict[int, int] = {}
    for chunk in _chunks(ids):
        stars |= dict(
            session.execute(
                select(Product.cooperative_id, func.max(Product.stars))
                .where(Product.cooperative_id.in_(chunk))
                .group_by(Product.cooperative_id)
            ).all()
        )
    return stars


def results(
    session: Session, *, visible: Select[int], criteria: Criteria, only: Select[int] | None = None
) -> list[SupportRow] | list[ModelRow]:
    """The list a criteria set gives."""
    statement, rows_of = _listing(session, visible=visible, criteria=criteria, only=only)
    return rows_of(session.execute(statement).all())


def results_page(
    session: Session, *, visible: Select[int], criteria: Criteria, page: int
) -> tuple[list[SupportRow] | list[ModelRow], Page]:
    """One page (`MAX_SIZE` rows, paged in SQL) of the list a criteria set gives; a page past
    the end is the last one."""
    statement, rows_of = _listing(session, visible=visible, criteria=criteria, only=None)
    found, total = paginate(session, statement, page=page, size=MAX_SIZE)
    where = Page(number=max(page, 1), size=MAX_SIZE, total=total)
    if not found and where.number > where.pages:
        where = Page(number=where.pages, size=MAX_SIZE, total=total)
        found, total = paginate(session, statement, page=where.number, size=MAX_SIZE)
    return rows_of(found), where


def _listing(
    session: Session, *, visible: Select[int], criteria: Criteria, only: Select[int] | None
) -> tuple[Select[Any], Callable[[Sequence[Sequence[Any]]], list[SupportRow] | list[ModelRow]]]:
    if isinstance(criteria, SupportCriteria):
        return _support(session, visible=visible, criteria=criteria, only=only)
    return _model(session, visible=visible, criteria=criteria, only=only)
