"""Downloads: one entry point for the pages' buttons and `htxso export`, and the audit of it.

Both call `export` with the same arguments, so a file from either has the same columns and
figures (tables from app.reports.tables, raw answers from app.reports.answers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Actor
from app.errors import Invalid
from app.messages import N_
from app.reports import coverage as coverage_report
from app.reports import rankings as rankings_report
from app.reports.answers import Labels, answer_columns, answer_labels
from app.reports.exports import Column, Sheet, csv_bytes, excel_csv_bytes, xlsx_bytes
from app.reports.remembered import remembered
from app.reports.scope import GroupLevel, WaveChoice, every_cooperative
from app.reports.scores import COMBINED
from app.reports.tables import (
    Table,
    chase_table,
    coverage_table,
    dimensions_table,
    notes_table,
    ranking_table,
    scores_tables,
)

What = Literal["rankings", "coverage", "scores", "dimensions", "chase", "answers"]
WHATS: tuple[What, ...] = get_args(What)
# csv: comma-separated, codes in the header (for software); csv_excel: `;` and decimal commas,
# for Excel set to Vietnamese; xlsx: the workbook.
Format = Literal["csv", "xlsx", "csv_excel"]
FORMATS: tuple[Format, ...] = get_args(Format)
# Exports that name cooperatives' contacts or hold their answers: advisors and administrators.
PERSONAL: frozenset[str] = frozenset({"chase", "answers"})


@dataclass(frozen=True)
class ExportRequest:
    """What to export; the same for a page's button and the command line."""

    what: What
    fmt: Format
    key: str | None = None
    level: GroupLevel = "former-district"
    sort: str | None = None
    district_id: int | None = None
    contact: coverage_report.ContactFilter = "all"  # the chase-up list's reminder filter
    locale: str = "vi"  # the language of the headers people read
    # Raw answers: option labels for people (the pages' default) or stored codes for software.
    labels: bool = False


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    body: bytes | None  # None: raw answers, to stream with `stream_answers`
    columns: list[Column] | None = None
    labels: Labels | None = None  # raw answers: option labels to write instead of codes


MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "csv_excel": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def build_tables(
    session: Session, *, choice: WaveChoice, request: ExportRequest, visible: Select[int]
) -> list[Table]:
    """The tables of one export (one for CSV; XLSX may add a sheet of notes)."""
    if request.what == "rankings":
        key = request.key or next(iter(choice.subjects), "")
        report = rankings_report.ranking(
            session,
            choice=choice,
            key=key,
            level=request.level,
            sort=request.sort,
            visible=visible,
        )
        locale = request.locale
        return [ranking_table(report, locale=locale), notes_table(report, locale=locale)]
    if request.what == "coverage":
        return [
            coverage_table(
                coverage_report.coverage(
                    session, choice=choice, visible=visible, level=request.level
                ),
                locale=request.locale,
            )
        ]
    if request.what == "chase":
        chase = coverage_report.chase_list(
            session,
            choice=choice,
            visible=visible,
            district_id=request.district_id,
            contact=request.contact,
            page=None,
        )
        return [chase_table(choice, chase)]
    if request.what == "scores":
        district_id = request.district_id
        only = request.key if request.key != COMBINED else None
        # The workbook adds the dimension scores on a second sheet, read in the same pass.
        return scores_tables(
            session,
            choice=choice,
            visible=visible,
            district_id=district_id,
            key=only,
            locale=request.locale,
            with_dimensions=request.fmt == "xlsx",
        )
    if request.what == "dimensions":
        return [
            dimensions_table(
                session,
                choice=choice,
                visible=visible,
                key=request.key if request.key != COMBINED else None,
                district_id=request.district_id,
                locale=request.locale,
            )
        ]
    raise Invalid(N_("No such table."))


# Exports whose files are remembered for readers who see every cooperative: small (a row per
# area), and built on a remembered ranking.
REMEMBERED: frozenset[str] = frozenset({"rankings"})


def _body(
    session: Session, *, choice: WaveChoice, request: ExportRequest, visible: Select[int]
) -> bytes:
    """The file of a table export, in the asked format."""
    found = build_tables(session, choice=choice, request=request, visible=visible)
    first = found[0]
    if request.fmt == "csv":
        return csv_bytes(first.columns, first.rows, ordered=first.ordered)
    if request.fmt == "csv_excel":
        return excel_csv_bytes(
            first.columns, first.rows, locale=request.locale, ordered=first.ordered
        )
    return xlsx_bytes(
        [Sheet(t.title, t.columns, t.rows, t.ordered) for t in found], locale=request.locale
    )


# What a file name may carry from a request (a dimension key), as typed by nobody.
_NAME_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


def filename(choice: WaveChoice, request: ExportRequest) -> str:
    """htxso-<what>-<wave>[-<questionnaire>].<format>"""
    parts = ["htxso", request.what, choice.wave.key]
    if request.key and request.what in ("rankings", "scores", "dimensions", "answers"):
        parts.append(request.key)
    if request.what == "rankings" and request.sort and _NAME_PART.fullmatch(request.sort):
        parts.append(request.sort)  # a ranking by a dimension is not the overall one
    if request.district_id is not None:
        parts.append(f"area{request.district_id}")
    if request.what == "chase" and request.contact != "all":
        parts.append(request.contact.replace("_", "-"))
    if request.what == "answers":
        # Both files of a questionnaire land in one folder: their names differ.
        parts.append("labels" if request.labels else "codes")
    if request.fmt == "csv_excel":
        return "-".join([*parts, "excel"]) + ".csv"
    return "-".join(parts) + "." + request.fmt


def export(
    session: Session,
    *,
    choice: WaveChoice,
    request: ExportRequest,
    visible: Select[int],
    actor: Actor | None,
    via: Literal["web", "cli"],
    ip_address: str | None = None,
) -> Download:
    """Build an export and record who took it; raw answers are left to stream afterwards."""
    if request.what == "answers":
        if request.fmt != "csv":
            raise Invalid(N_("Raw answers export as CSV only."))
        if request.key not in choice.subjects:
            raise Invalid(N_("Choose a questionnaire of this wave."))
        body = None
        columns = answer_columns(session, choice=choice, key=request.key, visible=visible)
        labels = (
            answer_labels(session, choice=choice, key=request.key, visible=visible)
            if request.labels
            else None
        )
    else:
        columns = None
        labels = None

        def written() -> bytes:
            return _body(session, choice=choice, request=request, visible=visible)

        if request.what in REMEMBERED and every_cooperative(visible):
            # The file of a ranking every such reader shares: the same bytes until the data
            # changes (app.reports.remembered), as the page's figures are.
            previous = choice.previous.id if choice.previous else None
            body = remembered(session, ("export", choice.wave.id, previous, request), written)
        else:
            body = written()
    detail: dict[str, Any] = {
        "what": request.what,
        "wave": choice.wave.key,
        "questionnaire": request.key,
        "level": request.level,
        "format": request.fmt,
        "via": via,
    }
    if request.district_id is not None:
        detail["district_id"] = request.district_id
    if request.what == "answers":
        detail["values"] = "labels" if request.labels else "codes"
    audit.record(
        session,
        actor=actor,
        action="export",
        target=request.what,
        detail=detail,
        ip_address=ip_address,
    )
    return Download(filename(choice, request), MEDIA[request.fmt], body, columns, labels)
