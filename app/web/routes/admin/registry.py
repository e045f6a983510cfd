"""The cooperative registry upload: templates, a dry run that stages the file in the database,
the column-mapping step, every problem as CSV, and the import.

Reading and checking a file only read the database; each write (staging, the mapping, the
import itself) is one short transaction of its own, so a slow or hostile file never holds the
write lock that sign-ins and saves need.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.audit import service as audit
from app.cooperatives import importer, staging, template
from app.cooperatives.columns import FIELD_NAMES_EN, IGNORE, TEMPLATE_HEADERS, Columns
from app.cooperatives.tabular import ACCEPTED_EXTENSIONS, Table
from app.errors import Invalid, TooLarge
from app.messages import N_
from app.reports.exports import neutralise
from app.web.deps import DbSession, get_db, reads_then_writes
from app.web.i18n import translate
from app.web.routes.admin.shared import Admin, Posted, client_ip, see_other
from app.web.templating import render, request_locale

router = APIRouter()
SAMPLES = 3


def _too_large() -> TooLarge:
    mb = staging.MAX_BYTES // 2**20
    return TooLarge(
        N_("The file is larger than %(mb)s MB. Split it and import the parts in turn."), mb=mb
    )


def _fields(locale: str) -> list[tuple[str, str]]:
    return [
        (f, TEMPLATE_HEADERS[f] if locale == "vi" else FIELD_NAMES_EN[f]) for f in TEMPLATE_HEADERS
    ]


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
            "guide": template.guide_rows(request_locale(request)),
        },
    )


@router.get("/registry/template.csv")
def registry_template_csv(user: Admin) -> Response:
    return Response(
        template.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="mau-danh-sach-htx.csv"'},
    )


@router.get("/registry/template.xlsx")
def registry_template_xlsx(session: DbSession, user: Admin) -> Response:
    return Response(
        template.template_xlsx(session),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": 'attachment; filename="mau-danh-sach-htx.xlsx"'},
    )


def _check_page(request: Request, status_code: int = 200, **context: Any) -> Response:
    context.setdefault("filename", "")
    context.setdefault("plan", None)
    context.setdefault("error", None)
    context.setdefault("read_error", None)
    context.setdefault("staged", None)
    context.setdefault("changes", [])
    context.setdefault("unchanged", 0)
    plan: importer.ImportPlan | None = context["plan"]
    context["names"] = {r.code: r.values.get("name", "") for r in plan.rows} if plan else {}
    context["clears"] = sum(c.cleared for row in context["changes"] for c in row.changes)
    context["shown_limit"] = 1000
    context["max_mb"] = staging.MAX_BYTES // 2**20
    context["kind_names"] = importer.KINDS
    return render(request, "admin/registry_check.html", context, status_code=status_code)


def _invalid_page(request: Request, filename: str, exc: Invalid) -> Response:
    return _check_page(
        request,
        422,
        filename=filename,
        error="read",
        read_error=translate(exc.message, request_locale(request)),
    )


def _map_page(
    request: Request,
    *,
    table: Table,
    columns: Columns,
    staged: staging.Staged,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    samples: list[list[str]] = [[] for _ in columns.header]
    for _, row in table.rows:
        for index, cell in enumerate(row[: len(samples)]):
            if cell and len(samples[index]) < SAMPLES and cell not in samples[index]:
                samples[index].append(cell)
        if all(len(s) == SAMPLES for s in samples):
            break
    return render(
        request,
        "admin/registry_map.html",
        {
            "filename": staged.filename,
            "table": table,
            "columns": columns,
            "samples": samples,
            "staged": staged,
            "fields": _fields(request_locale(request)),
            "error": error,
        },
        status_code=status_code,
    )


def _dry_run(
    request: Request,
    session: DbSession,
    *,
    table: Table,
    columns: Columns,
    staged: staging.Staged,
) -> Response:
    plan = importer.check_table(
        session, table=table, columns=columns, clear_blanks=staged.clear_blanks
    )
    if not plan.ok:
        return _check_page(request, 422, filename=staged.filename, plan=plan, staged=staged)
    changes, unchanged = importer.describe_updates(session, plan=plan)
    return _check_page(
        request,
        filename=staged.filename,
        plan=plan,
        staged=staged,
        changes=changes,
        unchanged=unchanged,
    )


@router.post("/registry/check")
@reads_then_writes
def registry_check(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    # The form is read by a dependency, not declared as parameters: FastAPI would read declared
    # ones before any dependency, the size check included.
    file = form.get("file")
    clear_blanks = form.get("clear_blanks") == "true"
    filename = (file.filename or "") if isinstance(file, UploadFile) else ""
    if not isinstance(file, UploadFile) or not filename:
        return _check_page(request, 422, error="missing")
    if not filename.lower().endswith((*ACCEPTED_EXTENSIONS, ".xls", ".ods")):
        return _check_page(request, 422, filename=filename, error="type")
    data = file.file.read(staging.MAX_BYTES + 1)
    if len(data) > staging.MAX_BYTES:
        raise _too_large()
    try:
        table, columns = importer.read_file(data, filename=filename)
    except Invalid as exc:
        return _invalid_page(request, filename, exc)
    mapping = staging.remembered(session, signature=columns.signature)
    with get_db(request).transaction() as writer:
        staged = staging.stage(
            writer,
            data=data,
            filename=filename,
            user_id=user.id,
            mapping=mapping,
            clear_blanks=clear_blanks,
        )
    if mapping is not None:
        columns = columns.chosen(mapping)
    elif columns.needs_mapping:
        return _map_page(request, table=table, columns=columns, staged=staged)
    return _dry_run(request, session, table=table, columns=columns, staged=staged)


def _staged_table(
    session: DbSession, token: str, user_id: int
) -> tuple[Table, Columns, staging.Staged]:
    data, staged = staging.load(session, token=token, user_id=user_id)
    # The same bytes were read once already: they read the same way again.
    table, columns = importer.read_file(data, filename=staged.filename)
    return table, columns, staged


@router.get("/registry/map")
def registry_map_page(request: Request, session: DbSession, user: Admin, token: str) -> Response:
    table, columns, staged = _staged_table(session, token, user.id)
    if staged.mapping is not None:
        columns = columns.chosen(staged.mapping)
    return _map_page(request, table=table, columns=columns, staged=staged)


@router.post("/registry/map")
@reads_then_writes
def registry_map(request: Request, session: DbSession, user: Admin, form: Posted) -> Response:
    token = str(form.get("token", ""))[:100]
    if not token:
        raise Invalid(N_("No file to map was given."))
    table, columns, staged = _staged_table(session, token, user.id)
    choices = [str(form.get(f"column_{i}", IGNORE)) for i in range(len(columns.header))]
    chosen = [c for c in choices if c]
    clear_blanks = form.get("clear_blanks") == "true"
    staged = staging.Staged(staged.token, staged.sha256, staged.filename, choices, clear_blanks)
    if len(chosen) != len(set(chosen)) or any(c not in TEMPLATE_HEADERS for c in chosen):
        return _map_page(
            request,
            table=table,
            columns=columns.chosen(choices),
            staged=staged,
            error="twice",
            status_code=422,
        )
    columns = columns.chosen(choices)
    with get_db(request).transaction() as writer:
        staging.choose(
            writer, token=token, user_id=user.id, mapping=choices, clear_blanks=clear_blanks
        )
        staging.remember(writer, signature=columns.signature, mapping=choices)
    return _dry_run(request, session, table=table, columns=columns, staged=staged)


@router.get("/registry/problems.csv")
def registry_problems(session: DbSession, user: Admin, token: str) -> Response:
    table, columns, staged = _staged_table(session, token, user.id)
    if staged.mapping is not None:
        columns = columns.chosen(staged.mapping)
    plan = importer.check_table(
        session, table=table, columns=columns, clear_blanks=staged.clear_blanks
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Dòng (line)", "Cột (column)", "Loại lỗi (kind)", "Lỗi", "Problem"])
    for p in sorted(plan.problems, key=lambda p: p.line):
        kind = translate(importer.KINDS[p.kind], "vi")
        vi, en = translate(p.message, "vi"), translate(p.message, "en")
        writer.writerow([neutralise(v) for v in (p.line, p.column, kind, vi, en)])
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="loi-danh-sach-htx.csv"'},
    )


@router.post("/registry/import")
@reads_then_writes
def registry_import(
    request: Request,
    session: DbSession,
    user: Admin,
    token: Annotated[str, Form(max_length=100)],
) -> Response:
    table, columns, staged = _staged_table(session, token, user.id)
    if staged.mapping is not None:
        columns = columns.chosen(staged.mapping)
    plan = importer.check_table(
        session, table=table, columns=columns, clear_blanks=staged.clear_blanks
    )
    if not plan.ok:
        # The registry changed since the dry run and the file no longer fits: nothing is written.
        return _check_page(request, 422, filename=staged.filename, plan=plan, staged=staged)
    changes, unchanged = importer.describe_updates(session, plan=plan)
    with get_db(request).transaction() as writer:
        # Taken first: a second confirmation of the same file finds nothing to import.
        staging.take(writer, token=token, user_id=user.id)
        inserted, _known = importer.apply_plan(writer, plan=plan)
        audit.record(
            writer,
            actor=user,
            action="registry.import",
            target="registry",
            detail={
                "filename": staged.filename,
                "sha256": staged.sha256,
                "inserted": inserted,
                "updated": len(changes),
                "unchanged": unchanged,
                "cleared": sum(c.cleared for row in changes for c in row.changes),
            },
            ip_address=client_ip(request),
        )
    return see_other(
        f"/admin/registry?inserted={inserted}&updated={len(changes)}&unchanged={unchanged}"
    )
