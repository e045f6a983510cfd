"""The dashboard (the Steering Committee's home), its list of inactive cooperatives, and the
quarterly report draft it downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.permissions import Capability, can
from app.advice.service import today
from app.documents import charts
from app.documents import downloads as documents
from app.errors import NotFound
from app.messages import N_
from app.reports import dashboard as dashboard_report
from app.reports import scope
from app.web.deps import DbSession, ReportReader
from app.web.i18n import pick
from app.web.templating import render, request_locale

router = APIRouter(include_in_schema=False)


def level_chart(figures: dashboard_report.QuestionnaireFigures, *, locale: str) -> str:
    """The distribution of levels as bars of their share of all scored, as SVG."""
    colours = charts.level_colours(len(figures.levels))
    bars = tuple(
        charts.Bar(
            pick(count.title, locale),
            None if count.share is None else count.share * 100,
            f"{count.count}",
            colour,
        )
        for count, colour in zip(figures.levels, colours, strict=True)
    )
    title = pick(figures.title, locale)
    return charts.svg(charts.BarChart(title, bars), compact=True)


def show_dashboard(
    request: Request,
    session: DbSession,
    user: User,
    *,
    wave: str | None,
    questionnaire: str | None,
    level: str | None,
) -> Response:
    """The dashboard page for a wave; also the steering role's home page."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    level = scope.choose_level(session, asked=level, visible=visible)
    found = dashboard_report.dashboard(session, choice=choice, level=level, visible=visible)
    chosen = found.questionnaire(questionnaire or "") or (
        found.questionnaires[0] if found.questionnaires else None
    )
    locale = request_locale(request)
    return render(
        request,
        "dashboard/index.html",
        {
            "board": found,
            "chosen": chosen,
            "filters": {"choice": choice, "key": chosen.key if chosen else "", "level": level},
            "levels": scope.available_levels(session, visible=visible),
            "level_charts": {q.key: level_chart(q, locale=locale) for q in found.questionnaires},
            "staff": can(user, Capability.ADVISE),
        },
    )


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    session: DbSession,
    user: ReportReader,
    wave: str | None = None,
    questionnaire: str | None = None,
    level: str | None = None,
) -> Response:
    return show_dashboard(
        request, session, user, wave=wave, questionnaire=questionnaire, level=level
    )


@router.get("/dashboard/inactive")
def inactive_page(
    request: Request, session: DbSession, user: ReportReader, wave: str | None = None
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    rows, total = dashboard_report.inactive_list(session, choice=choice, visible=visible)
    return render(
        request,
        "dashboard/inactive.html",
        {"choice": choice, "rows": rows, "total": total, "staff": can(user, Capability.ADVISE)},
    )


@router.get("/dashboard/report.{fmt}")
def report_download(
    request: Request,
    session: DbSession,
    user: ReportReader,
    fmt: str,
    wave: str | None = None,
    level: str | None = None,
) -> Response:
    if fmt not in documents.DOCUMENT_FORMATS:
        raise NotFound(N_("No such format."))
    visible = accounts.accessible_cooperative_ids(session, user=user)
    choice = scope.choose_wave(session, wave_key=wave)
    by = scope.choose_level(session, asked=level, visible=visible)
    document = documents.report_document(
        session,
        choice=choice,
        visible=visible,
        fmt=fmt,
        level=by,
        settings=request.app.state.settings,
        today=today(),
        actor=user,
        via="web",
        ip_address=request.client.host if request.client else None,
    )
    return Response(
        document.body,
        media_type=document.media_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )
