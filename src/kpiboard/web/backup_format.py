"""The serialization format of a backup's rows (``kpijsonl``): Django's JSON Lines, but with
times to the microsecond.

Django's JSON encoder writes a time to the millisecond (``20:53:59.000Z`` for 20:53:59.000500),
so a restored row would differ from the backed-up one; here a datetime or time is written with
``isoformat()``, whole, and read back by the field as usual.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers.jsonl import Deserializer
from django.core.serializers.jsonl import Serializer as JsonLinesSerializer

__all__ = ["Deserializer", "Serializer"]


class Serializer(JsonLinesSerializer):
    def _value_from_field(self, obj: Any, field: Any) -> Any:
        value = field.value_from_object(obj)
        if isinstance(value, dt.datetime | dt.time):
            return value.isoformat()
        return super()._value_from_field(obj, field)  # type: ignore[misc]
