"""Commune boundaries uploaded from the browser: checked first, stored whole or not at all."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.areas import boundaries
from app.areas import service as areas
from app.areas.models import AreaBoundary, AreaLevel
from app.audit.models import AuditEvent
from app.web.limits import FORM_LIMIT, body_limit
from tests import factories
from tests.conftest import page_csrf, sign_in

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lang-son-communes.geojson"


@pytest.fixture
def admin(client: TestClient, session: Session) -> TestClient:
    areas.load_provinces(session, codes=["20"])
    factories.user(session, role=Role.ADMIN, username="quantri")
    sign_in(client, "quantri", factories.PASSWORD)
    return client


def stored(session: Session) -> dict[int, str]:
    return dict(session.execute(select(AreaBoundary.area_id, AreaBoundary.source)).all())


def upload(client: TestClient, content: bytes, filename: str = "xa.geojson") -> Any:
    return client.post(
        "/admin/boundaries",
        files={"file": (filename, content, "application/geo+json")},
        data={"csrf_token": page_csrf(client, "/admin/boundaries")},
    )


def with_unmatched_feature() -> bytes:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["features"][1]["properties"] = {"ma_xa": "06199", "ten_xa": "Xã Mẫu Sơn cũ"}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


class TestBoundariesPage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/admin/boundaries").status_code == 303

    def test_an_advisor__may_neither_see_nor_upload(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert client.get("/admin/boundaries").status_code == 403
        reply = client.post(
            "/admin/boundaries",
            files={"file": ("xa.geojson", FIXTURE.read_bytes(), "application/geo+json")},
            data={"csrf_token": page_csrf(client, "/")},
        )
        assert reply.status_code == 403
        assert stored(session) == {}

    def test_admin__sees_the_count_and_the_upload_form(self, admin: TestClient) -> None:
        page = admin.get("/admin/boundaries")
        assert page.status_code == 200
        assert "0 trên 65 xã của tỉnh đã có ranh giới." in page.text
        assert 'enctype="multipart/form-data"' in page.text
        assert 'id="remove-boundaries"' not in page.text
        assert 'href="/admin/boundaries" aria-current="page"' in page.text


class TestUpload:
    def test_a_file_of_the_country__stores_the_provinces_communes_and_says_what_it_left(
        self, admin: TestClient, session: Session
    ) -> None:
        document = json.loads(FIXTURE.read_text(encoding="utf-8"))
        hanoi = copy.deepcopy(document["features"][0])
        hanoi["properties"] = {"ma_xa": "00004", "ten_xa": "Phường Ba Đình", "ma_tinh": "01"}
        document["features"].append(hanoi)
        reply = upload(admin, json.dumps(document, ensure_ascii=False).encode("utf-8"))
        assert reply.headers["location"] == "/admin/boundaries?stored=3&elsewhere=1"
        page = admin.get(reply.headers["location"]).text
        assert "1 đối tượng thuộc tỉnh khác đã được bỏ qua." in page
        assert len(stored(session)) == 3

    def test_a_hand_made_negative_count__is_refused_not_shown(self, admin: TestClient) -> None:
        reply = admin.get("/admin/boundaries?stored=3&elsewhere=-2")
        assert reply.status_code == 422
        assert "-2 đối tượng" not in reply.text

    def test_a_good_file__is_stored_audited_and_counted(
        self, admin: TestClient, session: Session
    ) -> None:
        reply = upload(admin, FIXTURE.read_bytes())
        assert reply.status_code == 303
        assert reply.headers["location"] == "/admin/boundaries?stored=3"
        assert set(stored(session).values()) == {"xa.geojson"}
        page = admin.get(reply.headers["location"])
        assert "Đã lưu ranh giới của 3 xã." in page.text
        assert "3 trên 65 xã của tỉnh đã có ranh giới." in page.text
        assert "xa.geojson, do quantri" in page.text
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "boundaries.upload")
        )
        assert event.actor_username == "quantri"
        assert event.detail is not None
        assert event.detail["stored"] == 3
        assert event.detail["filename"] == "xa.geojson"

    def test_a_file_with_an_unmatched_feature__stores_nothing_and_names_it(
        self, admin: TestClient, session: Session
    ) -> None:
        assert upload(admin, FIXTURE.read_bytes()).status_code == 303
        before = stored(session)
        reply = upload(admin, with_unmatched_feature(), "sai.geojson")
        assert reply.status_code == 422
        assert "Chưa lưu gì: cần sửa 1 lỗi trong tệp." in reply.text
        assert "Đối tượng thứ 2 (Xã Mẫu Sơn cũ, 06199) không khớp xã nào" in reply.text
        assert "3 đối tượng, 2 đối tượng khớp với một xã." in reply.text
        assert stored(session) == before

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            (b'{"type": "FeatureCollection", "features": [', "không phải JSON hợp lệ"),
            (b'{"type": "Topology", "objects": {}}', "FeatureCollection"),
        ],
        ids=["broken-json", "topojson"],
    )
    def test_a_file_that_is_not_geojson__is_refused_with_its_reason(
        self, admin: TestClient, session: Session, content: bytes, says: str
    ) -> None:
        reply = upload(admin, content)
        assert reply.status_code == 422
        assert says in reply.text
        assert "Chưa lưu gì." in reply.text
        assert stored(session) == {}

    def test_another_kind_of_file__is_refused(self, admin: TestClient, session: Session) -> None:
        reply = upload(admin, b"ma_xa,ten_xa\n06196,Ba Son\n", "xa.csv")
        assert reply.status_code == 422
        assert "Tệp phải là GeoJSON (.geojson hoặc .json)." in reply.text
        assert stored(session) == {}

    def test_no_file__asks_for_one(self, admin: TestClient) -> None:
        reply = admin.post(
            "/admin/boundaries", data={"csrf_token": page_csrf(admin, "/admin/boundaries")}
        )
        assert reply.status_code == 422
        assert "Hãy chọn một tệp GeoJSON để tải lên." in reply.text

    def test_an_oversize_file__is_refused_and_stores_nothing(
        self, admin: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The route takes a file, not a form: its own limit, far above a form's.
        assert body_limit("/admin/boundaries") > boundaries.MAX_BYTES > FORM_LIMIT
        monkeypatch.setattr(boundaries, "MAX_BYTES", 1000)
        reply = upload(admin, FIXTURE.read_bytes())
        assert reply.status_code == 413
        assert stored(session) == {}

    def test_without_the_csrf_token__nothing_is_stored(
        self, admin: TestClient, session: Session
    ) -> None:
        reply = admin.post(
            "/admin/boundaries",
            files={"file": ("xa.geojson", FIXTURE.read_bytes(), "application/geo+json")},
        )
        assert reply.status_code == 403
        assert stored(session) == {}


class TestRemove:
    def test_remove__empties_the_map_and_is_audited(
        self, admin: TestClient, session: Session
    ) -> None:
        upload(admin, FIXTURE.read_bytes())
        page = admin.get("/admin/boundaries")
        assert 'id="remove-boundaries"' in page.text
        reply = admin.post(
            "/admin/boundaries/remove", data={"csrf_token": page_csrf(admin, "/admin/boundaries")}
        )
        assert reply.status_code == 303
        assert reply.headers["location"] == "/admin/boundaries?removed=3"
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "boundaries.remove")
            )
            == 1
        )
        assert stored(session) == {}


class TestTheReportsMap:
    def test_the_coverage_map__draws_the_uploaded_outlines(
        self, admin: TestClient, session: Session
    ) -> None:
        factories.open_mini_wave(session)
        for code in ("06196", "06541", "05977"):
            commune = areas.get_by_code(session, code, level=AreaLevel.COMMUNE)
            assert commune is not None
            for n in range(2):
                factories.cooperative(
                    session, in_area=commune, name=f"HTX {code} {n}", code=f"49{code}{n}"
                )
        before = admin.get("/reports/coverage?level=commune")
        assert before.status_code == 200
        assert "area-map-svg" in before.text
        assert 'class="area-shape"' not in before.text
        assert upload(admin, FIXTURE.read_bytes()).status_code == 303
        after = admin.get("/reports/coverage?level=commune")
        drawn = after.text.split('class="area-map-svg"', 1)[1].split("</svg>", 1)[0]
        # an outline per commune, and its circle still on top of it
        assert drawn.count('class="area-shape"') == 3
        assert drawn.count("<circle ") == 3
        assert drawn.rindex("<path ") < drawn.index("<circle ")
