"""Onboarding without a password typed by an administrator (ASVS 2.3.1).

An administrator invites a person: the account is made with an unusable password (nothing to
sign in with), in the role chosen, and the person is e-mailed a link to choose their own password.
The link is Django's password reset machinery with a token of its own kind (another salt, so a
reset link is not an invitation and the other way round): it works once, as choosing a password
changes what the token was signed over, and for ``INVITATION_HOURS`` after it was sent. An
invitation that has run out is sent again from the same page, for an account that has never
been used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from kpiboard.web import notifications
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record

__all__ = [
    "INVITATION_HOURS",
    "Invitation",
    "invitation_tokens",
    "never_used",
    "person_invite",
]

#: How long an invitation link works.
INVITATION_HOURS = 72


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, salted for invitations and lasting ``INVITATION_HOURS``."""

    key_salt = "kpiboard.web.accounts.invitations"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        parts = token.split("-")
        if len(parts) != 2:
            return False
        try:
            timestamp = base36_to_int(parts[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > INVITATION_HOURS * 3600:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


@dataclass(frozen=True)
class Invitation:
    user: Any
    link: str
    sent: bool
    again: bool


def never_used(user: Any) -> bool:
    """An account made by an invitation and not yet taken up: no password, never signed in."""
    return bool(user.is_active and not user.has_usable_password() and user.last_login is None)


def _link(user: Any, base: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    return base.rstrip("/") + reverse("invitation_confirm", args=[uidb64, token])


@transaction.atomic
def person_invite(
    *,
    request: Any,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    base: str,
) -> Invitation:
    """Make the account (or find the one an earlier invitation made and was never taken up),
    and e-mail its link; recorded in the audit log. ``base`` is the site's address for the link
    (``KPIBOARD_SITE_URL`` when set)."""
    users = get_user_model().objects
    user = users.filter(username=username).first()
    again = user is not None
    if user is None:
        user = users.create_user(
            username=username, email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    link = _link(user, getattr(settings, "KPIBOARD_SITE_URL", "") or base)
    inviter = request.user
    sent = notifications.send(
        "invitation",
        [user.email],
        {
            "user": user,
            "link": link,
            "hours": INVITATION_HOURS,
            "inviter": inviter.get_full_name() or inviter.get_username(),
        },
    )
    roles = ", ".join(user.groups.values_list("name", flat=True).order_by("name"))
    record(
        request,
        Action.PERSON_INVITED,
        f"user {user.get_username()}",
        f"{'invitation sent again' if again else 'account made'}: {roles}, {user.email}; "
        f"{'link e-mailed' if sent else 'the e-mail could not be sent'}",
    )
    return Invitation(user=user, link=link, sent=bool(sent), again=again)
