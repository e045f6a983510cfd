"""Onboarding managers in bulk, and the printable slips of one-time sign-in codes."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts import admin as accounts_admin
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.audit import service as audit
from app.reports import exports
from app.validation import OptionalId
from app.web.deps import DbSession
from app.web.i18n import TIMEZONE
from app.web.routes.admin.shared import Admin, client_ip
from app.web.templating import render

router = APIRouter()


def slips_page(request: Request, slips: list[accounts_admin.Slip], **extra: Any) -> Response:
    columns = [
        exports.Column("cooperative", "Hợp tác xã", "Cooperative"),
        exports.Column("registration_code", "Mã số HTX", "Registration code"),
        exports.Column("area", "Địa bàn", "Area"),
        exports.Column("full_name", "Họ và tên", "Name"),
        exports.Column("username", "Tên đăng nhập", "Username"),
        exports.Column("code", "Mã đăng nhập một lần", "One-time code"),
        exports.Column("expires", "Hạn dùng", "Valid until"),
    ]
    local = dt.timezone(dt.timedelta(hours=7))  # Vietnam keeps no daylight saving time
    rows = [
        {
            "cooperative": s.cooperative_name,
            "registration_code": s.registration_code,
            "area": s.area_name,
            "full_name": s.full_name,
            "username": s.username,
            "code": s.code,
            "expires": s.expires_at.astimezone(local).strftime("%d/%m/%Y %H:%M"),
        }
        for s in slips
    ]
    csv_url = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
        exports.csv_bytes(columns, rows)
    ).decode("ascii")
    return render(
        request,
        "admin/slips.html",
        {
            "slips": slips,
            "csv_url": csv_url,
            "signin_url": str(request.base_url).rstrip("/") + "/signin/code",
            "timezone": TIMEZONE,
        }
        | extra,
    )


@router.get("/accounts/onboard")
def onboard_page(
    request: Request, session: DbSession, user: Admin, district: OptionalId = None
) -> Response:
    scope = areas.descendant_ids(session, area_ids=[district]) if district else None
    return render(
        request,
        "admin/onboard.html",
        {
            "plan": accounts_admin.plan_onboarding(session, area_ids=scope),
            "districts": areas.list_areas(session, level=AreaLevel.FORMER_DISTRICT),
            "district": district,
        },
    )


@router.post("/accounts/onboard")
def onboard(
    request: Request,
    session: DbSession,
    user: Admin,
    district: Annotated[int | None, Form()] = None,
    replace: Annotated[bool, Form()] = False,
) -> Response:
    scope = areas.descendant_ids(session, area_ids=[district]) if district else None
    slips = accounts_admin.onboard_managers(
        session, created_by=user, area_ids=scope, replace_live_codes=replace
    )
    audit.record(
        session,
        actor=user,
        action="account.codes",
        target="managers",
        detail={
            "codes": len({s.username for s in slips}),
            "district": district,
            "replace": replace,
            "usernames": sorted({s.username for s in slips}),
        },
        ip_address=client_ip(request),
    )
    return slips_page(request, slips, onboarding=True)
