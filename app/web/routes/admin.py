"""Administration: waves, questionnaire versions, the registry, accounts and the audit log.

Every page is for administrators only, and every change leaves an audit event in the same
transaction as the change.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.accounts import admin as accounts_admin
from app.accounts.models import Role, User
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.audit import service as audit
from app.cooperatives import importer, staging
from app.errors import Conflict, NotFound
from app.reports import exports
from app.responses import service as responses
from app.responses import waves
from app.surveys import diff
from app.surveys import service as surveys
from app.surveys.loader import SurveyFileError
from app.web.deps import DbSession, require_roles
from app.web.i18n import TIMEZONE
from app.web.templating import render

router = APIRouter(prefix="/admin")
Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]


async def form_data(request: Request) -> FormData:
    """The posted form, for forms whose field names depend on the data (one per questionnaire)."""
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("")
def index(request: Request, user: Admin) -> Response:
    return render(request, "admin/index.html")


# Waves --------------------------------------------------------------------------------------


@router.get("/waves")
def waves_page(request: Request, session: DbSession, user: Admin) -> Response:
    return render(request, "admin/waves.html", {"rows": waves.list_waves(session)})


def _wave_form(
    request: Request,
    session: DbSession,
    values: dict[str, Any],
    errors: dict[str, Any],
    status_code: int = 200,
) -> Response:
    versions = surveys.list_versions(session)
    keys = list(dict.fromkeys(v.key for v in versions))
    return render(
        request,
        "admin/wave_new.html",
        {"versions": versions, "keys": keys, "values": values, "errors": errors},
        status_code=status_code,
    )


@router.get("/waves/new")
def new_wave_page(request: Request, session: DbSession, user: Admin) -> Response:
    latest = {v.key: v.id for v in reversed(surveys.list_versions(session))}
    return _wave_form(request, session, {"key": "", "name": "", "versions": latest}, {})


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text.strip() else None


@router.post("/waves")
def create_wave(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    values: dict[str, Any] = {
        name: str(form.get(name) or "").strip() for name in ("key", "name", "opens_on", "closes_on")
    }
    errors: dict[str, Any] = {}
    dates: dict[str, dt.date | None] = {}
    for name in ("opens_on", "closes_on"):
        try:
            dates[name] = _date(values[name])
        except ValueError:
            dates[name] = None
            errors[name] = {"vi": "Ngày không hợp lệ.", "en": "Not a valid date."}
    version_ids: dict[str, int] = {}
    for name, value in form.multi_items():
        if name.startswith("version_") and isinstance(value, str) and value.isdigit():
            version_ids[name.removeprefix("version_")] = int(value)
    values["versions"] = version_ids
    errors = (
        waves.check_new_wave(
            session,
            key=values["key"],
            name=values["name"],
            opens_on=dates["opens_on"],
            closes_on=dates["closes_on"],
            version_ids=version_ids,
        )
        | errors
    )
    if errors:
        return _wave_form(request, session, values, errors, status_code=422)
    wave = waves.create(
        session,
        key=values["key"],
        name=values["name"],
        opens_on=dates["opens_on"],
        closes_on=dates["closes_on"],
        version_ids=version_ids,
    )
    chosen = responses.wave_versions(session, wave_id=wave.id)
    audit.record(
        session,
        actor=user,
        action="wave.create",
        target=f"wave:{wave.key}",
        detail={"name": wave.name, "versions": {k: v.version for k, v in chosen.items()}},
        ip_address=_ip(request),
    )
    return _see_other("/admin/waves")


@router.post("/waves/{wave_id}/open")
def open_wave(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    before = wave.status
    if waves.open_(session, wave=wave):
        audit.record(
            session,
            actor=user,
            action="wave.open",
            target=f"wave:{wave.key}",
            detail={"from": before},
            ip_address=_ip(request),
        )
    return _see_other("/admin/waves")


@router.get("/waves/{wave_id}/close")
def close_wave_page(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    return render(
        request, "admin/wave_close.html", {"row": waves.get_row(session, wave_id=wave_id)}
    )


@router.post("/waves/{wave_id}/close")
def close_wave(request: Request, session: DbSession, user: Admin, wave_id: int) -> Response:
    wave = responses.get_wave(session, wave_id=wave_id)
    if waves.close(session, wave=wave):
        audit.record(
            session,
            actor=user,
            action="wave.close",
            target=f"wave:{wave.key}",
            ip_address=_ip(request),
        )
    return _see_other("/admin/waves")


# Questionnaires -----------------------------------------------------------------------------


def _questionnaires_page(
    request: Request,
    session: DbSession,
    *,
    published: list[Any] | None = None,
    problems: list[Any] | None = None,
    conflict: Conflict | None = None,
    status_code: int = 200,
) -> Response:
    versions = surveys.list_versions(session)
    return render(
        request,
        "admin/questionnaires.html",
        {
            "versions": versions,
            "definitions": {v.id: surveys.definition(v) for v in versions},
            "folder": diff.folder_state(session, path=request.app.state.settings.surveys_dir),
            "published": published,
            "problems": problems or [],
            "conflict": conflict,
        },
        status_code=status_code,
    )


@router.get("/questionnaires")
def questionnaires_page(request: Request, session: DbSession, user: Admin) -> Response:
    return _questionnaires_page(request, session)


@router.post("/questionnaires/publish")
def publish(request: Request, session: DbSession, user: Admin) -> Response:
    try:
        # A savepoint: when one file is refused, the files before it are not kept either.
        with session.begin_nested():
            results = surveys.publish_dir(session, path=request.app.state.settings.surveys_dir)
    except SurveyFileError as error:
        return _questionnaires_page(request, session, problems=error.problems, status_code=422)
    except Conflict as error:
        return _questionnaires_page(request, session, conflict=error, status_code=409)
    for result in results:
        if result.created:
            version = next(
                v
                for v in surveys.list_versions(session, key=result.key)
                if v.version == result.version
            )
            audit.record(
                session,
                actor=user,
                action="questionnaire.publish",
                target=f"questionnaire:{result.key} {result.version}",
                detail={"content_hash": version.content_hash},
                ip_address=_ip(request),
            )
    return _questionnaires_page(request, session, published=results)


@router.get("/questionnaires/compare")
def compare(
    request: Request,
    session: DbSession,
    user: Admin,
    old: int | None = None,
    new: int | None = None,
) -> Response:
    versions = surveys.list_versions(session)
    by_id = {v.id: v for v in versions}
    before, after = by_id.get(old or 0), by_id.get(new or 0)
    result = None
    if before is not None and after is not None:
        result = diff.compare(surveys.definition(before), surveys.definition(after))
    return render(
        request,
        "admin/compare.html",
        {
            "versions": versions,
            "old": before,
            "new": after,
            "result": result,
        },
    )


@router.get("/questionnaires/{version_id}/preview")
def preview(request: Request, session: DbSession, user: Admin, version_id: int) -> Response:
    version = next((v for v in surveys.list_versions(session) if v.id == version_id), None)
    if version is None:
        raise NotFound("Không tìm thấy phiên bản.", message_en="No such version.")
    questionnaire = surveys.definition(version)
    return render(
        request,
        "admin/preview.html",
        {
            "version": version,
            "questionnaire": questionnaire,
            "answers": {},
            "errors": {},
            "visible": {q.code for q in questionnaire.questions},
            "steps": len(questionnaire.dimensions),
        },
    )


# Registry -----------------------------------------------------------------------------------


@router.get("/registry")
def registry_page(
    request: Request,
    user: Admin,
    inserted: int | None = None,
    updated: int = 0,
    unchanged: int = 0,
) -> Response:
    return render(
        request,
        "admin/registry.html",
        {
            "inserted": inserted,
            "updated": updated,
            "unchanged": unchanged,
            "max_mb": staging.MAX_BYTES // 2**20,
        },
    )


@router.get("/registry/template.csv")
def registry_template_csv(user: Admin) -> Response:
    return Response(
        staging.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="mau-danh-sach-htx.csv"'},
    )


@router.get("/registry/template.xlsx")
def registry_template_xlsx(session: DbSession, user: Admin) -> Response:
    return Response(
        staging.template_xlsx(session),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": 'attachment; filename="mau-danh-sach-htx.xlsx"'},
    )


def _registry_check_page(
    request: Request,
    *,
    filename: str,
    plan: importer.ImportPlan | None = None,
    error: str | None = None,
    staged: staging.Staged | None = None,
    changes: list[staging.RowChange] | None = None,
    unchanged: int = 0,
    status_code: int = 200,
) -> Response:
    names = {r.registration_code: r.name for r in plan.rows} if plan else {}
    return render(
        request,
        "admin/registry_check.html",
        {
            "filename": filename,
            "plan": plan,
            "names": names,
            "error": error,
            "staged": staged,
            "changes": changes or [],
            "unchanged": unchanged,
            "shown_limit": 1000,
            "max_mb": staging.MAX_BYTES // 2**20,
        },
        status_code=status_code,
    )


@router.post("/registry/check")
def registry_check(
    request: Request, session: DbSession, user: Admin, file: UploadFile | None = None
) -> Response:
    filename = (file.filename or "") if file else ""
    if file is None or not filename:
        return _registry_check_page(request, filename="", error="missing", status_code=422)
    if not filename.lower().endswith((".csv", ".xlsx", ".xlsm")):
        return _registry_check_page(request, filename=filename, error="type", status_code=422)
    data = file.file.read(staging.MAX_BYTES + 1)
    if len(data) > staging.MAX_BYTES:
        return _registry_check_page(request, filename=filename, error="size", status_code=413)
    plan = importer.plan_import(session, data=data, filename=filename)
    if not plan.ok:
        return _registry_check_page(request, filename=filename, plan=plan, status_code=422)
    changes, unchanged = staging.describe_updates(session, plan=plan)
    staged = staging.stage(data, filename=filename, user_id=user.id)
    return _registry_check_page(
        request,
        filename=filename,
        plan=plan,
        staged=staged,
        changes=changes,
        unchanged=unchanged,
    )


@router.post("/registry/import")
def registry_import(
    request: Request,
    session: DbSession,
    user: Admin,
    token: Annotated[str, Form(max_length=100)],
) -> Response:
    data, staged = staging.load(token, user_id=user.id)
    plan = importer.plan_import(session, data=data, filename=staged.filename)
    if not plan.ok:
        # The registry changed since the dry run and the file no longer fits: nothing is written.
        return _registry_check_page(request, filename=staged.filename, plan=plan, status_code=422)
    changes, unchanged = staging.describe_updates(session, plan=plan)
    inserted, _known = importer.apply_import(session, plan=plan)
    audit.record(
        session,
        actor=user,
        action="registry.import",
        target="registry",
        detail={
            "filename": staged.filename,
            "sha256": staged.sha256,
            "inserted": inserted,
            "updated": len(changes),
            "unchanged": unchanged,
        },
        ip_address=_ip(request),
    )
    staging.discard(token)
    return _see_other(
        f"/admin/registry?inserted={inserted}&updated={len(changes)}&unchanged={unchanged}"
    )


# Accounts -----------------------------------------------------------------------------------


@router.get("/accounts")
def accounts_page(
    request: Request,
    session: DbSession,
    user: Admin,
    role: str = "",
    q: str = "",
    status: str = "",
    page: int = 1,
) -> Response:
    page = max(page, 1)
    active = {"active": True, "disabled": False}.get(status)
    rows, total = accounts_admin.list_accounts(
        session, role=role or None, search=q, active=active, page=page
    )
    return render(
        request,
        "admin/accounts.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // accounts_admin.PAGE_SIZE)),
            "filters": {"role": role, "q": q, "status": status},
        },
    )


def _account_form(
    request: Request,
    session: DbSession,
    values: dict[str, Any],
    errors: dict[str, Any],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/account_new.html",
        {
            "values": values,
            "errors": errors,
            "districts": areas.list_areas(session, level=AreaLevel.DISTRICT),
        },
        status_code=status_code,
    )


@router.get("/accounts/new")
def new_account_page(request: Request, session: DbSession, user: Admin) -> Response:
    values = {"username": "", "full_name": "", "role": "manager", "cooperatives": "", "areas": []}
    return _account_form(request, session, values, {})


def _slips_page(request: Request, slips: list[accounts_admin.Slip], **extra: Any) -> Response:
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


@router.post("/accounts")
def create_account(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    values: dict[str, Any] = {
        name: str(form.get(name) or "").strip()
        for name in ("username", "full_name", "role", "cooperatives")
    }
    values["areas"] = [int(a) for a in form.getlist("areas") if isinstance(a, str) and a.isdigit()]
    errors = accounts_admin.check_new_account(
        session,
        username=values["username"],
        full_name=values["full_name"],
        role=values["role"],
        cooperative_codes=values["cooperatives"],
        area_ids=values["areas"],
    )
    if errors:
        return _account_form(request, session, values, errors, status_code=422)
    account, slip = accounts_admin.create_account(
        session,
        username=values["username"],
        full_name=values["full_name"],
        role=values["role"],
        cooperative_codes=values["cooperatives"],
        area_ids=values["areas"],
        created_by=user,
    )
    audit.record(
        session,
        actor=user,
        action="account.create",
        target=f"user:{account.user.username}",
        detail={
            "role": account.user.role,
            "cooperatives": [c.registration_code for c in account.cooperatives],
            "areas": [a.code for a in account.areas],
        },
        ip_address=_ip(request),
    )
    return _slips_page(request, [slip], account=account)


@router.get("/accounts/onboard")
def onboard_page(
    request: Request, session: DbSession, user: Admin, district: int | None = None
) -> Response:
    scope = areas.descendant_ids(session, area_ids=[district]) if district else None
    return render(
        request,
        "admin/onboard.html",
        {
            "plan": accounts_admin.plan_onboarding(session, area_ids=scope),
            "districts": areas.list_areas(session, level=AreaLevel.DISTRICT),
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
        ip_address=_ip(request),
    )
    return _slips_page(request, slips, onboarding=True)


@router.get("/accounts/{user_id}")
def account_page(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    return render(
        request,
        "admin/account.html",
        {
            "account": accounts_admin.get_account(session, user_id=user_id),
            "districts": areas.list_areas(session, level=AreaLevel.DISTRICT),
        },
    )


def _account_change(
    request: Request, session: DbSession, user: User, target: User, action: str, **detail: Any
) -> RedirectResponse:
    audit.record(
        session,
        actor=user,
        action=action,
        target=f"user:{target.username}",
        detail=detail or None,
        ip_address=_ip(request),
    )
    return _see_other(f"/admin/accounts/{target.id}")


@router.post("/accounts/{user_id}/disable")
def disable(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    target = accounts_admin.get_account(session, user_id=user_id).user
    if accounts_admin.set_active(session, user=target, active=False, by=user):
        return _account_change(request, session, user, target, "account.disable")
    return _see_other(f"/admin/accounts/{target.id}")


@router.post("/accounts/{user_id}/enable")
def enable(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    target = accounts_admin.get_account(session, user_id=user_id).user
    if accounts_admin.set_active(session, user=target, active=True, by=user):
        return _account_change(request, session, user, target, "account.enable")
    return _see_other(f"/admin/accounts/{target.id}")


@router.post("/accounts/{user_id}/cooperatives")
def link_cooperative(
    request: Request,
    session: DbSession,
    user: Admin,
    user_id: int,
    registration_code: Annotated[str, Form(max_length=64)],
) -> Response:
    target = accounts_admin.get_account(session, user_id=user_id).user
    linked = accounts_admin.link_cooperative(
        session, user=target, registration_code=registration_code
    )
    return _account_change(
        request, session, user, target, "account.link", cooperative=linked.registration_code
    )


@router.post("/accounts/{user_id}/cooperatives/{cooperative_id}/remove")
def unlink_cooperative(
    request: Request, session: DbSession, user: Admin, user_id: int, cooperative_id: int
) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    linked = next((c for c in account.cooperatives if c.id == cooperative_id), None)
    if linked is None:
        return _see_other(f"/admin/accounts/{user_id}")
    accounts_admin.unlink_cooperative(session, user=account.user, cooperative_id=cooperative_id)
    return _account_change(
        request,
        session,
        user,
        account.user,
        "account.link",
        cooperative=linked.registration_code,
        removed=True,
    )


@router.post("/accounts/{user_id}/areas")
def link_area(
    request: Request,
    session: DbSession,
    user: Admin,
    user_id: int,
    area_id: Annotated[int, Form()],
) -> Response:
    target = accounts_admin.get_account(session, user_id=user_id).user
    linked = accounts_admin.link_area(session, user=target, area_id=area_id)
    return _account_change(request, session, user, target, "account.link", area=linked.code)


@router.post("/accounts/{user_id}/areas/{area_id}/remove")
def unlink_area(
    request: Request, session: DbSession, user: Admin, user_id: int, area_id: int
) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    linked = next((a for a in account.areas if a.id == area_id), None)
    if linked is None:
        return _see_other(f"/admin/accounts/{user_id}")
    accounts_admin.unlink_area(session, user=account.user, area_id=area_id)
    return _account_change(
        request, session, user, account.user, "account.link", area=linked.code, removed=True
    )


@router.post("/accounts/{user_id}/code")
def reset_code(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    slip = accounts_admin.reset_code(session, user=account.user, created_by=user)
    audit.record(
        session,
        actor=user,
        action="account.codes",
        target=f"user:{account.user.username}",
        detail={"codes": 1, "reset": True},
        ip_address=_ip(request),
    )
    return _slips_page(request, [slip], account=account)


# Audit log ----------------------------------------------------------------------------------

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
            "page": page,
            "pages": max(1, -(-total // AUDIT_PAGE)),
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
        ip_address=_ip(request),
    )
    return Response(
        exports.csv_bytes(AUDIT_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="nhat-ky-he-thong.csv"'},
    )


def _detail_text(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""
