"""Structured logs (issue 16, several servers): ``KPIBOARD_LOG_FORMAT=json`` writes one JSON object
per line with the time, level, logger, message and request id, and the user id, method, path,
status and duration where known; the id is the one the response's ``X-Request-ID`` header gives.
The default stays the one line format of test_log_lines.py."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kpiboard.web.log_lines import JsonFormatter

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The console handler of ``settings.LOGGING``, writing JSON into a buffer, and the
    per-request line (INFO, ``kpiboard.web.requests``) switched on."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    before, formatter = handler.setStream(stream), handler.formatter
    requests = logging.getLogger("kpiboard.web.requests")
    level = requests.level
    handler.setFormatter(JsonFormatter())
    requests.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        requests.setLevel(level)
        handler.setFormatter(formatter)
        handler.setStream(before)


def records(console: io.StringIO) -> list[dict[str, Any]]:
    """Each line the console wrote, parsed: every line must be one JSON object."""
    found = []
    for line in console.getvalue().splitlines():
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        found.append(entry)
    return found


def test_a_request_logs_json_with_the_id_its_response_gives(console: io.StringIO, db: Any) -> None:
    user = get_user_model().objects.create_user("logtester", password="x" * 20)
    client = Client()
    client.force_login(user)
    response = client.get("/nowhere/at/all/?token=secret")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    found = records(console)
    # Django's "Not Found" warning and the request's own line, both with its id
    not_found = [e for e in found if e["logger"] == "django.request"]
    done = [e for e in found if e["logger"] == "kpiboard.web.requests"]
    assert len(not_found) == 1, found
    assert len(done) == 1, found
    for entry in (not_found[0], done[0]):
        assert entry["request_id"] == request_id
        assert entry["user_id"] == user.pk
        assert entry["method"] == "GET"
        assert entry["path"] == "/nowhere/at/all/"  # the query string is never logged
        assert entry["status"] == 404
        assert entry["time"].endswith("Z")
    assert not_found[0]["level"] == "WARNING"
    assert not_found[0]["message"] == "Not Found: /nowhere/at/all/"
    assert done[0]["level"] == "INFO"
    assert isinstance(done[0]["duration_ms"], float)
    assert 0 <= done[0]["duration_ms"] < 60_000
    assert "secret" not in console.getvalue()


def test_someone_not_signed_in_has_no_user_id_and_each_request_its_own_id(
    console: io.StringIO, db: Any
) -> None:
    first = Client().get("/health/")
    second = Client().get("/health/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    done = [e for e in records(console) if e["logger"] == "kpiboard.web.requests"]
    assert [e["request_id"] for e in done] == [first["X-Request-ID"], second["X-Request-ID"]]
    assert [e["status"] for e in done] == [200, 200]
    assert all(e["user_id"] is None for e in done)


def test_a_record_with_line_breaks_or_a_traceback_is_still_one_line(
    console: io.StringIO,
) -> None:
    log = logging.getLogger("kpiboard.web.anything")
    log.warning("for %s", "alice\nINFO forged\u2028x")
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        log.exception("it failed")
    lines = console.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "for alice\\nINFO forged\\u2028x"  # escaped, as in line logs
    assert first["request_id"] is None  # outside a request
    assert "user_id" not in first
    assert "status" not in first
    assert second["message"] == "it failed"
    assert second["exception"].startswith("Traceback")
    assert "ValueError: bad\nvalue" in second["exception"]
    assert all(ord(char) < 128 for char in console.getvalue())


def _log_from_a_process(log_format: str) -> subprocess.CompletedProcess[str]:
    code = "import django; django.setup(); import logging; logging.getLogger('x.y').error('hello')"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "web_settings",
            "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
            "KPIBOARD_LOG_FORMAT": log_format,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_setting_chooses_the_format_and_refuses_an_unknown_one() -> None:
    done = _log_from_a_process("json")
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    entry = json.loads(line)
    assert {k: entry[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "ERROR",
        "logger": "x.y",
        "message": "hello",
        "request_id": None,
    }
    default = _log_from_a_process("")
    assert default.returncode == 0, default.stderr
    assert default.stderr.split()[1:] == ["ERROR", "x.y", "request=-", "hello"]
    wrong = _log_from_a_process("xml")
    assert wrong.returncode != 0
    assert "KPIBOARD_LOG_FORMAT='xml': expected line or json" in wrong.stderr
