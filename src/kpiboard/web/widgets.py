"""A text box for long text that does not cut what is pasted into it.

Django gives a text box of a field with a limit the HTML ``maxlength``, and a browser then
drops, without a word, whatever is typed or pasted past it: an officer pasting a long
commentary would send it cut off mid-sentence. Here the limit is left to the server, which
refuses the text and says what the limit is (GOV.UK's advice for character limits)."""

from __future__ import annotations

from typing import Any

from django import forms

__all__ = ["Textarea"]


class Textarea(forms.Textarea):
    """:class:`django.forms.Textarea` without ``maxlength``."""

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: Any = None) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.pop("maxlength", None)
        return attrs
