"""RFC 9457 problem details: every error of /api/v1 in one JSON shape with a stable `code`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.services.api.idempotency import KeyInProgress, KeyReused
from portal.services.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OldVersion,
    PermissionDenied,
    PortalError,
    Throttled,
)

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """What went wrong (RFC 9457). `code` is stable: scripts branch on it, not on `title`."""

    type: str = Field(default="about:blank", description="A URI naming the problem type.")
    title: str
    status: int
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Per-field messages when the request was malformed."
    )


class ApiProblem(Exception):
    """Raise to answer with a problem."""

    def __init__(
        self, status: int, code: str, detail: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail or code)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}


TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
}
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 412, 415, 422, 429, 500)
# Every operation documents these answers (content application/problem+json).
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": TITLES[status], "content": {PROBLEM_JSON: {}}}
    for status in ERROR_STATUSES
}


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str = "",
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        code=code,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    ).model_dump(exclude_none=True)
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _status_of(exc: PortalError) -> tuple[int, str]:
    if isinstance(exc, KeyReused):
        return 422, exc.code
    if isinstance(exc, KeyInProgress):
        return 409, exc.code
    if isinstance(exc, NotFound):
        return 404, "not_found"
    if isinstance(exc, PermissionDenied):
        return 403, "forbidden"
    if isinstance(exc, OldVersion):
        return 409, "old_version"
    if isinstance(exc, Conflict):
        return 409, "conflict"
    if isinstance(exc, Throttled):
        return 429, "rate_limited"
    if isinstance(exc, InvalidInput):
        return 422, "invalid_input"
    return 400, "bad_request"


async def on_portal_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PortalError)
    status, code = _status_of(exc)
    return problem(request, status, code, exc.user_message)


async def on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem(request, exc.status, exc.code, exc.detail, headers=exc.headers)


async def on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))[:300]}
        for e in exc.errors()[:20]
    ]
    return problem(
        request, 422, "validation_failed", "The request does not match the API.", errors=errors
    )


async def on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    return problem(
        request,
        status,
        CODES.get(status, "error"),
        str(exc.detail) if exc.detail else "",
        headers=dict(exc.headers or {}),
    )


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    return problem(request, 500, "internal_error", "Something went wrong on our side.")


HANDLERS = {
    PortalError: on_portal_error,
    ApiProblem: on_api_problem,
    RequestValidationError: on_validation,
    StarletteHTTPException: on_http,
    Exception: on_unexpected,
}
