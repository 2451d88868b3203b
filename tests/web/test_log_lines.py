"""Log lines that cannot be forged (ASVS 7.3.1): a username or a path with a line break or other
control characters is written escaped, one record to one line of the console log. Every line has
one format (ASVS 1.7.1): UTC time, level, logger, the request's id, the message."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kpiboard.web.log_lines import escape

FORGED = "alice\nINFO forged"
# 2026-12-05T19:53:09.123Z WARNING kpiboard.web.throttling request=- message
LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>[A-Z]+) "
    r"(?P<logger>[\w.]+) request=(?P<request>\S+) (?P<message>.*)$"
)


def messages(console: io.StringIO) -> list[str]:
    """The message of each line the console wrote, each line checked against the one format."""
    found = []
    for line in console.getvalue().splitlines():
        match = LINE.match(line)
        assert match, f"not in the log format: {line!r}"
        found.append(match["message"])
    return found


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the console handler of ``settings.LOGGING`` writes, as it is configured."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    before = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(before)


def test_a_username_with_a_line_break_is_one_escaped_line(console: io.StringIO) -> None:
    logging.getLogger("kpiboard.web.throttling").warning(
        "sign-in locked for %s %s: %s", "username", FORGED, "5 failed sign-ins"
    )
    lines = messages(console)
    assert lines == ["sign-in locked for username alice\\nINFO forged: 5 failed sign-ins"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("a\r\nb", "a\\r\\nb"),
        ("a\x00b\x1b[31mc\x7f", "a\\x00b\\x1b[31mc\\x7f"),
        ("a\x85b\u2028c\u2029d", "a\\x85b\\u2028c\\u2029d"),  # what splitlines() breaks on
        ("tab\there", "tab\\there"),
        ("plain café ✓", "plain café ✓"),
    ],
)
def test_control_characters_in_message_and_arguments_are_escaped(
    console: io.StringIO, value: str, shown: str
) -> None:
    log = logging.getLogger("kpiboard.web.anything")
    log.warning("message " + value + " %s %r %d", value, {"k": value}, 7)
    (line,) = messages(console)
    assert line.startswith(f"message {shown} {shown} ")
    assert line.endswith(" 7")


def test_a_lock_for_a_username_with_a_line_break_is_one_line(console: io.StringIO, db: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.77")
    for _ in range(5):
        client.post("/accounts/login/", {"username": FORGED, "password": "wrong password"})
    locked = [line for line in messages(console) if "sign-in locked" in line]
    assert locked == [
        "sign-in locked for username alice\\nINFO forged: 5 failed sign-ins within 60 minutes "
        "(any addresses): signing in as this username is paused for 60 minutes"
    ]
    assert not any(message.startswith("INFO forged") for message in messages(console))


def test_a_path_with_a_line_break_is_one_line(console: io.StringIO, db: Any) -> None:
    Client().get("/nowhere%0AERROR%20forged%1B[2J")
    lines = messages(console)
    assert lines == ["Not Found: /nowhere\\nERROR forged\\x1b[2J"]


def test_escape_can_keep_line_breaks_for_the_audit_detail() -> None:
    assert escape("a\nb\x00c", keep="\n") == "a\nb\\x00c"


def test_numbers_keep_their_formats(console: io.StringIO) -> None:
    logging.getLogger("kpiboard.web.anything").warning(
        "%d rows in %.1f s for %s", Decimal("12"), 0.25, "bob\r\n"
    )
    assert messages(console) == ["12 rows in 0.2 s for bob\\r\\n"]


# -- one format (ASVS 1.7.1) ----------------------------------------------------------------------


def test_a_line_outside_a_request_has_the_time_level_logger_and_no_request(
    console: io.StringIO,
) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    logging.getLogger("kpiboard.web.anything").warning("the worker %s", "started")
    (line,) = console.getvalue().splitlines()
    match = LINE.match(line)
    assert match, line
    when = dt.datetime.strptime(match["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert before <= when <= dt.datetime.now(dt.UTC)  # in UTC, whatever TIME_ZONE says
    assert (match["level"], match["logger"], match["request"], match["message"]) == (
        "WARNING",
        "kpiboard.web.anything",
        "-",
        "the worker started",
    )


def test_lines_written_while_serving_a_request_carry_its_id(console: io.StringIO, db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        client.post(reverse("login"), {"username": "someone", "password": "x"})  # no CSRF token
    lines = [LINE.match(line) for line in console.getvalue().splitlines()]
    csrf = [m for m in lines if m and m["logger"] == "django.security.csrf"]
    assert len(csrf) == 2, console.getvalue()
    for match in csrf:
        assert match["level"] == "WARNING"
        assert re.fullmatch(r"[0-9a-f]{16}", match["request"])
        assert match["message"].startswith("Forbidden (CSRF")
    assert csrf[0]["request"] != csrf[1]["request"]


def test_a_trusted_proxys_request_id_is_used_and_anyone_elses_ignored(
    console: io.StringIO, db: Any, settings: Any
) -> None:
    sent = "5d1c0ffee5d1c0ffee5d1c0ffee5d1c0"
    Client().get("/nowhere/", HTTP_X_REQUEST_ID=sent)
    settings.KPIBOARD_TRUSTED_PROXIES = 1
    Client().get("/nowhere/", HTTP_X_REQUEST_ID=sent)
    Client().get("/nowhere/", HTTP_X_REQUEST_ID="bad id\nforged")
    ids = [LINE.match(line)["request"] for line in console.getvalue().splitlines()]  # type: ignore[index]
    assert len(ids) == 3
    assert ids[0] != sent  # no proxy trusted
    assert ids[1] == sent
    assert re.fullmatch(r"[0-9a-f]{16}", ids[2])
