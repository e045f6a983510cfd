"""Registry import from the browser: a dry run first, nothing changes until confirmed."""

from __future__ import annotations

import hashlib
import io
import re
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
from app.cooperatives.columns import TEMPLATE_HEADERS
from app.cooperatives.models import Cooperative, RegistryUpload
from app.web.templating import LANG_COOKIE
from tests import factories
from tests.conftest import page_csrf, sign_in

HEADER = "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Trạng thái\n"


def staged_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RegistryUpload)) or 0


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
        guide = page.text.split('id="guide"')[1].split("</details>")[0]
        for listed in ("Huyện/Thành phố", "Tình trạng", "SĐT", "Thương mại - dịch vụ", "Giải thể"):
            assert listed in guide


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
        status = next(row for row in guide.values if row[0] == "Đã giải thể")
        assert status[1] == "dissolved"
        assert "Ngừng hoạt động" in status[2]

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

    def test_bad_rows__list_every_problem_by_line_grouped_by_kind_and_change_nothing(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        known = factories.cooperative(session, code="4900000001", name="HTX Cũ")
        before = count(session)
        content = (
            "Danh sách HTX năm 2025\n"
            + HEADER
            + "4900000001,HTX Đổi Tên,187,Nông nghiệp,30,\n"  # fine on its own
            + ",HTX Không Mã,187,Nông nghiệp,,\n"  # line 4: no code
            + "4900000003,HTX Sai Địa Bàn,999,Nông nghiệp,,\n"  # line 5: unknown area
            + "4900000004,HTX Sai Lĩnh Vực,187,Bay lượn,-5,Giải tán\n"  # line 6: three problems
        ).encode()
        reply = check(admin, content)
        assert reply.status_code == 422
        text = reply.text
        assert "Chưa nhập gì: có 5 lỗi cần sửa trong tệp." in text
        assert "dòng tiêu đề cột là dòng 2 của trang tính" in text
        kinds = re.findall(r'<h2 class="problem-kind" data-kind="(\w+)">([^<]+)</h2>', text)
        assert kinds == [
            ("required", "Ô bắt buộc bị trống (1)"),
            ("area", "Không nhận ra địa bàn (1)"),
            ("sector", "Lĩnh vực không có trong danh mục (1)"),
            ("number", "Không phải số hợp lệ (1)"),
            ("status", "Trạng thái không hợp lệ (1)"),
        ]
        rows = re.findall(
            r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', text
        )
        assert [(r, c) for r, c, _ in rows] == [
            ("4", "Mã số HTX"),
            ("5", "Mã địa bàn"),
            ("6", "Lĩnh vực"),
            ("6", "Số thành viên"),
            ("6", "Trạng thái"),
        ]
        assert "không tìm thấy địa bàn &#39;999&#39;" in text
        assert 'name="token"' not in text
        assert count(session) == before
        session.refresh(known)
        assert known.name == "HTX Cũ"
        csv_link = re.search(r'href="(/admin/registry/problems.csv\?token=[^"]+)"', text)
        assert csv_link
        problems = admin.get(csv_link.group(1).replace("&amp;", "&"))
        assert problems.status_code == 200
        lines = problems.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "Dòng (line),Cột (column),Loại lỗi (kind),Lỗi,Problem"
        assert lines[1] == "4,Mã số HTX,Ô bắt buộc bị trống,không được để trống,must not be blank"
        assert len(lines) == 6

    def test_a_blank_required_cell__is_said_wholly_in_the_readers_language(
        self, admin: TestClient, district: Area
    ) -> None:
        content = (HEADER + "4900000009,,187,Nông nghiệp,,\n").encode()
        vietnamese = check(admin, content).text
        rows = re.findall(
            r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', vietnamese
        )
        assert rows == [("2", "Tên HTX", "không được để trống")]
        assert "Ô bắt buộc bị trống (1)" in vietnamese
        shown = re.sub(r"<[^>]+>", " ", vietnamese.split('id="problems"')[1].split("<form")[0])
        assert "required" not in shown  # no English left at the end of a Vietnamese message
        admin.cookies.set(LANG_COOKIE, "en")
        english = check(admin, content).text
        assert "A required cell is blank (1)" in english
        assert "<td>must not be blank</td>" in english

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

    def test_an_encoding_that_cannot_be_told__gets_the_one_to_use(
        self, admin: TestClient, session: Session
    ) -> None:
        # TCVN3 ("ABC"), as old Vietnamese fonts wrote it: readable as Windows-1258, wrongly.
        reply = check(admin, b"M\xb7 s\xe8 HTX,T\xaan HTX\n1,H\xeep t\xb8c x\xb7\n")
        assert reply.status_code == 422
        assert "CSV UTF-8" in reply.text
        assert "Chưa nhập gì." in reply.text
        assert staged_count(session) == 0

    @pytest.mark.parametrize(
        ("content", "filename", "words"),
        [
            (b"", "htx.csv", "Tệp trống"),
            (HEADER.encode(), "htx.csv", "chỉ có dòng tiêu đề"),
            (bytes(range(256)) * 8, "htx.csv", "nhị phân"),
            (b"PK\x03\x04garbage", "htx.xlsx", "Không đọc được tệp Excel"),
            ("Họ tên,Tuổi\nAn,30\n".encode(), "htx.csv", "Không tìm thấy dòng tiêu đề"),
        ],
    )
    def test_bad_input__is_a_clear_message_and_nothing_is_imported(
        self, admin: TestClient, session: Session, content: bytes, filename: str, words: str
    ) -> None:
        before = count(session)
        reply = check(admin, content, filename=filename)
        assert reply.status_code == 422
        assert words in reply.text
        assert count(session) == before

    def test_a_body_that_says_it_is_too_big__is_refused_before_it_is_read(
        self, admin: TestClient
    ) -> None:
        csrf = page_csrf(admin, "/admin/registry")
        reply = admin.post(
            "/admin/registry/check",
            content=b"x" * 100,
            headers={
                "content-type": "multipart/form-data; boundary=x",
                "content-length": str(staging.MAX_BYTES * 2),
                "x-csrf-token": csrf,
            },
        )
        assert reply.status_code == 413
        assert "10 MB" in reply.text


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
        self, admin: TestClient, session: Session, district: Area
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
            "cleared": 0,
        }
        assert staged_count(session) == 0
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


class TestColumnMapping:
    CONTENT = (
        "Mã số HTX,Tên HTX,Nơi đóng trụ sở,Ngành,Cột lạ\n"
        "4900000021,HTX Ghép Cột,187,Nông nghiệp,x\n"
    ).encode()

    def map_(self, client: TestClient, html: str, choices: dict[str, str]) -> Any:
        return client.post(
            "/admin/registry/map",
            data={
                "token": token_of(html),
                "csrf_token": page_csrf(client, "/admin/registry"),
                **choices,
            },
        )

    def test_unknown_columns__ask_what_they_hold_with_samples(
        self, admin: TestClient, district: Area
    ) -> None:
        reply = check(admin, self.CONTENT)
        assert reply.status_code == 200
        assert 'id="mapping"' in reply.text
        assert "Nơi đóng trụ sở" in reply.text
        assert '<td class="small">187</td>' in reply.text
        assert 'name="column_2"' in reply.text

    def test_a_mapping__checks_the_file_and_is_remembered_for_the_same_headers(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        first = check(admin, self.CONTENT)
        choices = {
            "column_0": "registration_code",
            "column_1": "name",
            "column_2": "area",
            "column_3": "sector",
            "column_4": "",
        }
        reply = self.map_(admin, first.text, choices)
        assert reply.status_code == 200, reply.text
        assert "Các cột bị bỏ qua (không nhập):" in reply.text
        assert "<strong>Cột lạ</strong>" in reply.text
        assert import_(admin, token_of(reply.text)).status_code == 303
        assert known(session, "4900000021")
        # The same headers again, typed differently: no mapping step this time.
        again = check(admin, self.CONTENT.replace(b"N\xc6\xa1i", b"NOI").replace(b"x\n", b"y\n"))
        assert 'id="mapping"' not in again.text
        assert 'id="confirm-import"' in again.text

    def test_one_field_for_two_columns__is_refused_with_the_form_again(
        self, admin: TestClient, district: Area
    ) -> None:
        first = check(admin, self.CONTENT)
        reply = self.map_(admin, first.text, {"column_2": "area", "column_4": "area"})
        assert reply.status_code == 422
        assert "Mỗi trường chỉ được chọn cho một cột." in reply.text


class TestNeverLoseData:
    def test_a_partial_file_with_blank_cells__changes_only_what_it_says(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        cooperative = factories.cooperative(session, in_area=district, code="4900000031")
        content = "Mã số HTX,Tình trạng,Điện thoại\n4900000031,Giải thể,\n".encode()
        reply = check(admin, content)
        assert 'id="clears"' not in reply.text
        assert import_(admin, token_of(reply.text)).status_code == 303
        session.refresh(cooperative)
        assert (cooperative.status, cooperative.phone, cooperative.name) == (
            "dissolved",
            "0912345678",
            "HTX Na Chi Lăng",
        )

    def test_clear_blank_fields__shows_each_clear_before_the_confirm_button(
        self, admin: TestClient, session: Session, district: Area
    ) -> None:
        cooperative = factories.cooperative(session, in_area=district, code="4900000032")
        content = "Mã số HTX,Điện thoại,Số thành viên\n4900000032,,\n".encode()
        reply = admin.post(
            "/admin/registry/check",
            files={"file": ("htx.csv", content, "text/csv")},
            data={"csrf_token": page_csrf(admin, "/admin/registry"), "clear_blanks": "true"},
        )
        # The file lacks the columns a new cooperative needs: the mapping step comes first,
        # with the option still ticked.
        assert 'id="clear_blanks" name="clear_blanks" value="true" checked' in reply.text
        reply = admin.post(
            "/admin/registry/map",
            data={
                "token": token_of(reply.text),
                "csrf_token": page_csrf(admin, "/admin/registry"),
                "column_0": "registration_code",
                "column_1": "phone",
                "column_2": "members",
                "clear_blanks": "true",
            },
        )
        text = reply.text
        assert "2 giá trị đang lưu sẽ bị xóa do ô trống" in text
        assert text.index('id="clears"') < text.index('id="confirm-import"')
        assert text.count('class="cleared"') == 2
        assert import_(admin, token_of(text)).status_code == 303
        session.refresh(cooperative)
        assert (cooperative.phone, cooperative.members) == (None, None)


class TestManyProblems:
    def test_thousands_of_bad_rows__show_two_hundred_and_the_csv_has_all(
        self, admin: TestClient, district: Area
    ) -> None:
        rows = "".join(f"49{n:08d},HTX {n},187,Bay lượn,,\n" for n in range(2500))
        reply = check(admin, (HEADER + rows).encode())
        assert reply.status_code == 422
        assert reply.text.count('<tr><td class="num">') == 200
        assert "Lĩnh vực không có trong danh mục: <strong>2.500</strong>" in reply.text
        assert len(reply.content) < 120_000
        link = re.search(r'href="(/admin/registry/problems.csv\?token=[^"]+)"', reply.text)
        assert link
        lines = admin.get(link.group(1)).content.decode("utf-8-sig").splitlines()
        assert len(lines) == 2501
        assert lines[-1].startswith("2501,Lĩnh vực,")
