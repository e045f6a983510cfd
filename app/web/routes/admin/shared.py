"""What every administration page shares: the administrator guard, posted forms, the audit's
client address and the redirect after a change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from app.web.deps import Admin

__all__ = ["Admin", "Posted", "client_ip", "form_data", "see_other"]


async def form_data(request: Request) -> FormData:
    """The posted form, for forms whose field names depend on the data (one per questionnaire)."""
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
