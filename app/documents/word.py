"""The report draft as a Word document (python-docx), laid out per Nghị định 30/2020/NĐ-CP.

A4; margins top and bottom 20 mm, left 30 mm, right 15 mm (the decree: 20–25, 20–25, 30–35,
15–20); Times New Roman, 14 pt body, 13 pt in the letterhead, 12 and 11 pt for nơi nhận. Charts
go in as PNG: Word takes no SVG without an extension this library cannot write.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.documents import charts
from app.documents.report import Part, ReportDraft, Table

FONT = "Times New Roman"
BODY_PT = 14
LETTERHEAD_PT = 13
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}


def _font(run: Any, *, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # Word picks the East Asian font slot for some characters unless it is named too.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _paragraph(
    container: Any,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    after: float = 6,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    run = paragraph.add_run(text)
    _font(run, size=size, bold=bold, italic=italic)
    run.font.underline = underline
    return paragraph


def _letterhead(document: Any, draft: ReportDraft) -> None:
    head = draft.letterhead
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    for cell in (left, right):
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(left, head.governing_body, size=LETTERHEAD_PT, align=centre, after=0)
    _paragraph(left, head.issuer, size=LETTERHEAD_PT, bold=True, align=centre, after=6)
    _paragraph(left, head.number_line, size=LETTERHEAD_PT, align=centre, after=0)
    _paragraph(
        right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True, align=centre, after=0
    )
    _paragraph(
        right,
        "Độc lập - Tự do - Hạnh phúc",
        size=13.5,
        bold=True,
        underline=True,
        align=centre,
        after=6,
    )
    _paragraph(right, head.place_date, size=LETTERHEAD_PT, italic=True, align=centre, after=0)


def _table(document: Any, table: Table) -> None:
    _paragraph(document, table.caption, bold=True, italic=True, size=13, after=3)
    rows = [table.header, *table.rows, *([table.total] if table.total else [])]
    out = document.add_table(rows=len(rows), cols=len(table.header))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate(rows):
        header = r == 0
        total = table.total is not None and r == len(rows) - 1
        for c, value in enumerate(values):
            cell = out.cell(r, c)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER
                if header
                else WD_ALIGN_PARAGRAPH.RIGHT
                if c >= table.numeric_from
                else WD_ALIGN_PARAGRAPH.LEFT
            )
            _font(paragraph.add_run(value), size=12, bold=header or total)
    _paragraph(document, "", after=3)


def _part(document: Any, part: Part, *, level: int) -> None:
    _paragraph(document, part.heading, bold=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    for text in part.paragraphs:
        _paragraph(document, text, indent=True)
    if part.chart is not None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(charts.png(part.chart)), width=Mm(150))
    for table in part.tables:
        _table(document, table)
    for _ in range(part.blank_lines):
        _paragraph(document, "." * 96, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    for child in part.parts:
        _part(document, child, level=level + 1)


def _signature(document: Any, draft: ReportDraft) -> None:
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(85), Mm(80)
    for cell in (left, right):
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    _paragraph(
        left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=0
    )
    for line in draft.recipients:
        _paragraph(left, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(right, draft.signer_title, size=BODY_PT, bold=True, align=centre, after=60)
    _paragraph(right, "(ký, ghi rõ họ tên)", size=BODY_PT, italic=True, align=centre, after=0)


def docx_bytes(draft: ReportDraft) -> bytes:
    """The report draft as a .docx file."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    document.core_properties.title = f"{draft.title} {draft.summary}"
    document.core_properties.language = "vi-VN"
    _letterhead(document, draft)
    _paragraph(document, "", after=6)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, draft.title, bold=True, align=centre, after=0)
    _paragraph(document, draft.summary, bold=True, align=centre, after=12)
    for note in draft.notes:
        _paragraph(document, note, italic=True, size=12)
    for part in draft.parts:
        _part(document, part, level=1)
    _paragraph(document, "", after=6)
    _signature(document, draft)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
