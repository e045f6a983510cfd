"""Accounts: the list, a new account, and one account's status, links and sign-in code."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import admin as accounts_admin
from app.accounts.models import User
from app.accounts.schemas import NewAccountForm
from app.areas import service as areas
from app.areas.models import AreaLevel
from app.audit import service as audit
from app.errors import Invalid
from app.paging import Page
from app.validation import parse
from app.web.deps import DbSession
from app.web.routes.admin.onboarding import slips_page
from app.web.routes.admin.shared import Admin, Posted, client_ip, see_other
from app.web.templating import render

router = APIRouter()


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
            "page": Page(number=page, size=accounts_admin.PAGE_SIZE, total=total),
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
            "districts": areas.list_areas(session, level=AreaLevel.FORMER_DISTRICT),
        },
        status_code=status_code,
    )


@router.get("/accounts/new")
def new_account_page(request: Request, session: DbSession, user: Admin) -> Response:
    values = {"username": "", "full_name": "", "role": "manager", "cooperatives": "", "areas": []}
    return _account_form(request, session, values, {})


@router.post("/accounts")
def create_account(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    values: dict[str, Any] = {
        name: str(form.get(name) or "").strip()
        for name in ("username", "full_name", "role", "cooperatives")
    }
    values["areas"] = [
        int(a) for a in form.getlist("areas") if isinstance(a, str) and a.isdecimal()
    ]
    try:
        account, slip = accounts_admin.create_account(
            session, form=parse(NewAccountForm, values, session=session), created_by=user
        )
    except Invalid as refused:
        return _account_form(request, session, values, refused.fields, status_code=422)
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
        ip_address=client_ip(request),
    )
    return slips_page(request, [slip], account=account)


@router.get("/accounts/{user_id}")
def account_page(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    return render(
        request,
        "admin/account.html",
        {
            "account": accounts_admin.get_account(session, user_id=user_id),
            "districts": areas.list_areas(session, level=AreaLevel.FORMER_DISTRICT),
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
        ip_address=client_ip(request),
    )
    return see_other(f"/admin/accounts/{target.id}")


def _set_active(
    request: Request, session: DbSession, user: User, user_id: int, *, active: bool
) -> Response:
    target = accounts_admin.get_account(session, user_id=user_id).user
    if accounts_admin.set_active(session, user=target, active=active, by=user):
        action = "account.enable" if active else "account.disable"
        return _account_change(request, session, user, target, action)
    return see_other(f"/admin/accounts/{target.id}")


@router.post("/accounts/{user_id}/disable")
def disable(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    return _set_active(request, session, user, user_id, active=False)


@router.post("/accounts/{user_id}/enable")
def enable(request: Request, session: DbSession, user: Admin, user_id: int) -> Response:
    return _set_active(request, session, user, user_id, active=True)


# A manager is linked to cooperatives, an advisor to areas; both links are audited alike.
Linked = TypeVar("Linked", accounts_admin.LinkedCooperative, accounts_admin.LinkedArea)


def _link_changed(
    request: Request,
    session: DbSession,
    user: User,
    account: accounts_admin.Account,
    linked: Linked | None,
    *,
    removed: bool = False,
) -> Response:
    """Audit a cooperative or an area attached to or detached from an account, then show it.

    None is a detach of something no longer linked: nothing changed, so nothing is recorded.
    """
    if linked is None:
        return see_other(f"/admin/accounts/{account.user.id}")
    detail: dict[str, Any] = (
        {"cooperative": linked.registration_code}
        if isinstance(linked, accounts_admin.LinkedCooperative)
        else {"area": linked.code}
    )
    if removed:
        detail["removed"] = True
    return _account_change(request, session, user, account.user, "account.link", **detail)


def _find(linked: list[Linked], item_id: int) -> Linked | None:
    return next((item for item in linked if item.id == item_id), None)


@router.post("/accounts/{user_id}/cooperatives")
def link_cooperative(
    request: Request,
    session: DbSession,
    user: Admin,
    user_id: int,
    registration_code: Annotated[str, Form(max_length=64)],
) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    linked = accounts_admin.link_cooperative(
        session, user=account.user, registration_code=registration_code
    )
    return _link_changed(request, session, user, account, linked)


@router.post("/accounts/{user_id}/cooperatives/{cooperative_id}/remove")
def unlink_cooperative(
    request: Request, session: DbSession, user: Admin, user_id: int, cooperative_id: int
) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    linked = _find(account.cooperatives, cooperative_id)
    if linked is not None:
        accounts_admin.unlink_cooperative(session, user=account.user, cooperative_id=linked.id)
    return _link_changed(request, session, user, account, linked, removed=True)


@router.post("/accounts/{user_id}/areas")
def link_area(
    request: Request,
    session: DbSession,
    user: Admin,
    user_id: int,
    area_id: Annotated[int, Form()],
) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    linked = accounts_admin.link_area(session, user=account.user, area_id=area_id)
    return _link_changed(request, session, user, account, linked)


@router.post("/accounts/{user_id}/areas/{area_id}/remove")
def unlink_area(
    request: Request, session: DbSession, user: Admin, user_id: int, area_id: int
) -> Response:
    account = accounts_admin.get_account(session, user_id=user_id)
    linked = _find(account.areas, area_id)
    if linked is not None:
        accounts_admin.unlink_area(session, user=account.user, area_id=linked.id)
    return _link_changed(request, session, user, account, linked, removed=True)


@router.post("/accounts/{user_id}/whole-province")
def whole_province(
    request: Request,
    session: DbSession,
    user: Admin,
    user_id: int,
    granted: Annotated[bool, Form()] = False,
) -> Response:
    """Grant or withdraw an advisor's view of the whole province, on purpose and audited."""
    target = accounts_admin.get_account(session, user_id=user_id).user
    if accounts_admin.set_whole_province(session, user=target, granted=granted):
        return _account_change(
            request, session, user, target, "account.scope", whole_province=granted
        )
    return see_other(f"/admin/accounts/{target.id}")


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
        ip_address=client_ip(request),
    )
    return slips_page(request, [slip], account=account)
