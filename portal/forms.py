"""What every package's forms share: the base form, the button-only form, the common messages and
fields, filters and the way people's typed codes are read. Services use the messages too, for the
same rules."""
from __future__ import annotations

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from wtforms import IntegerField
from wtforms.validators import Length, NumberRange, StopValidation, ValidationError

from portal.numbers import MAX_DIGITS, parse_int, too_many_digits
from portal.text import one_line

REQUIRED = _l("This field is required.")
# Templates: WTForms fills in the numbers; services write `TOO_LONG % {"max": limit}`.
TOO_SHORT = _l("Use at least %(min)d characters.")
TOO_LONG = _l("Use at most %(max)d characters.")
NOT_A_FILE = _l("Type this in the box: a file cannot go here.")
ONE_LINE = _l("Write this on one line, without pressing Enter.")
NOT_A_NUMBER = _l("Enter a whole number, like 7.")


class Form(FlaskForm):
    """Every form's base. Pages send their fields as form fields, so that is all a form reads: a
    file part or a JSON body would reach the fields as objects that their filters and the services
    cannot read (a 500). A file part sent where a field is expected gets a message next to it."""

    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs and has_request_context() and request.method in SUBMIT_METHODS:
            kwargs["formdata"] = request.form
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self if has_request_context() and request.files else ():
            if field.name in request.files:
                field.errors = [NOT_A_FILE]
                valid = False
        return valid


class ConfirmForm(Form):
    """A button-only form: its CSRF token is the whole point."""


def at_most(limit: int) -> Length:
    return Length(max=limit, message=TOO_LONG)


def single_line(_form, field) -> None:
    """A validator for titles, names and places: shown on one line, in lists and calendars."""
    if isinstance(field.data, str) and one_line(field.data) != field.data:
        raise ValidationError(ONE_LINE)


class WholeNumberField(IntegerField):
    """A number box read by portal.numbers: ASCII digits only. Empty is None, for Optional or
    InputRequired to decide; anything else that is not a number gets `message`, said once (not
    followed by a range error). Its NumberRange, which every such field needs since columns are
    bounded, speaks for numbers too long to read: they stand as TOO_MANY, above every range."""

    TOO_MANY = 10 ** MAX_DIGITS

    def __init__(self, label=None, validators=(), *, message=NOT_A_NUMBER, **kwargs):
        if not any(isinstance(check, NumberRange) and check.max is not None for check in validators):
            raise TypeError("a WholeNumberField needs a NumberRange with a max")
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = valuelist[0]
        if not text.strip():
            self.data = None
            return
        self.data = self.TOO_MANY if too_many_digits(text) else parse_int(text)
        if self.data is None:
            raise ValueError(self.message)

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


def strip(value):
    """A filter: what people typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """A select's coerce for ids: empty is None, anything not a number is -1 (never a valid id, so
    the field's check gives its clear message)."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    number = parse_int(value)
    return -1 if number is None else number


def normalise_code(text: str) -> str:
    """A code as read from paper or a screen: upper case, spaces and dashes left out."""
    return "".join(ch for ch in text.upper() if ch.isalnum())
