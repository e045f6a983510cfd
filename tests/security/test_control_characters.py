"""Control characters: dropped at the door, and harmless at the exit whatever was stored."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.advice import service as advice
from app.advice.schemas import NoteForm
from app.areas.models import Area
from app.cooperatives.models import Cooperative, Product
from app.reports.downloads import FORMATS, WHATS
from app.responses.models import Answer, Wave
from app.text import clean_line, clean_text, spreadsheet_safe
from tests import factories
from tests.conftest import page_csrf
from tests.db.test_rankings import Province, province
from tests.strategies import CONTROL_TEXT

CONTROLS = "".join(
    map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
)
# Excel's formula triggers, at the start and after each list separator.
PAYLOAD = "\x1b[31mHTX\x07 Bắc\x0b;=cmd|' /C calc'!A0,+1\x9b"
LIVE_TRIGGER = re.compile(r"(^|[;,] *)[=+\-@\t\r]")


class TestTheDoor:
    def test_one_line__drops_controls_and_turns_breaks_into_spaces(self) -> None:
        assert clean_line("HTX\x00 Bắc\x1b[0m\tSơn\r\nmới\x85") == "HTX Bắc[0m Sơn mới "
        assert clean_line("Hợp tác xã Đồng Tâm") == "Hợp tác xã Đồng Tâm"

    def test_several_lines__keep_tabs_and_line_feeds(self) -> None:
        assert clean_text("Dòng 1\r\nDòng 2\rDòng\t3\x00\x07\x9b") == "Dòng 1\nDòng 2\nDòng\t3"

    @given(st.one_of(st.text(max_size=40), CONTROL_TEXT))
    def test_nothing_a_form_can_send__keeps_a_control_character(self, text: str) -> None:
        for cleaned in (clean_line(text), clean_text(text)):
            assert not set(cleaned) & set(CONTROLS)
        assert "\n" not in clean_line(text)

    def test_every_name_and_note_written__is_stored_clean_on_both_databases(
        self, session: Session
    ) -> None:
        area = factories.area(session, name="Xã\x00 Mẫu\x1bSơn")
        coop = factories.cooperative(session, in_area=area, name="HTX\x00 Bắc\x07\nSơn")
        coop.address = "Thôn 1\r\nXã\x00 Mẫu Sơn\x9b"
        product = factories.product(session, of=coop, name="Mật ong\x00\x1b")
        user = factories.user(session, username="canbo_sach", full_name="Nguyễn\x00 Văn\tA\x07")
        session.flush()
        note = advice.add_note(
            session,
            author=user,
            cooperative_id=coop.id,
            note=NoteForm(body="Đã gọi.\r\nHẹn lại\x00\x08 tuần sau."),
            ip_address=None,
        )
        session.expire_all()
        assert session.get(Area, area.id).name == "Xã MẫuSơn"  # type: ignore[union-attr]
        assert session.get(Cooperative, coop.id).name == "HTX Bắc Sơn"  # type: ignore[union-attr]
        assert session.get(Cooperative, coop.id).address == "Thôn 1\nXã Mẫu Sơn"  # type: ignore[union-attr]
        assert session.get(Product, product.id).name == "Mật ong"  # type: ignore[union-attr]
        assert session.get(User, user.id).full_name == "Nguyễn Văn A"  # type: ignore[union-attr]
        assert note.body == "Đã gọi.\nHẹn lại tuần sau."


class TestTheExit:
    def test_spreadsheet_text__drops_controls_and_neutralises_every_trigger(self) -> None:
        assert spreadsheet_safe(PAYLOAD) == "[31mHTX Bắc;'=cmd|' /C calc'!A0,'+1"
        assert spreadsheet_safe("=1+1") == "'=1+1"
        assert spreadsheet_safe("a; -3") == "a; '-3"
        assert spreadsheet_safe("Nông nghiệp, dịch vụ; du lịch") == "Nông nghiệp, dịch vụ; du lịch"

    @given(st.one_of(st.text(max_size=40), CONTROL_TEXT))
    def test_no_text__leaves_a_control_character_or_a_live_trigger(self, text: str) -> None:
        safe = spreadsheet_safe(text)
        assert not LIVE_TRIGGER.search(safe)
        assert not set(safe) & set(CONTROLS)


def plant(session: Session, world: Province) -> str:
    """Control characters and formulas in every stored name and free text, past the door."""
    # PostgreSQL never stores NUL; SQLite does, so data from before the door may hold it.
    payload = "\x00" + PAYLOAD if session.get_bind().dialect.name == "sqlite" else PAYLOAD
    for column in (Cooperative.name, Cooperative.contact_name, Cooperative.address):
        session.execute(update(Cooperative).values({column: payload + column.key}))
    session.execute(update(Area).values(name=Area.name + payload))
    session.execute(update(Product).values(name=payload))
    session.execute(update(Wave).values(name=payload))
    session.execute(update(User).values(full_name=payload))
    session.execute(update(Answer).values(value=payload))
    session.expire_all()
    return payload


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def cells(reply_body: bytes, fmt: str) -> list[str]:
    if fmt == "csv":
        text = reply_body.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    book = load_workbook(io.BytesIO(reply_body))
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def test_every_export__answers_200_and_reads_back_clean_after_hostile_stored_text(
    signed_in_admin: TestClient, session: Session, world: Province
) -> None:
    plant(session, world)
    token = page_csrf(signed_in_admin)
    checked = 0
    for what in WHATS:
        for fmt in FORMATS:
            if what == "answers" and fmt == "xlsx":
                continue
            reply = signed_in_admin.post(
                "/reports/export",
                data={
                    "what": what,
                    "format": fmt,
                    "wave": "2026",
                    "questionnaire": "mini",
                    "csrf_token": token,
                },
            )
            assert reply.status_code == 200, (what, fmt, reply.text[:300])
            found = cells(reply.content, fmt)
            planted = [c for c in found if "cmd|" in c]
            assert planted, (what, fmt)
            for cell in found:
                assert not set(cell) & set(CONTROLS), (what, fmt, cell)
            for cell in planted:
                assert ";'=cmd|" in cell, (what, fmt, cell)
                assert ",'+1" in cell, (what, fmt, cell)
            checked += 1
    assert checked == len(WHATS) * len(FORMATS) - 1


def test_the_registry_template__holds_hostile_area_names(
    signed_in_admin: TestClient, session: Session, world: Province
) -> None:
    plant(session, world)
    reply = signed_in_admin.get("/admin/registry/template.xlsx")
    assert reply.status_code == 200
    found = [c for c in cells(reply.content, "xlsx") if "cmd|" in c]
    assert found
    assert all(";'=cmd|" in c for c in found)
