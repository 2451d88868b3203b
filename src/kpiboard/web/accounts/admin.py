"""The admin's page for people's authenticator apps (:class:`EncryptedTOTPDevice`), in place of
django-otp's for ``TOTPDevice``, whose rows held the secret in clear and are no longer used. An
administrator may remove someone's app (a lost phone) or add one with a known secret; the
secret is never shown back. Security keys are removed here too, never added."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey


class AuthenticatorAppForm(forms.ModelForm):  # type: ignore[type-arg]
    key = forms.CharField(
        required=False,
        max_length=80,
        help_text="The secret in hex (up to 40 bytes); empty for a new random one. It is stored "
        "sealed and never shown again.",
    )

    class Meta:
        model = EncryptedTOTPDevice
        fields = ["user", "name", "confirmed", "step", "t0", "digits", "tolerance"]

    def clean_key(self) -> str:
        key = "".join(str(self.cleaned_data.get("key", "")).split())
        try:
            if key and not 0 < len(bytes.fromhex(key)) <= 40:
                raise ValueError
        except ValueError as error:
            raise ValidationError("Give the secret as hex, up to 80 characters.") from error
        return key

    def save(self, commit: bool = True) -> Any:
        device = super().save(commit=False)
        if self.cleaned_data.get("key"):
            device.set_secret(bytes.fromhex(self.cleaned_data["key"]))
        if commit:
            device.save()
        return device


@admin.register(EncryptedTOTPDevice)
class AuthenticatorAppAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = AuthenticatorAppForm
    list_display = ["user", "name", "created_at", "last_used_at", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is None:
            return ["user", "name", "confirmed", "key", "step", "t0", "digits", "tolerance"]
        return ["user", "name", "confirmed", "created_at", "last_used_at"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [] if obj is None else ["user", "created_at", "last_used_at"]


@admin.register(SecurityKey)
class SecurityKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A person's security keys: seen and removed here (a lost key), added only by the person,
    whose key must answer a challenge."""

    list_display = ["user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "created_at", "last_used_at"]
    readonly_fields = ["user", "created_at", "last_used_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False


with contextlib.suppress(NotRegistered):  # django-otp's admin is registered first
    admin.site.unregister(TOTPDevice)
