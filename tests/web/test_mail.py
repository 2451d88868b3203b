"""E-mails of the cycle (issue 13), sent through Django's SMTP backend to a real SMTP server on
loopback (aiosmtpd): approvals and returns sent back to their owners, arrivals and the daily
digest to the performance team, reminders before and after the due date."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from kpiboard.web import notifications
from kpiboard.web.collection.models import Return, ReturnState
from web.conftest import OWNER_EMAIL

pytestmark = pytest.mark.django_db


class Inbox:
    """What the SMTP server received: each message with its envelope's recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.messages if address.lower() in [r.lower() for r in rcpt]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.KPIBOARD_SITE_URL = "https://performance.example.gov.uk"
    try:
        yield received
    finally:
        controller.stop()


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def test_an_approval_reaches_the_owner_by_smtp(inbox: Inbox, people: dict[str, Any]) -> None:
    item = Return.objects.get(indicator__ref="182", period="2024-09")
    reviewer = people["performance"]
    reviewer.first_name, reviewer.last_name = "Priya", "Shah"
    assert notifications.return_decided(item, reviewer) == 1
    (message,) = inbox.to(OWNER_EMAIL)
    assert message["Subject"].startswith("Approved: 182 ")
    assert message["Subject"].endswith(", 2024-09")
    body = _body(message)
    assert "was approved by Priya Shah" in body
    assert "https://performance.example.gov.uk/register/182/" in body


def test_a_return_sent_back_carries_the_reason(inbox: Inbox, people: dict[str, Any]) -> None:
    item = Return.objects.get(indicator__ref="182", period="2024-09")
    item.state, item.reason = (
        ReturnState.RETURNED,
        "The denominator is last quarter's & needs <checking>",
    )
    item.submitted_by = people["other_owner"]
    notifications.return_decided(item, people["performance"])
    (to_owner,) = inbox.to(OWNER_EMAIL)
    (to_submitter,) = inbox.to(people["other_owner"].email)
    assert to_owner["Subject"].startswith("Sent back for correction: 182")
    # Plain text, not HTML: the reason exactly as typed.
    assert "The denominator is last quarter's & needs <checking>" in _body(to_submitter)


def test_arrivals_go_to_the_team_at_once_or_as_a_digest(
    inbox: Inbox, people: dict[str, Any], settings: Any
) -> None:
    items = list(Return.objects.filter(indicator__ref__in=["182", "183"], period="2024-09"))
    team = people["performance"].email
    assert notifications.returns_arrived(items) >= 1
    (message,) = inbox.to(team)
    assert message["Subject"] == "2 returns to review"
    assert "- 182 " in _body(message)
    assert "- 183 " in _body(message)

    settings.KPIBOARD_RETURNS_DIGEST = True
    assert notifications.returns_arrived(items) == 0
    now = timezone.now()
    for item in items:
        item.state, item.submitted_at = ReturnState.SUBMITTED, now
        item.save()
    call_command("send_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    digests = [m for m in inbox.to(team) if m["Subject"].startswith("Returns to review: 2")]
    assert len(digests) == 1


def test_reminders_before_and_after_the_due_date(inbox: Inbox, people: dict[str, Any]) -> None:
    # By hand: the demo collects 2024/25 Q3, each month due 15 days after it ends. On 10 January
    # 2025 October's (due 15 November) and November's (due 15 December) are late; December's is
    # due on 15 January, in 5 days. Helen owns 182, 183 and 184.
    call_command("send_reminders", today=dt.date(2025, 1, 10), stdout=open("/dev/null", "w"))  # noqa: SIM115
    (message,) = inbox.to(OWNER_EMAIL)
    body = _body(message)
    assert "late" in message["Subject"]
    assert "182" in body
    assert "2024-10" in body
    assert "due 15 January 2025 (in 5 days)" in body
    assert "due 15 November 2024 (56 days late)" in body


def test_a_mail_server_that_is_down_does_not_stop_the_change(
    settings: Any, people: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nothing listens
    item = Return.objects.get(indicator__ref="182", period="2024-09")
    assert notifications.return_decided(item, people["performance"]) == 0
    assert "could not send 'return_approved'" in caplog.text
