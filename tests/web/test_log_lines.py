"""Log lines that cannot be forged (ASVS 7.3.1): a username or a path with a line break or other
control characters is written escaped, one record to one line of the console log."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kpiboard.web.log_lines import escape

FORGED = "alice\nINFO forged"


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
    lines = console.getvalue().splitlines()
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
    (line,) = console.getvalue().splitlines()
    assert line.startswith(f"message {shown} {shown} ")
    assert line.endswith(" 7")


def test_a_lock_for_a_username_with_a_line_break_is_one_line(console: io.StringIO, db: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.77")
    for _ in range(5):
        client.post("/accounts/login/", {"username": FORGED, "password": "wrong password"})
    locked = [line for line in console.getvalue().splitlines() if "sign-in locked" in line]
    assert locked == [
        "sign-in locked for username alice\\nINFO forged: 5 failed sign-ins within 60 minutes "
        "(any addresses): signing in as this username is paused for 60 minutes"
    ]
    assert not any(line.startswith("INFO forged") for line in console.getvalue().splitlines())


def test_a_path_with_a_line_break_is_one_line(console: io.StringIO, db: Any) -> None:
    Client().get("/nowhere%0AERROR%20forged%1B[2J")
    lines = console.getvalue().splitlines()
    assert lines == ["Not Found: /nowhere\\nERROR forged\\x1b[2J"]


def test_escape_can_keep_line_breaks_for_the_audit_detail() -> None:
    assert escape("a\nb\x00c", keep="\n") == "a\nb\\x00c"


def test_numbers_keep_their_formats(console: io.StringIO) -> None:
    logging.getLogger("kpiboard.web.anything").warning(
        "%d rows in %.1f s for %s", Decimal("12"), 0.25, "bob\r\n"
    )
    assert console.getvalue().splitlines() == ["12 rows in 0.2 s for bob\\r\\n"]
