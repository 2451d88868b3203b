"""Log lines that cannot be forged (ASVS 7.3.1).

A username, a path or a file name is logged as it was typed or sent, and it may hold a line break
(``alice\\nINFO forged``): written as it is, it would start a new, made-up line of the console log.
:class:`EscapeControlCharacters`, on the console handler in ``settings.LOGGING``, writes every
control character of a record's message and arguments (CR, LF, tab, NUL, escape, DEL, the C1
controls, and Unicode's line and paragraph separators) as a visible escape, ``\\n``, ``\\r``,
``\\t`` or ``\\xNN``/``\\uNNNN``, so one record is always one line. A traceback is still printed
below its line as Python writes it. :func:`escape` is the same for the audit log's fields.

Every line has one format (ASVS 1.7.1), :class:`LineFormatter`'s: the time in UTC to the
millisecond, the level, the logger, the request's id (``-`` outside a request) and the message::

    2026-12-05T19:53:09.123Z WARNING django.security.csrf request=3f9c0a1b2d4e5f60 Forbidden ...

or, with ``KPIBOARD_LOG_FORMAT=json`` (a log platform that reads fields), :class:`JsonFormatter`'s
one JSON object per line with the same time, level, logger, request id and message, and, where
known, the signed-in person's user id, the request's method and path (never its query string),
the response's status and the time it took::

    {"time": "2026-12-05T19:53:09.123Z", "level": "WARNING", "logger": "django.security.csrf",
     "message": "Forbidden ...", "request_id": "3f9c0a1b2d4e5f60", "method": "POST",
     "path": "/accounts/login/", "status": 403}

A path is logged by :func:`logged_path`, with the token of a password reset or invitation link
replaced by ``[token]`` (ASVS 7.1.2): whoever reads the log could otherwise use a link its
person has not yet used.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

__all__ = [
    "FORMAT",
    "EscapeControlCharacters",
    "JsonFormatter",
    "LineFormatter",
    "escape",
    "logged_path",
]

#: The one format of every log line (settings.LOGGING).
FORMAT = "%(asctime)s %(levelname)s %(name)s request=%(request_id)s %(message)s"

#: The URL arguments that are credentials: a password reset's or an invitation's token.
SECRET_ARGUMENTS = ("token",)

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 controls, DEL, C1 controls (NEL, U+0085, among them), and the Unicode line and paragraph
# separators: every character that str.splitlines() or a terminal takes for a break or a command.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str, *, keep: str = "") -> str:
    """``text`` with its control characters written as escapes, except those in ``keep``.

    >>> escape("alice\\nINFO forged\\x1b[2J")
    'alice\\\\nINFO forged\\\\x1b[2J'
    >>> escape("one\\ntwo", keep="\\n")
    'one\\ntwo'
    """
    if not keep:
        return _CONTROL.sub(_escaped, text)
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _escaped(m), text)


class EscapeControlCharacters(logging.Filter):
    """Escape the control characters of each record's message and arguments (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_kpiboard_escaped", False):
            return True  # a second handler: already done
        try:
            message = record.getMessage()  # the message with its arguments, as it would be shown
        except Exception:
            return True
        record.msg, record.args = escape(message), ()
        record._kpiboard_escaped = True
        return True


def logged_path(request: Any) -> str:
    """``request.path`` as a log may show it: each :data:`SECRET_ARGUMENTS` of the URL the
    request resolved to is ``[token]``."""
    path: str = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_ARGUMENTS:
        value = match.kwargs.get(name) if match is not None else None
        if value:
            path = path.replace(f"/{value}/", "/[token]/")
    return path


def _utc(record: logging.LogRecord) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{stamp}.{int(record.msecs):03d}Z"


def _request_id(record: logging.LogRecord) -> str | None:
    from kpiboard.web import request_ids

    return (
        getattr(record, "request_id", None)
        # Django's own lines about a request carry it (django.request, django.security)
        or getattr(getattr(record, "request", None), "request_id", None)
        or request_ids.current()
    )


class LineFormatter(logging.Formatter):
    """:data:`FORMAT`, with the time in UTC (ISO 8601, ``Z``) and the current request's id."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None) -> None:
        super().__init__(fmt or FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = _request_id(record) or "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``KPIBOARD_LOG_FORMAT=json``): the fields of :data:`FORMAT`
    and what is known of the request. Every character outside ASCII is written as an escape,
    so a record is always one line whatever it holds; a traceback is the ``exception`` field."""

    def format(self, record: logging.LogRecord) -> str:
        from django.http import HttpRequest

        from kpiboard.web import request_ids

        entry: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):  # django.server's is a socket
            request = request_ids.current_request()
        if request is not None:
            entry["user_id"] = _user_id(request)
            entry["method"] = request.method
            entry["path"] = logged_path(request)
        for field, names in (
            ("status", ("status", "status_code")),
            ("duration_ms", ("duration_ms",)),
        ):
            found = next((getattr(record, n) for n in names if hasattr(record, n)), None)
            if found is not None:
                entry[field] = found
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["exception"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def _user_id(request: Any) -> int | None:
    """The signed-in person's id if the request has already looked them up (never a query of
    its own from inside logging)."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return getattr(user, "pk", None)
