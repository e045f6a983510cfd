"""One-line confirmations shown on the page a change redirects to ("The product was added.").

The cookie carries only a known key, never text: nobody can make the portal display words of
their choosing, and the message is translated into the reader's language when shown.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.messages import N_

FLASH_COOKIE = "htxso_flash"


MESSAGES: dict[str, str] = {
    "answers_kept": N_("Your answers are saved. You can continue later from the home page."),
    "correction_discarded": N_(
        "The correction was discarded. The submitted response still counts."
    ),
    "submitted": N_("Submitted. Thank you!"),
    "product_added": N_("The product was added."),
    "wave_created": N_("The wave was created."),
    "wave_opened": N_("The wave is open: cooperatives can answer now."),
    "wave_closed": N_("The wave is closed."),
    "password_changed": N_("Your password was changed."),
    "reset_requested": N_(
        "Your request was sent. Your advisor or the administrator will give you a one-time "
        "code to set a new password."
    ),
    "contacted": N_("Marked as contacted."),
    "paper_saved": N_("The paper survey was saved."),
    "note_saved": N_("The note was saved."),
}


def set_flash(request: Request, response: Response, key: str) -> Response:
    """Show one known message on the next page this browser renders."""
    if key not in MESSAGES:
        raise KeyError(key)
    response.set_cookie(
        FLASH_COOKIE,
        key,
        max_age=120,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )
    return response


def redirect(request: Request, url: str, key: str) -> RedirectResponse:
    """A 303 redirect that confirms what was just done."""
    response = RedirectResponse(url, status_code=303)
    set_flash(request, response, key)
    return response


def pending(request: Request) -> str | None:
    """The message waiting for this browser, untranslated (None when there is none)."""
    return MESSAGES.get(request.cookies.get(FLASH_COOKIE, ""))


def clear(request: Request, response: Response) -> None:
    """Forget the message once a page has shown it."""
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, httponly=True, samesite="lax")
