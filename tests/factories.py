"""Plain factory functions with readable defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative, Product
from app.responses import service as responses
from app.responses.models import Wave, WaveStatus
from app.surveys import service as surveys
from app.surveys.loader import load_file

PASSWORD = "correct horse battery staple"
MINI = Path(__file__).resolve().parent / "unit" / "fixtures" / "mini-1.yaml"
_counter = itertools.count(1)


def area(
    session: Session,
    *,
    code: str | None = None,
    name: str = "Chi Lăng",
    level: AreaLevel = AreaLevel.FORMER_DISTRICT,
    parent: Area | None = None,
) -> Area:
    if parent is None and level != AreaLevel.COUNTRY:
        parent = session.scalar(select(Area).where(Area.code == "PROV"))
        if parent is None:
            country = session.scalar(select(Area).where(Area.code == "CTRY"))
            if country is None:
                country = Area(code="CTRY", name="Việt Nam", level=AreaLevel.COUNTRY)
                session.add(country)
                session.flush()
            parent = Area(
                code="PROV", name="Lạng Sơn", level=AreaLevel.PROVINCE, parent_id=country.id
            )
            session.add(parent)
            session.flush()
    made = Area(
        code=code or f"T{next(_counter)}",
        name=name,
        level=level,
        parent_id=parent.id if parent else None,
    )
    session.add(made)
    session.flush()
    return made


def cooperative(
    session: Session,
    *,
    in_area: Area | None = None,
    former_district: Area | None = None,
    name: str = "HTX Na Chi Lăng",
    code: str | None = None,
    sector: str = "agriculture",
    status: str = "active",
    members: int = 25,
) -> Cooperative:
    place = in_area or area(session)
    # A former district is kept beside the province the cooperative counts in until placed.
    if place.level == AreaLevel.FORMER_DISTRICT:
        former_district, place = place, session.get(Area, place.parent_id) or place
    made = Cooperative(
        registration_code=code or f"T{next(_counter):08d}",
        name=name,
        area_id=place.id,
        former_district_id=former_district.id if former_district else None,
        sector=sector,
        status=status,
        members=members,
        founded_year=2015,
        contact_name="Hoàng Văn Thắng",
        phone="0912345678",
    )
    session.add(made)
    session.flush()
    return made


def product(
    session: Session,
    *,
    of: Cooperative,
    name: str = "Na Chi Lăng",
    stars: int = 3,
    ocop_group: str = "food",
) -> Product:
    made = Product(cooperative_id=of.id, name=name, stars=stars, ocop_group=ocop_group)
    session.add(made)
    session.flush()
    return made


def user(
    session: Session,
    *,
    role: Role = Role.ADVISOR,
    username: str | None = None,
    password: str = PASSWORD,
    cooperatives: tuple[Cooperative, ...] = (),
    areas: tuple[Area, ...] = (),
    full_name: str = "Người dùng thử",
    whole_province: bool | None = None,
) -> User:
    """An account; an advisor given no area sees the whole province unless told otherwise."""
    return accounts.create_user(
        session,
        username=username or f"user{next(_counter)}",
        full_name=full_name,
        role=role,
        password=password,
        cooperative_ids=tuple(c.id for c in cooperatives),
        area_ids=tuple(a.id for a in areas),
        whole_province=not areas if whole_province is None else whole_province,
    )


def open_mini_wave(
    session: Session,
    *,
    key: str = "2026",
    name: str = "Đợt 2026",
    opens_on: dt.date = dt.date(2026, 3, 1),
    closes_on: dt.date | None = None,
) -> Wave:
    """The small `mini` questionnaire published and asked by an open wave."""
    surveys.publish(session, questionnaire=load_file(MINI))
    version = surveys.latest_version(session, key="mini")
    return responses.create_wave(
        session,
        key=key,
        name=name,
        status=WaveStatus.OPEN,
        version_ids={"mini": version.id},
        opens_on=opens_on,
        closes_on=closes_on,
    )
