"""Accounts use Django's own User; roles are groups (see :mod:`kpiboard.web.accounts.roles`).

:class:`SignedInSession` lists where each person is signed in, so that *Your account* can show
their sessions and end any of them (ASVS 3.3.4); :mod:`kpiboard.web.accounts.sessions` keeps it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignedInSession(models.Model):
    """One signed-in session of a person: made when they sign in, gone when they sign out or the
    session is ended from *Your account*. The session itself lives in Django's session store,
    under ``session_key``; this row says whose it is, and from where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = "signed-in session"

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"
