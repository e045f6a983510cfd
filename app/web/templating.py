"""The one Jinja environment, and the helper every page and fragment renders through."""

from __future__ import annotations

import secrets
from functools import partial
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.models import ROLE_NAMES
from app.accounts.permissions import can
from app.config import ROOT
from app.cooperatives.vocabulary import OCOP_GROUPS, SECTORS, STATUSES, label
from app.surveys.answers import format_number
from app.web import flash, i18n
from app.web.security import ANON_COOKIE, SESSION_COOKIE, csrf_binding, csrf_token, secure_cookies

LANG_COOKIE = "htxso_lang"

env = Environment(
    loader=FileSystemLoader(Path(ROOT) / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Blocks(env=env)
# Templates ask what the user may do, never which role they have: `can(user, "advise")`.
env.globals["can"] = can


def request_locale(request: Request) -> str:
    """The reader's language: their choice in a cookie, else the portal's default (Vietnamese)."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LOCALES:
        return chosen
    default: str = request.app.state.settings.default_locale
    return default


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (and wants a fragment rather than a page)."""
    return request.headers.get("hx-request") == "true" and not request.headers.get(
        "hx-history-restore-request"
    )


def base_context(request: Request) -> dict[str, Any]:
    """What every template may use: the user, the language, formatters and the CSRF token."""
    locale = request_locale(request)
    translations = i18n.translations(locale)
    binding = csrf_binding(request) or _new_anon_binding(request)
    return {
        "request": request,
        "user": getattr(request.state, "viewer", None),
        "locale": locale,
        "_": partial(_translate, translations),
        "gettext": partial(_translate, translations),
        "ngettext": partial(_translate_plural, translations),
        "csrf_token": csrf_token(request.app.state.settings.secret_key, binding),
        "fmt_number": partial(i18n.number, locale=locale),
        "fmt_int": partial(i18n.integer, locale=locale),
        "fmt_percent": partial(i18n.percent, locale=locale),
        "fmt_date": partial(i18n.date, locale=locale),
        "fmt_datetime": partial(i18n.datetime, locale=locale),
        "sector_label": partial(label, SECTORS, locale=locale),
        "status_label": partial(label, STATUSES, locale=locale),
        "ocop_label": partial(label, OCOP_GROUPS, locale=locale),
        "ocop_groups": tuple(OCOP_GROUPS),
        "role_label": partial(label, ROLE_NAMES, locale=locale),
        "text": partial(i18n.pick, locale=locale),
        "message": partial(i18n.translate, locale=locale),
        "fmt_answer": _answer_text,
        "flash_message": None,
    }


def _translate(translations: NullTranslations, message: str, **values: object) -> str:
    """gettext with named placeholders, as Jinja's new-style gettext has them."""
    text = translations.gettext(message)
    return text % values if values else text


def _translate_plural(
    translations: NullTranslations, singular: str, plural: str, n: int, **values: object
) -> str:
    return translations.ngettext(singular, plural, n) % ({"num": n} | values)


def _answer_text(value: object) -> str:
    """A stored number as a Vietnamese user would type it back (2,5 rather than 2.5)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def _new_anon_binding(request: Request) -> str:
    # A browser without cookies gets one now; render() sets it on the response.
    token = secrets.token_urlsafe(32)
    request.state.new_anon_cookie = token
    return token


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    """Render a page, or one named block of it for an htmx request."""
    full = base_context(request) | (context or {})
    # A whole page shows the confirmation waiting for it; a fragment leaves it for the page.
    shows_flash = block is None and not is_htmx(request) and status_code < 300
    waiting = flash.pending(request) if shows_flash else None
    if waiting is not None:
        full["flash_message"] = full["_"](waiting)
    if block is not None:
        response = templates.TemplateResponse(
            request, template, full, status_code=status_code, block_name=block
        )
    else:
        response = templates.TemplateResponse(request, template, full, status_code=status_code)
    set_anon_cookie(request, response)
    if waiting is not None:
        flash.clear(request, response)
    return response


def set_anon_cookie(request: Request, response: Response) -> None:
    """Give a first-time browser the cookie its CSRF token is bound to."""
    token = getattr(request.state, "new_anon_cookie", None)
    if token and not request.cookies.get(SESSION_COOKIE):
        response.set_cookie(
            ANON_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(request),
            max_age=60 * 60 * 24 * 30,
        )
