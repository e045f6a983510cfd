"""JSON endpoints, version 1: areas, cooperatives, scores, coverage and rankings.

Read-only (GET). Authentication is the signed-in session cookie of the portal: without it the
answer is 401, with the wrong role 403. The figures come from the same functions as the pages
and the downloads, filtered by `accessible_cooperative_ids`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.accounts import service as accounts
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.cooperatives import service as cooperatives
from app.cooperatives.models import Cooperative
from app.errors import Invalid
from app.messages import N_
from app.paging import API_MAX_SIZE, MAX_SIZE, paginate
from app.reports import coverage as coverage_report
from app.reports import rankings as rankings_report
from app.reports import scope
from app.reports.scores import by_dimension, cooperative_scores, dimension_keys
from app.responses.models import Response as SubmittedResponse
from app.web.deps import CurrentUser, DbSession, ReportReader

ERRORS = {
    401: {"description": "Not signed in: sign in at /signin; the session cookie authenticates."},
    403: {"description": "The account's role may not read this."},
}

BY = "commune, former-district or province (default: the finest with data)"
router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERRORS)  # type: ignore[arg-type]


class AreaOut(BaseModel):
    id: int
    code: str = Field(description="Official statistics code")
    name: str
    level: str = Field(description="country, province, commune, former_district or former_ward")
    parent_id: int | None


class CooperativeOut(BaseModel):
    id: int
    registration_code: str
    name: str
    area_id: int = Field(description="Its 2025 commune, or its province until placed in one")
    area_name: str
    commune_id: int | None = Field(description="Its 2025 commune, when known")
    former_district_id: int | None = Field(description="Its district before 1/7/2025, if known")
    sector: str
    status: str = Field(description="active, suspended or dissolved")


class StandingOut(BaseModel):
    questionnaire: str
    overall: float = Field(description="Stored overall score, 0–100")
    level: str | None = Field(description="Level (or indicative star band) key")
    product_id: int | None = Field(description="For a product questionnaire: the best product")
    product_name: str | None
    dimensions: dict[str, float] = Field(description="Stored score per dimension key")


class ScoresOut(BaseModel):
    cooperative_id: int
    registration_code: str
    name: str
    wave: str
    standings: list[StandingOut]
    combined: float | None = Field(description="Combined index (docs/rankings.md)")


class TallyOut(BaseModel):
    asked: int
    started: int
    submitted: int
    coverage: float | None = Field(description="submitted ÷ asked, 0–1")


class CoverageRowOut(BaseModel):
    area_id: int
    code: str
    name: str
    area_level: str
    active: int
    started: int
    finished: int
    coverage: float | None = Field(description="finished ÷ active, 0–1")
    questionnaires: dict[str, TallyOut]


class CoverageOut(BaseModel):
    wave: str
    level: str
    whole_scope: bool = Field(description="False when the account sees only some areas")
    rows: list[CoverageRowOut]
    provinces: list[CoverageRowOut]


class RankingRowOut(BaseModel):
    area_id: int
    code: str
    name: str
    area_level: str
    former_districts: str | None = Field(description="A commune's former districts")
    asked: int
    responses: int = Field(description="Cooperatives with a score")
    measured: int = Field(description="Of those, with a value of the ranked measure")
    coverage: float | None
    mean: float | None = Field(description="Mean of the ranked measure")
    sd: float | None
    ci_low: float | None = Field(description="95% t-interval of the mean, lower bound")
    ci_high: float | None
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    overall_mean: float | None
    dimensions: dict[str, float]
    levels: dict[str, int]
    rank: int | None = Field(description="Competition rank; null when too few responses")
    rank_best: int | None = Field(description="Best rank the intervals allow")
    rank_worst: int | None = Field(description="Worst rank the intervals allow")
    too_few: bool
    previous_mean: float | None
    change: float | None


class RankingOut(BaseModel):
    wave: str
    previous_wave: str | None
    questionnaire: str
    measure: str = Field(description="overall, or the dimension ranked by")
    level: str
    minimum_responses: int
    whole_scope: bool
    rows: list[RankingRowOut]
    provinces: list[RankingRowOut]


@router.get("/areas", response_model=list[AreaOut])
def list_areas(
    session: DbSession,
    user: CurrentUser,
    level: Annotated[
        str | None,
        Query(description="province, commune, former-district or former-ward"),
    ] = None,
) -> list[AreaOut]:
    """Both area trees (public reference data)."""
    wanted = areas.LEVEL_NAMES.get(level) if level else None
    if level and wanted is None:
        raise Invalid(N_("No area level '%(level)s'."), level=level)
    return [
        AreaOut(id=a.id, code=a.code, name=a.name, level=a.level, parent_id=a.parent_id)
        for a in areas.list_areas(session, level=wanted)
    ]


def _paged(request: Request, response: Response, *, page: int, size: int, total: int) -> None:
    """The total in X-Total-Count, and links to the next and previous pages (RFC 8288)."""
    response.headers["X-Total-Count"] = str(total)
    links = []
    if page * size < total:
        links.append(f'<{request.url.include_query_params(page=page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{request.url.include_query_params(page=page - 1)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)


PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1")]
PageSize = Annotated[
    int, Query(ge=1, le=API_MAX_SIZE, description="Items per page; X-Total-Count gives the total")
]


@router.get("/cooperatives", response_model=list[CooperativeOut])
def list_cooperatives(
    request: Request,
    response: Response,
    session: DbSession,
    user: CurrentUser,
    area_id: int | None = None,
    page: PageNumber = 1,
    size: PageSize = MAX_SIZE,
) -> list[CooperativeOut]:
    """The cooperatives this account may see (a manager: their own), by name, one page at a time."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    area_ids = areas.descendant_ids(session, area_ids=[area_id]) if area_id else None
    query = cooperatives.cooperatives_query(visible=visible, area_ids=area_ids)
    rows, total = paginate(session, query, page=page, size=size)
    _paged(request, response, page=page, size=size, total=total)
    return [
        CooperativeOut(
            id=c.id,
            registration_code=c.registration_code,
            name=c.name,
            area_id=a.id,
            area_name=a.name,
            commune_id=a.id if a.level == AreaLevel.COMMUNE else None,
            former_district_id=c.former_district_id,
            sector=c.sector,
            status=c.status,
        )
        for c, a in rows
    ]


@router.get("/scores", response_model=list[ScoresOut])
def scores(
    request: Request,
    response: Response,
    session: DbSession,
    user: CurrentUser,
    wave: str | None = None,
    cooperative_id: int | None = None,
    page: PageNumber = 1,
    size: PageSize = MAX_SIZE,
) -> list[ScoresOut]:
    """Stored scores per visible cooperative with a submission in a wave (default: the open or
    latest wave), one page at a time."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    query = cooperatives.cooperatives_query(visible=visible).where(
        Cooperative.id.in_(
            select(SubmittedResponse.cooperative_id).where(scope.current(choice.wave.id))
        )
    )
    if cooperative_id is not None:
        query = query.where(Cooperative.id == cooperative_id)
    rows, total = paginate(session, query, page=page, size=size)
    _paged(request, response, page=page, size=size, total=total)
    ids = [c.id for c, _ in rows]
    dimensions = dimension_keys(session, wave_id=choice.wave.id)
    table = cooperative_scores(
        session,
        wave_id=choice.wave.id,
        subjects=choice.subjects,
        cooperatives=select(Cooperative.id).where(Cooperative.id.in_(ids)),
        dimensions=dimensions,
    )
    answer = []
    for cooperative, _ in rows:
        entry = table.get(cooperative.id)
        if entry is None:
            continue
        answer.append(
            ScoresOut(
                cooperative_id=cooperative.id,
                registration_code=cooperative.registration_code,
                name=cooperative.name,
                wave=choice.wave.key,
                standings=[
                    StandingOut(
                        questionnaire=key,
                        overall=s.overall,
                        level=s.level,
                        product_id=s.product_id,
                        product_name=s.product_name,
                        dimensions=by_dimension(dimensions[key], s.dimensions),
                    )
                    for key, s in entry.by_key.items()
                ],
                combined=entry.combined,
            )
        )
    return answer


def _coverage_row(row: coverage_report.CoverageRow) -> CoverageRowOut:
    return CoverageRowOut(
        area_id=row.area_id,
        code=row.code,
        name=row.name,
        area_level=row.area_level,
        active=row.active,
        started=row.started,
        finished=row.finished,
        coverage=row.coverage,
        questionnaires={
            k: TallyOut(
                asked=t.asked, started=t.started, submitted=t.submitted, coverage=t.coverage
            )
            for k, t in row.by_key.items()
        },
    )


@router.get("/coverage", response_model=CoverageOut)
def coverage(
    session: DbSession,
    user: ReportReader,
    wave: str | None = None,
    by: Annotated[str | None, Query(description=BY)] = None,
    level: Annotated[str | None, Query(description="Older name of `by`")] = None,
) -> CoverageOut:
    """Response coverage per area and per province (counts only, no contacts)."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    grouping = scope.choose_level(session, asked=by or level, visible=visible)
    report = coverage_report.coverage(session, choice=choice, visible=visible, level=grouping)
    return CoverageOut(
        wave=choice.wave.key,
        level=grouping,
        whole_scope=report.whole_scope,
        rows=[_coverage_row(r) for r in report.rows],
        provinces=[_coverage_row(r) for r in report.provinces],
    )


def _ranking_row(row: rankings_report.RankingRow) -> RankingRowOut:
    return RankingRowOut(
        area_id=row.area_id,
        code=row.code,
        name=row.name,
        area_level=row.area_level,
        former_districts=row.former_districts,
        asked=row.asked,
        responses=row.responses,
        measured=row.measured,
        coverage=row.coverage,
        mean=row.mean,
        sd=row.sd,
        ci_low=row.low,
        ci_high=row.high,
        median=row.median,
        q1=row.q1,
        q3=row.q3,
        iqr=row.iqr,
        overall_mean=row.overall_mean,
        dimensions=row.dimensions,
        levels=row.levels,
        rank=row.rank,
        rank_best=row.rank_best,
        rank_worst=row.rank_worst,
        too_few=row.too_few,
        previous_mean=row.previous_mean,
        change=row.change,
    )


@router.get("/rankings", response_model=RankingOut)
def rankings(
    session: DbSession,
    user: ReportReader,
    wave: str | None = None,
    questionnaire: str | None = None,
    by: Annotated[str | None, Query(description=BY)] = None,
    level: Annotated[str | None, Query(description="Older name of `by`")] = None,
    sort: str | None = None,
) -> RankingOut:
    """A wave's ranking of one questionnaire, or of the combined index, by area."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    grouping = scope.choose_level(session, asked=by or level, visible=visible)
    keys = rankings_report.ranking_keys(choice)
    key = questionnaire or (keys[0] if keys else "")
    report = rankings_report.ranking(
        session, choice=choice, key=key, level=grouping, sort=sort, visible=visible
    )
    return RankingOut(
        wave=choice.wave.key,
        previous_wave=choice.previous.key if choice.previous else None,
        questionnaire=key,
        measure=report.measure,
        level=grouping,
        minimum_responses=report.minimum,
        whole_scope=report.whole_scope,
        rows=[_ranking_row(r) for r in report.rows],
        provinces=[_ranking_row(r) for r in report.provinces],
    )
