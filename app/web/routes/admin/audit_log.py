"""The audit log: filtered pages and the CSV export (itself an audited event)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.audit import targets
from app.audit.schemas import VIETNAM, AuditQuery
from app.errors import Invalid
from app.messages import N_, Message
from app.paging import Page
from app.reports import exports
from app.validation import parse
from app.web import i18n
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, client_ip
from app.web.templating import render, request_locale

router = APIRouter()


AUDIT_PAGE = 50
AUDIT_EXPORT_LIMIT = 1_000_000
AUDIT_COLUMNS = [
    exports.Column("at", "Thời điểm (giờ Việt Nam UTC+7)", "When (Vietnam time UTC+7)"),
    exports.Column("actor", "Người thực hiện", "Actor"),
    exports.Column("action_label", "Thao tác", "Action"),
    exports.Column("action", "Mã thao tác", "Action code"),
    exports.Column("target_label", "Đối tượng", "Target"),
    exports.Column("target", "Mã đối tượng", "Target code"),
    exports.Column("detail", "Chi tiết", "Detail"),
    exports.Column("ip_address", "Địa chỉ IP", "IP address"),
]


ACTION_LABELS = {
    "signin": N_("Signed in"),
    "signin.failed": N_("Failed sign-in"),
    "response.submit": N_("Response submitted"),
    "response.revise": N_("Correction started"),
    "response.discard": N_("Correction discarded"),
    "wave.create": N_("Wave created"),
    "wave.open": N_("Wave opened"),
    "wave.close": N_("Wave closed"),
    "questionnaire.publish": N_("Questionnaire published"),
    "registry.import": N_("Registry imported"),
    "account.create": N_("Account created"),
    "account.disable": N_("Account disabled"),
    "account.enable": N_("Account enabled"),
    "account.link": N_("Account links changed"),
    "account.codes": N_("Sign-in codes issued"),
    "account.password": N_("Password changed"),
    "account.code_requested": N_("One-time code requested"),
    "audit.export": N_("Audit log exported"),
    "export": N_("Data downloaded"),
    "note.create": N_("Note written"),
    "followup.create": N_("Follow-up planned"),
    "followup.done": N_("Follow-up done"),
    "shortlist.create": N_("List saved"),
    "cooperative.contacted": N_("Cooperative reminded"),
}


def action_label(action: str, locale: str) -> str:
    """An action's name in the reader's language (its code when it has none)."""
    found = ACTION_LABELS.get(action)
    return i18n.translate(found, locale) if found else action


@router.get("/audit")
def audit_page(
    request: Request,
    session: DbSession,
    user: Admin,
    action: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> Response:
    typed = {"action": action, "actor": actor, "since": since, "until": until}
    try:
        query = parse(AuditQuery, typed)
    except Invalid as refused:
        return _audit_page(request, session, typed, errors=refused.fields)
    return _audit_page(request, session, typed, query=query, page=page)


def _audit_page(
    request: Request,
    session: DbSession,
    typed: dict[str, str],
    *,
    query: AuditQuery | None = None,
    page: int = 1,
    errors: dict[str, Message] | None = None,
) -> Response:
    """The log filtered by `query`; with `errors`, the filters as typed and no events (422)."""
    page = max(page, 1)
    events, total = (
        audit.page(session, number=page, size=AUDIT_PAGE, **query.filters())
        if query is not None
        else ([], 0)
    )
    locale = request_locale(request)
    return render(
        request,
        "admin/audit.html",
        {
            "events": events,
            "targets": targets.target_names(session, events=events, locale=locale),
            "action_label": lambda action: action_label(action, locale),
            "total": total,
            "page": Page(number=page, size=AUDIT_PAGE, total=total),
            "actions": audit.actions(session),
            "filters": typed,
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.post("/audit/export")
def audit_export(
    request: Request,
    session: DbSession,
    user: Admin,
    action: Annotated[str, Form()] = "",
    actor: Annotated[str, Form()] = "",
    since: Annotated[str, Form()] = "",
    until: Annotated[str, Form()] = "",
) -> Response:
    typed = {"action": action, "actor": actor, "since": since, "until": until}
    try:
        query = parse(AuditQuery, typed)
    except Invalid as refused:
        return _audit_page(request, session, typed, errors=refused.fields)
    found = audit.events(session, limit=AUDIT_EXPORT_LIMIT, **query.filters())
    names = targets.target_names(session, events=found)
    rows = [
        {
            "at": e.at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M:%S +07:00"),
            "actor": e.actor_username,
            "action_label": action_label(e.action, "vi"),
            "action": e.action,
            "target_label": names.get(e.target or "", e.target),
            "target": e.target,
            "detail": _detail_text(e.detail),
            "ip_address": e.ip_address,
        }
        for e in found
    ]
    audit.record(
        session,
        actor=user,
        action="audit.export",
        detail={
            "rows": len(rows),
            "action": action,
            "actor": actor,
            "since": since,
            "until": until,
        },
        ip_address=client_ip(request),
    )
    return Response(
        exports.csv_bytes(AUDIT_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="nhat-ky-he-thong.csv"'},
    )


def _detail_text(detail: dict[str, Any] | None) -> str:
    shown = {k: v for k, v in (detail or {}).items() if v is not None}
    return json.dumps(shown, ensure_ascii=False, sort_keys=True) if shown else ""
