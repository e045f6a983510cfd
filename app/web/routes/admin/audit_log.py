"""The audit log: filtered pages and the CSV export (itself an audited event)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.paging import Page
from app.reports import exports
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, client_ip
from app.web.templating import render

router = APIRouter()


AUDIT_PAGE = 50
AUDIT_EXPORT_LIMIT = 1_000_000
AUDIT_COLUMNS = [
    exports.Column("at", "Thời điểm (UTC)", "When (UTC)"),
    exports.Column("actor", "Người thực hiện", "Actor"),
    exports.Column("action", "Thao tác", "Action"),
    exports.Column("target", "Đối tượng", "Target"),
    exports.Column("detail", "Chi tiết", "Detail"),
    exports.Column("ip_address", "Địa chỉ IP", "IP address"),
]


def _audit_filters(action: str, actor: str, since: str, until: str) -> dict[str, Any]:
    """Filters for the audit query; dates are days in Vietnam, the end day included."""
    local = dt.timezone(dt.timedelta(hours=7))

    def day(text: str) -> dt.datetime | None:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=local)
        except ValueError:
            return None

    end = day(until)
    return {
        "action": action or None,
        "actor": actor.strip().lower() or None,
        "since": day(since),
        "until": end + dt.timedelta(days=1) if end else None,
    }


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
    page = max(page, 1)
    events, total = audit.page(
        session,
        number=page,
        size=AUDIT_PAGE,
        **_audit_filters(action, actor, since, until),
    )
    return render(
        request,
        "admin/audit.html",
        {
            "events": events,
            "total": total,
            "page": Page(number=page, size=AUDIT_PAGE, total=total),
            "actions": audit.actions(session),
            "filters": {"action": action, "actor": actor, "since": since, "until": until},
        },
    )


@router.post("/audit/export")
def audit_export(
    request: Request,
    session: DbSession,
    user: Admin,
    action: Annotated[str, Form(max_length=64)] = "",
    actor: Annotated[str, Form(max_length=100)] = "",
    since: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    filters = _audit_filters(action, actor, since, until)
    rows = [
        {
            "at": e.at.strftime("%Y-%m-%d %H:%M:%S"),
            "actor": e.actor_username,
            "action": e.action,
            "target": e.target,
            "detail": _detail_text(e.detail),
            "ip_address": e.ip_address,
        }
        for e in audit.events(session, limit=AUDIT_EXPORT_LIMIT, **filters)
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
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""
