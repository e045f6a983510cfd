"""What every administration page shares: the administrator guard, posted forms, the audit's
client address and the redirect after a change."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from app.web.deps import Admin, Posted, form_data

__all__ = ["Admin", "Posted", "client_ip", "form_data", "see_other"]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
