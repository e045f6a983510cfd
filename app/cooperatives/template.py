"""The registry template to fill in, its guide (fields, header synonyms, accepted values), and
the registry itself written in the same shape, so that an exported registry imports as is."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.columns import ALWAYS_IGNORED, FIELD_NAMES_EN, SYNONYMS, TEMPLATE_HEADERS
from app.cooperatives.places import PREFIXES_SHOWN
from app.cooperatives.vocabulary import SECTORS, STATUSES, synonyms
from app.text import spreadsheet_safe

FIELD_NOTES: dict[str, tuple[str, str]] = {
    "registration_code": ("Bắt buộc, không trùng trong tệp", "Required, once per file"),
    "name": ("Bắt buộc với HTX mới", "Required for a new cooperative"),
    "area": (
        f"HTX mới cần địa bàn, xã, huyện cũ hoặc địa chỉ: mã, hoặc tên có hay không có "
        f"{PREFIXES_SHOWN}",
        "A new cooperative needs an area, commune, former district or address: a code, or a "
        "name with or without its prefix",
    ),
    "sector": ("Bắt buộc với HTX mới; xem danh mục bên dưới", "Required for a new cooperative"),
    "members": ("Số nguyên", "A whole number"),
    "founded_year": ("Năm, từ 1950", "A year, from 1950"),
    "status": ("Để trống: Đang hoạt động với HTX mới", "Blank: active for a new cooperative"),
    "contact_name": ("", ""),
    "phone": ("Giữ số 0 đầu; chấp nhận dấu cách, dấu chấm, +84", "Spaces, dots, +84 accepted"),
    "email": ("", ""),
    "address": (
        "Địa chỉ cũ (có huyện) hoặc mới đều được",
        "The old form (with its district) or the 2025 form",
    ),
    "commune_code": ("Mã xã, phường năm 2025", "The 2025 commune's code"),
    "commune": (
        "Xã, phường năm 2025 hoặc tên cũ (kèm huyện cũ)",
        "A 2025 commune, or a former one with its district",
    ),
    "former_district_code": ("Mã huyện trước năm 2025", "The former district's code"),
    "former_district": ("Huyện trước năm 2025", "The district before the 2025 reform"),
}


def guide_rows(locale: str = "vi") -> list[list[str]]:
    """The guide as rows: each field with its headers, then each accepted value."""
    note = 0 if locale == "vi" else 1
    rows = [["Cột (Column)", "Trường (field)", "Tiêu đề khác được nhận (other headers)", "Ghi chú"]]
    for field, header in TEMPLATE_HEADERS.items():
        others = [field, FIELD_NAMES_EN[field], *SYNONYMS[field]]
        rows.append([header, field, "; ".join(others), FIELD_NOTES[field][note]])
    rows.append(["", "", "; ".join(ALWAYS_IGNORED), "Bỏ qua (ignored)"])
    for field, vocabulary in (("sector", SECTORS), ("status", STATUSES)):
        rows.append([])
        rows.append([TEMPLATE_HEADERS[field], "Giá trị (value)", "Cách viết khác được nhận", ""])
        for key, (vi, en) in vocabulary.items():
            rows.append([vi, key, "; ".join([en, *synonyms(vocabulary, key)]), ""])
    return rows


def template_csv() -> bytes:
    """An empty registry file with the Vietnamese headers, UTF-8 with a BOM for Excel."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS.values()) + "\r\n").encode("utf-8")


def template_xlsx(session: Session) -> bytes:
    """The same as a workbook, with a guide sheet: fields, synonyms, values and area codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách HTX"
    sheet.append(list(TEMPLATE_HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(TEMPLATE_HEADERS.values()):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(14, len(header) + 4)
    guide = book.create_sheet("Hướng dẫn")
    for row in guide_rows():
        guide.append(row)
        if row and row[0] and row[1] in ("Trường (field)", "Giá trị (value)"):
            for cell in guide[guide.max_row]:
                cell.font = Font(bold=True)
    guide.append([])
    guide.append(["Mã địa bàn", "Tên địa bàn", "Cấp"])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for area in session.scalars(
        select(Area).where(Area.level != AreaLevel.COUNTRY).order_by(Area.code)
    ):
        guide.append([spreadsheet_safe(area.code), spreadsheet_safe(area.name), area.level])
    for column, width in (("A", 22), ("B", 22), ("C", 70), ("D", 50)):
        guide.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
