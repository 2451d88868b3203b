"""The form that makes a personal API token."""

from __future__ import annotations

from django import forms

from kpiboard.web.api.models import Scope

EXPIRY_DAYS = ((30, "30 days"), (90, "90 days"), (180, "6 months"), (365, "1 year"))


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="What the token is for, so that you can tell it apart later "
        "(for example 'Adult social care figures')",
        max_length=100,
    )
    scope = forms.ChoiceField(
        label="What it may do",
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
    )
    expires_in = forms.TypedChoiceField(
        label="Expires after",
        choices=EXPIRY_DAYS,
        coerce=int,
        initial=90,
        widget=forms.RadioSelect,
    )

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Enter a name for the token")
        if any(ord(character) < 32 for character in name):
            raise forms.ValidationError("The name must not contain control characters")
        return name
