"""The one way text from an address or a form becomes a whole number.

`str.isdigit()` and `int()` take far more than people type: superscripts and circled numbers (²,
①) pass isdigit() and then break int(); int() reads Arabic-Indic and full-width digits; and a few
hundred digits make a number no column holds and some comparisons overflow on. Only ASCII digits,
and few of them, are a number here.
"""
from __future__ import annotations

import re

# Below 2**63: every integer column, on SQLite and PostgreSQL, holds such a number.
MAX_DIGITS = 18
_WHOLE = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")
_DIGITS = re.compile(r"[0-9]+")


def parse_int(text, *, min: int | None = None, max: int | None = None) -> int | None:  # noqa: A002
    """The number `text` spells, or None when it spells none or one outside min..max."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text := text.strip(" \t")):
        return None
    value = int(text)
    if (min is not None and value < min) or (max is not None and value > max):
        return None
    return value


def too_many_digits(text) -> bool:
    """ASCII digits, more than any number the portal takes: worth its own message."""
    return isinstance(text, str) and len(text := text.strip(" \t")) > MAX_DIGITS and bool(_DIGITS.fullmatch(text))
