"""The registry list advisors work from: search, filters, one page of cooperatives, and where
each stands in the current wave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area
from app.cooperatives.models import Cooperative
from app.cooperatives.service import in_areas
from app.paging import Page, paginate
from app.responses import service as responses
from app.responses.models import Response, Wave, WaveStatus
from app.search import contains

WaveState = Literal["answered", "draft", "not_started"]
WAVE_STATES: dict[str, tuple[str, str]] = {
    "answered": ("Đã nộp phiếu", "Answered"),
    "draft": ("Đang làm dở", "Draft"),
    "not_started": ("Chưa bắt đầu", "Not started"),
}
_ANSWERED, _DRAFT = 2, 1


@dataclass(frozen=True)
class RegistryRow:
    cooperative: Cooperative
    area: Area  # where it is registered: its 2025 commune, or its province until placed in one
    district: Area | None  # its former district, when known
    wave_state: WaveState | None  # None: there is no wave yet


@dataclass(frozen=True)
class Registry:
    rows: list[RegistryRow]
    page: Page
    wave: Wave | None


def current_wave(session: Session) -> Wave | None:
    """The wave the registry reports on: the open one, else the newest that is not a draft."""
    opened = responses.open_wave(session)
    if opened is not None:
        return opened
    return next((w for w in responses.list_waves(session) if w.status != WaveStatus.DRAFT), None)


def search(
    session: Session,
    *,
    visible: Select[int],
    text: str = "",
    area_ids: set[int] | None = None,
    sector: str = "",
    status: str = "",
    wave_state: WaveState | None = None,
    page: int = 1,
    size: int,
) -> Registry:
    """One page of the visible cooperatives matching the filters, by name then code."""
    wave = current_wave(session)
    parent = aliased(Area)
    # 2: a submission that counts, 1: only a draft; no row: nothing started.
    progress = (
        select(
            Response.cooperative_id.label("cooperative_id"),
            func.max(case((Response.counting, _ANSWERED), else_=_DRAFT)).label("state"),
        )
        .where(Response.wave_id == (wave.id if wave is not None else None))
        .group_by(Response.cooperative_id)
        .subquery("progress")
    )
    statement = (
        select(Cooperative, Area, parent, progress.c.state)
        .join(Area, Area.id == Cooperative.area_id)
        .outerjoin(parent, parent.id == Cooperative.former_district_id)
        .outerjoin(progress, progress.c.cooperative_id == Cooperative.id)
        .where(Cooperative.id.in_(visible))
    )
    if text.strip():
        statement = statement.where(
            or_(
                contains(Cooperative.name, text),
                contains(Cooperative.registration_code, text),
                contains(Area.name, text),
                contains(parent.name, text),
            )
        )
    if area_ids is not None:
        statement = statement.where(in_areas(area_ids))
    if sector:
        statement = statement.where(Cooperative.sector == sector)
    if status:
        statement = statement.where(Cooperative.status == status)
    if wave is not None and wave_state == "answered":
        statement = statement.where(progress.c.state == _ANSWERED)
    elif wave is not None and wave_state == "draft":
        statement = statement.where(progress.c.state == _DRAFT)
    elif wave is not None and wave_state == "not_started":
        statement = statement.where(progress.c.state.is_(None))
    statement = statement.order_by(Cooperative.name, Cooperative.registration_code, Cooperative.id)
    found, total = paginate(session, statement, page=page, size=size)
    rows = [
        RegistryRow(
            cooperative=row[0],
            area=row[1],
            district=row[2],
            wave_state=_state(row[3]) if wave is not None else None,
        )
        for row in found
    ]
    return Registry(rows=rows, page=Page(number=page, size=size, total=total), wave=wave)


def _state(value: int | None) -> WaveState:
    if value == _ANSWERED:
        return "answered"
    return "draft" if value == _DRAFT else "not_started"
