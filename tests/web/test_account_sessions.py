"""Where a person is signed in (ASVS 3.3.4): *Your account* lists their sessions (since when, from
which address, in which browser, last used) and signs out any other one, or all others; each
sign-out is in the audit log. Two browsers are two test clients that signed in through the
sign-in page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiboard.web.accounts.models import SignedInSession
from kpiboard.web.audit.models import AuditEvent
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
)


def _browser(username: str, user_agent: str, address: str) -> Client:
    """A browser that signed in as ``username`` from ``address``, CSRF checks on."""
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    client.get(reverse("login"))
    answer = client.post(
        reverse("login"),
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert answer.status_code == 302, answer.content[:500]
    return client


def _rows(client: Client) -> list[list[str]]:
    """The sessions table of *Your account*, a list of cells' text per row."""
    page = client.get(reverse("account"))
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.content)
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in doc.xpath("//table[contains(@class, 'kpiboard-sessions')]/tbody/tr")
    ]


def _post(client: Client, url: str) -> Any:
    client.get(reverse("account"))
    return client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def _signed_in(client: Client) -> bool:
    return client.get(reverse("account")).status_code == 200


def _end_url(client: Client, text: str) -> str:
    """The address of the sign-out button in the row whose text has ``text``."""
    doc = lxml.html.fromstring(client.get(reverse("account")).content)
    (form,) = doc.xpath(
        f"//table[contains(@class, 'kpiboard-sessions')]//tr[contains(., '{text}')]//form"
    )
    return str(form.get("action"))


def test_both_sessions_are_listed_with_browser_address_and_times(people: Any) -> None:
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    phone = _browser("helen", EDGE, "198.51.100.20")
    rows = _rows(laptop)
    assert len(rows) == 2
    texts = [" | ".join(row) for row in rows]
    this = [text for text in texts if "This session" in text]
    other = [text for text in texts if "This session" not in text]
    assert len(this) == 1
    assert "Firefox 121 on Linux" in this[0]
    assert "from 203.0.113.9" in this[0]
    assert "Edge 120 on Windows" in other[0]
    assert "from 198.51.100.20" in other[0]
    today = timezone.localtime().strftime("%b %Y")
    assert today in other[0]  # signed in and last used, with the date
    # The other browser sees the same two, itself marked as this session.
    assert next(" | ".join(r) for r in _rows(phone) if "This session" in " | ".join(r)).startswith(
        "Edge 120 on Windows"
    )


def test_another_persons_sessions_are_not_listed(people: Any) -> None:
    _browser("mark", FIREFOX, "203.0.113.50")
    mine = _browser("helen", EDGE, "198.51.100.20")
    assert len(_rows(mine)) == 1


def test_signing_out_another_session_ends_it_and_is_recorded(people: Any) -> None:
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    phone = _browser("helen", EDGE, "198.51.100.20")
    answer = _post(laptop, _end_url(laptop, "Edge 120"))
    assert answer.status_code == 302
    assert not _signed_in(phone)  # signed out: its next request goes to the sign-in page
    assert _signed_in(laptop)
    assert len(_rows(laptop)) == 1
    event = AuditEvent.objects.filter(action="sign_out").first()
    assert event is not None
    assert event.actor_name == "helen"
    assert event.target == "user helen"
    assert "198.51.100.20" in event.detail
    assert "Edge 120 on Windows" in event.detail
    assert "signed out from another session" in event.detail


def test_signing_out_everywhere_else_keeps_only_this_session(people: Any) -> None:
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    others = [_browser("helen", EDGE, f"198.51.100.{n}") for n in (1, 2)]
    before = AuditEvent.objects.filter(action="sign_out").count()
    answer = _post(laptop, reverse("sessions_end_others"))
    assert answer.status_code == 302
    page = laptop.get(answer["Location"])
    assert b"Signed out of 2 other sessions" in page.content
    assert [_signed_in(client) for client in others] == [False, False]
    assert _signed_in(laptop)
    assert len(_rows(laptop)) == 1
    assert AuditEvent.objects.filter(action="sign_out").count() == before + 2


def test_someone_cannot_sign_out_another_persons_session(people: Any) -> None:
    victim = _browser("mark", FIREFOX, "203.0.113.50")
    row = SignedInSession.objects.get(user=people["other_owner"])
    attacker = _browser("helen", EDGE, "198.51.100.20")
    answer = _post(attacker, reverse("session_end", args=[row.pk]))
    assert answer.status_code == 404
    assert _signed_in(victim)


def test_the_current_session_is_not_ended_by_its_own_button(people: Any) -> None:
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    row = SignedInSession.objects.get(user=people["owner"])
    assert _post(laptop, reverse("session_end", args=[row.pk])).status_code == 302
    assert _signed_in(laptop)


def test_signing_out_removes_the_session_from_the_list(people: Any) -> None:
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    phone = _browser("helen", EDGE, "198.51.100.20")
    _post(phone, reverse("logout"))
    assert len(_rows(laptop)) == 1
    assert SignedInSession.objects.filter(user=people["owner"]).count() == 1


def test_a_session_left_idle_is_not_listed(people: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    phone = _browser("helen", EDGE, "198.51.100.20")
    SignedInSession.objects.filter(user=people["owner"]).update(
        last_seen=timezone.now() - dt.timedelta(minutes=45)
    )
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    rows = _rows(laptop)
    assert len(rows) == 1
    assert "Firefox" in rows[0][0]
    assert phone is not None


def test_a_password_change_keeps_this_session_listed_and_ends_the_others(people: Any) -> None:
    """Django gives the session a new key when its holder changes their password: the list
    follows it, and the other sessions end at once."""
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    phone = _browser("helen", EDGE, "198.51.100.20")
    laptop.get(reverse("password_change"))
    new = "lantern orchard quietly 7 gravel"
    answer = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
            "csrfmiddlewaretoken": laptop.cookies["csrftoken"].value,
        },
    )
    assert answer.status_code == 302
    rows = _rows(laptop)
    assert len(rows) == 1
    assert "This session" in rows[0][0]
    assert not _signed_in(phone)
    keys = set(SignedInSession.objects.values_list("session_key", flat=True))
    assert keys <= set(Session.objects.values_list("session_key", flat=True))


def test_ending_sessions_needs_a_post_with_a_csrf_token(people: Any) -> None:
    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    assert laptop.get(reverse("sessions_end_others")).status_code == 405
    refused = laptop.post(reverse("sessions_end_others"))
    assert refused.status_code == 403


@pytest.mark.parametrize("role", ["administrator", "performance", "owner", "reader"])
def test_every_role_sees_its_sessions(people: Any, role: str) -> None:
    client = _browser(people[role].username, FIREFOX, "203.0.113.9")
    rows = _rows(client)
    assert len(rows) == 1
    assert re.search(r"Firefox 121 on Linux This session", rows[0][0])


def test_a_password_reset_ends_every_session_and_says_who(people: Any) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    helen = people["owner"]
    helen.refresh_from_db()  # signed in since: the link is signed over the last sign-in
    uidb64 = urlsafe_base64_encode(force_bytes(helen.pk))
    stranger = Client()
    opened = stranger.get(
        reverse("password_reset_confirm", args=[uidb64, default_token_generator.make_token(helen)])
    )
    new = "lantern orchard quietly 7 gravel"
    done = stranger.post(opened["Location"], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert not _signed_in(laptop)
    assert not SignedInSession.objects.filter(user=helen).exists()
    event = AuditEvent.objects.filter(action="sign_out", detail__contains="password reset").get()
    assert event.actor_name == "helen"


def test_a_password_reset_revokes_api_tokens_and_a_change_keeps_them(people: Any) -> None:
    """Reset: the old password may be another's, so tokens it made stop working. Change (the
    old password typed first): they go on."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from kpiboard.web.api.tokens import authenticate_token, token_create

    helen, reader = people["owner"], people["reader"]
    expires = timezone.now() + dt.timedelta(days=30)
    _, helens = token_create(user=helen, name="Power BI", scope="read", expires=expires)
    _, readers = token_create(user=reader, name="Excel", scope="read", expires=expires)

    laptop = _browser("helen", FIREFOX, "203.0.113.9")
    laptop.get(reverse("password_change"))
    changed = laptop.post(
        reverse("password_change"),
        {
            "csrfmiddlewaretoken": laptop.cookies["csrftoken"].value,
            "old_password": PASSWORD,
            "new_password1": "copper meadow slowly 4 tide",
            "new_password2": "copper meadow slowly 4 tide",
        },
    )
    assert changed.status_code == 302
    assert authenticate_token(helens) is not None

    helen.refresh_from_db()
    uidb64 = urlsafe_base64_encode(force_bytes(helen.pk))
    stranger = Client()
    opened = stranger.get(
        reverse("password_reset_confirm", args=[uidb64, default_token_generator.make_token(helen)])
    )
    new = "lantern orchard quietly 7 gravel"
    done = stranger.post(opened["Location"], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert authenticate_token(helens) is None
    assert authenticate_token(readers) is not None  # only the person's own
    event = AuditEvent.objects.filter(action="token_revoked").get()
    assert "password reset" in event.detail
    assert event.actor_name == "helen"
