"""Coverage per area and the list of cooperatives to chase, on the province of test_rankings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cooperatives.models import Cooperative
from app.reports import coverage, scope
from tests import factories
from tests.worlds import EVERYONE, Province, make_wave, province, publish, stored


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def report(session: Session, *, visible=EVERYONE, level="former-district"):
    choice = scope.choose_wave(session, wave_key="2026")
    return coverage.coverage(session, choice=choice, visible=visible, level=level)


class TestCoverage:
    def test_counts__per_district_and_for_the_province(
        self, session: Session, world: Province
    ) -> None:
        found = report(session)
        rows = {r.name: (r.active, r.started, r.finished) for r in found.rows}
        assert rows == {
            "An Bình": (6, 5, 5),  # A6 has not started; the suspended A7 does not count
            "Bắc Hà": (6, 6, 6),
            "Cẩm Lý": (3, 3, 3),
            "Đông Sơn": (6, 6, 5),  # D6 has a draft
        }
        [total] = found.provinces
        assert (total.active, total.started, total.finished) == (21, 20, 19)
        assert total.coverage == pytest.approx(19 / 21)
        assert total.not_started == 1
        assert total.in_progress == 1

    def test_per_questionnaire__counts_asked_started_and_submitted(
        self, session: Session, world: Province
    ) -> None:
        d = next(r for r in report(session).rows if r.name == "Đông Sơn")
        tally = d.by_key["mini"]
        assert (tally.asked, tally.started, tally.submitted) == (6, 6, 5)
        assert tally.coverage == pytest.approx(5 / 6)

    def test_a_limited_viewer__counts_only_what_they_see(
        self, session: Session, world: Province
    ) -> None:
        mine = select(Cooperative.id).where(
            Cooperative.former_district_id == world.districts["B"].id
        )
        found = report(session, visible=mine)
        assert [r.name for r in found.rows] == ["Bắc Hà"]
        assert found.provinces[0].active == 6
        assert not found.whole_scope

    def test_a_product_questionnaire__is_asked_only_of_cooperatives_with_a_product(
        self, session: Session
    ) -> None:
        mini = publish(session)
        product = publish(session, key="miniprod", subject="product")
        wave = make_wave(session, key="2026", versions=[mini, product], opens=dt.date(2026, 3, 1))
        district = factories.area(session, code="D9", name="Kỳ Lừa")
        owner = factories.cooperative(session, in_area=district, name="HTX Có sản phẩm")
        plain = factories.cooperative(session, in_area=district, name="HTX Dịch vụ")
        tea = factories.product(session, of=owner, name="Chè")
        factories.product(session, of=owner, name="Hồi")
        stored(session, wave=wave, version=mini, cooperative=owner, overall=50)
        stored(session, wave=wave, version=product, cooperative=owner, product=tea, overall=70)
        stored(session, wave=wave, version=mini, cooperative=plain, overall=40)
        [row] = report(session).rows
        assert row.by_key["miniprod"].asked == 1
        # one product submitted is enough; the plain cooperative is not asked the product form
        assert (row.active, row.finished) == (2, 2)


class TestChaseList:
    def test_lists_who_has_not_started_or_finished__with_contacts(
        self, session: Session, world: Province
    ) -> None:
        choice = scope.choose_wave(session, wave_key="2026")
        chase = coverage.chase_list(session, choice=choice, visible=EVERYONE)
        assert chase.total == 2
        assert [(r.name, r.district, r.states["mini"]) for r in chase.rows] == [
            ("HTX A6", "An Bình", "not_started"),
            ("HTX D6", "Đông Sơn", "in_progress"),
        ]
        assert chase.rows[0].phone == "0912345678"
        assert not chase.rows[0].started
        assert chase.rows[1].started

    def test_filters_by_district_and_pages(self, session: Session, world: Province) -> None:
        choice = scope.choose_wave(session, wave_key="2026")
        only_d = coverage.chase_list(
            session, choice=choice, visible=EVERYONE, district_id=world.districts["D"].id
        )
        assert [r.name for r in only_d.rows] == ["HTX D6"]
        second = coverage.chase_list(session, choice=choice, visible=EVERYONE, page=2, size=1)
        assert (second.total, [r.name for r in second.rows]) == (2, ["HTX D6"])
