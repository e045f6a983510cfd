"""One place that turns exceptions into pages, fragments or JSON."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooLarge
from app.messages import N_, Message
from app.web.deps import NotSignedIn
from app.web.i18n import translate
from app.web.security import Refusal
from app.web.templating import is_htmx, render, request_locale

log = logging.getLogger(__name__)

STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422, TooLarge: 413}
TITLES = {
    400: N_("Bad request"),
    403: N_("Forbidden"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    422: N_("Invalid input"),
    500: N_("Something went wrong"),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: Message) -> Response:
    """An error as JSON for the API, else as a page (or a fragment htmx can swap in)."""
    if _wants_json(request):
        return JSONResponse(
            {"detail": translate(message, "en"), "detail_vi": translate(message, "vi")},
            status_code=status,
        )
    locale = request_locale(request)
    context = {
        "status": status,
        "title": translate(TITLES.get(status, TITLES[500]), locale),
        "message": translate(message, locale),
    }
    if is_htmx(request):
        response = render(request, "errors/error.html", context, status_code=status, block="error")
        # htmx ignores 4xx/5xx bodies unless told where to put them.
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "errors/error.html", context, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on the application."""

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Not signed in"}, status_code=401)
        target = "/signin?next=" + quote(request.url.path, safe="/")
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = next((STATUS[kind] for kind in type(exc).__mro__ if kind in STATUS), 400)
        return error_response(request, status, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(
                request, 404, Message(N_("The page does not exist or has moved."))
            )
        if exc.status_code == 405:
            return error_response(request, 405, Message(N_("This method is not allowed here.")))
        if isinstance(exc, Refusal):
            return error_response(request, exc.status_code, exc.message)
        # Raised by the framework with English text of its own, not a catalog entry.
        return error_response(request, exc.status_code, Message("%(detail)s", detail=exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return error_response(
            request, 422, Message(N_("The submitted data is not valid. Please check it."))
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def refused_by_database(request: Request, exc: Exception) -> Response:
        # The database refused a value as data (SQLSTATE class 22): a NUL character, which
        # PostgreSQL never stores in text, or a number out of its column's range; SQLite's
        # driver refuses to bind an integer beyond 64 bits (OverflowError). Input the forms
        # did not catch, so a clear 422; the request's transaction was rolled back.
        log.warning(
            "database refused data on %s %s: %s",
            request.method,
            request.url.path,
            getattr(exc, "orig", exc),
        )
        return error_response(
            request,
            422,
            Message(
                N_(
                    "The submitted data has a value that is not allowed (a forbidden character "
                    "or a number too large). Please check it."
                )
            ),
        )

    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, exc: ClientDisconnect) -> Response:
        # A phone that lost its signal mid-upload: nothing was saved and nobody is left to
        # answer. Common on weak mobile data, so a line without a traceback.
        log.info("client left during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request,
            500,
            Message(
                N_("The system hit a problem. What you saved is kept; please try again later.")
            ),
        )


class AnsweredErrors:
    """Keeps the connection open once an unexpected error has been answered with a 500 page.

    Starlette re-raises the error after sending the page, and uvicorn then drops the
    connection; the error is already logged with its traceback by `unexpected` above.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def watch(message: ASGIMessage) -> None:
            nonlocal answered
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if not answered:
                raise
