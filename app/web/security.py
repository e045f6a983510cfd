"""CSRF tokens, the Origin check, and the security headers every response carries."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "htxso_session"
ANON_COOKIE = "htxso_anon"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        # Non-browser clients send neither; the CSRF token still has to match.
        return source != "null"
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


class SecurityHeaders:
    """Adds the headers that stop framing, sniffing, inline script and referrer leaks."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
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
