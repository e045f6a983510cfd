"""Request bodies bounded before they are read, and refused before they are read when the
CSRF check can already tell.

One ASGI middleware in front of every route. A body longer than its route's limit is refused
with a 413 as soon as that is known: from `Content-Length` before a byte is read, or, for a
streamed body, at the chunk that passes the limit. A request the CSRF check refuses from its
headers alone (another site's Origin, no cookie the token could be bound to, a wrong
`X-CSRF-Token`) is refused with a 403 before its body is read. Nothing of a refused body is
parsed, buffered or written to a temporary file.

The refusal is raised from the body's `receive`, when the route first asks for the body, so
the one error handler renders it like every other error (a page, an htmx fragment or JSON).
A route that never reads its body is refused by the `verify_csrf` dependency instead.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from app.areas import boundaries
from app.cooperatives import staging
from app.messages import N_, Message
from app.web.security import REFUSAL, SAFE_METHODS, Refusal, refusal_from_headers

# A questionnaire step of twenty 2,000-character Vietnamese answers is about 360 KB once
# URL-encoded (nine bytes for most letters); no other form comes close.
FORM_LIMIT = 512 * 1024
# Room for the multipart boundaries and headers around an upload's file.
MULTIPART_SLACK = 64 * 1024


def body_limit(path: str) -> int:
    """The most bytes a request to this path may send."""
    if path == "/admin/registry/check":
        # Read when asked: tests shrink the registry's limit.
        return staging.MAX_BYTES + MULTIPART_SLACK
    if path == "/admin/boundaries":
        return boundaries.MAX_BYTES + MULTIPART_SLACK
    return FORM_LIMIT


def too_large(limit: int) -> Refusal:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    return Refusal(
        413,
        Message(N_("What was sent is too large (at most %(size)s). Please send less."), size=size),
    )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # A malformed length is the server's to refuse; treat it as unknown here.
            return int(text) if text.isdecimal() and len(text) < 19 else None
    return None


class BoundedBodies:
    """Counts every request body against its route's limit; see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        refusal: Refusal | None = None
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            refusal = too_large(limit)
        elif scope["method"] not in SAFE_METHODS:
            secret = scope["app"].state.settings.secret_key
            refusal = refusal_from_headers(Request(scope), secret)
        if refusal is not None:
            # For the routes that never read their body: `verify_csrf` raises it.
            scope[REFUSAL] = refusal
        received = 0

        async def bounded_receive() -> ASGIMessage:
            nonlocal received
            if refusal is not None:
                raise refusal
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, bounded_receive, send)
