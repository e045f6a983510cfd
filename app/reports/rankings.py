"""Rankings of stored scores by commune, former district or province, honest about small numbers.

Counts, sums and sums of squares come from SQL over the stored scores; the t-interval, ranks and
rank ranges are worked out from them (app.reports.statistics). Median and quartiles are taken
from the per-cooperative stored scores of the one wave shown. docs/rankings.md
explains every definition. A ranking of every cooperative is the same for every reader until
the data changes, and is remembered until then (app.reports.remembered).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import quantiles
from typing import NamedTuple

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from app.areas.models import AreaLevel
from app.areas.service import former_districts_of
from app.errors import NotFound
from app.messages import N_
from app.reports.remembered import remembered
from app.reports.scope import (
    GroupLevel,
    WaveChoice,
    area_names,
    current,
    every_cooperative,
    population,
    products_per_cooperative,
    sees_everything,
)
from app.reports.scores import COMBINED, Measures, measures
from app.reports.statistics import (
    MINIMUM_RESPONSES,
    competition_ranks,
    mean_interval,
    rank_ranges,
)
from app.responses import service as responses
from app.responses.models import Response
from app.surveys import service as surveys

OVERALL = "overall"
COMBINED_TITLE = {"vi": "Chỉ số tổng hợp", "en": "Combined index"}


@dataclass(frozen=True)
class Label:
    """A dimension or level key with its {vi, en} title."""

    key: str
    title: dict[str, str]


@dataclass
class RankingRow:
    """One area's figures for the ranked measure (the overall score or one dimension)."""

    area_id: int
    code: str
    name: str
    area_level: str
    asked: int
    responses: int  # cooperatives with a score
    measured: int = 0  # of those, with a value of the ranked measure (fewer for a component)
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    overall_mean: float | None = None
    dimensions: dict[str, float] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    rank: int | None = None
    rank_best: int | None = None
    rank_worst: int | None = None
    previous_mean: float | None = None
    too_few: bool = True
    # The province an area lies in, named when the ranking spans several: district names
    # repeat across the country.
    province: str | None = None
    # For a 2025 commune: the former districts its wards came from, for the 2023 baselines.
    former_districts: str | None = None

    @property
    def coverage(self) -> float | None:
        return self.responses / self.asked if self.asked else None

    @property
    def iqr(self) -> float | None:
        return self.q3 - self.q1 if self.q1 is not None and self.q3 is not None else None

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean

    @property
    def rank_uncertain(self) -> bool:
        return self.rank_best is not None and self.rank_best != self.rank_worst


@dataclass(frozen=True)
class Ranking:
    choice: WaveChoice
    key: str
    title: dict[str, str]
    level: GroupLevel
    measure: str  # "overall" or a dimension key
    dimensions: list[Label]
    levels: list[Label]
    levels_count_products: bool
    rows: list[RankingRow]
    provinces: list[RankingRow]
    minimum: int
    whole_scope: bool
    # The questionnaire version ranked, by key; and where the previous wave asked another
    # version, (its version, this wave's), since its change is then not like for like.
    versions: dict[str, str] = field(default_factory=dict)
    version_changes: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def measure_title(self) -> dict[str, str] | None:
        """The ranked dimension's title (None for the overall score)."""
        return next((d.title for d in self.dimensions if d.key == self.measure), None)

    @property
    def ranked(self) -> int:
        return sum(1 for r in self.rows if r.rank is not None)


def ranking_keys(choice: WaveChoice) -> list[str]:
    """What can be ranked in a wave: each questionnaire, then the combined index."""
    keys = list(choice.subjects)
    return [*keys, COMBINED] if len(keys) > 1 else keys


def labels(session: Session, *, choice: WaveChoice, key: str) -> tuple[list[Label], list[Label]]:
    """The dimensions and levels of a questionnaire as the wave asks it."""
    if key == COMBINED:
        return [Label(k, choice.titles[k]) for k in choice.subjects], []
    version = responses.wave_version(session, wave_id=choice.wave.id, key=key)
    definition = surveys.definition(version)
    dimensions = [Label(d.key, {"vi": d.title.vi, "en": d.title.en}) for d in definition.dimensions]
    levels = [Label(lv.key, {"vi": lv.label.vi, "en": lv.label.en}) for lv in definition.levels]
    return dimensions, levels


Sums = tuple[int, float, float]  # count, sum, sum of squares
# Every query groups by both the area and its province, so one pass gives the area rows and,
# by adding counts and sums up, the province rows.
GROUPS = ("unit_id", "province_id")


def _add(into: dict[int, Sums], key: int | None, n: int, total: float, squares: float) -> None:
    if key is None:
        return
    had = into.get(key, (0, 0.0, 0.0))
    into[key] = (had[0] + n, had[1] + total, had[2] + squares)


def _quartiles(values: list[tuple[int | None, float]]) -> dict[int, tuple[float, float, float]]:
    """First quartile, median and third quartile of the scores per area id, by linear
    interpolation (type 7, as spreadsheets compute them).

    Plain Python, not pandas: 2× faster at national scale, without a 0.5 s import
    (`python -m bench.tabular`, docs/architecture.md).
    """
    by_area: dict[int, list[float]] = defaultdict(list)
    for area_id, score in values:
        if area_id is not None:
            by_area[area_id].append(score)
    found = {}
    for area_id, scores in by_area.items():
        if len(scores) == 1:
            found[area_id] = (scores[0], scores[0], scores[0])
        else:
            q1, median, q3 = quantiles(scores, n=4, method="inclusive")
            found[area_id] = (q1, median, q3)
    return found


@dataclass
class _Grouped:
    """Per area and per province: rows under construction."""

    units: dict[int, RankingRow] = field(default_factory=dict)
    provinces: dict[int, RankingRow] = field(default_factory=dict)

    def both(self, unit_id: int | None, province_id: int | None) -> list[RankingRow]:
        found = [self.units.get(unit_id) if unit_id else None]
        found.append(self.provinces.get(province_id) if province_id else None)
        return [r for r in found if r is not None]


def _figures(
    session: Session,
    *,
    choice: WaveChoice,
    key: str,
    found: Measures,
    pop: Subquery,
    measure: str,
) -> _Grouped:
    """Every figure but ranks and the previous wave's mean, per area and per province."""
    unit, province = pop.c.unit_id, pop.c.province_id
    products = products_per_cooperative()
    grouped = _Grouped()
    province_of: dict[int, int] = {}
    for unit_id, province_id, active, owning in session.execute(
        select(unit, province, func.count(), func.count(products.c.cooperative_id))
        .select_from(pop)
        .outerjoin(products, products.c.cooperative_id == pop.c.cooperative_id)
        .group_by(unit, province)
    ):
        asked = owning if choice.subjects.get(key) == "product" else active
        if unit_id is not None and province_id is not None:
            province_of[unit_id] = province_id
        for target, area_id in ((grouped.units, unit_id), (grouped.provinces, province_id)):
            if area_id is None:
                continue
            row = target.setdefault(area_id, RankingRow(area_id, "", "", "", asked=0, responses=0))
            row.asked += asked

    overall = found.overall
    score = overall.c.score
    totals: dict[str, dict[int, Sums]] = {g: {} for g in GROUPS}
    for unit_id, province_id, n, total, squares in session.execute(
        select(unit, province, func.count(score), func.sum(score), func.sum(score * score))
        .select_from(pop)
        .join(overall, overall.c.cooperative_id == pop.c.cooperative_id)
        .group_by(unit, province)
    ):
        _add(totals["unit_id"], unit_id, int(n), float(total or 0), float(squares or 0))
        _add(totals["province_id"], province_id, int(n), float(total or 0), float(squares or 0))
    dims = found.dimensions
    by_dimension: dict[str, dict[str, dict[int, Sums]]] = {g: defaultdict(dict) for g in GROUPS}
    for unit_id, province_id, dimension_key, n, total, squares in session.execute(
        select(
            unit,
            province,
            dims.c.dimension_key,
            func.count(dims.c.score),
            func.sum(dims.c.score),
            func.sum(dims.c.score * dims.c.score),
        )
        .select_from(pop)
        .join(dims, dims.c.cooperative_id == pop.c.cooperative_id)
        .group_by(unit, province, dims.c.dimension_key)
    ):
        sums = (int(n), float(total or 0), float(squares or 0))
        _add(by_dimension["unit_id"][dimension_key], unit_id, *sums)
        _add(by_dimension["province_id"][dimension_key], province_id, *sums)

    if measure == OVERALL:
        values_query = select(unit, province, score).join(
            overall, overall.c.cooperative_id == pop.c.cooperative_id
        )
    else:
        values_query = select(unit, province, dims.c.score).join(
            dims,
            (dims.c.cooperative_id == pop.c.cooperative_id) & (dims.c.dimension_key == measure),
        )
    values = [
        (unit_id, province_id, float(value))
        for unit_id, province_id, value in session.execute(values_query.select_from(pop))
        if value is not None
    ]

    for group, rows in (("unit_id", grouped.units), ("province_id", grouped.provinces)):
        measured = totals[group] if measure == OVERALL else by_dimension[group].get(measure, {})
        quartiles = _quartiles([(v[0] if group == "unit_id" else v[1], v[2]) for v in values])
        for area_id, row in rows.items():
            n, total, _ = totals[group].get(area_id, (0, 0.0, 0.0))
            row.responses = n
            row.overall_mean = total / n if n else None
            for dimension_key, per_area in by_dimension[group].items():
                dn, dtotal, _ = per_area.get(area_id, (0, 0.0, 0.0))
                if dn:
                    row.dimensions[dimension_key] = dtotal / dn
            interval = mean_interval(*measured.get(area_id, (0, 0.0, 0.0)))
            row.measured = interval.n
            row.mean, row.sd = interval.mean, interval.sd
            row.low, row.high = interval.low, interval.high
            if area_id in quartiles:
                row.q1, row.median, row.q3 = quartiles[area_id]

    if key != COMBINED:
        if choice.subjects[key] == "product":
            level_query = (
                select(unit, province, Response.level, func.count())
                .select_from(pop)
                .join(Response, Response.cooperative_id == pop.c.cooperative_id)
                .where(current(choice.wave.id, key))
            )
        else:
            level_query = (
                select(unit, province, overall.c.level, func.count())
                .select_from(pop)
                .join(overall, overall.c.cooperative_id == pop.c.cooperative_id)
            )
        for unit_id, province_id, level_key, count in session.execute(
            level_query.group_by(unit, province, level_query.selected_columns[2])
        ):
            if level_key is None:
                continue
            for row in grouped.both(unit_id, province_id):
                row.levels[level_key] = row.levels.get(level_key, 0) + int(count)

    names = area_names(session, area_ids=set(grouped.units) | set(grouped.provinces))
    for row in [*grouped.units.values(), *grouped.provinces.values()]:
        area = names[row.area_id]
        row.code, row.name, row.area_level = area.code, area.name, area.level
    communes = [r for r in grouped.units.values() if r.area_level == AreaLevel.COMMUNE]
    before = former_districts_of(session, commune_ids=[r.area_id for r in communes])
    for row in communes:
        row.former_districts = ", ".join(before.get(row.area_id, [])) or None
    if len(grouped.provinces) > 1:
        for unit_id, row in grouped.units.items():
            if unit_id in province_of and province_of[unit_id] != unit_id:
                row.province = names[province_of[unit_id]].name
    return grouped


def _previous_means(
    session: Session, *, choice: WaveChoice, key: str, pop: Subquery, measure: str
) -> dict[str, dict[int, float]]:
    """The measure's mean per area and per province in the previous wave."""
    means: dict[str, dict[int, float]] = {g: {} for g in GROUPS}
    if choice.previous is None:
        return means
    versions = responses.wave_versions(session, wave_id=choice.previous.id)
    subjects = {k: v.subject for k, v in versions.items()}
    if (key != COMBINED and key not in subjects) or not subjects:
        return means
    found = measures(wave_id=choice.previous.id, key=key, subjects=subjects)
    unit, province = pop.c.unit_id, pop.c.province_id
    if measure == OVERALL:
        value = found.overall.c.score
        query = select(unit, province, func.count(value), func.sum(value)).join(
            found.overall, found.overall.c.cooperative_id == pop.c.cooperative_id
        )
    else:
        dims = found.dimensions
        query = select(unit, province, func.count(dims.c.score), func.sum(dims.c.score)).join(
            dims,
            (dims.c.cooperative_id == pop.c.cooperative_id) & (dims.c.dimension_key == measure),
        )
    sums: dict[str, dict[int, Sums]] = {g: {} for g in GROUPS}
    for unit_id, province_id, n, total in session.execute(
        query.select_from(pop).group_by(unit, province)
    ):
        _add(sums["unit_id"], unit_id, int(n), float(total or 0), 0.0)
        _add(sums["province_id"], province_id, int(n), float(total or 0), 0.0)
    for group in GROUPS:
        means[group] = {a: total / n for a, (n, total, _) in sums[group].items() if n}
    return means


def _rows(
    session: Session, *, choice: WaveChoice, key: str, pop: Subquery, measure: str
) -> _Grouped:
    found = measures(wave_id=choice.wave.id, key=key, subjects=choice.subjects)
    grouped = _figures(session, choice=choice, key=key, found=found, pop=pop, measure=measure)
    previous = _previous_means(session, choice=choice, key=key, pop=pop, measure=measure)
    for area_id, row in grouped.units.items():
        row.previous_mean = previous["unit_id"].get(area_id)
    for area_id, row in grouped.provinces.items():
        row.previous_mean = previous["province_id"].get(area_id)
    return grouped


def _rank(rows: list[RankingRow], minimum: int) -> list[RankingRow]:
    """Rank the areas with enough responses; the others follow, unranked."""
    eligible = [
        r for r in rows if r.measured >= minimum and r.mean is not None and r.low is not None
    ]
    chosen = {id(r) for r in eligible}
    for row in rows:
        row.too_few = id(row) not in chosen
    ranks = competition_ranks([r.mean for r in eligible if r.mean is not None])
    ranges = rank_ranges(
        [(r.low, r.high) for r in eligible if r.low is not None and r.high is not None]
    )
    for row, rank, (best, worst) in zip(eligible, ranks, ranges, strict=True):
        row.rank, row.rank_best, row.rank_worst = rank, best, worst
    ranked = sorted(eligible, key=lambda r: (r.rank or 0, r.name, r.code))
    rest = sorted(
        (r for r in rows if r.too_few),
        key=lambda r: (r.mean is None, -(r.mean or 0.0), r.name, r.code),
    )
    return ranked + rest


class _Ranked(NamedTuple):
    """What a ranking computes from the data (remembered while the data stays the same)."""

    rows: list[RankingRow]
    provinces: list[RankingRow]
    versions: dict[str, str]
    changes: dict[str, tuple[str, str]]


def ranking(
    session: Session,
    *,
    choice: WaveChoice,
    key: str,
    level: GroupLevel,
    sort: str | None,
    visible: Select[int],
    minimum: int = MINIMUM_RESPONSES,
) -> Ranking:
    """A wave's ranking of one questionnaire (or the combined index) by area."""
    if key not in ranking_keys(choice):
        raise NotFound(N_("This wave does not ask that questionnaire."))
    dimensions, levels = labels(session, choice=choice, key=key)
    measure = sort if sort in {d.key for d in dimensions} else OVERALL

    def compute() -> _Ranked:
        pop = population(visible, level=level).subquery("population")
        grouped = _rows(session, choice=choice, key=key, pop=pop, measure=measure)
        rows = _rank(list(grouped.units.values()), minimum)
        provinces: list[RankingRow] = []
        if level != "province":
            provinces = sorted(grouped.provinces.values(), key=lambda r: r.code)
            for row in provinces:
                row.too_few = row.measured < minimum
        versions, changes = _versions(session, choice=choice, key=key)
        return _Ranked(rows, provinces, versions, changes)

    if every_cooperative(visible):
        # Every cooperative's ranking is the same for every reader until the data changes.
        previous = choice.previous.id if choice.previous else None
        ranked = remembered(
            session,
            ("ranking", choice.wave.id, previous, key, level, measure, minimum),
            compute,
        )
    else:
        ranked = compute()
    rows, provinces, versions, changes = ranked
    return Ranking(
        choice=choice,
        key=key,
        title=COMBINED_TITLE if key == COMBINED else choice.titles[key],
        level=level,
        measure=measure,
        dimensions=dimensions,
        levels=levels,
        levels_count_products=key != COMBINED and choice.subjects[key] == "product",
        rows=rows,
        provinces=provinces,
        minimum=minimum,
        whole_scope=sees_everything(session, visible=visible),
        versions=versions,
        version_changes=changes,
    )


def _versions(
    session: Session, *, choice: WaveChoice, key: str
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The versions a ranking rests on, and those that differ from the previous wave's."""
    keys = list(choice.subjects) if key == COMBINED else [key]
    now = {
        k: v.version for k, v in responses.wave_versions(session, wave_id=choice.wave.id).items()
    }
    before: dict[str, str] = {}
    if choice.previous is not None:
        found = responses.wave_versions(session, wave_id=choice.previous.id)
        before = {k: v.version for k, v in found.items()}
    versions = {k: now[k] for k in keys if k in now}
    changes = {k: (before[k], v) for k, v in versions.items() if before.get(k, v) != v}
    return versions, changes
