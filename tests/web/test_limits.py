"""Request bodies capped before they are read (issue 14, finding 2): anyone could POST a
multipart body of any size to /accounts/login/ or /published/ and Django spooled it to disk
before the CSRF check failed; the import limit was checked only after the whole upload arrived.

These tests drive Django's real WSGI handler with a body that counts what is read of it, so
"before it is read" is measured, not assumed."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


class CountingBody(io.RawIOBase):
    """A body of ``size`` bytes of multipart-looking data, made as it is read, that counts what
    was read: a 1.5 GB body costs nothing unless someone reads it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"x" * count
        self.read_bytes += count
        return count


def _post(
    path: str, size: int, *, cookie: str = "", headers: dict[str, str] | None = None
) -> tuple[int, bytes, CountingBody]:
    body = CountingBody(size)
    # A CSRF cookie of the attacker's own: without one Django refuses before reading the body.
    cookie = "; ".join(part for part in (cookie, f"csrftoken={'a' * 32}") if part)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "multipart/form-data; boundary=kpiboard",
        "CONTENT_LENGTH": str(size),
        "HTTP_COOKIE": cookie,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(headers or {})
    if headers and "CONTENT_LENGTH" in headers and headers["CONTENT_LENGTH"] == "":
        del environ["CONTENT_LENGTH"]
    status: list[str] = []

    def start_response(line: str, headers: Any, *info: Any) -> Any:
        status.append(line)
        return lambda data: None

    # As Django's test client does: the handler's request signals would otherwise close the
    # test's database connection, inside its transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = WSGIHandler()(environ, start_response)
        page = b"".join(chunks)
        chunks.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), page, body


def _session_cookie(people: dict[str, Any], role: str) -> str:
    client = Client()
    client.force_login(people[role])
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.parametrize("path", ["/accounts/login/", "/published/", "/register/import/"])
def test_a_huge_anonymous_body_is_refused_unread(path: str) -> None:
    status, page, body = _post(path, 1_500_000_000)
    assert status == 413
    assert body.read_bytes == 0
    assert "too large" in page.decode()
    assert "the most this page accepts is 16 KB" in page.decode()


def test_a_signed_in_form_over_the_form_limit_is_refused_unread(people: dict[str, Any]) -> None:
    cookie = _session_cookie(people, "performance")
    status, _page, body = _post("/reports/narrative/", 3 * 1024 * 1024, cookie=cookie)
    assert status == 413
    assert body.read_bytes == 0


@override_settings(MAX_UPLOAD_BYTES=100_000)
def test_the_import_limit_is_checked_before_the_upload_is_read(people: dict[str, Any]) -> None:
    cookie = _session_cookie(people, "performance")
    status, page, body = _post("/register/import/", 100_000 + 64 * 1024 + 1, cookie=cookie)
    assert status == 413
    assert body.read_bytes == 0
    assert "The file sent was" in page.decode()
    # Below the limit the body is read (and, being no real form, refused by the CSRF check).
    status, _page, body = _post("/register/import/", 50_000, cookie=cookie)
    assert status in (400, 403)
    assert body.read_bytes > 0


def test_a_body_of_unknown_length_is_refused() -> None:
    status, page, body = _post(
        "/accounts/login/",
        10_000,
        headers={"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""},
    )
    assert status == 411
    assert body.read_bytes == 0
    assert "did not say how long" in page.decode()


def test_a_small_sign_in_still_works(people: dict[str, Any]) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "perf", "password": "correct horse battery staple 42"},
    )
    assert response.status_code == 302
