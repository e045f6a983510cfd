"""Coverage, rankings, district pages and their downloads: the Alliance and the Steering Committee.

Managers have none of these pages: their result page already compares them with their district
and the province. Steering reads figures but never contacts or answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.permissions import Capability, can
from app.advice.service import today
from app.areas.models import AreaLevel
from app.cooperatives import service as cooperatives
from app.cooperatives.vocabulary import STATUSES
from app.errors import Forbidden
from app.messages import N_
from app.paging import MAX_SIZE, page_of
from app.reports import answers, districts, downloads, scope
from app.reports import coverage as coverage_report
from app.reports import rankings as rankings_report
from app.reports.map import AreaMap, area_map, drawn_rows
from app.reports.statistics import MINIMUM_RESPONSES
from app.validation import OptionalId
from app.web.deps import DbSession, ReportReader, get_db
from app.web.templating import is_htmx, render, request_locale

router = APIRouter(include_in_schema=False)


def days_left(closes_on: dt.date | None) -> int | None:
    """Whole days from today (in Vietnam) to a wave's deadline; negative once it has passed."""
    if closes_on is None:
        return None
    return (closes_on - today()).days


def _link(path: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def _paged(path: str, **params: Any) -> str:
    """The list's link with its filters, ready for the pager to add "page=N"."""
    link = _link(path, **params)
    return link + ("&" if "?" in link else "?")


# Bars a chart shows at most: beyond that the highest and lowest ranked areas are drawn and
# the table below lists them all. A chart of 700 districts would be 17,000 pixels tall.
CHART_BARS = 30


def bar_chart(
    rows: list[rankings_report.RankingRow], provinces: list[rankings_report.RankingRow]
) -> dict[str, Any]:
    """Bars with their 95% intervals, as numbers for a server-drawn SVG (0–100 scale).

    `rows` come in rank order. Past CHART_BARS areas, the chart keeps the highest and the
    lowest ranked halves and says how many areas lie between them.
    """
    bars: list[dict[str, Any]] = [
        {
            "name": f"{row.name}, {row.province}" if row.province else row.name,
            "mean": row.mean,
            "low": row.low,
            "high": row.high,
            "ranked": not row.too_few,
        }
        for row in rows
        if row.mean is not None
    ]
    omitted = 0
    if len(bars) > CHART_BARS:
        ranked = [b for b in bars if b["ranked"]]
        half = CHART_BARS // 2
        if len(ranked) > CHART_BARS:
            omitted = len(ranked) - CHART_BARS
            bars = [*ranked[:half], {"gap": omitted}, *ranked[-half:]]
        else:
            omitted = len(bars) - CHART_BARS
            bars = bars[:CHART_BARS]
    # One province's mean as a reference line; across several there is no single one to draw.
    province = provinces[0].mean if len(provinces) == 1 else None
    return {
        "bars": bars,
        "omitted": omitted,
        "shown": sum(1 for b in bars if "gap" not in b),
        "areas": len(rows),
        "province": province,
        "height": 24 * len(bars) + 40,
    }


def _ranking_map(session: Session, report: rankings_report.Ranking) -> AreaMap | None:
    """The ranking's map: its areas, or its provinces when it spans several."""
    rows, by_province = drawn_rows(report.rows, report.provinces)
    return area_map(
        session,
        rows=rows,
        counts=[r.asked for r in rows],
        means=[r.mean for r in rows],
        ranked=[not r.too_few for r in rows],
        by_province=by_province,
    )


def _coverage_map(session: Session, report: coverage_report.CoverageReport) -> AreaMap | None:
    """Coloured by coverage: an area with fewer active cooperatives than a ranking needs is
    grey, as on the rankings' map."""
    rows, by_province = drawn_rows(report.rows, report.provinces)
    return area_map(
        session,
        rows=rows,
        counts=[r.active for r in rows],
        means=[100 * r.coverage if r.coverage is not None else None for r in rows],
        ranked=[r.active >= MINIMUM_RESPONSES for r in rows],
        by_province=by_province,
    )


@router.get("/reports/rankings")
def rankings_page(
    request: Request,
    session: DbSession,
    user: ReportReader,
    wave: str | None = None,
    questionnaire: str | None = None,
    level: str | None = None,
    sort: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    levels = scope.available_levels(session, visible=visible)
    by = scope.choose_level(session, asked=level, visible=visible)
    keys = rankings_report.ranking_keys(choice)
    key = questionnaire or (keys[0] if keys else "")
    report = rankings_report.ranking(
        session, choice=choice, key=key, level=by, sort=sort, visible=visible
    )

    def sort_link(measure: str) -> str:
        return _link(
            "/reports/rankings", wave=choice.wave.key, questionnaire=key, level=by, sort=measure
        )

    # The ranks need every area, so the table pages the ranked list: 3,321 communes in one
    # table would be megabytes of HTML. The chart and the map still show the whole picture.
    rows, shown = page_of(report.rows, page=page, size=MAX_SIZE)
    context = {
        "report": report,
        "rows": rows,
        "page": shown,
        "page_link": _paged(
            "/reports/rankings",
            wave=choice.wave.key,
            questionnaire=key,
            level=by,
            sort=report.measure,
        ),
        "keys": keys,
        "levels": levels,
        "titles": choice.titles | {"combined": rankings_report.COMBINED_TITLE},
        "chart": bar_chart(report.rows, report.provinces),
        "map": _ranking_map(session, report),
        "sort_link": sort_link,
        "export": {
            "wave": choice.wave.key,
            "questionnaire": key,
            "level": by,
            "sort": report.measure,
        },
        "can_export_answers": can(user, Capability.ADVISE) and key in choice.subjects,
        "district_link": lambda area_id: _link(
            f"/districts/{area_id}", wave=choice.wave.key, questionnaire=key
        ),
    }
    if is_htmx(request):
        return render(request, "reports/rankings.html", context, block="ranking")
    return render(request, "reports/rankings.html", context)


@router.get("/reports/coverage")
def coverage_page(
    request: Request,
    session: DbSession,
    user: ReportReader,
    wave: str | None = None,
    level: str | None = None,
    district: OptionalId = None,
    contact: coverage_report.ContactFilter = "all",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    by = scope.choose_level(session, asked=level, visible=visible)
    report = coverage_report.coverage(session, choice=choice, visible=visible, level=by)
    chase = None
    if can(user, Capability.ADVISE):
        chase = coverage_report.chase_list(
            session,
            choice=choice,
            visible=visible,
            district_id=district,
            contact=contact,
            page=page,
        )

    page_link = _paged(
        "/reports/coverage", wave=choice.wave.key, level=by, district=district, contact=contact
    )

    return render(
        request,
        "reports/coverage.html",
        {
            "report": report,
            "chase": chase,
            "district": district,
            "contact": contact,
            "days_left": days_left(choice.wave.closes_on),
            "portal_url": str(request.base_url).rstrip("/"),
            "levels": scope.available_levels(session, visible=visible),
            "communes": cooperatives.areas_in_use(
                session, level=AreaLevel.COMMUNE, visible=visible
            ),
            "districts": cooperatives.areas_in_use(
                session, level=AreaLevel.FORMER_DISTRICT, visible=visible
            ),
            "page_link": page_link,
            "export": {"wave": choice.wave.key, "level": by},
            "map": _coverage_map(session, report),
        },
    )


@router.get("/districts/{area_id}")
def district_page(
    request: Request,
    session: DbSession,
    user: ReportReader,
    area_id: int,
    wave: str | None = None,
    questionnaire: str | None = None,
    sector: str | None = None,
    level: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    area = districts.get_district(session, area_id=area_id, visible=visible)
    choice = scope.choose_wave(session, wave_key=wave)
    keys = rankings_report.ranking_keys(choice)
    key = questionnaire or (keys[0] if keys else "")
    chosen_status = None if status == "all" else (status or "active")
    report = districts.district_report(
        session,
        area=area,
        choice=choice,
        key=key,
        visible=visible,
        sector=sector or None,
        level=level or None,
        status=chosen_status,
        page=page,
    )

    page_link = _paged(
        f"/districts/{area.id}",
        wave=choice.wave.key,
        questionnaire=key,
        sector=sector,
        level=level,
        status=status,
    )

    return render(
        request,
        "reports/district.html",
        {
            "report": report,
            "keys": keys,
            "titles": choice.titles | {"combined": rankings_report.COMBINED_TITLE},
            "filters": {
                "sector": sector or "",
                "level": level or "",
                "status": status or "active",
            },
            "statuses": list(STATUSES),
            "page_link": page_link,
            "link_profiles": can(user, Capability.ADVISE),
            "rankings_link": _link("/reports/rankings", wave=choice.wave.key, questionnaire=key),
        },
    )


@router.post("/reports/export")
def export(
    request: Request,
    session: DbSession,
    user: ReportReader,
    what: Annotated[downloads.What, Form()],
    fmt: Annotated[downloads.Format, Form(alias="format")] = "csv",
    wave: Annotated[str | None, Form()] = None,
    questionnaire: Annotated[str | None, Form()] = None,
    level: Annotated[str | None, Form()] = None,
    sort: Annotated[str | None, Form()] = None,
    district: Annotated[OptionalId, Form()] = None,
    contact: Annotated[coverage_report.ContactFilter, Form()] = "all",
    values: Annotated[Literal["labels", "codes"], Form()] = "labels",
) -> Response:
    if what in downloads.PERSONAL and not can(user, Capability.ADVISE):
        raise Forbidden(N_("Your account may not download individual cooperatives' data."))
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    wanted = downloads.ExportRequest(
        what=what,
        fmt=fmt,
        key=questionnaire or None,
        level=scope.choose_level(session, asked=level, visible=visible),
        sort=sort,
        district_id=district,
        contact=contact,
        locale=request_locale(request),
        labels=values == "labels",
    )
    download = downloads.export(
        session,
        choice=choice,
        request=wanted,
        visible=visible,
        actor=user,
        via="web",
        ip_address=request.client.host if request.client else None,
    )
    headers = {
        "content-disposition": f"attachment; filename*=UTF-8''{quote(download.filename)}",
        "cache-control": "no-store",
    }
    if download.body is not None:
        return Response(download.body, media_type=download.media_type, headers=headers)
    assert download.columns is not None
    assert wanted.key is not None
    return StreamingResponse(
        answers.stream_answers(
            get_db(request).snapshot_sessions,
            choice=choice,
            key=wanted.key,
            visible=visible,
            columns=download.columns,
            labels=download.labels,
        ),
        media_type=download.media_type,
        headers=headers,
    )
