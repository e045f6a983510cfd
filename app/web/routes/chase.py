"""Chasing up the cooperatives that have not finished a wave: noting who was reminded, and how."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.audit import service as audit
from app.cooperatives import service as cooperatives
from app.reports import scope
from app.responses import contacts
from app.web import flash
from app.web.deps import Adviser, DbSession

router = APIRouter()


@router.post("/cooperatives/{cooperative_id}/contacts")
def mark_contacted(
    request: Request,
    session: DbSession,
    user: Adviser,
    cooperative_id: int,
    wave: Annotated[str | None, Form(max_length=32)] = None,
    channel: Annotated[str, Form(max_length=16)] = "phone",
    district: Annotated[int | None, Form()] = None,
    contact: Annotated[str, Form(max_length=16)] = "all",
    back: Annotated[str, Form(max_length=16)] = "chase",
) -> Response:
    """Record that this user reminded the cooperative about the wave today."""
    visible = accounts.accessible_cooperative_ids(session, user=user)
    cooperative, _ = cooperatives.get_cooperative(
        session, cooperative_id=cooperative_id, visible=visible
    )
    choice = scope.choose_wave(session, wave_key=wave)
    contacts.record_contact(
        session, wave=choice.wave, cooperative_id=cooperative.id, channel=channel, by=user
    )
    audit.record(
        session,
        actor=user,
        action="cooperative.contacted",
        target=f"cooperative:{cooperative.id}",
        detail={"wave": choice.wave.key, "channel": channel},
        ip_address=request.client.host if request.client else None,
    )
    if back == "profile":
        return flash.redirect(request, f"/cooperatives/{cooperative.id}#contacts", "contacted")
    query = {"wave": choice.wave.key, "contact": contact}
    if district is not None:
        query["district"] = str(district)
    return flash.redirect(
        request, f"/reports/coverage?{urlencode(query)}#chase-{cooperative.id}", "contacted"
    )
