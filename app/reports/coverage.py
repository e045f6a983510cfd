"""Response coverage per wave and area, and the cooperatives still to chase.

A cooperative is asked every cooperative questionnaire of the wave, and each product
questionnaire when it has a registered product. It has *started* a questionnaire when any
response (draft or submitted) exists, and *submitted* it when a current submission exists (for
a product questionnaire: for at least one of its products). It has *finished* the wave when it
submitted everything it is asked. Only active cooperatives count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.areas.service import former_districts_of
from app.cooperatives.models import Cooperative
from app.paging import MAX_SIZE, Page, paginate
from app.reports.scope import (
    GroupLevel,
    WaveChoice,
    area_names,
    population,
    products_per_cooperative,
    sees_everything,
)
from app.responses import contacts
from app.responses.models import Response


@dataclass(frozen=True)
class Tally:
    """How many cooperatives are asked a questionnaire, started it and submitted it."""

    asked: int
    started: int
    submitted: int

    @property
    def coverage(self) -> float | None:
        return self.submitted / self.asked if self.asked else None


@dataclass
class CoverageRow:
    """One area (or the province) in a wave."""

    area_id: int
    code: str
    name: str
    area_level: str
    active: int
    started: int
    finished: int
    by_key: dict[str, Tally] = field(default_factory=dict)
    # For a 2025 commune: the former districts its wards came from.
    former_districts: str | None = None

    @property
    def coverage(self) -> float | None:
        return self.finished / self.active if self.active else None

    @property
    def not_started(self) -> int:
        return self.active - self.started

    @property
    def in_progress(self) -> int:
        return self.started - self.finished


@dataclass(frozen=True)
class CoverageReport:
    choice: WaveChoice
    level: GroupLevel
    rows: list[CoverageRow]
    provinces: list[CoverageRow]
    whole_scope: bool  # False: the user sees only some areas, totals cover those


def _progress(wave_id: int) -> Subquery:
    """cooperative_id, questionnaire_key, done (1 when a current submission exists)."""
    return (
        select(
            Response.cooperative_id.label("cooperative_id"),
            Response.questionnaire_key.label("questionnaire_key"),
            func.max(case((Response.counting, 1), else_=0)).label("done"),
        )
        .where(Response.wave_id == wave_id)
        .group_by(Response.cooperative_id, Response.questionnaire_key)
        .subquery("progress")
    )


def _per_cooperative(choice: WaveChoice) -> Subquery:
    """cooperative_id, cooperative_done, product_done: questionnaires submitted of each kind."""
    progress = _progress(choice.wave.id)
    cooperative_keys = [k for k, s in choice.subjects.items() if s != "product"]
    product_keys = [k for k, s in choice.subjects.items() if s == "product"]

    def done_of(keys: list[str]) -> ColumnElement[int]:
        if not keys:
            return func.sum(0)
        return func.sum(
            case((and_(progress.c.questionnaire_key.in_(keys), progress.c.done == 1), 1), else_=0)
        )

    return (
        select(
            progress.c.cooperative_id,
            done_of(cooperative_keys).label("cooperative_done"),
            done_of(product_keys).label("product_done"),
        )
        .group_by(progress.c.cooperative_id)
        .subquery("per_cooperative")
    )


def _finished(choice: WaveChoice, per: Subquery, products: Subquery) -> ColumnElement[bool]:
    cooperative_keys = sum(1 for s in choice.subjects.values() if s != "product")
    product_keys = sum(1 for s in choice.subjects.values() if s == "product")
    condition = per.c.cooperative_done == cooperative_keys
    if product_keys:
        condition = and_(
            condition,
            (products.c.cooperative_id.is_(None)) | (per.c.product_done == product_keys),
        )
    return and_(per.c.cooperative_id.is_not(None), condition)


def _tallies(
    session: Session, *, choice: WaveChoice, pop: Subquery, group: str
) -> dict[int, CoverageRow]:
    unit = pop.c[group]
    per = _per_cooperative(choice)
    products = products_per_cooperative()
    finished = _finished(choice, per, products)
    rows: dict[int, CoverageRow] = {}
    totals = session.execute(
        select(
            unit,
            func.count(),
            func.count(products.c.cooperative_id),
            func.count(per.c.cooperative_id),
            func.sum(case((finished, 1), else_=0)),
        )
        .select_from(pop)
        .outerjoin(per, per.c.cooperative_id == pop.c.cooperative_id)
        .outerjoin(products, products.c.cooperative_id == pop.c.cooperative_id)
        .where(unit.is_not(None))
        .group_by(unit)
    ).all()
    with_products: dict[int, int] = {}
    for unit_id, active, owning, started, done in totals:
        rows[unit_id] = CoverageRow(unit_id, "", "", "", active, started, int(done or 0))
        with_products[unit_id] = owning
    progress = _progress(choice.wave.id)
    per_key = session.execute(
        select(unit, progress.c.questionnaire_key, func.count(), func.sum(progress.c.done))
        .select_from(pop)
        .join(progress, progress.c.cooperative_id == pop.c.cooperative_id)
        .where(unit.is_not(None))
        .group_by(unit, progress.c.questionnaire_key)
    ).all()
    found = {(u, k): (int(s), int(d or 0)) for u, k, s, d in per_key}
    for unit_id, row in rows.items():
        for key, subject in choice.subjects.items():
            started, submitted = found.get((unit_id, key), (0, 0))
            asked = with_products[unit_id] if subject == "product" else row.active
            row.by_key[key] = Tally(asked, started, submitted)
    names = area_names(session, area_ids=set(rows))
    for unit_id, row in rows.items():
        area = names[unit_id]
        row.code, row.name, row.area_level = area.code, area.name, area.level
    before = former_districts_of(
        session, commune_ids=[u for u, r in rows.items() if r.area_level == AreaLevel.COMMUNE]
    )
    for unit_id, names_before in before.items():
        rows[unit_id].former_districts = ", ".join(names_before)
    return rows


def coverage(
    session: Session, *, choice: WaveChoice, visible: Select[int], level: GroupLevel
) -> CoverageReport:
    """Coverage of a wave per area at `level`, and per province, over the visible cooperatives."""
    pop = population(visible, level=level).subquery("population")
    rows = sorted(
        _tallies(session, choice=choice, pop=pop, group="unit_id").values(),
        key=lambda r: r.code,
    )
    provinces = (
        []
        if level == "province"
        else sorted(
            _tallies(session, choice=choice, pop=pop, group="province_id").values(),
            key=lambda r: r.code,
        )
    )
    return CoverageReport(choice, level, rows, provinces, sees_everything(session, visible=visible))


@dataclass(frozen=True)
class ChaseRow:
    """A cooperative that has not finished the wave, with whom to call."""

    cooperative_id: int
    registration_code: str
    name: str
    commune: str
    district: str  # the former district
    contact_name: str | None
    phone: str | None
    # questionnaire key -> not_started, in_progress, submitted, not_asked
    states: dict[str, str]
    contact: contacts.Contact | None = None  # the latest reminder in this wave

    @property
    def started(self) -> bool:
        return any(s in ("in_progress", "submitted") for s in self.states.values())

    @property
    def phone_digits(self) -> str:
        """The phone number as sms: and Zalo links want it: digits only (and a leading +)."""
        if not self.phone:
            return ""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return ("+" + digits) if self.phone.strip().startswith("+") else digits


@dataclass(frozen=True)
class ChaseList:
    rows: list[ChaseRow]
    page: Page

    @property
    def total(self) -> int:
        return self.page.total


ContactFilter = Literal["all", "not_contacted", "contacted", "answered"]


def chase_list(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    district_id: int | None = None,
    contact: ContactFilter = "all",
    page: int | None = 1,
    size: int = MAX_SIZE,
) -> ChaseList:
    """Active cooperatives that have not started or finished the wave, by area, then name.

    `district_id` narrows the list to one area: a 2025 commune or a former district. One page
    of `size` rows, or every row when `page` is None (a download). `contact` narrows it to those
    not reminded yet, or already reminded; "answered" lists instead the reminded ones that have
    since finished, to see what reminding achieved.
    """
    pop = population(visible, level="commune").subquery("population")
    per = _per_cooperative(choice)
    products = products_per_cooperative()
    commune = aliased(Area, name="commune_area")
    district = aliased(Area, name="former_district_area")
    query = (
        select(Cooperative, commune.name, district.name, products.c.cooperative_id.is_not(None))
        .join(pop, pop.c.cooperative_id == Cooperative.id)
        .outerjoin(commune, commune.id == pop.c.unit_id)
        .outerjoin(district, district.id == Cooperative.former_district_id)
        .outerjoin(per, per.c.cooperative_id == Cooperative.id)
        .outerjoin(products, products.c.cooperative_id == Cooperative.id)
    )
    reminded = Cooperative.id.in_(contacts.contacted(choice.wave.id))
    if contact == "answered":
        query = query.where(_finished(choice, per, products), reminded)
    else:
        query = query.where(~_finished(choice, per, products))
        if contact == "contacted":
            query = query.where(reminded)
        elif contact == "not_contacted":
            query = query.where(~reminded)
    if district_id is not None:
        query = query.where(
            (pop.c.unit_id == district_id) | (Cooperative.former_district_id == district_id)
        )
    ordered = query.order_by(commune.name, district.name, Cooperative.name, Cooperative.id)
    if page is None:
        found = list(session.execute(ordered))
        where = Page(number=1, size=max(len(found), 1), total=len(found))
    else:
        found, total = paginate(session, ordered, page=page, size=size)
        where = Page(number=page, size=size, total=total)
    progress = _progress(choice.wave.id)
    ids = [c.id for c, _, _, _ in found]
    done: dict[tuple[int, str], int] = {}
    if ids:
        for cid, key, flag in session.execute(
            select(progress).where(progress.c.cooperative_id.in_(ids))
        ).all():
            done[cid, key] = flag
    latest = contacts.last_contacts(session, wave_id=choice.wave.id, cooperative_ids=ids)
    rows = []
    for cooperative, commune_name, district_name, has_products in found:
        states = {}
        for key, subject in choice.subjects.items():
            if subject == "product" and not has_products:
                states[key] = "not_asked"
            elif (cooperative.id, key) not in done:
                states[key] = "not_started"
            else:
                states[key] = "submitted" if done[cooperative.id, key] else "in_progress"
        rows.append(
            ChaseRow(
                cooperative.id,
                cooperative.registration_code,
                cooperative.name,
                commune_name or "",
                district_name or "",
                cooperative.contact_name,
                cooperative.phone,
                states,
                latest.get(cooperative.id),
            )
        )
    return ChaseList(rows, where)
