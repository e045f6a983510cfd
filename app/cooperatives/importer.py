"""Registry import from CSV or XLSX: validate every row first, then write all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.resolver import Placement, Query, Resolver
from app.areas.resolver import Problem as PlaceProblem
from app.cooperatives.models import Cooperative
from app.cooperatives.vocabulary import SECTORS, STATUSES, fold, match

# Accepted headers per field, compared after folding case and diacritics.
COLUMNS: dict[str, tuple[str, ...]] = {
    "registration_code": (
        "registration_code",
        "registration code",
        "ma so htx",
        "ma htx",
        "ma so dang ky",
        "ma dang ky",
    ),
    "name": ("name", "cooperative name", "ten htx", "ten hop tac xa", "ten"),
    "area": ("area", "area_code", "area code", "ma dia ban", "dia ban"),
    # A 2025 commune or a former ward, by code or name (the form of the row decides the tree).
    "commune_code": ("commune_code", "commune code", "ma xa", "ma xa/phuong"),
    "commune": ("commune", "xa", "xa/phuong", "xa, phuong", "xa phuong", "phuong/xa"),
    "district_code": ("former_district_code", "district_code", "ma huyen", "ma huyen (cu)"),
    "district": ("former_district", "district", "huyen", "huyen (cu)", "huyen cu"),
    "sector": ("sector", "linh vuc", "nganh nghe"),
    "members": ("members", "so thanh vien", "thanh vien"),
    "founded_year": ("founded_year", "founded year", "nam thanh lap"),
    "status": ("status", "trang thai"),
    "contact_name": ("contact_name", "contact", "nguoi lien he", "giam doc"),
    "phone": ("phone", "dien thoai", "so dien thoai", "sdt"),
    "email": ("email", "thu dien tu"),
    "address": ("address", "dia chi", "dia chi tru so", "dia chi tru so chinh"),
}
REQUIRED = ("registration_code", "name", "sector")
# At least one of these says where a cooperative is.
PLACE_COLUMNS = ("area", "commune_code", "commune", "district_code", "district", "address")
# The headers a template file carries (Vietnamese first: the people filling it in read it).
TEMPLATE_HEADERS = {
    "registration_code": "Mã số HTX",
    "name": "Tên HTX",
    "area": "Mã địa bàn",
    "sector": "Lĩnh vực",
    "members": "Số thành viên",
    "founded_year": "Năm thành lập",
    "status": "Trạng thái",
    "contact_name": "Người liên hệ",
    "phone": "Điện thoại",
    "email": "Email",
    "address": "Địa chỉ",
    # Where a cooperative is, besides (or instead of) the area code: the form decides the tree.
    "commune": "Xã/Phường",
    "district": "Huyện (cũ)",
    "commune_code": "Mã xã/phường",
    "district_code": "Mã huyện (cũ)",
}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the spreadsheet row (1 is the header) and the column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"dòng {self.row}" if self.row else "tệp"
        return (
            f"{where}, cột '{self.column}': {self.message}"
            if self.column
            else (f"{where}: {self.message}")
        )


@dataclass
class RegistryRow:
    registration_code: str
    name: str
    area_id: int
    former_district_id: int | None
    former_ward_id: int | None
    sector: str
    members: int | None
    founded_year: int | None
    status: str
    contact_name: str | None
    phone: str | None
    email: str | None
    address: str | None


@dataclass
class ImportPlan:
    """What an import would do; nothing is written while problems is not empty."""

    rows: list[RegistryRow] = field(default_factory=list)
    inserts: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_table(data: bytes, *, filename: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows of a CSV (UTF-8, BOM or not) or XLSX file, as text."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "Tệp CSV phải được lưu với mã hóa UTF-8 (CSV must be saved as UTF-8)"
        ) from exc
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="" lets the csv module handle line breaks inside quoted cells and lone CRs.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, [])
    return header, reader


def _read_xlsx(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValueError("Không đọc được tệp Excel (the XLSX file cannot be read)") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return str(value)

    header = [text(v) for v in next(rows, ())]
    return header, ([text(v) for v in row] for row in rows)


def plan_import(
    session: Session,
    *,
    data: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Check every row of a registry file and work out the inserts and updates it would make."""
    plan = ImportPlan()
    try:
        header, rows = read_table(data, filename=filename)
    except ValueError as exc:
        plan.problems.append(Problem(0, "", str(exc)))
        return plan
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        # The portal's own exports head a column "code | Vietnamese header".
        for part in title.split("|"):
            folded = fold(part)
            for name, aliases in COLUMNS.items():
                if folded in aliases and name not in positions:
                    positions[name] = index
    for name in REQUIRED:
        if name not in positions:
            plan.problems.append(
                Problem(1, TEMPLATE_HEADERS[name], "thiếu cột bắt buộc (required column missing)")
            )
    if not any(name in positions for name in PLACE_COLUMNS):
        plan.problems.append(
            Problem(
                1,
                TEMPLATE_HEADERS["commune"],
                "cần cột xã/phường, địa chỉ hoặc mã địa bàn (a commune, address or area column"
                " is required)",
            )
        )
    if plan.problems:
        return plan

    areas = Resolver(session)
    existing = set(session.scalars(select(Cooperative.registration_code)))
    seen: dict[str, int] = {}
    for number, raw in _rows_or_problem(rows, plan.problems):
        if progress:
            progress(1)
        if not any(cell.strip() for cell in raw):
            continue
        if number - 1 > MAX_ROWS:
            plan.problems.append(
                Problem(number, "", f"tệp quá lớn, tối đa {MAX_ROWS} dòng (too many rows)")
            )
            break
        cells = {name: (raw[i].strip() if i < len(raw) else "") for name, i in positions.items()}
        if number == 2 and cells.get("registration_code") == "registration_code":
            continue  # the row of column codes under the headers of an exported workbook
        row = _check_row(number, cells, areas, plan.problems)
        if row is None:
            continue
        if row.registration_code in seen:
            plan.problems.append(
                Problem(
                    number,
                    TEMPLATE_HEADERS["registration_code"],
                    f"mã số trùng với dòng {seen[row.registration_code]} (duplicate code)",
                )
            )
            continue
        seen[row.registration_code] = number
        plan.rows.append(row)
        (plan.updates if row.registration_code in existing else plan.inserts).append(
            row.registration_code
        )
    if not plan.rows and not plan.problems:
        plan.problems.append(Problem(0, "", "tệp không có dòng dữ liệu nào (no data rows)"))
    return plan


def _rows_or_problem(
    rows: Iterator[list[str]], problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    """Numbered rows; a file the CSV reader cannot follow becomes one problem, not a crash."""
    number = 1
    try:
        for number, raw in enumerate(rows, start=2):
            yield number, raw
    except csv.Error as exc:
        problems.append(Problem(number + 1, "", f"tệp CSV bị lỗi định dạng ({exc})"))


def _check_row(
    number: int, cells: dict[str, str], areas: Resolver, problems: list[Problem]
) -> RegistryRow | None:
    before = len(problems)

    def problem(name: str, message: str) -> None:
        problems.append(Problem(number, TEMPLATE_HEADERS[name], message))

    def whole(name: str, low: int, high: int) -> int | None:
        text = cells.get(name, "").replace(".", "").replace(" ", "")
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            problem(name, f"phải là số nguyên từ {low} đến {high} (a whole number {low}–{high})")
            return None
        return int(text)

    code = cells.get("registration_code", "")
    if not code:
        problem("registration_code", "không được để trống (required)")
    elif len(code) > 64:
        problem("registration_code", "dài quá 64 ký tự (longer than 64 characters)")
    name = cells.get("name", "")
    if not name:
        problem("name", "không được để trống (required)")
    elif len(name) > 300:
        problem("name", "dài quá 300 ký tự (longer than 300 characters)")
    place = areas.resolve(
        Query(
            commune_code=cells.get("commune_code", ""),
            commune=cells.get("commune", ""),
            district=cells.get("district_code") or cells.get("district", ""),
            address=cells.get("address", ""),
            area=cells.get("area", ""),
        )
    )
    if place is None:
        problem("commune", "không được để trống (a commune, address or area is required)")
    elif isinstance(place, PlaceProblem):
        column = next(
            (
                c
                for c in ("commune_code", "commune", "district_code", "district", "address", "area")
                if cells.get(c) == place.text
            ),
            "address" if cells.get("address") else "commune",
        )
        problem(column, f"{place.message_vi} ({place.message_en})")
    sector = match(SECTORS, cells.get("sector", ""))
    if sector is None:
        problem(
            "sector",
            f"lĩnh vực '{cells.get('sector', '')}' không có trong danh mục (unknown sector)",
        )
    members = whole("members", 0, 1_000_000)
    founded = whole("founded_year", 1950, dt.date.today().year)
    status_text = cells.get("status", "")
    status = match(STATUSES, status_text) if status_text else "active"
    if status is None:
        problem(
            "status",
            f"trạng thái '{status_text}' không hợp lệ; dùng: Đang hoạt động, "
            "Tạm ngừng hoạt động, Đã giải thể (unknown status)",
        )
    email = cells.get("email") or None
    if email and ("@" not in email or len(email) > 200):
        problem("email", "địa chỉ email không hợp lệ (invalid email)")
    if len(problems) > before:
        return None
    assert isinstance(place, Placement)
    assert sector is not None
    assert status is not None
    return RegistryRow(
        registration_code=code,
        name=name,
        area_id=place.area_id,
        former_district_id=place.former_district_id,
        former_ward_id=place.former_ward_id,
        sector=sector,
        members=members,
        founded_year=founded,
        status=status,
        contact_name=(cells.get("contact_name") or None),
        phone=(cells.get("phone") or None),
        email=email,
        address=(cells.get("address") or None),
    )


def apply_import(session: Session, *, plan: ImportPlan) -> tuple[int, int]:
    """Write a checked plan: insert new codes, update known ones. Returns (inserted, updated)."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    by_code = (
        {
            c.registration_code: c
            for c in session.scalars(
                select(Cooperative).where(Cooperative.registration_code.in_(plan.updates))
            )
        }
        if plan.updates
        else {}
    )
    for row in plan.rows:
        values = vars(row)
        cooperative = by_code.get(row.registration_code)
        if cooperative is None:
            session.add(Cooperative(**values))
        else:
            for key, value in values.items():
                setattr(cooperative, key, value)
    session.flush()
    return len(plan.inserts), len(plan.updates)


def import_file(
    session: Session, *, path: Path, progress: Callable[[int], None] | None = None
) -> ImportPlan:
    """Plan an import from a file and apply it when every row is good."""
    plan = plan_import(session, data=path.read_bytes(), filename=path.name, progress=progress)
    if plan.ok:
        apply_import(session, plan=plan)
    return plan
