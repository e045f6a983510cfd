"""Administration: waves, questionnaire versions, the registry, accounts and the audit log.

Every page is for administrators only, and every change leaves an audit event in the same
transaction as the change. Each area has its own module; `router` serves them all.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.web.routes.admin import (
    accounts,
    audit_log,
    boundaries,
    onboarding,
    placements,
    questionnaires,
    registry,
    targets,
    waves,
)
from app.web.routes.admin.shared import Admin
from app.web.templating import render

router = APIRouter(prefix="/admin")


@router.get("")
def index(request: Request, user: Admin) -> Response:
    return render(request, "admin/index.html")


# Onboarding before accounts: its fixed paths would otherwise be taken for an account id.
for area in (
    waves,
    targets,
    questionnaires,
    registry,
    placements,
    boundaries,
    onboarding,
    accounts,
    audit_log,
):
    router.include_router(area.router)
