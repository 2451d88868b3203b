"""The REST API at /api/v1/: django-ninja, its OpenAPI 3.1 schema at /api/v1/openapi.json and
its documentation at /api/v1/docs (Swagger UI served by the site itself, under the site's
Content-Security-Policy)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger

from kpiboard.web.api import answers, problems, reads_register, reads_reports, writes
from kpiboard.web.api.auth import SessionAuth, TokenAuth

__all__ = ["api"]

DESCRIPTION = """\
kpiboard's register, figures, evaluations, scorecards and publications, and the submission of
returns and imports, for scripts and other systems.

Authenticate with a personal API token (make one on your account's *API tokens* page) as
`Authorization: Bearer <token>`, or with the browser's session (send the CSRF token as
`X-CSRFToken` on changes). A token acts with its holder's role: the same rules as the web pages.
Errors are RFC 9457 problem details. Reads carry an `ETag`; send it back as `If-None-Match` to be
told 304 when nothing changed. Each token may make a limited number of requests a minute (429
with `Retry-After` beyond it).
"""


#: OpenAPI links: where an answer's values lead (the register's first indicator to its figures,
#: a dry run's key to applying it...), for clients and for schemathesis' stateful tests.
LINKS: dict[tuple[str, str], dict[str, str]] = {
    **{
        ("indicator_list", target): {"ref": "$response.body#/items/0/ref"}
        for target in (
            "indicator_read",
            "figure_list",
            "target_list",
            "commentary_list",
            "action_list",
        )
    },
    ("committee_list", "scorecard_committee"): {"code": "$response.body#/0/id"},
    ("directorate_list", "scorecard_directorate"): {"code": "$response.body#/0/id"},
    ("period_list", "evaluation_read"): {"period": "$response.body#/current/slug"},
    ("publication_list", "publication_read"): {"pk": "$response.body#/0/id"},
    ("returns_due", "return_submit"): {
        "ref": "$response.body#/0/ref",
        "period": "$response.body#/0/period_slug",
    },
    ("import_dry_run", "import_apply"): {"key": "$response.body#/key"},
}


class KpiboardApi(NinjaAPI):
    """NinjaAPI whose answers are finished by :func:`answers.finished`: named, and each read
    with an ETag and a 304 for a matching If-None-Match."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return answers.finished(request, response)

    def get_openapi_operation_id(self, operation: Any) -> str:
        """The view's own name (``indicator_list``): short, and unique in the API."""
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Ninja's schema, its error answers said to be problem details (as they are served),
        with the links between operations."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for code, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if str(code).startswith("4") and "application/json" in content:
                        answer["content"] = {problems.MEDIA_TYPE: content["application/json"]}
                for (source, target), parameters in LINKS.items():
                    if operation.get("operationId") != source:
                        continue
                    success = next(c for c in operation["responses"] if str(c).startswith("2"))
                    links = operation["responses"][success].setdefault("links", {})
                    links[target] = {"operationId": target, "parameters": parameters}
        return schema


api = KpiboardApi(
    title="kpiboard API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs=Swagger(settings={"persistAuthorization": False}),
    parser=problems.JsonOnlyParser(),
)
problems.install(api)
api.add_router("", reads_register.router)
api.add_router("", reads_reports.router)
api.add_router("", writes.router)
