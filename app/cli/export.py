"""`htxso export`: the same downloads as the pages' buttons, written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from app.cli.messages import spoken
from app.errors import DomainError

console = Console(stderr=True)


def export(
    what: Annotated[
        str,
        typer.Argument(
            help="rankings, coverage, scores, dimensions, chase, answers, registry (the "
            "registry in the import's columns), or report (the quarterly report draft, "
            "--format docx or pdf)"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="File to write", dir_okay=False)],
    wave: Annotated[str | None, typer.Option(help="Wave key (default: open or latest)")] = None,
    questionnaire: Annotated[
        str | None, typer.Option(help="Questionnaire key, or 'combined' for rankings")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="csv, csv_excel (semicolons, for Excel in Vietnamese) or xlsx; "
            "docx or pdf for report",
        ),
    ] = "csv",
    level: Annotated[str, typer.Option(help="district, commune or province")] = "district",
    sort: Annotated[str | None, typer.Option(help="Rank by a dimension key")] = None,
    values: Annotated[
        str, typer.Option(help="answers: codes (for software) or labels (for people)")
    ] = "codes",
) -> None:
    """Export figures or raw answers as CSV (UTF-8 with BOM) or an Excel workbook."""
    from app.cli import database
    from app.cooperatives.models import Cooperative
    from app.reports import answers, downloads, scope

    if what == "registry":
        _export_registry(out)
        return
    if what == "report":
        _report(out=out, wave=wave, fmt=fmt, level=level)
        return
    if what not in downloads.WHATS:
        known = ", ".join([*downloads.WHATS, "registry", "report"])
        raise typer.BadParameter(f"unknown export '{what}'; use {known}")
    if fmt not in downloads.FORMATS:
        raise typer.BadParameter("--format is csv, csv_excel or xlsx")
    if level not in scope.GROUP_LEVELS:
        raise typer.BadParameter("--level is district, commune or province")
    if values not in ("codes", "labels"):
        raise typer.BadParameter("--values is codes or labels")
    db = database()
    try:
        with db.transaction() as session:
            # The command line acts with the database's own authority: every cooperative.
            visible = select(Cooperative.id)
            choice = scope.choose_wave(session, wave_key=wave)
            request = downloads.ExportRequest(
                what=what,
                fmt=fmt,
                key=questionnaire,
                level=level,
                sort=sort,
                labels=values == "labels",
            )
            download = downloads.export(
                session, choice=choice, request=request, visible=visible, actor=None, via="cli"
            )
            # Opened before the export is recorded: a path that cannot be written is refused
            # with nothing recorded.
            handle = out.open("wb")
        with handle:
            if download.body is not None:
                handle.write(download.body)
            else:
                assert download.columns is not None
                assert questionnaire is not None
                # Streamed from a read-only snapshot, as on the web: a write transaction
                # held for the whole export would stop every save on SQLite.
                for chunk in answers.stream_answers(
                    db.snapshot_sessions,
                    choice=choice,
                    key=questionnaire,
                    visible=visible,
                    columns=download.columns,
                    labels=download.labels,
                ):
                    handle.write(chunk)
    except DomainError as exc:
        console.print(f"[red]{spoken(exc.message)}[/]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    console.print(f"[green]✓[/] {out}")


def _export_registry(out: Path) -> None:
    """The registry in the import template's columns: importing it back changes nothing."""
    import csv
    import io

    from app.cli import database
    from app.cooperatives.template import registry_rows
    from app.reports.exports import neutralise

    db = database()
    try:
        with db.read_sessions() as session:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerows([neutralise(v) for v in row] for row in registry_rows(session))
    finally:
        db.dispose()
    out.write_bytes(("\ufeff" + text.getvalue()).encode("utf-8"))


def _report(*, out: Path, wave: str | None, fmt: str, level: str) -> None:
    """The quarterly report draft of a wave, as the dashboard's button writes it."""
    from app.advice.service import today
    from app.cli import database
    from app.config import get_settings
    from app.cooperatives.models import Cooperative
    from app.documents import downloads as documents
    from app.reports import scope

    if fmt not in documents.DOCUMENT_FORMATS:
        raise typer.BadParameter("--format is docx or pdf for a report")
    if level not in scope.GROUP_LEVELS:
        raise typer.BadParameter("--level is district, commune or province")
    db = database()
    try:
        with db.transaction() as session:
            choice = scope.choose_wave(session, wave_key=wave)
            document = documents.report_document(
                session,
                choice=choice,
                visible=select(Cooperative.id),
                fmt=fmt,
                level=level,
                settings=get_settings(),
                today=today(),
                actor=None,
                via="cli",
            )
            # Written inside the transaction: a path that cannot be written records nothing.
            out.write_bytes(document.body)
    except DomainError as exc:
        console.print(f"[red]{spoken(exc.message)}[/]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    console.print(f"[green]✓[/] {out}")
