"""Which registry field each column of a file holds: by the header people type, or as the
administrator chose it in the column-mapping step (or with `--map` on the command line)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.cooperatives.vocabulary import fold_key

# The headers a template file carries (Vietnamese first: the people filling it in read it).
TEMPLATE_HEADERS = {
    "registration_code": "Mã số HTX",
    "name": "Tên HTX",
    "area": "Địa bàn",
    "sector": "Lĩnh vực",
    "members": "Số thành viên",
    "founded_year": "Năm thành lập",
    "status": "Trạng thái",
    "contact_name": "Người liên hệ",
    "phone": "Điện thoại",
    "email": "Email",
    "address": "Địa chỉ",
    # Where it is, besides (or instead of) the area: the registry export writes all four.
    "commune_code": "Mã xã/phường",
    "commune": "Xã/Phường",
    "former_district_code": "Mã huyện (cũ)",
    "former_district": "Huyện (cũ)",
}
FIELD_NAMES_EN = {
    "registration_code": "Registration code",
    "name": "Name",
    "area": "Area (a code or name of any level)",
    "sector": "Sector",
    "members": "Members",
    "founded_year": "Year founded",
    "status": "Status",
    "contact_name": "Contact person",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "commune_code": "Commune code",
    "commune": "Commune (2025 or former)",
    "former_district_code": "Former district code",
    "former_district": "Former district",
}
FIELDS = tuple(TEMPLATE_HEADERS)
# A new cooperative needs these; a known one can be updated by a file that lacks them.
REQUIRED = ("registration_code", "name", "sector")
# A new cooperative needs at least one of these to say where it is (an address will do).
PLACE_FIELDS = (
    "area",
    "commune_code",
    "commune",
    "former_district_code",
    "former_district",
    "address",
)
IGNORE = ""

# Other headers people type for each field (as typed; compared after `fold_key`, so case,
# diacritics, punctuation, `_` and spacing do not matter).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "registration_code": (
        "registration code",
        "code",
        "Mã HTX",
        "Mã số",
        "Mã số đăng ký",
        "Mã đăng ký",
        "Số đăng ký",
        "Số ĐKKD",
        "Mã số thuế",
        "MST",
        "Mã số doanh nghiệp",
    ),
    "name": (
        "cooperative name",
        "Tên",
        "Tên hợp tác xã",
        "Tên HTX",
        "Tên đơn vị",
        "Tên tổ chức",
    ),
    "area": (
        "area code",
        "Mã địa bàn",
        "Đơn vị hành chính",
        "Địa bàn hoạt động",
    ),
    "commune_code": ("Mã xã", "Mã phường"),
    "commune": ("Xã", "Phường/Xã", "Xã/Phường/Thị trấn", "Xã, phường"),
    "former_district_code": ("district code", "Mã huyện", "Mã huyện cũ"),
    "former_district": (
        "district",
        "Huyện",
        "Huyện cũ",
        "Huyện/Thành phố",
        "Huyện/TP",
        "Huyện, thành phố",
        "Quận/Huyện",
        "Huyện/Thị xã/Thành phố",
    ),
    "sector": (
        "Ngành nghề",
        "Ngành",
        "Lĩnh vực hoạt động",
        "Ngành nghề kinh doanh",
        "Lĩnh vực kinh doanh",
        "Loại hình",
    ),
    "members": ("Thành viên", "Số TV", "Số lượng thành viên", "Tổng số thành viên"),
    "founded_year": ("founded year", "Năm TL", "Năm thành lập HTX", "Thành lập năm"),
    "status": (
        "Tình trạng",
        "Tình trạng hoạt động",
        "Trạng thái hoạt động",
        "Hiện trạng",
    ),
    "contact_name": (
        "contact",
        "contact name",
        "Người đại diện",
        "Đại diện",
        "Giám đốc",
        "Họ tên giám đốc",
        "Họ và tên giám đốc",
        "Giám đốc HTX",
        "Chủ tịch HĐQT",
    ),
    "phone": (
        "telephone",
        "mobile",
        "Số điện thoại",
        "SĐT",
        "Số ĐT",
        "ĐT",
        "Điện thoại liên hệ",
    ),
    "email": ("e-mail", "Thư điện tử", "Địa chỉ email"),
    "address": ("Địa chỉ trụ sở", "Trụ sở", "Địa chỉ trụ sở chính"),
}
# Columns that carry nothing for the registry (a row counter): ignored, and still listed.
# The province a registry export writes beside the commune is read from the commune itself.
ALWAYS_IGNORED = ("STT", "TT", "Số TT", "Số thứ tự", "No", "#", "Ghi chú", "Tỉnh", "province")


def _known() -> dict[str, str]:
    known: dict[str, str] = {}
    for field in FIELDS:
        for written in (field, TEMPLATE_HEADERS[field], FIELD_NAMES_EN[field], *SYNONYMS[field]):
            known.setdefault(fold_key(written), field)
    for written in ALWAYS_IGNORED:
        known.setdefault(fold_key(written), IGNORE)
    return known


_KNOWN = _known()


def recognise(header: str) -> str | None:
    """The field a header names, IGNORE for a row counter, or None when it is not known.

    The portal's own exports head a column "field | Vietnamese header": either part will do.
    """
    for part in (header, *header.split("|")):
        found = _KNOWN.get(fold_key(part))
        if found is not None:
            return found
    return None


def header_score(row: list[str]) -> int:
    """How many cells of a row are known column names: the header row is the best one."""
    return sum(1 for cell in row if cell and recognise(cell) is not None)


def column_letter(index: int) -> str:
    """A spreadsheet's name for a column (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Columns:
    """Each column of a file: its header and the field it fills (IGNORE, or None: unknown)."""

    header: list[str]
    fields: list[str | None]

    def title(self, index: int) -> str:
        return self.header[index] or f"({column_letter(index)})"

    @property
    def by_field(self) -> dict[str, int]:
        placed: dict[str, int] = {}
        for index, field in enumerate(self.fields):
            if field:
                placed.setdefault(field, index)
        return placed

    @property
    def unrecognised(self) -> list[int]:
        return [i for i, f in enumerate(self.fields) if f is None]

    @property
    def ignored(self) -> list[str]:
        """The columns whose content goes nowhere, unknown ones included."""
        return [self.title(i) for i, f in enumerate(self.fields) if not f]

    @property
    def missing(self) -> list[str]:
        placed = self.by_field
        absent = [f for f in REQUIRED if f not in placed]
        if not any(f in placed for f in PLACE_FIELDS):
            absent.append("area")
        return absent

    @property
    def needs_mapping(self) -> bool:
        return bool(self.unrecognised or self.missing)

    @property
    def signature(self) -> str:
        """The same headers in the same order give the same signature, however typed."""
        folded = "\x1f".join(fold_key(h) for h in self.header)
        return hashlib.sha256(folded.encode()).hexdigest()

    def chosen(self, choices: list[str]) -> Columns:
        """These columns as the administrator mapped them (one field or IGNORE per column)."""
        fields: list[str | None] = [
            c if c in FIELDS or c == IGNORE else None for c in choices[: len(self.header)]
        ]
        fields += [IGNORE] * (len(self.header) - len(fields))
        used: set[str] = set()
        for index, field in enumerate(fields):
            if field and field in used:
                fields[index] = IGNORE  # a field filled twice would be ambiguous: first wins
            elif field:
                used.add(field)
        return Columns(self.header, fields)


def guess_columns(header: list[str], *, width: int) -> Columns:
    """The columns of a file as far as their headers tell; unnamed ones holding data unknown."""
    names = header + [""] * (width - len(header))
    fields: list[str | None] = []
    used: set[str] = set()
    for name in names:
        field = recognise(name) if name else None
        if field and field in used:
            field = None  # a second "Điện thoại": the administrator says what it holds
        if field:
            used.add(field)
        fields.append(field)
    return Columns(names, fields)


def mapped_by_names(columns: Columns, pairs: list[str]) -> Columns:
    """Columns with `Header=field` choices applied (the command line's `--map`)."""
    choices: list[str] = [f if f is not None else IGNORE for f in columns.fields]
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        field = field.strip()
        if not sep or (field not in FIELDS and field not in ("", "ignore")):
            raise ValueError(
                f"'{pair}': dùng \"Cột trong tệp=trường\", trường là một trong "
                f'{", ".join(FIELDS)} hoặc ignore (use "Column in file=field")'
            )
        wanted = fold_key(header)
        found = [i for i, h in enumerate(columns.header) if fold_key(h) == wanted]
        if not found:
            raise ValueError(f"'{header}': tệp không có cột này (the file has no such column)")
        field = IGNORE if field == "ignore" else field
        if field:
            # Said on purpose: the column guessed for the same field steps aside.
            choices = [IGNORE if c == field else c for c in choices]
        for index in found:
            choices[index] = field
    return columns.chosen(choices)
