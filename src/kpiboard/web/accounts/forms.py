"""The account forms: Django's password forms worded for this site, and the second factor's
code and removal forms."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator

from kpiboard.web.accounts import roles

log = logging.getLogger(__name__)

NEW_PASSWORD_HINT = (
    "At least 12 characters. Three or four unrelated words are easier to remember and harder to "
    "guess than a word with numbers and symbols."
)


def _word_new_passwords(form: forms.Form) -> None:
    form.fields["new_password1"].label = "New password"
    form.fields["new_password1"].help_text = NEW_PASSWORD_HINT
    form.fields["new_password2"].label = "New password again"
    form.fields["new_password2"].help_text = ""


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        _word_new_passwords(self)


class SetPasswordForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word_new_passwords(self)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's: a link by e-mail to each active account with the address, and the same answer
    whether there is one or not. A mail server that is down is logged, never shown (that would
    tell who has an account)."""

    email = forms.EmailField(label="Email address", max_length=254)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().send_mail(*args, **kwargs)
        except Exception:
            log.exception("could not send a password reset link")


class CodeForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits your app shows for this site now.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class ConfirmPasswordForm(forms.Form):
    """The person's password again, before something that weakens their sign-in."""

    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password", ""))
        if not self.user.check_password(password):
            raise forms.ValidationError("Your password is not right.")
        return password


class InviteForm(forms.Form):
    """Who to invite, and in which role. An account of the same username that an earlier
    invitation made and that was never used is invited again (its link had run out, say)."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work address: the invitation goes there, and so do password resets.",
    )
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they will sign in with: letters, digits and @ . + - _ only.",
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[(role, role.capitalize()) for role in roles.ROLES],
        initial=roles.READER,
    )

    def clean(self) -> dict[str, Any]:
        from kpiboard.web.accounts.invitations import never_used

        data = super().clean() or {}
        username, email = data.get("username"), data.get("email")
        if not username or not email:
            return data
        users = get_user_model().objects
        existing = users.filter(username__iexact=username).first()
        if existing is not None and not (
            never_used(existing) and existing.email.lower() == email.lower()
        ):
            self.add_error(
                "username",
                f"There is already an account with the username {existing.get_username()}.",
            )
        taken = users.filter(email__iexact=email)
        if existing is not None:
            taken = taken.exclude(pk=existing.pk)
        if taken.exists():
            self.add_error("email", "There is already an account with this email address.")
        if existing is not None:
            data["username"] = existing.get_username()
        return data
