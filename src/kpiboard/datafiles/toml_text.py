"""Reading TOML text that may be hostile: nesting the reader cannot follow is a named error.

:mod:`tomllib` reads nested arrays and inline tables by recursion, so ``[[[[...]]]]`` a few
thousand deep raises :class:`RecursionError`, which no caller expects. :func:`loads` turns that,
and any document nested deeper than :data:`MAX_DEPTH` (no setting of kpiboard's is nested more
than four deep), into :class:`tomllib.TOMLDecodeError`, which every reader already reports.

>>> loads("a = [[1]]")
{'a': [[1]]}
>>> try:
...     loads("a = " + "[" * 5000 + "]" * 5000)
... except tomllib.TOMLDecodeError as error:
...     print(error)
values nested more than 32 deep (arrays or tables inside one another)
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["MAX_DEPTH", "loads"]

MAX_DEPTH = 32
_TOO_DEEP = f"values nested more than {MAX_DEPTH} deep (arrays or tables inside one another)"


def loads(text: str, parse_float: Callable[[str], Any] = Decimal) -> dict[str, Any]:
    """The document ``text`` holds, or TOMLDecodeError (also for nesting too deep to read)."""
    try:
        document = tomllib.loads(text, parse_float=parse_float)
    except RecursionError:
        raise tomllib.TOMLDecodeError(_TOO_DEEP) from None
    if _depth(document) > MAX_DEPTH:
        raise tomllib.TOMLDecodeError(_TOO_DEEP)
    return document


def _depth(value: object) -> int:
    """How deeply arrays and tables nest in ``value``, counted without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = list(item)
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
