"""The Steering Committee's dashboard: a wave's figures in one place, for the page and the report.

Every figure comes from the functions the other pages and the exports already use (coverage,
rankings, targeting), so the dashboard, the quarterly report drafted from it and the CSV/XLSX
exports of the same wave agree to the last digit. docs/dashboard.md defines each figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.advice.models import FollowUp
from app.advice.service import today
from app.areas.models import Area
from app.cooperatives.models import Cooperative, CooperativeStatus
from app.reports import coverage as coverage_report
from app.reports import rankings as rankings_report
from app.reports.coverage import CoverageReport, CoverageRow
from app.reports.rankings import Label, Ranking, RankingRow
from app.reports.scope import GroupLevel, WaveChoice, current
from app.responses import service as responses
from app.responses.models import Response
from app.surveys import service as surveys
from app.targeting import criteria as targeting
from app.targeting import queries as targeting_queries
from app.targeting.models import Shortlist, ShortlistEntry
from app.targets import service as targets
from app.targets.models import WaveTarget

# The levels of the dashboard's area tables: the 2025 communes, or the former districts that
# the 2023 baseline was collected by.
AREA_LEVELS: tuple[GroupLevel, ...] = ("former-district", "commune")


@dataclass(frozen=True)
class LevelCount:
    """How many scored subjects reached one level, and their share of all scored."""

    key: str
    title: dict[str, str]
    count: int
    share: float | None


@dataclass(frozen=True)
class QuestionnaireFigures:
    """One questionnaire of the wave: its ranking by area and the figures drawn from it."""

    key: str
    title: dict[str, str]
    counts_products: bool
    ranking: Ranking
    total: RankingRow | None  # the province; None when the scope spans several provinces
    levels: list[LevelCount]
    weakest: Label | None
    weakest_mean: float | None


@dataclass(frozen=True)
class FollowUps:
    """Follow-ups due in the wave's period: planned (all), done, and overdue."""

    planned: int
    done: int
    overdue: int
    since: dt.date
    until: dt.date | None


@dataclass(frozen=True)
class Inactive:
    """Cooperatives that look stopped: suspended in the registry, or silent two waves running."""

    suspended: int
    silent: int | None  # None: there is no previous wave to tell two silent waves


@dataclass(frozen=True)
class TargetProgress:
    """A target of the wave with how far the figures have come towards it."""

    target: WaveTarget
    questionnaire: dict[str, str] | None
    level: dict[str, str] | None
    reached: int
    of: int

    @property
    def share(self) -> float | None:
        return self.reached / self.of if self.of else None

    @property
    def met(self) -> bool:
        share = self.share
        return share is not None and share * 100 >= self.target.percent - 1e-9


@dataclass(frozen=True)
class Dashboard:
    choice: WaveChoice
    level: GroupLevel
    coverage: CoverageReport
    coverage_total: CoverageRow | None
    questionnaires: list[QuestionnaireFigures]
    models: int | None  # None: the wave lacks the questionnaires the model criteria need
    shortlisted: int
    follow_ups: FollowUps
    inactive: Inactive
    targets: list[TargetProgress]

    def questionnaire(self, key: str) -> QuestionnaireFigures | None:
        return next((q for q in self.questionnaires if q.key == key), None)


def _single(rows: list[RankingRow]) -> RankingRow | None:
    return rows[0] if len(rows) == 1 else None


def _figures(
    session: Session, *, choice: WaveChoice, key: str, level: GroupLevel, visible: Select[int]
) -> QuestionnaireFigures:
    ranking = rankings_report.ranking(
        session, choice=choice, key=key, level=level, sort=None, visible=visible
    )
    total = _single(ranking.provinces) if level != "province" else _single(ranking.rows)
    levels: list[LevelCount] = []
    weakest: Label | None = None
    weakest_mean: float | None = None
    if total is not None:
        scored = sum(total.levels.values())
        levels = [
            LevelCount(
                lv.key,
                lv.title,
                total.levels.get(lv.key, 0),
                total.levels.get(lv.key, 0) / scored if scored else None,
            )
            for lv in ranking.levels
        ]
        means = [
            (total.dimensions[d.key], d) for d in ranking.dimensions if d.key in total.dimensions
        ]
        if means:
            weakest_mean, weakest = min(means, key=lambda pair: pair[0])
    return QuestionnaireFigures(
        key=key,
        title=ranking.title,
        counts_products=ranking.levels_count_products,
        ranking=ranking,
        total=total,
        levels=levels,
        weakest=weakest,
        weakest_mean=weakest_mean,
    )


def _models(session: Session, *, choice: WaveChoice, visible: Select[int]) -> int | None:
    """Model candidates by the targeting page's default criteria (docs/targeting.md)."""
    found = targeting.search(session, kind="model", params={"wave": choice.wave.key})
    criteria = found.criteria
    if not isinstance(criteria, targeting.ModelCriteria):
        return None
    return len(targeting_queries.model_candidates(session, visible=visible, criteria=criteria))


def _shortlisted(session: Session, *, choice: WaveChoice, visible: Select[int]) -> int:
    """Cooperatives on at least one model shortlist saved for the wave."""
    return (
        session.scalar(
            select(func.count(func.distinct(ShortlistEntry.cooperative_id)))
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(
                Shortlist.kind == "model",
                Shortlist.wave_id == choice.wave.id,
                ShortlistEntry.cooperative_id.in_(visible),
            )
        )
        or 0
    )


def _period(choice: WaveChoice) -> tuple[dt.date, dt.date | None]:
    wave = choice.wave
    return wave.opens_on or wave.created_at.date(), wave.closes_on


def _follow_ups(session: Session, *, choice: WaveChoice, visible: Select[int]) -> FollowUps:
    since, until = _period(choice)
    query = select(
        func.count(),
        func.count(FollowUp.done_at),
        func.count().filter(FollowUp.done_at.is_(None), FollowUp.due_on < today()),
    ).where(FollowUp.cooperative_id.in_(visible), FollowUp.due_on >= since)
    if until is not None:
        query = query.where(FollowUp.due_on <= until)
    planned, done, overdue = session.execute(query).one()
    return FollowUps(int(planned), int(done), int(overdue), since, until)


def _silent(choice: WaveChoice) -> Select[int] | None:
    """Active cooperatives with no counted submission in this wave nor the one before."""
    if choice.previous is None:
        return None
    answered = select(Response.cooperative_id).where(
        or_(current(choice.wave.id), current(choice.previous.id))
    )
    return select(Cooperative.id).where(
        Cooperative.status == CooperativeStatus.ACTIVE, Cooperative.id.not_in(answered)
    )


def _inactive(session: Session, *, choice: WaveChoice, visible: Select[int]) -> Inactive:
    suspended = session.scalar(
        select(func.count())
        .select_from(Cooperative)
        .where(Cooperative.status == CooperativeStatus.SUSPENDED, Cooperative.id.in_(visible))
    )
    silent_ids = _silent(choice)
    silent = (
        None
        if silent_ids is None
        else session.scalar(
            select(func.count())
            .select_from(Cooperative)
            .where(Cooperative.id.in_(silent_ids), Cooperative.id.in_(visible))
        )
    )
    return Inactive(int(suspended or 0), None if silent is None else int(silent))


def _progress(
    session: Session,
    *,
    choice: WaveChoice,
    total: CoverageRow | None,
    figures: list[QuestionnaireFigures],
) -> list[TargetProgress]:
    found = []
    versions = responses.wave_versions(session, wave_id=choice.wave.id)
    for target in targets.list_targets(session, wave_id=choice.wave.id):
        if target.metric == "coverage":
            if total is not None:
                found.append(TargetProgress(target, None, None, total.finished, total.active))
            continue
        key, level_key = target.questionnaire_key or "", target.level_key or ""
        q = next((f for f in figures if f.key == key), None)
        if q is None or q.total is None or key not in versions:
            continue
        above = set(targeting.levels_from(surveys.definition(versions[key]), level_key))
        reached = sum(c.count for c in q.levels if c.key in above)
        # Product questionnaires count products: their share is of the products scored.
        of = sum(c.count for c in q.levels) if q.counts_products else q.total.asked
        title = next((c.title for c in q.levels if c.key == level_key), None)
        found.append(TargetProgress(target, q.title, title, reached, of))
    return found


def dashboard(
    session: Session, *, choice: WaveChoice, level: GroupLevel, visible: Select[int]
) -> Dashboard:
    """Every figure of the dashboard for a wave, over the cooperatives the viewer may see."""
    cover = coverage_report.coverage(session, choice=choice, visible=visible, level=level)
    cover_total = (
        (cover.provinces[0] if len(cover.provinces) == 1 else None)
        if level != "province"
        else (cover.rows[0] if len(cover.rows) == 1 else None)
    )
    figures = [
        _figures(session, choice=choice, key=key, level=level, visible=visible)
        for key in choice.subjects
    ]
    return Dashboard(
        choice=choice,
        level=level,
        coverage=cover,
        coverage_total=cover_total,
        questionnaires=figures,
        models=_models(session, choice=choice, visible=visible),
        shortlisted=_shortlisted(session, choice=choice, visible=visible),
        follow_ups=_follow_ups(session, choice=choice, visible=visible),
        inactive=_inactive(session, choice=choice, visible=visible),
        targets=_progress(session, choice=choice, total=cover_total, figures=figures),
    )


@dataclass(frozen=True)
class InactiveRow:
    cooperative_id: int
    registration_code: str
    name: str
    area: str
    status: str


def inactive_list(
    session: Session, *, choice: WaveChoice, visible: Select[int], limit: int = 500
) -> tuple[list[InactiveRow], int]:
    """The suspended and the silent cooperatives (as counted above), by area then name."""
    condition = Cooperative.status == CooperativeStatus.SUSPENDED
    silent_ids = _silent(choice)
    if silent_ids is not None:
        condition = or_(condition, Cooperative.id.in_(silent_ids))
    query = (
        select(Cooperative.id, Cooperative.registration_code, Cooperative.name, Area.name)
        .add_columns(Cooperative.status)
        .join(Area, Area.id == Cooperative.area_id)
        .where(condition, Cooperative.id.in_(visible))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Area.code, Cooperative.name).limit(limit)).all()
    return [InactiveRow(*row) for row in rows], total
