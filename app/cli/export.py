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
            "registry in the import's columns, both area trees), or report (the quarterly "
            "report draft, --format docx or pdf)"
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
    by: Annotated[
        str | None,
        typer.Option("--by", "--level", help="commune, former-district or province"),
    ] = None,
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
        export_registry(out, fmt)
        return
    if what == "report":
        _report(out=out, wave=wave, fmt=fmt, by=by)
        return
    if what not in downloads.WHATS:
        known = ", ".join([*downloads.WHATS, "registry", "report"])
        raise typer.BadParameter(f"unknown export '{what}'; use {known}")
    if fmt not in downloads.FORMATS:
        raise typer.BadParameter("--format is csv, csv_excel or xlsx")
    try:
        scope.group_level(by)
    except DomainError:
        raise typer.BadParameter("--by is commune, former-district or province") from None
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
                level=scope.choose_level(session, asked=by, visible=visible),
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


def _report(*, out: Path, wave: str | None, fmt: str, by: str | None) -> None:
    """The quarterly report draft of a wave, as the dashboard's button writes it."""
    from app.advice.service import today
    from app.cli import database
    from app.config import get_settings
    from app.cooperatives.models import Cooperative
    from app.documents import downloads as documents
    from app.reports import scope

    if fmt not in documents.DOCUMENT_FORMATS:
        raise typer.BadParameter("--format is docx or pdf for a report")
    try:
        scope.group_level(by)
    except DomainError:
        raise typer.BadParameter("--by is commune, former-district or province") from None
    db = database()
    try:
        with db.transaction() as session:
            visible = select(Cooperative.id)
            choice = scope.choose_wave(session, wave_key=wave)
            level = scope.choose_level(session, asked=by, visible=visible)
            document = documents.report_document(
                session,
                choice=choice,
                visible=visible,
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


def export_registry(out: Path, fmt: str) -> None:
    """Write the whole registry (every cooperative, both area trees) to a file."""
    from app.cli import database
    from app.cooperatives.models import Cooperative
    from app.reports import downloads
    from app.reports.registry_export import export_registry as build

    if fmt not in downloads.FORMATS:
        raise typer.BadParameter("--format is csv or xlsx")
    db = database()
    try:
        with db.transaction() as session:
            download = build(
                session,
                visible=select(Cooperative.id),
                fmt="csv" if fmt == "csv" else "xlsx",
                actor=None,
                via="cli",
            )
            # Opened before the export is recorded: a path that cannot be written is refused
            # with nothing recorded.
            handle = out.open("wb")
        with handle:
            assert download.body is not None
            handle.write(download.body)
    finally:
        db.dispose()
    console.print(f"[green]✓[/] {out}")
