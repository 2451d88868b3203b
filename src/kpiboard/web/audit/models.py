"""One table of what people did that an administrator may need to account for later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    """What an audit row records. The value is stored; the label is what the page shows."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Sign-in locked"
    LOCKOUT_LIFTED = "lockout_lifted", "Sign-in lock lifted"
    SECOND_FACTOR_PASSED = "second_factor_passed", "Second-factor code accepted"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second-factor code refused"
    SECOND_FACTOR_ADDED = "second_factor_added", "Second factor set up"
    SECOND_FACTOR_REMOVED = "second_factor_removed", "Second factor removed"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    ACCESS_DENIED = "access_denied", "Access refused"
    CSRF_FAILED = "csrf_failed", "Form refused (CSRF check)"
    INPUT_REFUSED = "input_refused", "Input refused"
    WRITES_PACED = "writes_paced", "Changes sent too fast"
    ROLE_CHANGED = "role_changed", "Roles changed"
    PERMISSION_CHANGED = "permission_changed", "Permissions changed"
    EXPORTED = "exported", "Register exported"
    IMPORTED = "imported", "Data imported"
    PUBLISHED = "published", "Report published"
    WITHDRAWN = "withdrawn", "Report withdrawn"
    FRONT_MATTER_EDITED = "front_matter_edited", "Front matter edited"
    NARRATIVE_EDITED = "narrative_edited", "Narrative edited"
    AUDIT_EXPORTED = "audit_exported", "Audit log exported"
    AUDIT_PRUNED = "audit_pruned", "Audit log pruned"
    TOKEN_CREATED = "token_created", "API token made"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    PERSON_INVITED = "person_invited", "Person invited"
    PERSONAL_DATA_DOWNLOADED = "personal_data_downloaded", "Personal data downloaded"
    PERSON_ERASED = "person_erased", "Person erased"


class AuditEvent(models.Model):
    """Who (the account, and the name as it was then, or the username tried), did what, to what,
    when and from which address. Rows are only ever added; ``kpiboard prune_audit`` removes those
    older than the retention period, and nothing else removes any."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The account, while it exists",
    )
    actor_name = models.CharField(
        max_length=150,
        blank=True,
        db_index=True,
        help_text="The username, kept if the account goes; for a failed sign-in, the one tried",
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    target = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit event"

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '(system)'} {self.action} {self.target}"
        )
