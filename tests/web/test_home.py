"""Each role lands on a page with its real data; guards keep the others out."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from app.accounts.models import Role
from tests import factories
from tests.conftest import page_csrf, sign_in


class TestHome:
    def test_anonymous__is_redirected_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/").headers["location"].startswith("/signin")

    def test_manager__sees_own_cooperative_and_products_only(
        self, client: TestClient, session: Session
    ) -> None:
        district = factories.area(session, name="Chi Lăng")
        mine = factories.cooperative(session, in_area=district, name="HTX Na Đồng Mỏ")
        factories.product(session, of=mine, name="Na dai Chi Lăng", stars=4)
        other = factories.cooperative(session, in_area=district, name="HTX Người Khác")
        factories.product(session, of=other, name="Sản phẩm của người khác")
        factories.user(session, role=Role.MANAGER, username="giamdoc1", cooperatives=(mine,))
        sign_in(client, "giamdoc1", factories.PASSWORD)
        page = client.get("/").text
        assert "HTX Na Đồng Mỏ" in page
        assert "Na dai Chi Lăng" in page
        assert "★★★★" in page
        assert "HTX Người Khác" not in page
        assert "Sản phẩm của người khác" not in page

    def test_advisor__sees_districts_with_counts(
        self, client: TestClient, session: Session
    ) -> None:
        district = factories.area(session, name="Huyện Thử Nghiệm")
        for _ in range(3):
            factories.cooperative(session, in_area=district)
        factories.cooperative(session, in_area=district, status="dissolved")
        factories.user(session, role=Role.ADVISOR, username="canbo1")
        sign_in(client, "canbo1", factories.PASSWORD)
        page = client.get("/").text
        row = page[page.index("Huyện Thử Nghiệm") :]
        cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:5]]
        assert cells == ["3", "4", "0", "0"]

    def test_advisor_limited_to_an_area__sees_only_its_cooperatives(
        self, client: TestClient, session: Session
    ) -> None:
        mine = factories.area(session, name="Huyện Của Tôi")
        theirs = factories.area(session, name="Huyện Khác")
        factories.cooperative(session, in_area=mine)
        factories.cooperative(session, in_area=theirs)
        factories.cooperative(session, in_area=theirs)
        factories.user(session, role=Role.ADVISOR, username="canbo2", areas=(mine,))
        sign_in(client, "canbo2", factories.PASSWORD)
        page = client.get("/").text
        row = page[page.index("Huyện Khác") :]
        assert row.split('<td class="num">')[2].startswith("0<")

    def test_steering__without_a_wave_sees_districts(
        self, client: TestClient, session: Session
    ) -> None:
        factories.cooperative(session, in_area=factories.area(session, name="Huyện Ban Chỉ Đạo"))
        factories.area(session, name="Huyện Không Có HTX")
        factories.user(session, role=Role.STEERING, username="bancd1")
        sign_in(client, "bancd1", factories.PASSWORD)
        page = client.get("/").text
        assert "Huyện Ban Chỉ Đạo" in page
        assert "Huyện Không Có HTX" not in page  # no registry behind it, no row

    def test_admin__sees_counts(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADMIN, username="admin1")
        sign_in(client, "admin1", factories.PASSWORD)
        page = client.get("/").text
        assert "Hợp tác xã trong danh bạ" in page
        assert "Tài khoản theo vai trò" in page


class TestShell:
    def test_english_switch__translates_the_page(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, role=Role.ADMIN, username="admin2")
        sign_in(client, "admin2", factories.PASSWORD)
        response = client.post(
            "/lang", data={"lang": "en", "next": "/", "csrf_token": page_csrf(client)}
        )
        assert response.status_code == 303
        page = client.get("/").text
        assert '<html lang="en"' in page
        assert "Accounts by role" in page

    def test_numbers__use_vietnamese_separators(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADMIN, username="admin3")
        sign_in(client, "admin3", factories.PASSWORD)
        page = client.get("/patterns").text
        assert "1.234" in page
        assert "72,5" in page

    def test_unknown_page__is_a_vietnamese_404(self, client: TestClient) -> None:
        response = client.get("/no-such-page")
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.text

    def test_a_page_the_role_may_not_open__is_a_403_page(
        self, client: TestClient, session: Session
    ) -> None:
        from fastapi import Depends

        from app.accounts.permissions import Capability
        from app.web.deps import require

        @client.app.get("/only-admins", dependencies=[Depends(require(Capability.ADMINISTER))])  # type: ignore[attr-defined]
        def only_admins() -> dict[str, str]:
            return {"ok": "yes"}

        factories.user(session, role=Role.MANAGER, username="giamdoc2")
        sign_in(client, "giamdoc2", factories.PASSWORD)
        response = client.get("/only-admins")
        assert response.status_code == 403
        assert "Không có quyền truy cập" in response.text

    def test_an_unexpected_error__is_a_500_page_without_details(
        self, app: object, session: Session
    ) -> None:
        @app.get("/boom")  # type: ignore[attr-defined]
        def boom() -> None:
            raise RuntimeError("secret internals")

        with TestClient(app, raise_server_exceptions=False) as c:  # type: ignore[arg-type]
            response = c.get("/boom")
        assert response.status_code == 500
        assert "Đã có lỗi xảy ra" in response.text
        assert "secret internals" not in response.text

    def test_a_phone_leaving_mid_upload__is_logged_without_an_error(
        self, app: object, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="app.web.errors")

        @app.get("/upload")  # type: ignore[attr-defined]
        def upload() -> None:
            raise ClientDisconnect

        with TestClient(app, raise_server_exceptions=False) as c:  # type: ignore[arg-type]
            response = c.get("/upload")
        assert response.status_code == 400
        assert [r.levelname for r in caplog.records if r.name == "app.web.errors"] == ["INFO"]

    def test_text_the_database_refuses__is_a_clear_422(self, app: object) -> None:
        @app.get("/nul")  # type: ignore[attr-defined]
        def nul() -> None:
            refusal = ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
            raise DataError("INSERT …", {}, refusal)

        with TestClient(app, raise_server_exceptions=False) as c:  # type: ignore[arg-type]
            response = c.get("/nul")
        assert response.status_code == 422
        assert "Dữ liệu gửi lên có giá trị không hợp lệ" in response.text

    def test_healthz__checks_the_database(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}

    def test_security_headers__are_on_every_page(self, client: TestClient) -> None:
        headers = client.get("/signin").headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"

    def test_static_assets__are_served_from_the_app(self, client: TestClient) -> None:
        for path in (
            "/static/vendor/htmx-2.0.11.min.js",
            "/static/vendor/pico-2.1.1.min.css",
            "/static/app.css",
        ):
            assert client.get(path).status_code == 200
        page = client.get("/signin").text
        assert "https://" not in page.split("<body")[0]
