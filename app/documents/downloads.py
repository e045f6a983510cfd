"""The report draft as a download, for the dashboard's buttons and `htxso export report`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Actor
from app.config import Settings
from app.documents import report
from app.reports import dashboard
from app.reports.scope import GroupLevel, WaveChoice

DocumentFormat = Literal["docx", "pdf"]
DOCUMENT_FORMATS: tuple[DocumentFormat, ...] = get_args(DocumentFormat)
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Document:
    filename: str
    media_type: str
    body: bytes


def report_draft(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    level: GroupLevel,
    settings: Settings,
    today: dt.date,
) -> report.ReportDraft:
    """The draft of a wave's report over the visible cooperatives: the dashboard's figures."""
    board = dashboard.dashboard(session, choice=choice, level=level, visible=visible)
    return report.draft(board, settings=settings, today=today)


def report_document(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    fmt: DocumentFormat,
    level: GroupLevel,
    settings: Settings,
    today: dt.date,
    actor: Actor | None,
    via: Literal["web", "cli"],
    ip_address: str | None = None,
) -> Document:
    """Write the report draft as DOCX or PDF, and record who took it."""
    draft = report_draft(
        session, choice=choice, visible=visible, level=level, settings=settings, today=today
    )
    if fmt == "docx":
        from app.documents.word import docx_bytes

        body = docx_bytes(draft)
    else:
        from app.documents.pdf import render_pdf

        body = render_pdf("documents/report.html", {"draft": draft})
    audit.record(
        session,
        actor=actor,
        action="export",
        target="report",
        detail={"wave": choice.wave.key, "level": level, "format": fmt, "via": via},
        ip_address=ip_address,
    )
    return Document(f"{draft.filename_stem}.{fmt}", MEDIA[fmt], body)
