"""Personal API tokens: a person's named, scoped, expiring key for scripts and other systems.

Only a SHA-256 digest of the token is stored (the token is 32 random bytes, so a digest without
a salt cannot be reversed by guessing); the token itself is shown once, when it is made. The
first characters (``prefix``) are kept in clear so that a person can tell their tokens apart and
the lookup is by an index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read-write", "Read and write"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, in the holder's words"
    )
    prefix = models.CharField(
        max_length=16,
        db_index=True,
        help_text="The token's first characters, shown to tell it apart",
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(help_text="The token is refused from this moment")
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.READ_WRITE

    def is_live(self, now: object = None) -> bool:
        """Neither revoked nor expired."""
        moment = now if now is not None else timezone.now()
        return self.revoked is None and self.expires > moment  # type: ignore[operator]
