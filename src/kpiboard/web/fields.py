"""Numbers stored exactly as given.

A council's figure is a decimal as typed (``81.0``, ``2641.524620692431``). Django's DecimalField
would round it to its column's places, and on SQLite to 15 significant digits; the engine decides
boundaries such as exactly 10% off in exact decimal arithmetic, so a figure must come back from the
database as it went in. The figures are only ever compared and computed in Python, never summed in
SQL, so they are kept as their canonical text.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from kpiboard.analysis.magnitude import MAX_CHARACTERS, TOO_LARGE_EXPECTED, representable

if TYPE_CHECKING:  # django-stubs types a field by what it accepts and what it gives
    _Field = models.Field[Decimal | str | None, Decimal | None]
else:
    _Field = models.Field


class ExactDecimalField(_Field):
    """A column of text (``varchar(60)``) holding the number's canonical decimal form."""

    description = "A decimal number kept exactly as given"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 60:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "CharField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None or value == "" else Decimal(value)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(f"Enter a number, not {value!r}", code="invalid") from None
        if not number.is_finite():
            raise ValidationError(f"Enter a number, not {value!r}", code="invalid")
        if not representable(number) or len(str(value).strip()) > MAX_CHARACTERS:
            raise ValidationError(f"Enter {TOO_LARGE_EXPECTED}, not {value!r}", code="too_large")
        return number

    def get_prep_value(self, value: Any) -> str | None:
        number = self.to_python(value)
        return None if number is None else str(number)

    def formfield(self, **kwargs: Any) -> Any:
        return forms.DecimalField(
            required=not self.blank, label=self.verbose_name.capitalize(), **kwargs
        )
