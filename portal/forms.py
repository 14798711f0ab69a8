"""What every package's forms share: the button-only form, the common messages, filters and the
way people's typed codes are read. Services use the messages too, for the same rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length

REQUIRED = _l("This field is required.")
# Templates: WTForms fills in the numbers; services write `TOO_LONG % {"max": limit}`.
TOO_SHORT = _l("Use at least %(min)d characters.")
TOO_LONG = _l("Use at most %(max)d characters.")


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is the whole point."""


def at_most(limit: int) -> Length:
    return Length(max=limit, message=TOO_LONG)


def strip(value):
    """A filter: what people typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """A select's coerce for ids: empty is None, anything not a number is -1 (never a valid id, so
    the field's check gives its clear message)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def normalise_code(text: str) -> str:
    """A code as read from paper or a screen: upper case, spaces and dashes left out."""
    return "".join(ch for ch in text.upper() if ch.isalnum())
