"""Registry import from the browser: a dry run first, nothing changes until confirmed."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.areas.models import Area, AreaLevel
from app.audit.models import AuditEvent
from app.cooperatives import staging
from app.cooperatives.importer import TEMPLATE_HEADERS
from app.cooperatives.models import Cooperative
from tests import factories
from tests.conftest import page_csrf, sign_in

HEADER = "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Trạng thái\n"


@pytest.fixture(autouse=True)
def staging_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "staged"
    monkeypatch.setattr(staging, "FOLDER", folder)
    return folder


@pytest.fixture
def admin(client: TestClient, session: Session) -> TestClient:
    factories.user(session, role=Role.ADMIN, username="quantri")
    sign_in(client, "quantri", factories.PASSWORD)
    return client


@pytest.fixture
def district(session: Session) -> Area:
    return factories.area(session, code="187", name="Chi Lăng")


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Cooperative)) or 0


def known(session: Session, code: str) -> bool:
    found = select(Cooperative.id).where(Cooperative.registration_code == code)
    return session.scalar(found) is not None


def check(client: TestClient, content: bytes, filename: str = "htx.csv") -> Any:
    return client.post(
        "/admin/registry/check",
        files={"file": (filename, content, "text/csv")},
        data={"csrf_token": page_csrf(client, "/admin/registry")},
    )


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no confirm form"
    return found.group(1)


def import_(client: TestClient, token: str) -> Any:
    return client.post(
        "/admin/registry/import",
        data={"token": token, "csrf_token": page_csrf(client, "/admin/registry")},
    )


class TestRegistryPage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/admin/registry").status_code == 303
        assert client.get("/admin/registry/template.csv").status_code == 303

    def test_an_advisor__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert client.get("/admin/registry").status_code == 403
        assert client.get("/admin/registry/template.xlsx").status_code == 403

    def test_admin__sees_the_upload_form_and_the_templates(self, admin: TestClient) -> None:
        page = admin.get("/admin/registry")
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' in page.text
        assert 'href="/admin/registry/template.xlsx"' in page.text


class TestTemplates:
    def test_the_csv_template__has_the_vietnamese_headers_and_a_bom(
        self, admin: TestClient
    ) -> None:
        response = admin.get("/admin/registry/template.csv")
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        assert response.content == ("\ufeff" + ",".join(TEMPLATE_HEADERS.values()) + "\r\n").encode(
            "utf-8"
        )

    def test_the_xlsx_template__has_the_headers_and_lists_the_area_codes(
        self, admin: TestClient, district: Area
    ) -> None:
        response = admin.get("/admin/registry/template.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        first, guide = book.worksheets
        assert [c.value for c in first[1]] == list(TEMPLATE_HEADERS.values())
        assert first.max_row == 1
        assert any(row[0] == "187" and row[1] == "Chi Lăng" for row in guide.values)

    def test_a_filled_template__imports(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        template = admin.get("/admin/registry/template.csv").content
        filled = template + "4900000501,HTX Mới,187,Nông nghiệp,,,,,,,\r\n".encode()
        reply = check(admin, filled)
        assert reply.status_code == 200
        assert import_(admin, token_of(reply.text)).status_code == 303
        assert (
            session.scalar(
                select(Cooperative.name).where(Cooperative.registration_code == "4900000501")
            )
            == "HTX Mới"
        )


class TestDryRun:
    def test_an_advisor__cannot_check(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert check(client, HEADER.encode()).status_code == 403

    def test_bad_rows__list_every_problem_by_row_and_column_and_change_nothing(
        self, admin: TestClient, session: Session, district: Area, staging_folder: Path
    ) -> None:
        known = factories.cooperative(session, code="4900000001", name="HTX Cũ")
        before = count(session)
        content = (
            HEADER
            + "4900000001,HTX Đổi Tên,187,Nông nghiệp,30,\n"  # fine on its own
            + ",HTX Không Mã,187,Nông nghiệp,,\n"  # row 3: no code
            + "4900000003,HTX Sai Địa Bàn,999,Nông nghiệp,,\n"  # row 4: unknown area
            + "4900000004,HTX Sai Lĩnh Vực,187,Bay lượn,-5,Giải tán\n"  # row 5: three problems
        ).encode()
        reply = check(admin, content)
        assert reply.status_code == 422
        text = reply.text
        assert "Chưa nhập gì: có 5 lỗi cần sửa trong tệp." in text
        rows = re.findall(
            r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', text
        )
        assert [(r, c) for r, c, _ in rows] == [
            ("3", "Mã số HTX"),
            ("4", "Mã địa bàn"),
            ("5", "Lĩnh vực"),
            ("5", "Số thành viên"),
            ("5", "Trạng thái"),
        ]
        assert "không tìm thấy địa bàn &#39;999&#39;" in text
        assert 'name="token"' not in text
        assert count(session) == before
        session.refresh(known)
        assert known.name == "HTX Cũ"
        assert not staging_folder.exists() or not any(staging_folder.iterdir())

    def test_a_good_file__lists_inserts_and_updates_and_changes_nothing_yet(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        known = factories.cooperative(
            session, in_area=district, code="4900000001", name="HTX Cũ", members=25
        )
        factories.cooperative(
            session, in_area=district, code="4900000002", name="HTX Giữ Nguyên", members=25
        )
        factories.area(
            session,
            code="18799",
            name="Mẫu Sơn",
            level=AreaLevel.COMMUNE,
            parent=session.get(Area, district.parent_id),
        )
        before = count(session)
        content = (
            "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Năm thành lập,Người liên hệ,"
            "Điện thoại\n"
            "4900000001,HTX Đổi Tên,187,Nông nghiệp,30,2015,Hoàng Văn Thắng,0912345678\n"
            "4900000002,HTX Giữ Nguyên,187,Nông nghiệp,25,2015,Hoàng Văn Thắng,0912345678\n"
            "4900000009,HTX Mới Toanh,mẫu sơn,Thủy sản,12,,,\n"  # an area by its name
        ).encode()
        reply = check(admin, content)
        text = reply.text
        assert reply.status_code == 200, text
        inserts = text.split('id="inserts"')[1].split("</table>")[0]
        updates = text.split('id="updates"')[1].split("</table>")[0]
        assert "4900000009" in inserts
        assert "HTX Mới Toanh" in inserts
        assert "4900000001" in updates
        assert "HTX Cũ" in updates
        assert "HTX Đổi Tên" in updates
        assert "Số thành viên" in updates
        assert "4900000002" not in updates  # nothing would change: not listed as an update
        assert re.search(r"<p class=\"stat-value\">1</p>\s*<p class=\"stat-caption\">Đã đúng", text)
        assert count(session) == before
        session.refresh(known)
        assert known.name == "HTX Cũ"

    def test_a_file_over_the_size_limit__is_refused_with_a_clear_message(
        self, admin: TestClient, monkeypatch: pytest.MonkeyPatch, district: Area
    ) -> None:
        monkeypatch.setattr(staging, "MAX_BYTES", 100)
        reply = check(admin, (HEADER + "4900000009,HTX,187,Nông nghiệp,,\n" * 5).encode())
        assert reply.status_code == 413
        assert "Tệp lớn hơn" in reply.text

    def test_another_kind_of_file__is_refused(self, admin: TestClient) -> None:
        reply = check(admin, b"%PDF-1.4", filename="danh-sach.pdf")
        assert reply.status_code == 422
        assert "Tệp phải là tệp CSV" in reply.text

    def test_a_file_that_is_not_utf8__gets_the_reason(self, admin: TestClient) -> None:
        reply = check(admin, HEADER.encode("cp1252", errors="replace"))
        assert reply.status_code == 422
        assert "UTF-8" in reply.text


class TestConfirm:
    def test_an_advisor__cannot_import(
        self, admin: TestClient, client: TestClient, session: Session, district: Area
    ) -> None:
        token = token_of(
            check(admin, (HEADER + "4900000009,HTX,187,Nông nghiệp,,\n").encode()).text
        )
        client.cookies.clear()
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert import_(client, token).status_code == 403
        assert not known(session, "4900000009")

    def test_confirming__applies_exactly_the_checked_file_once_and_is_audited(
        self, admin: TestClient, session: Session, district: Area, staging_folder: Path
    ) -> None:
        before = count(session)
        content = (HEADER + "4900000009,HTX Mới,187,Nông nghiệp,12,\n").encode()
        token = token_of(check(admin, content).text)
        reply = import_(admin, token)
        assert reply.status_code == 303
        assert reply.headers["location"] == "/admin/registry?inserted=1&updated=0&unchanged=0"
        assert "thêm 1 HTX" in admin.get(reply.headers["location"]).text
        assert count(session) == before + 1
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "registry.import"))
        assert event.actor_username == "quantri"
        assert event.detail == {
            "filename": "htx.csv",
            "sha256": hashlib.sha256(content).hexdigest(),
            "inserted": 1,
            "updated": 0,
            "unchanged": 0,
        }
        assert list(staging_folder.iterdir()) == []
        again = import_(admin, token)
        assert again.status_code == 404
        assert "tải tệp lên lại" in again.text
        assert count(session) == before + 1

    def test_known_cooperatives__are_updated_and_those_already_right_are_counted_apart(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        changed = factories.cooperative(
            session, in_area=district, code="4900000001", name="HTX Cũ", members=25
        )
        factories.cooperative(
            session, in_area=district, code="4900000002", name="HTX Y", members=25
        )
        content = (
            "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Năm thành lập,Người liên hệ,"
            "Điện thoại\n"
            "4900000001,HTX Đổi Tên,187,Nông nghiệp,25,2015,Hoàng Văn Thắng,0912345678\n"
            "4900000002,HTX Y,187,Nông nghiệp,25,2015,Hoàng Văn Thắng,0912345678\n"
        ).encode()
        reply = import_(admin, token_of(check(admin, content).text))
        assert reply.headers["location"] == "/admin/registry?inserted=0&updated=1&unchanged=1"
        session.refresh(changed)
        assert changed.name == "HTX Đổi Tên"
        assert not known(session, "4900000003")

    def test_a_token_from_another_administrator__is_refused(
        self, admin: TestClient, client: TestClient, session: Session, district: Area
    ) -> None:
        token = token_of(
            check(admin, (HEADER + "4900000009,HTX,187,Nông nghiệp,,\n").encode()).text
        )
        client.cookies.clear()
        factories.user(session, role=Role.ADMIN, username="quantri2")
        sign_in(client, "quantri2", factories.PASSWORD)
        assert import_(client, token).status_code == 404
        assert not known(session, "4900000009")

    def test_an_xlsx_file__is_checked_and_imported_the_same_way(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["registration_code", "name", "area", "sector", "members"])
        sheet.append([4900000011, "HTX Excel", 187, "agriculture", 40])
        buffer = io.BytesIO()
        book.save(buffer)
        reply = check(admin, buffer.getvalue(), filename="htx.xlsx")
        assert reply.status_code == 200, reply.text
        assert import_(admin, token_of(reply.text)).status_code == 303
        cooperative = session.scalar(
            select(Cooperative).where(Cooperative.registration_code == "4900000011")
        )
        assert cooperative is not None
        assert cooperative.members == 40
