"""Forms of report runs: what a new report covers, its front matter, a withdrawal's reason and
whether the withdrawn report is taken down or kept readable."""

from __future__ import annotations

from typing import Any

from django import forms

from kpiboard.web import widgets
from kpiboard.web.reporting.frontmatter import FRONT_MATTER_KEYS, Scope


class RunForm(forms.Form):
    scope = forms.ChoiceField(label="Report for")
    period = forms.CharField(
        label="Reporting period",
        max_length=20,
        help_text="For example 2024/25 Q2 (a quarter), 2024-09 (a month) or 2024/25 (a year)",
    )

    def __init__(self, *args: Any, scopes: list[Scope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field: Any = self.fields["scope"]
        scope_field.choices = [(scope.key, scope_label(scope)) for scope in scopes]


def scope_label(scope: Scope) -> str:
    """ "Committee: Adults and Health Committee", "The whole organisation", "Strategic KPIs:
    Organisational Scorecard"."""
    if scope.kind == "organisation":
        return f"The whole organisation ({scope.name})"
    if scope.strategic:
        return f"Strategic KPIs: {scope.name}"
    return f"{scope.kind.capitalize()}: {scope.name}"


class FrontMatterForm(forms.Form):
    """The cover of the report: the keys of organisation.toml's ``[report.<id>]`` table.

    Every line may be left empty: the report then leaves it out (a directorate's scorecard that
    goes to no committee has no "To", key decision or recommendation)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.CharField(label="To", max_length=500, required=False)
    meeting_date = forms.CharField(
        label="Meeting date",
        max_length=100,
        required=False,
        help_text="A date such as 2024-12-17 (printed as 17 December 2024), or words",
    )
    from_ = forms.CharField(label="From", max_length=500, required=False)
    electoral_divisions = forms.CharField(
        label="Electoral division(s)", max_length=500, required=False
    )
    key_decision = forms.CharField(label="Key decision", max_length=100, required=False)
    forward_plan_ref = forms.CharField(
        label="Forward Plan reference", max_length=200, required=False
    )
    executive_summary = forms.CharField(
        label="Executive summary", widget=widgets.Textarea(attrs={"rows": 4}), required=False
    )
    recommendation = forms.CharField(
        label="Recommendation", widget=widgets.Textarea(attrs={"rows": 3}), required=False
    )
    officer_name = forms.CharField(label="Officer contact: name", max_length=200, required=False)
    officer_post = forms.CharField(label="Officer contact: post", max_length=300, required=False)
    officer_email = forms.EmailField(label="Officer contact: e-mail", required=False)

    @staticmethod
    def field_name(key: str) -> str:
        """The form field of a front matter key (``from`` is a Python keyword)."""
        return "from_" if key == "from" else key

    @classmethod
    def initial_for(cls, front_matter: dict[str, str], version: int) -> dict[str, Any]:
        initial: dict[str, Any] = {
            cls.field_name(key): front_matter.get(key, "") for key in FRONT_MATTER_KEYS
        }
        initial["version"] = version
        return initial

    def front_matter(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(self.field_name(key)) or "" for key in FRONT_MATTER_KEYS}


#: The withdrawal form's choices: taken down (the default) or kept readable with the notice.
TAKE_DOWN = "take_down"
KEEP_READABLE = "keep_readable"


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the report being withdrawn?",
        help_text="This is published beside the report",
        widget=widgets.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    visibility = forms.ChoiceField(
        label="What the public sees",
        choices=[
            (TAKE_DOWN, "Take it down"),
            (KEEP_READABLE, "Keep it readable with a notice"),
        ],
        required=False,
        error_messages={
            "invalid_choice": "Choose whether to take the report down or keep it readable"
        },
    )

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or TAKE_DOWN

    @property
    def keep_readable(self) -> bool:
        return bool(self.cleaned_data["visibility"] == KEEP_READABLE)
