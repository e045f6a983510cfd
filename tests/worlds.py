"""The small provinces several test modules share, with figures worked out by hand.

Test modules import their worlds from here, never from each other.

## The ranking world

`province()`: four districts of the test questionnaire `mini`, scores stored as submission
stores them (responses.overall, level and dimension_scores rows), so nothing here depends on
the scoring engine.

    An Bình   40 50 60 70 80   mean 60, s = √250, median 60, quartiles 50 and 70
    Bắc Hà    60 × 6           mean 60, s = 0: ties An Bình
    Cẩm Lý    90 95 100        three responses: below the minimum of five, not ranked
    Đông Sơn  10 20 30 20 20   mean 20, s = √50, median and quartiles 20
    Province  19 responses, sum 1045: mean 55

Dimension "sales" equals the overall score, "ops" is 100 minus it. The previous wave has
An Bình at 45 and 55 (mean 50).

## The targeting world

`targeting_province()`: the real questionnaires in one open wave; scores are what each current
submission stored (digital: strategy dimension / overall / level; value chain: overall and
level; products: official stars and OCOP self-check band, overall, part A):

- HTX An, Chi Lăng, agriculture: digital 30 / 35 / bat_dau; value chain 50 mot_khau
- HTX Bình, a commune of Chi Lăng, agriculture: digital 12 / 20 / bat_dau in revision 2
  (revision 1, superseded, said 90)
- HTX Cường, Chi Lăng, handicraft: digital 55 / 70 / nang_cao; value chain 65 nhieu_khau;
  Khăn 0★ ba_sao 55 part A 20, Túi 0★ hai_sao 45 part A 60
- HTX Dũng, Hữu Lũng, agriculture: digital 5 / 62 / nang_cao; value chain 82
  chuoi_hoan_chinh; Na 4★ without a self-check
- HTX Em, Hữu Lũng, agriculture: digital 39.9 / 85 / dan_dat; value chain 61 nhieu_khau;
  Chè 2★ hai_sao 40 part A 25
- HTX Giang, Chi Lăng: a digital draft only
- HTX Hà, Chi Lăng: digital 10 / 15, but dissolved
- HTX Khánh, Chi Lăng: digital exactly 40 / 45 / hinh_thanh
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.areas.models import Area, AreaLevel
from app.config import ROOT
from app.cooperatives.models import Cooperative, Product
from app.db import utcnow
from app.responses import service as responses
from app.responses.models import (
    DimensionScore,
    Response,
    ResponseStatus,
    Wave,
    WaveQuestionnaire,
    WaveStatus,
)
from app.responses.service import subject_key
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire
from app.surveys.loader import load_dir, load_file, load_text
from app.surveys.models import QuestionnaireVersion
from tests import factories
from tests.conftest import sign_in

MINI = Path(__file__).resolve().parent / "unit" / "fixtures" / "mini-1.yaml"
EVERYONE = select(Cooperative.id)


def publish(
    session: Session, *, key: str = "mini", subject: str = "cooperative", version: str = "1"
) -> QuestionnaireVersion:
    """The test questionnaire, or a copy of it under another key, subject or version."""
    questionnaire = load_file(MINI)
    if (key, subject, version) != ("mini", "cooperative", "1"):
        questionnaire = questionnaire.model_copy(
            update={"key": key, "subject": subject, "version": version}
        )
    surveys.publish(session, questionnaire=questionnaire)
    return session.scalars(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == key, QuestionnaireVersion.version == version
        )
    ).one()


def make_wave(
    session: Session,
    *,
    key: str,
    versions: list[QuestionnaireVersion],
    opens: dt.date,
    status: WaveStatus = WaveStatus.OPEN,
) -> Wave:
    wave = Wave(key=key, name=f"Đợt {key}", status=status, opens_on=opens)
    session.add(wave)
    session.flush()
    for version in versions:
        session.add(
            WaveQuestionnaire(wave_id=wave.id, questionnaire_key=version.key, version_id=version.id)
        )
    session.flush()
    return wave


def level_of(score: float) -> str:
    return "high" if score >= 75 else "mid" if score >= 40 else "low"


def stored(
    session: Session,
    *,
    wave: Wave,
    version: QuestionnaireVersion,
    cooperative: Cooperative,
    overall: float | None,
    product: Product | None = None,
    draft: bool = False,
) -> Response:
    """A response as submission stores it: overall, level and one row per dimension."""
    response = Response(
        wave_id=wave.id,
        questionnaire_key=version.key,
        version_id=version.id,
        cooperative_id=cooperative.id,
        product_id=product.id if product else None,
        subject_key=subject_key(
            cooperative_id=cooperative.id, product_id=product.id if product else None
        ),
        revision=1,
        status=ResponseStatus.DRAFT if draft else ResponseStatus.SUBMITTED,
        submitted_at=None if draft else utcnow(),
        overall=None if draft else overall,
        level=None if draft or overall is None else level_of(overall),
    )
    session.add(response)
    session.flush()
    if not draft and overall is not None:
        session.add_all(
            [
                DimensionScore(response_id=response.id, dimension_key="sales", score=overall),
                DimensionScore(response_id=response.id, dimension_key="ops", score=100 - overall),
            ]
        )
        session.flush()
    return response


def cooperative_and_product_wave(session: Session) -> dict[str, Cooperative]:
    """Wave 2026 asks "mini" of cooperatives and "miniprod" of products, in district Kỳ Lừa:
    X answered mini (60) and for two products (Na 40, Hồi 80), Y mini only (50), Z a product
    only (Quế 90)."""
    mini = publish(session)
    product = publish(session, key="miniprod", subject="product")
    wave = make_wave(session, key="2026", versions=[mini, product], opens=dt.date(2026, 3, 1))
    district = factories.area(session, code="D9", name="Kỳ Lừa")
    x, y, z = (factories.cooperative(session, in_area=district, name=f"HTX {n}") for n in "XYZ")
    na = factories.product(session, of=x, name="Na")
    hoi = factories.product(session, of=x, name="Hồi")
    que = factories.product(session, of=z, name="Quế")
    stored(session, wave=wave, version=mini, cooperative=x, overall=60)
    stored(session, wave=wave, version=product, cooperative=x, product=na, overall=40)
    stored(session, wave=wave, version=product, cooperative=x, product=hoi, overall=80)
    stored(session, wave=wave, version=mini, cooperative=y, overall=50)
    stored(session, wave=wave, version=product, cooperative=z, product=que, overall=90)
    return {"X": x, "Y": y, "Z": z}


@dataclass
class Province:
    wave: Wave
    previous: Wave
    version: QuestionnaireVersion
    districts: dict[str, Area]
    commune: Area
    cooperatives: dict[str, Cooperative] = field(default_factory=dict)


def province(session: Session) -> Province:
    """The ranking world described at the top of this file."""
    version = publish(session)
    previous = make_wave(
        session, key="2025", versions=[version], opens=dt.date(2025, 3, 1), status=WaveStatus.CLOSED
    )
    wave = make_wave(session, key="2026", versions=[version], opens=dt.date(2026, 3, 1))
    districts = {
        "A": factories.area(session, code="D1", name="An Bình"),
        "B": factories.area(session, code="D2", name="Bắc Hà"),
        "C": factories.area(session, code="D3", name="Cẩm Lý"),
        "D": factories.area(session, code="D4", name="Đông Sơn"),
    }
    commune = factories.area(
        session,
        code="C41",
        name="Xã Đồng",
        level=AreaLevel.COMMUNE,
        parent=session.get(Area, districts["D"].parent_id),
    )
    world = Province(wave, previous, version, districts, commune)
    scores = {
        "A": [40, 50, 60, 70, 80, None],
        "B": [60, 60, 60, 60, 60, 60],
        "C": [90, 95, 100],
        "D": [10, 20, 30, 20, 20, None],
    }
    for letter, values in scores.items():
        for number, value in enumerate(values, start=1):
            name = f"{letter}{number}"
            in_area = commune if name in ("D1", "D2") else districts[letter]
            cooperative = factories.cooperative(
                session,
                in_area=in_area,
                former_district=districts[letter],
                name=f"HTX {name}",
                sector="handicraft" if name == "A2" else "agriculture",
            )
            world.cooperatives[name] = cooperative
            if value is not None:
                stored(session, wave=wave, version=version, cooperative=cooperative, overall=value)
    # D6 has a draft: started, not finished. A6 has not started.
    stored(
        session,
        wave=wave,
        version=version,
        cooperative=world.cooperatives["D6"],
        overall=None,
        draft=True,
    )
    # A suspended cooperative counts nowhere, whatever it submitted.
    suspended = factories.cooperative(
        session, in_area=districts["A"], name="HTX A7", status="suspended"
    )
    world.cooperatives["A7"] = suspended
    stored(session, wave=wave, version=version, cooperative=suspended, overall=100)
    for name, value in (("A1", 45), ("A2", 55)):
        stored(
            session,
            wave=previous,
            version=version,
            cooperative=world.cooperatives[name],
            overall=value,
        )
    return world


@cache
def real_questionnaires() -> tuple[Questionnaire, ...]:
    return tuple(load_dir(ROOT / "surveys"))


# Another province's set: the same files under other keys, another order and other short names,
# as a province would write them (only the YAML changes).
RENAMED = {
    "digital": ("so_hoa", 2, "Số hoá", "Digitising"),
    "value_chain": ("lien_ket", 1, "Liên kết", "Linkage"),
    "ocop": ("san_pham", 3, "Sao sản phẩm", "Product stars"),
}


@cache
def renamed_questionnaires() -> tuple[Questionnaire, ...]:
    found = []
    for path in sorted((ROOT / "surveys").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        key = re.search(r"^key: (\w+)$", text, re.MULTILINE)
        assert key is not None
        new, order, vi, en = RENAMED[key[1]]
        text = re.sub(r"^key: \w+$", f"key: {new}", text, count=1, flags=re.MULTILINE)
        text = re.sub(r"^order: \d+$", f"order: {order}", text, count=1, flags=re.MULTILINE)
        text = re.sub(
            r"^short_title: .*$",
            f'short_title: {{vi: "{vi}", en: "{en}"}}',
            text,
            count=1,
            flags=re.MULTILINE,
        )
        found.append(load_text(text, file=path.name))
    return tuple(found)


@dataclass
class TargetingProvince:
    wave: Wave
    chi_lang: Area
    huu_lung: Area
    coops: dict[str, Cooperative]
    products: dict[str, Product]
    advisor: User


def submit(
    session: Session,
    *,
    wave: Wave,
    key: str,
    cooperative: Cooperative,
    overall: float,
    level: str,
    dimensions: dict[str, float] | None = None,
    product: Product | None = None,
    revision: int = 1,
    superseded: bool = False,
    status: str = ResponseStatus.SUBMITTED,
    entered_by: User | None = None,
) -> Response:
    """A response with the scores it stored at submission, as SQL reads them."""
    version = responses.wave_version(session, wave_id=wave.id, key=key)
    made = Response(
        wave_id=wave.id,
        questionnaire_key=key,
        version_id=version.id,
        cooperative_id=cooperative.id,
        product_id=product.id if product else None,
        subject_key=responses.subject_key(
            cooperative_id=cooperative.id, product_id=product.id if product else None
        ),
        revision=revision,
        status=status,
        entered_by_id=entered_by.id if entered_by else None,
        on_behalf=entered_by is not None and entered_by.role != Role.MANAGER,
        submitted_at=utcnow() if status == ResponseStatus.SUBMITTED else None,
        superseded_at=utcnow() if superseded else None,
        overall=overall if status == ResponseStatus.SUBMITTED else None,
        level=level if status == ResponseStatus.SUBMITTED else None,
    )
    session.add(made)
    session.flush()
    if status == ResponseStatus.SUBMITTED:
        session.add_all(
            DimensionScore(response_id=made.id, dimension_key=k, score=v)
            for k, v in (dimensions or {}).items()
        )
        session.flush()
    return made


def targeting_province(
    session: Session, *, wave_key: str = "2026", renamed: bool = False
) -> TargetingProvince:
    """The targeting world described at the top of this file, in one open wave; `renamed`:
    with the questionnaires of `RENAMED` (same content, other keys, order and names)."""
    keys = {k: RENAMED[k][0] if renamed else k for k in ("digital", "value_chain", "ocop")}
    for questionnaire in renamed_questionnaires() if renamed else real_questionnaires():
        surveys.publish(session, questionnaire=questionnaire)
    wave = responses.create_wave(
        session,
        key=wave_key,
        name=f"Đợt {wave_key}",
        version_ids={key: surveys.latest_version(session, key=key).id for key in keys.values()},
        opens_on=dt.date(int(wave_key), 3, 1),
        closes_on=dt.date(int(wave_key), 12, 31),
        status=WaveStatus.OPEN,
    )
    chi_lang = factories.area(session, name="Chi Lăng")
    commune = factories.area(
        session,
        name="Xã Quang Lang",
        level=AreaLevel.COMMUNE,
        parent=session.get(Area, chi_lang.parent_id),
    )
    huu_lung = factories.area(session, name="Hữu Lũng")
    place = {
        "An": (chi_lang, "agriculture", "active"),
        "Bình": (commune, "agriculture", "active"),
        "Cường": (chi_lang, "handicraft", "active"),
        "Dũng": (huu_lung, "agriculture", "active"),
        "Em": (huu_lung, "agriculture", "active"),
        "Giang": (chi_lang, "agriculture", "active"),
        "Hà": (chi_lang, "agriculture", "dissolved"),
        "Khánh": (chi_lang, "agriculture", "active"),
    }
    coops = {
        name: factories.cooperative(
            session,
            in_area=area,
            former_district=chi_lang if area is commune else None,
            name=f"HTX {name}",
            sector=sector,
            status=status,
        )
        for name, (area, sector, status) in place.items()
    }
    products = {
        "Khăn": factories.product(session, of=coops["Cường"], name="Khăn", stars=0),
        "Túi": factories.product(session, of=coops["Cường"], name="Túi", stars=0),
        "Na": factories.product(session, of=coops["Dũng"], name="Na", stars=4),
        "Chè": factories.product(session, of=coops["Em"], name="Chè", stars=2),
    }
    advisor = factories.user(session, role=Role.ADVISOR, username="canbo")

    def digital(
        name: str,
        strategy: float,
        overall: float,
        level: str,
        *,
        revision: int = 1,
        superseded: bool = False,
        status: str = ResponseStatus.SUBMITTED,
        entered_by: User | None = None,
    ) -> None:
        submit(
            session,
            wave=wave,
            key=keys["digital"],
            cooperative=coops[name],
            overall=overall,
            level=level,
            dimensions={"strategy": strategy, "sales": 50.0},
            revision=revision,
            superseded=superseded,
            status=status,
            entered_by=entered_by,
        )

    def chain(name: str, overall: float, level: str) -> None:
        submit(
            session,
            wave=wave,
            key=keys["value_chain"],
            cooperative=coops[name],
            overall=overall,
            level=level,
            dimensions={"dau_vao": overall},
        )

    def ocop(owner: str, product: str, overall: float, level: str, part_a: float) -> None:
        submit(
            session,
            wave=wave,
            key=keys["ocop"],
            cooperative=coops[owner],
            product=products[product],
            overall=overall,
            level=level,
            dimensions={"part_a": part_a},
        )

    digital("An", 30, 35, "bat_dau", entered_by=advisor)
    digital("Bình", 90, 90, "dan_dat", superseded=True)
    digital("Bình", 12, 20, "bat_dau", revision=2)
    digital("Cường", 55, 70, "nang_cao")
    digital("Dũng", 5, 62, "nang_cao")
    digital("Em", 39.9, 85, "dan_dat")
    digital("Giang", 0, 0, "khoi_dong", status=ResponseStatus.DRAFT)
    digital("Hà", 10, 15, "khoi_dong")
    digital("Khánh", 40, 45, "hinh_thanh")
    chain("An", 50, "mot_khau")
    chain("Cường", 65, "nhieu_khau")
    chain("Dũng", 82, "chuoi_hoan_chinh")
    chain("Em", 61, "nhieu_khau")
    ocop("Cường", "Khăn", 55, "ba_sao", 20)
    ocop("Cường", "Túi", 45, "hai_sao", 60)
    ocop("Em", "Chè", 40, "hai_sao", 25)
    return TargetingProvince(wave, chi_lang, huu_lung, coops, products, advisor)


def crowd(session: Session, province: TargetingProvince, *, n: int) -> None:
    """`n` more cooperatives in Chi Lăng, "HTX P000" on: each below 40 on strategy (1.0) and a
    model candidate (digital 70, value chain 65, a product with 4 official stars)."""
    for number in range(n):
        cooperative = factories.cooperative(
            session, in_area=province.chi_lang, name=f"HTX P{number:03d}"
        )
        factories.product(session, of=cooperative, name=f"Sản phẩm {number}", stars=4)
        submit(
            session,
            wave=province.wave,
            key="digital",
            cooperative=cooperative,
            overall=70,
            level="nang_cao",
            dimensions={"strategy": 1.0, "sales": 50.0},
        )
        submit(
            session,
            wave=province.wave,
            key="value_chain",
            cooperative=cooperative,
            overall=65,
            level="nhieu_khau",
            dimensions={"dau_vao": 65},
        )


ACCOUNTS = {
    "quantri": Role.ADMIN,
    "canbo": Role.ADVISOR,
    "canbo.a": Role.ADVISOR,
    "bancd": Role.STEERING,
    "giamdoc": Role.MANAGER,
}


def as_user(client: TestClient, username: str) -> TestClient:
    """Create the account (an advisor limited to An Bình, a manager of HTX A1) and sign in."""
    app_session: Session = client.app.state.db.session
    world_areas = app_session.scalars(select(Area).where(Area.code == "D1")).all()
    coops = app_session.scalars(select(Cooperative).where(Cooperative.name == "HTX A1")).all()
    factories.user(
        app_session,
        role=ACCOUNTS[username],
        username=username,
        areas=tuple(world_areas) if username == "canbo.a" else (),
        cooperatives=tuple(coops) if username == "giamdoc" else (),
    )
    sign_in(client, username, factories.PASSWORD)
    return client
