"""Questionnaire versions: publishing the folder, comparing two versions, previewing one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.errors import Conflict, NotFound
from app.messages import N_
from app.scoring.proof import load_proven
from app.surveys import diff
from app.surveys import service as surveys
from app.surveys.loader import SurveyFileError
from app.web.deps import DbSession
from app.web.routes.admin.shared import Admin, client_ip
from app.web.templating import render

router = APIRouter()


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
            folder = request.app.state.settings.surveys_dir
            results = surveys.publish_all(session, questionnaires=load_proven(folder))
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
                ip_address=client_ip(request),
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
        raise NotFound(N_("No such version."))
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
