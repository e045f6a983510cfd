"""Placing cooperatives by hand, and the registry download, from the browser."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.areas import service as areas
from app.areas.models import Area, AreaLevel
from app.audit.models import AuditEvent
from app.cooperatives.models import Cooperative
from tests import factories
from tests.conftest import page_csrf, sign_in


@pytest.fixture
def lang_son(session: Session) -> dict[str, Area]:
    areas.load_provinces(session, codes=["20"])
    found = {
        "chi_lang": areas.get_by_code(session, "187", level=AreaLevel.FORMER_DISTRICT),
        "loc_binh": areas.get_by_code(session, "188", level=AreaLevel.FORMER_DISTRICT),
        "mau_son": areas.get_by_code(session, "06541", level=AreaLevel.COMMUNE),
    }
    assert all(found.values())
    return found  # type: ignore[return-value]


def signed_in(client: TestClient, session: Session, role: Role, **kwargs: object) -> TestClient:
    user = factories.user(session, role=role, **kwargs)  # type: ignore[arg-type]
    sign_in(client, user.username, factories.PASSWORD)
    return client


class TestPlacements:
    def test_an_advisor__may_not_open_it(
        self, client: TestClient, session: Session, lang_son: dict[str, Area]
    ) -> None:
        assert signed_in(client, session, Role.ADVISOR).get("/admin/placements").status_code == 403

    def test_an_admin__places_a_cooperative_in_a_commune_and_it_leaves_the_list(
        self, client: TestClient, session: Session, lang_son: dict[str, Area]
    ) -> None:
        waiting = factories.cooperative(
            session, in_area=lang_son["loc_binh"], name="HTX Chờ Xếp", code="4900000001"
        )
        admin = signed_in(client, session, Role.ADMIN)
        page = admin.get("/admin/placements")
        assert "HTX Chờ Xếp" in page.text
        assert "Xã Mẫu Sơn" in page.text  # the communes of its province are offered
        reply = admin.post(
            f"/admin/placements/{waiting.id}",
            data={"commune_id": str(lang_son["mau_son"].id), "csrf_token": page_csrf(admin)},
        )
        assert reply.status_code == 303
        session.refresh(waiting)
        assert waiting.area_id == lang_son["mau_son"].id
        assert waiting.former_district_id == lang_son["loc_binh"].id  # its past is kept
        assert "HTX Chờ Xếp" not in admin.get("/admin/placements").text
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "place_cooperative")
        ).one()
        assert event.target == f"cooperative:{waiting.id}"

    def test_a_district_is_not_a_commune__and_nothing_changes(
        self, client: TestClient, session: Session, lang_son: dict[str, Area]
    ) -> None:
        waiting = factories.cooperative(session, in_area=lang_son["loc_binh"])
        before = waiting.area_id
        admin = signed_in(client, session, Role.ADMIN)
        reply = admin.post(
            f"/admin/placements/{waiting.id}",
            data={"commune_id": str(lang_son["chi_lang"].id), "csrf_token": page_csrf(admin)},
        )
        assert reply.status_code in (400, 422)
        session.refresh(waiting)
        assert waiting.area_id == before

    def test_placing_from_addresses__places_those_whose_address_says_where(
        self, client: TestClient, session: Session, lang_son: dict[str, Area]
    ) -> None:
        told = factories.cooperative(session, in_area=lang_son["chi_lang"], code="4900000002")
        told.address = "Thôn Bản Chắt, xã Vân Thủy, huyện Chi Lăng, tỉnh Lạng Sơn"
        silent = factories.cooperative(session, in_area=lang_son["chi_lang"], code="4900000003")
        session.flush()
        admin = signed_in(client, session, Role.ADMIN)
        reply = admin.post("/admin/placements/auto", data={"csrf_token": page_csrf(admin)})
        assert reply.status_code == 303
        assert reply.headers["location"] == "/admin/placements?placed=1"
        session.refresh(told)
        session.refresh(silent)
        chien_thang = areas.get_by_code(session, "06481", level=AreaLevel.COMMUNE)
        assert chien_thang is not None
        assert told.area_id == chien_thang.id
        assert silent.area_id == lang_son["chi_lang"].parent_id


class TestRegistryDownload:
    def test_a_manager__may_not_download_it(
        self, client: TestClient, session: Session, lang_son: dict[str, Area]
    ) -> None:
        coop = factories.cooperative(session, in_area=lang_son["mau_son"])
        manager = signed_in(client, session, Role.MANAGER, cooperatives=(coop,))
        csrf = page_csrf(manager)
        reply = manager.post("/cooperatives/export", data={"format": "csv", "csrf_token": csrf})
        assert reply.status_code == 403

    def test_an_advisor__gets_the_cooperatives_of_their_area_only(
        self, client: TestClient, session: Session, lang_son: dict[str, Area]
    ) -> None:
        factories.cooperative(
            session,
            in_area=lang_son["mau_son"],
            former_district=lang_son["loc_binh"],
            name="HTX Mẫu Sơn",
            code="4900000011",
        )
        factories.cooperative(
            session, in_area=lang_son["chi_lang"], name="HTX Chi Lăng", code="4900000012"
        )
        advisor = signed_in(client, session, Role.ADVISOR, areas=(lang_son["loc_binh"],))
        reply = advisor.post(
            "/cooperatives/export",
            data={"format": "csv", "csrf_token": page_csrf(advisor, "/cooperatives")},
        )
        assert reply.status_code == 200
        assert 'filename="htxso-registry.csv"' in reply.headers["content-disposition"]
        text = reply.content.decode("utf-8-sig")
        assert "4900000011,HTX Mẫu Sơn,06541,Xã Mẫu Sơn,188,Huyện Lộc Bình" in text
        assert "HTX Chi Lăng" not in text
        assert session.scalars(
            select(AuditEvent).where(AuditEvent.target == "registry")
        ).one().detail == {"what": "registry", "format": "csv", "via": "web"}
        everyone = session.scalars(select(Cooperative)).all()
        assert len(everyone) == 2
