"""How the API's successful answers are finished: named, and every read with an ``ETag`` and a
304 for a matching ``If-None-Match``; and JSON text already made (an evaluation as the cache
holds it) answered the same way as the objects django-ninja encodes."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

__all__ = ["CONTENT_TYPE", "DISPOSITION", "finished", "json_answer"]

#: Every answer is named (ASVS 14.4.2). Inline, as the open data's JSON is: an attachment makes
#: the documentation page's "Try it out" offer a download in place of the answer; a browser
#: still never renders it as a page (JSON, ``nosniff``).
DISPOSITION = 'inline; filename="api.json"'
#: django-ninja's JSON renderer's media type and character set.
CONTENT_TYPE = "application/json; charset=utf-8"


def finished(
    request: HttpRequest, response: HttpResponse, *, digest: str | None = None
) -> HttpResponse:
    """``response`` named; a successful read with its ``ETag`` (a digest of its bytes, worked
    out here unless ``digest``, their SHA-256 in hex, is given), or 304 in its place when the
    client sent that tag as ``If-None-Match``."""
    response["Content-Disposition"] = DISPOSITION
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        tag = f'"{(digest or hashlib.sha256(response.content).hexdigest())[:40]}"'
        response["ETag"] = tag
        wanted = parse_etags(request.headers.get("If-None-Match", ""))
        if "*" in wanted or tag in [t.removeprefix("W/") for t in wanted]:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = tag
            return not_modified
    return response


def json_answer(request: HttpRequest, body: bytes, *, digest: str | None = None) -> HttpResponse:
    """JSON already made (UTF-8), answered as django-ninja answers a read of the same value
    (the caller vouches that it is what the operation's schema promises); ``digest``: its
    SHA-256 in hex, when the caller has it already."""
    return finished(request, HttpResponse(body, content_type=CONTENT_TYPE), digest=digest)
