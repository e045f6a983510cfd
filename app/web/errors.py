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

from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooLarge
from app.web.deps import NotSignedIn
from app.web.templating import is_htmx, render, request_locale

log = logging.getLogger(__name__)

STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422, TooLarge: 413}
TITLES = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    403: ("Không có quyền truy cập", "Forbidden"),
    404: ("Không tìm thấy trang", "Page not found"),
    405: ("Thao tác không được phép", "Method not allowed"),
    409: ("Xung đột dữ liệu", "Conflict"),
    413: ("Tệp quá lớn", "File too large"),
    422: ("Dữ liệu chưa hợp lệ", "Invalid input"),
    500: ("Đã có lỗi xảy ra", "Something went wrong"),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, message_en: str) -> Response:
    """An error as JSON for the API, else as a page (or a fragment htmx can swap in)."""
    if _wants_json(request):
        return JSONResponse({"detail": message_en, "detail_vi": message}, status_code=status)
    title_vi, title_en = TITLES.get(status, TITLES[500])
    english = request_locale(request) == "en"
    context = {
        "status": status,
        "title": title_en if english else title_vi,
        "message": message_en if english else message,
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
        return error_response(request, STATUS.get(type(exc), 400), exc.message, exc.message_en)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(
                request,
                404,
                "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.",
                "The page does not exist or has moved.",
            )
        if exc.status_code == 405:
            return error_response(
                request,
                405,
                "Thao tác này không được hỗ trợ ở đây.",
                "This method is not allowed here.",
            )
        detail = str(exc.detail)
        return error_response(request, exc.status_code, detail, detail)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return error_response(
            request,
            422,
            "Dữ liệu gửi lên chưa hợp lệ. Vui lòng kiểm tra lại.",
            "The submitted data is not valid. Please check it.",
        )

    @app.exception_handler(DataError)
    async def refused_by_database(request: Request, exc: DataError) -> Response:
        # The database refused a value as data (SQLSTATE class 22): a NUL character, which
        # PostgreSQL never stores in text, or a number out of its column's range. Input the
        # forms did not catch, so a clear 422; the request's transaction was rolled back.
        log.warning(
            "database refused data on %s %s: %s", request.method, request.url.path, exc.orig
        )
        return error_response(
            request,
            422,
            "Dữ liệu gửi lên có giá trị không hợp lệ (ký tự không được phép hoặc số quá lớn). "
            "Vui lòng kiểm tra và nhập lại.",
            "The submitted data has a value that is not allowed (a forbidden character or a "
            "number too large). Please check it.",
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
            "Hệ thống gặp sự cố. Dữ liệu bạn đã lưu vẫn còn; vui lòng thử lại sau.",
            "The system hit a problem. What you saved is kept; please try again later.",
        )
