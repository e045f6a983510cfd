"""Registry import: check every row of a file for every rule, then write all of it or nothing.

Reading and checking only read the database; `apply_plan` is the one short write. An update
changes only what the file says: an absent column or a blank cell leaves the stored value,
unless the administrator asked for blank cells to clear it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.areas.resolver import Problem as PlaceProblem
from app.cooperatives.columns import (
    PLACE_FIELDS,
    REQUIRED,
    TEMPLATE_HEADERS,
    Columns,
    guess_columns,
    header_score,
)
from app.cooperatives.models import Cooperative
from app.cooperatives.places import PlaceFinder, Where, area_resolver
from app.cooperatives.tabular import Table, read_table
from app.cooperatives.vocabulary import SECTORS, STATUSES, closest, match
from app.messages import N_, Message
from app.text import clean_line

# Fields a blank cell may clear when asked to; the others are needed by every cooperative.
CLEARABLE = ("members", "founded_year", "contact_name", "phone", "email", "address")
PROBLEMS_SHOWN = 200
# The area columns an import writes, with the header their changes are shown under.
PLACE_IDS = {
    "area_id": TEMPLATE_HEADERS["commune"],
    "former_district_id": TEMPLATE_HEADERS["former_district"],
    "former_ward_id": "Xã/Phường (cũ)",
}
LIMITS = {"registration_code": 64, "name": 300, "contact_name": 200, "email": 200}

KINDS: dict[str, str] = {
    "required": N_("A required cell is blank"),
    "new_needs_column": N_("A new cooperative, but the file lacks a required column"),
    "duplicate": N_("A registration code repeated in the file"),
    "too_long": N_("Text too long"),
    "area": N_("Area not recognised"),
    "sector": N_("Sector not in the list"),
    "status": N_("Status not recognised"),
    "number": N_("Not a valid number"),
    "phone": N_("Phone number not valid"),
    "email": N_("Email not valid"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at the spreadsheet's own line number."""

    line: int
    column: str
    kind: str
    message: Message


@dataclass(frozen=True)
class RowPlan:
    """What one good row would write: the values it carries, and the fields it clears."""

    line: int
    code: str
    values: dict[str, Any]
    clears: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """What an import would do; nothing may be written while `problems` is not empty."""

    columns: Columns
    header_line: int
    source: str
    clear_blanks: bool = False
    rows: list[RowPlan] = field(default_factory=list)
    inserts: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def kinds(self) -> list[tuple[str, int]]:
        """Each kind of problem with its count, the most frequent first."""
        return Counter(p.kind for p in self.problems).most_common()

    def shown_problems(self) -> list[tuple[str, int, list[Problem]]]:
        """The first problems by line, grouped by kind, each group with its count in the file."""
        counts = dict(self.kinds())
        first = sorted(self.problems, key=lambda p: p.line)[:PROBLEMS_SHOWN]
        groups: dict[str, list[Problem]] = {}
        for problem in first:
            groups.setdefault(problem.kind, []).append(problem)
        return [(kind, counts[kind], shown) for kind, shown in groups.items()]


def read_file(data: bytes, *, filename: str) -> tuple[Table, Columns]:
    """The table in a registry file and its columns as its headers tell (`Invalid` if none)."""
    table = read_table(data, filename=filename, score=header_score)
    width = max([len(table.header)] + [len(r) for _, r in table.rows])
    return table, guess_columns(table.header, width=width)


def check_table(
    session: Session, *, table: Table, columns: Columns, clear_blanks: bool = False
) -> ImportPlan:
    """Check every row for every rule and work out what the import would write."""
    plan = ImportPlan(columns, table.header_line, table.source, clear_blanks)
    existing = set(session.scalars(select(Cooperative.registration_code)))
    checker = _RowChecker(columns, area_resolver(session), clear_blanks)
    seen: dict[str, int] = {}
    code_index = columns.by_field.get("registration_code")
    for line, cells in table.rows:
        code = _cell(cells, code_index)
        if code == "registration_code":
            continue  # the row of field names under the headers of an exported workbook
        is_new = code not in existing
        values, clears, problems = checker.check(line, cells, is_new=is_new)
        if code and code in seen:
            problems.append(
                checker.problem(
                    line,
                    "registration_code",
                    "duplicate",
                    Message(
                        N_("code %(code)s is already on line %(line)s of the file"),
                        code=code,
                        line=seen[code],
                    ),
                )
            )
        elif code:
            seen[code] = line
        if problems:
            plan.problems += problems
            continue
        plan.rows.append(RowPlan(line, code, values, clears))
        (plan.inserts if is_new else plan.updates).append(code)
    return plan


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


_PHONE_PARTS = re.compile(r"\s*(?:[,;/]|\s-\s|\bhoặc\b|\bor\b)\s*")
_PHONE_NOISE = re.compile(r"[\s.\-()]")


def normalise_phone(text: str) -> str | None:
    """Phone numbers as digits with their leading 0 (several joined by ", "); None if not one."""
    found = []
    for part in _PHONE_PARTS.split(text):
        digits = _PHONE_NOISE.sub("", part)
        if not digits:
            continue
        if digits.startswith(("+84", "0084")):
            digits = "0" + digits.removeprefix("+").removeprefix("00")[2:].removeprefix("0")
        elif digits.startswith("84") and len(digits) in (11, 12):
            digits = "0" + digits[2:]
        elif not digits.startswith("0") and len(digits) in (9, 10):
            digits = "0" + digits  # a spreadsheet took it for a number and dropped the 0
        if not (digits.isascii() and digits.isdigit() and len(digits) in (10, 11)):
            return None
        found.append(digits)
    return ", ".join(found) if found else None


class _RowChecker:
    def __init__(self, columns: Columns, areas: PlaceFinder, clear_blanks: bool) -> None:
        self.columns = columns
        self.placed = columns.by_field
        # A registry repeats a few dozen areas, sectors and statuses in every row: each one
        # is resolved once.
        self.areas = lru_cache(maxsize=8192)(areas)
        self.vocabularies = {
            "sector": lru_cache(maxsize=1024)(partial(match, SECTORS)),
            "status": lru_cache(maxsize=1024)(partial(match, STATUSES)),
        }
        self.present = [(n, i) for n, i in self.placed.items() if n in TEMPLATE_HEADERS]
        self.absent_required = [n for n in REQUIRED if n not in self.placed]
        if not any(n in self.placed for n in PLACE_FIELDS):
            self.absent_required.append("area")
        self.places = [(n, self.placed[n]) for n in PLACE_FIELDS if n in self.placed]
        self.clear_blanks = clear_blanks
        self.this_year = dt.date.today().year

    def problem(self, line: int, name: str, kind: str, message: Message) -> Problem:
        index = self.placed.get(name)
        column = self.columns.title(index) if index is not None else TEMPLATE_HEADERS[name]
        return Problem(line, column, kind, message)

    def check(
        self, line: int, cells: list[str], *, is_new: bool
    ) -> tuple[dict[str, Any], tuple[str, ...], list[Problem]]:
        values: dict[str, Any] = {}
        clears: list[str] = []
        problems: list[Problem] = []
        if is_new:
            problems += [self._needs_column(line, name) for name in self.absent_required]
        for name, index in self.present:
            text = cells[index] if index < len(cells) else ""
            if not text:
                if name == "registration_code" or (is_new and name in REQUIRED):
                    problems.append(
                        self.problem(line, name, "required", Message(N_("must not be blank")))
                    )
                elif self.clear_blanks and not is_new and name in CLEARABLE:
                    clears.append(name)
                continue
            found = self._parse(line, name, text)
            if isinstance(found, Problem):
                problems.append(found)
            elif found is not None:
                values[found[0]] = found[1]
        problems += self._place(line, cells, values, is_new=is_new)
        return values, tuple(clears), problems

    def _place(
        self, line: int, cells: list[str], values: dict[str, Any], *, is_new: bool
    ) -> list[Problem]:
        """Where the row's cooperative is, read from all its place cells together."""
        said = {n: (cells[i].strip() if i < len(cells) else "") for n, i in self.places}
        if not any(said.values()):
            if is_new and self.places:
                return [self.problem(line, "area", "required", Message(N_("must not be blank")))]
            return []  # a known cooperative stays where it is
        found = self.areas(Where(**said))
        if isinstance(found, PlaceProblem):
            column = next((n for n, text in said.items() if text == found.text), None)
            column = column or next(n for n, text in said.items() if text)
            return [self.problem(line, column, "area", found.message)]
        values["area_id"] = found.area_id
        values["former_district_id"] = found.former_district_id
        values["former_ward_id"] = found.former_ward_id
        return []

    def _needs_column(self, line: int, name: str) -> Problem:
        return self.problem(
            line,
            name,
            "new_needs_column",
            Message(
                N_("a new code: a new cooperative needs the %(column)s column"),
                column=TEMPLATE_HEADERS[name],
            ),
        )

    def _parse(self, line: int, name: str, text: str) -> Problem | tuple[str, Any] | None:
        def bad(kind: str, message_id: str, **params: object) -> Problem:
            return self.problem(line, name, kind, Message(message_id, text=text, **params))

        limit = LIMITS.get(name)
        if limit is not None and len(text) > limit:
            return bad("too_long", N_("over %(limit)s characters"), limit=limit)
        elif name == "registration_code":
            return None  # the row's key, read by `check_table` itself
        elif name in ("name", "contact_name", "address"):
            return name, " ".join(clean_line(text).split())
        elif name in PLACE_FIELDS:
            return None  # read with the row's other place cells by `_place`
        elif name in ("sector", "status"):
            vocabulary = SECTORS if name == "sector" else STATUSES
            key = self.vocabularies[name](text)
            if key is not None:
                return name, key
            else:
                near = closest(vocabulary, text)
                if near:
                    return bad(
                        name,
                        N_("'%(text)s' is not in the list; closest: %(values)s"),
                        values="; ".join(near),
                    )
                return bad(
                    name,
                    N_("'%(text)s' is not in the list; use: %(values)s"),
                    values="; ".join(vi for vi, _ in vocabulary.values()),
                )
        elif name in ("members", "founded_year"):
            low, high = (0, 1_000_000) if name == "members" else (1950, self.this_year)
            number = _whole(text, year=name == "founded_year")
            if number is None or not low <= number <= high:
                return bad(
                    "number",
                    N_("'%(text)s' must be a whole number from %(low)s to %(high)s"),
                    low=low,
                    high=high,
                )
            else:
                return name, number
        elif name == "phone":
            phone = normalise_phone(text)
            if phone is None or len(phone) > 50:
                return bad(
                    "phone",
                    N_("'%(text)s' is not a phone number (10 or 11 digits from 0 or +84)"),
                )
            else:
                return name, phone
        elif name == "email":
            if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) is None:
                return bad("email", N_("'%(text)s' is not an email address"))
            else:
                return name, clean_line(text)
        return None


_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}|\d{1,2}/\d{1,2}/(\d{4})")


def _whole(text: str, *, year: bool) -> int | None:
    if year and (date := _DATE.fullmatch(text)):
        return int(date.group(1) or date.group(2))
    digits = text.replace(".", "").replace(",", "").replace(" ", "")
    return int(digits) if digits.isascii() and digits.isdigit() else None


def apply_plan(session: Session, *, plan: ImportPlan) -> tuple[int, int]:
    """Write a checked plan: insert new codes, update known ones. Returns (inserted, updated)."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    known = _by_code(session, [r.code for r in plan.rows])
    inserted = updated = 0
    for row in plan.rows:
        cooperative = known.get(row.code)
        if cooperative is None:
            session.add(Cooperative(registration_code=row.code, **row.values))
            inserted += 1
            continue
        for key, value in row.values.items():
            setattr(cooperative, key, value)
        for key in row.clears:
            setattr(cooperative, key, None)
        updated += 1
    session.flush()
    return inserted, updated


def _by_code(session: Session, codes: list[str]) -> dict[str, Cooperative]:
    found: dict[str, Cooperative] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        found |= {
            c.registration_code: c
            for c in session.scalars(
                select(Cooperative).where(Cooperative.registration_code.in_(chunk))
            )
        }
    return found


# What an import would change ----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str
    cleared: bool = False


@dataclass(frozen=True)
class RowChange:
    registration_code: str
    name: str
    changes: list[Change]


def describe_updates(session: Session, *, plan: ImportPlan) -> tuple[list[RowChange], int]:
    """Per known cooperative, every value the plan would change or clear; and how many stay."""
    known = _by_code(session, plan.updates)
    area_names: dict[int, str] = {i: n for i, n in session.execute(select(Area.id, Area.name))}  # noqa: C416
    shown: list[RowChange] = []
    same = 0
    for row in plan.rows:
        cooperative = known.get(row.code)
        if cooperative is None:
            continue
        changes = []
        for key, new in row.values.items():
            old = getattr(cooperative, key)
            if old != new:
                if key in PLACE_IDS:
                    old, new = area_names.get(old, old), area_names.get(new, new)
                header = PLACE_IDS.get(key) or TEMPLATE_HEADERS.get(key, key)
                changes.append(Change(header, _shown(old), _shown(new)))
        for key in row.clears:
            old = getattr(cooperative, key)
            if old is not None and old != "":
                changes.append(Change(TEMPLATE_HEADERS[key], _shown(old), "–", cleared=True))
        if changes:
            shown.append(RowChange(row.code, cooperative.name, changes))
        else:
            same += 1
    shown.sort(key=lambda r: r.registration_code)
    return shown, same


def _shown(value: object) -> str:
    return "–" if value is None or value == "" else str(value)
