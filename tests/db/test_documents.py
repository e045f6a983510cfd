"""The quarterly report draft: its headings, the decree's layout, and every figure against the
rankings and coverage exports of the same wave (read back from the DOCX and from the PDF)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli
from app.audit.models import AuditEvent
from app.cli import app as htxso
from app.config import Settings
from app.documents import downloads as documents
from app.reports import downloads, scope
from tests import conftest
from tests.db.test_rankings import EVERYONE, Province, province

HEADINGS = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND TỈNH LẠNG SƠN",
    "LIÊN MINH HỢP TÁC XÃ TỈNH LẠNG SƠN",
    "Lạng Sơn, ngày 03 tháng 12 năm 2026",
    "BÁO CÁO",
    "I. TÌNH HÌNH CHUNG",
    "II. KẾT QUẢ THEO BỘ CÂU HỎI",
    "1. Bộ câu hỏi thử",
    "III. XÂY DỰNG MÔ HÌNH HTX VÀ HỖ TRỢ HTX",
    "IV. KHÓ KHĂN, VƯỚNG MẮC",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
    "Nơi nhận:",
)
TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def document(session: Session, fmt: documents.DocumentFormat) -> bytes:
    choice = scope.choose_wave(session, wave_key="2026")
    return documents.report_document(
        session,
        choice=choice,
        visible=EVERYONE,
        fmt=fmt,
        level="former-district",
        settings=Settings(),
        today=TODAY,
        actor=None,
        via="cli",
    ).body


def export(session: Session, what: downloads.What) -> list[dict[str, str]]:
    """An export's CSV rows, keyed by column code."""
    choice = scope.choose_wave(session, wave_key="2026")
    request = downloads.ExportRequest(what=what, fmt="csv", key="mini", level="former-district")
    body = downloads.export(
        session, choice=choice, request=request, visible=EVERYONE, actor=None, via="cli"
    ).body
    assert body is not None
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    codes = [h.split(" | ", 1)[0] for h in next(reader)]
    return [dict(zip(codes, row, strict=True)) for row in reader]


def vi(value: str, *, digits: int = 1) -> str:
    """A CSV number (dot decimal) as the report writes it (comma decimal)."""
    return f"{float(value):.{digits}f}".replace(".", ",")


def share(part: str, whole: str) -> str:
    return vi(str(100 * int(part) / int(whole))) + "%"


def expected_rows(session: Session) -> tuple[list[list[str]], list[list[str]]]:
    """The report's by-area tables, worked out from the exports alone."""
    coverage = [
        [
            r["area_name"],
            r["active"],
            r["started"],
            r["finished"],
            share(r["finished"], r["active"]),
        ]
        for r in export(session, "coverage")
    ]
    ranking = []
    for r in export(session, "rankings"):
        change = (
            "–" if not r["change"] else ("+" if float(r["change"]) >= 0 else "") + vi(r["change"])
        )
        name = "Toàn tỉnh" if r["area_level"] == "province" else r["area_name"]
        ranking.append(
            [
                name,
                r["asked"],
                r["responses"],
                share(r["responses"], r["asked"]),
                vi(r["mean"]),
                change,
                r["rank"] or ("" if name == "Toàn tỉnh" else "–"),
            ]
        )
    coverage[-1][0] = "Toàn tỉnh"
    return coverage, ranking


class TestWord:
    def test_headings__are_the_decrees_parts(self, session: Session, world: Province) -> None:
        doc = Document(io.BytesIO(document(session, "docx")))
        texts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for cell in table._cells:
                texts += [p.text for p in cell.paragraphs]
        for heading in HEADINGS:
            assert heading in texts, heading
        assert any(t.startswith("Số:") and t.endswith("/BC-LMHTX") for t in texts)

    def test_every_figure__equals_the_exports(self, session: Session, world: Province) -> None:
        doc = Document(io.BytesIO(document(session, "docx")))
        tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
        coverage, ranking = expected_rows(session)
        by_header = {tuple(t[0]): t[1:] for t in tables if t and t[0][0] == "Địa bàn"}
        assert (
            by_header[("Địa bàn", "HTX hoạt động", "Đã bắt đầu", "Hoàn thành", "Tỷ lệ")] == coverage
        )
        found = by_header[
            ("Địa bàn", "Được hỏi", "Có điểm", "Tỷ lệ", "Điểm TB", "Thay đổi", "Hạng")
        ]
        assert found == ranking
        # Ranked areas by rank; the area with too few responses (Cẩm Lý) follows, unranked.
        assert [row[0] for row in found] == ["An Bình", "Bắc Hà", "Đông Sơn", "Cẩm Lý", "Toàn tỉnh"]

    def test_layout__a4_the_decrees_margins_times_new_roman(
        self, session: Session, world: Province
    ) -> None:
        doc = Document(io.BytesIO(document(session, "docx")))
        section = doc.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert 20 <= round(section.top_margin.mm) <= 25
        assert 20 <= round(section.bottom_margin.mm) <= 25
        assert 30 <= round(section.left_margin.mm) <= 35
        assert 15 <= round(section.right_margin.mm) <= 20
        assert doc.styles["Normal"].font.name == "Times New Roman"
        runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
        assert {r.font.name for r in runs} == {"Times New Roman"}
        body = [r for p in doc.paragraphs for r in p.runs if p.text.startswith("Toàn tỉnh có")]
        assert body
        assert all(13 <= r.font.size.pt <= 14 for r in body)


class TestPdf:
    def test_headings_and_figures__equal_the_exports(
        self, session: Session, world: Province
    ) -> None:
        reader = PdfReader(io.BytesIO(document(session, "pdf")))
        lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
        text = " ".join(lines)
        for heading in HEADINGS:
            assert heading in text, heading
        coverage, ranking = expected_rows(session)
        for row in [*coverage, *ranking]:
            assert " ".join(cell for cell in row if cell) in lines, row

    def test_layout__a4_with_a_font_covering_vietnamese(
        self, session: Session, world: Province
    ) -> None:
        reader = PdfReader(io.BytesIO(document(session, "pdf")))
        box = reader.pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
            210,
            297,
        )
        fonts = {
            str(font.get_object()["/BaseFont"]).split("+")[-1]
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        # Times New Roman where installed, else its metric twin: the text never falls back.
        assert fonts & {"Liberation-Serif", "TimesNewRomanPSMT", "Times-New-Roman"}


class TestCommandLine:
    def test_export_report__writes_the_docx_and_records_it(
        self,
        session: Session,
        world: Province,
        database_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(cli, "database", lambda: conftest.TestDatabase(session, database_url))
        out = tmp_path / "bao-cao.docx"
        done = CliRunner().invoke(
            htxso, ["export", "report", "--wave", "2026", "--format", "docx", "--out", str(out)]
        )
        assert done.exit_code == 0, done.output
        assert "BÁO CÁO" in [p.text for p in Document(str(out)).paragraphs]
        event = session.scalars(select(AuditEvent).where(AuditEvent.target == "report")).one()
        assert event.detail["format"] == "docx"
        assert event.detail["via"] == "cli"

    def test_export_report__refuses_a_spreadsheet_format(
        self,
        session: Session,
        world: Province,
        database_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(cli, "database", lambda: conftest.TestDatabase(session, database_url))
        out = tmp_path / "bao-cao.xlsx"
        done = CliRunner().invoke(
            htxso, ["export", "report", "--wave", "2026", "--format", "xlsx", "--out", str(out)]
        )
        assert done.exit_code != 0
        assert not out.exists()
