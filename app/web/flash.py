"""One-line confirmations shown on the page a change redirects to ("The product was added.").

The cookie carries only a known key, never text: nobody can make the portal display words of
their choosing, and the message is translated into the reader's language when shown.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

FLASH_COOKIE = "htxso_flash"


def _(message: str) -> str:
    """Marks a message for extraction; it is translated when the page is rendered."""
    return message


MESSAGES: dict[str, str] = {
    "answers_kept": _("Your answers are saved. You can continue later from the home page."),
    "correction_discarded": _("The correction was discarded. The submitted response still counts."),
    "submitted": _("Submitted. Thank you!"),
    "product_added": _("The product was added."),
    "wave_created": _("The wave was created."),
    "wave_updated": _("The wave was updated."),
    "password_changed": _("Your password was changed."),
    "reset_requested": _(
        "Your request was sent. Your advisor or the administrator will give you a one-time "
        "code to set a new password."
    ),
    "contacted": _("Marked as contacted."),
    "paper_saved": _("The paper survey was saved."),
    "note_saved": _("The note was saved."),
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
