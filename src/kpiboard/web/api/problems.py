"""Errors as RFC 9457 problem details (``application/problem+json``), every one of a request's
errors at once: the API's one error shape.

``{"type": "about:blank", "title": "...", "status": 422, "detail": "...", "instance": "/api/v1/...",
"errors": [{"field": "value", "detail": "...", "file": ..., "row": ..., "column": ..., "value":
..., "expected": ...}]}``
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from kpiboard.datafiles import DataError

__all__ = [
    "MEDIA_TYPE",
    "ApiError",
    "JsonOnlyParser",
    "data_errors",
    "install",
    "problem_response",
    "refusal",
]

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Too large",
    415: "Unsupported media type",
    422: "The request has errors",
    429: "Too many requests",
}


class ApiError(Exception):
    """An answer other than success, with what went wrong in words a person can act on."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title or TITLES.get(status, "Error")
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


class UnsupportedMediaTypeError(Exception):
    """A body that is not JSON where JSON is expected (ASVS 13.1.5, 13.2.5)."""


class JsonOnlyParser(Parser):
    """Ninja's JSON parser, that reads a body only when it says it is JSON
    (``application/json`` or ``application/*+json``): anything else is a 415, not parsed."""

    def parse_body(self, request: HttpRequest) -> Any:
        media = (request.content_type or "").lower()
        if media != "application/json" and not (
            media.startswith("application/") and media.endswith("+json")
        ):
            raise UnsupportedMediaTypeError(
                f"Content-Type {media or '(none)'!r} is not accepted here: send the body as "
                "JSON with 'Content-Type: application/json'"
            )
        return super().parse_body(request)


def problem_response(request: HttpRequest, problem: ApiError) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=problem.status,
        content_type=MEDIA_TYPE,
    )
    response["Content-Disposition"] = 'inline; filename="problem.json"'  # ASVS 14.4.2
    for name, value in problem.headers.items():
        response[name] = value
    return response


def refusal(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse | None:
    """For a middleware that refuses a request before any view: problem details when the request
    is the API's, else None (the site's own page)."""
    if not request.path.startswith("/api/"):
        return None
    return problem_response(request, ApiError(status, detail, title=title))


def data_errors(errors: Any) -> list[dict[str, Any]]:
    """A data file's errors (every one): file, row, column, value and what was expected."""
    return [
        {
            "detail": str(error),
            "file": error.file,
            "row": error.row,
            "column": error.column,
            "value": error.value,
            "expected": error.expected,
        }
        for error in errors
        if isinstance(error, DataError)
    ]


def _field_of(location: Any) -> str:
    parts = [str(part) for part in location if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "request"


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": _field_of(error.get("loc", ())),
            "in": str((error.get("loc") or ("body",))[0]),
            "detail": str(error.get("msg", "is not valid")),
        }
        for error in exc.errors
    ]
    count = len(errors)
    detail = f"{count} error{'s' if count != 1 else ''} in the request: see errors"
    return problem_response(request, ApiError(422, detail, errors=errors))


def _authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        ApiError(
            401,
            "Send a live API token as 'Authorization: Bearer <token>' (make one on your "
            "account's API tokens page), or sign in",
            headers={"WWW-Authenticate": 'Bearer realm="kpiboard"'},
        ),
    )


def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnsupportedMediaTypeError):  # ninja wraps the parser's refusal
        refused = ApiError(415, str(exc.__cause__), headers={"Accept-Post": "application/json"})
        return problem_response(request, refused)
    return problem_response(request, ApiError(exc.status_code, str(exc)))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, ApiError(404, str(exc) or "There is nothing here"))


def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, ApiError(403, str(exc) or "Your role does not allow it"))


def install(api: NinjaAPI) -> None:
    """Answer every error the API raises as problem details."""
    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, problem_response),
        (ValidationError, _validation),
        (AuthenticationError, _authentication),
        (HttpError, _http),
        (Http404, _not_found),
        (PermissionDenied, _denied),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
