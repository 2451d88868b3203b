"""Which account a person of the identity provider is: linked by the provider's own unchanging
identifier for them (``iss`` and ``sub``), not by their e-mail address, which can change or, at
some providers, be typed in by the person (web/oidc/people.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProviderAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_account"
    )
    issuer = models.CharField(max_length=300, help_text="The provider's issuer (iss)")
    subject = models.CharField(
        max_length=255, help_text="The provider's identifier for the person (sub)"
    )
    linked_at = models.DateTimeField(default=timezone.now)
    last_signed_in = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_one_account_each")
        ]
        verbose_name = "identity provider account"

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
