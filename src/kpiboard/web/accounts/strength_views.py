"""The password strength meter's answers (ASVS 2.1.8): zxcvbn's estimate of a new password while
it is typed, fetched by htmx from the pages that set one (``_password_field.html``).

The estimate is the server's, so the meter judges exactly as the form will. It is not an oracle
for anyone on the internet: it answers only someone signed in (changing their own password) or
someone holding a valid reset or invitation link (the token Django's reset view keeps in the
session), judges the password against that person's own details, and never repeats it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kpiboard.web.accounts.invitations import invitation_tokens
from kpiboard.web.accounts.passwords import MAX_LENGTH, strength_of

__all__ = ["strength_for_reset", "strength_signed_in"]

#: The form fields the meter may be given the password in.
FIELDS = ("new_password1", "password")
#: A password is at most MAX_LENGTH characters; a little over is still worth telling "too long".
LONGEST = MAX_LENGTH + 1


def _answer(request: HttpRequest, user: Any) -> HttpResponse:
    password = next((request.POST[name] for name in FIELDS if name in request.POST), "")
    strength = strength_of(password[:LONGEST], user) if password else None
    return render(request, "registration/_password_strength.html", {"strength": strength})


@never_cache
@require_POST
def strength_signed_in(request: HttpRequest) -> HttpResponse:
    """For someone signed in, about a new password of their own."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("Sign in first.")
    return _answer(request, request.user)


@never_cache
@require_POST
def strength_for_reset(request: HttpRequest, uidb64: str) -> HttpResponse:
    """For someone on the page an e-mailed link opened (a reset or an invitation), while the
    link is still good: the token Django's reset view put in the session must still be valid for
    the account the link names."""
    user = _reset_user(uidb64)
    token = request.session.get(INTERNAL_RESET_SESSION_TOKEN)
    valid = user is not None and any(
        tokens.check_token(user, token) for tokens in (default_token_generator, invitation_tokens)
    )
    if not valid:
        return HttpResponseForbidden("This link no longer works.")
    return _answer(request, user)


def _reset_user(uidb64: str) -> Any:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return get_user_model()._default_manager.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None
