"""The cooperative registry upload: templates, a dry run that stages the file, the import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from app.audit import service as audit
from app.cooperatives import importer, staging
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, client_ip, see_other
from app.web.templating import render

router = APIRouter()


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
        ip_address=client_ip(request),
    )
    staging.discard(token)
    return see_other(
        f"/admin/registry?inserted={inserted}&updated={len(changes)}&unchanged={unchanged}"
    )
