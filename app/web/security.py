"""CSRF tokens, the Origin check, and the security headers every response carries."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from app.messages import N_, Message

SESSION_COOKIE = "htxso_session"
ANON_COOKIE = "htxso_anon"
# A browser where an account signed in before (app.accounts.throttle); sent to /signin only.
DEVICE_COOKIE = "htxso_device"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where the door (app.web.limits) leaves a refusal it decided before the body was read.
REFUSAL = "htxso.refusal"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def csrf_token(secret: str, binding: str) -> str:
    """The CSRF token bound to one session (or one anonymous browser) and the server's secret."""
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_binding(request: Request) -> str | None:
    """What the CSRF token of this request is bound to: its session cookie, else its anon cookie."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)


def secure_cookies(request: Request) -> bool:
    """Whether cookies must be Secure: HTTPS is configured, or this request came over it."""
    https: bool = request.app.state.settings.https
    return https or request.url.scheme == "https"


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        # Non-browser clients send neither; the CSRF token still has to match.
        return source != "null"
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


class Refusal(HTTPException):
    """A request refused at the door, before its body is read, with the reason in both languages.

    An HTTPException, so that FastAPI lets it through when it is raised while reading a body.
    """

    def __init__(self, status_code: int, message: Message) -> None:
        super().__init__(status_code=status_code, detail=str(message))
        self.message = message


def foreign_origin() -> Refusal:
    return Refusal(403, Message(N_("The request came from another site and was refused.")))


def bad_token() -> Refusal:
    return Refusal(
        403,
        Message(N_("The form has expired or is not valid. Please reload the page and try again.")),
    )


def token_matches(sent: str | None, request: Request, secret: str) -> bool:
    """Whether a CSRF token is the one bound to this request's session or anonymous cookie."""
    binding = csrf_binding(request)
    return bool(sent and binding and hmac.compare_digest(sent, csrf_token(secret, binding)))


def is_form(request: Request) -> bool:
    """Whether the body is a form, which may carry the CSRF token as a field."""
    return request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )


def refusal_from_headers(request: Request, secret: str) -> Refusal | None:
    """The CSRF refusal an unsafe request earns from its headers alone, if any.

    None means accepted (a right `X-CSRF-Token`) or not yet known (a form, whose token field
    is checked once the form is read).
    """
    if not same_origin(request):
        return foreign_origin()
    sent = request.headers.get(CSRF_HEADER)
    if sent is not None or not csrf_binding(request) or not is_form(request):
        return None if token_matches(sent, request, secret) else bad_token()
    return None


class SecurityHeaders:
    """Adds the headers that stop framing, sniffing, inline script and referrer leaks."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: ASGIMessage) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", CSP)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=()")
                if self.https or scope.get("scheme") == "https":
                    headers.setdefault(
                        "strict-transport-security", "max-age=31536000; includeSubDomains"
                    )
                if scope["path"].startswith("/static/"):
                    # Vendored files carry their version in their name; ours change rarely.
                    headers["cache-control"] = "public, max-age=86400"
                elif "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
