"""Event forms. Every message is translatable; validators run server-side, JavaScript or not.
Times are typed in the city's time zone; `EventForm.fields()` hands the service naive UTC."""
from __future__ import annotations

import re

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DateTimeLocalField, SelectField, StringField
from wtforms import SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from events import dates
from events.models import AGE_BANDS, Attendance, LANGUAGE_CODES, MAX_ADULTS, MAX_CHILDREN, EventKind
from events.service import MAX_OCCURRENCES
from portal.forms import REQUIRED, Form, WholeNumberField, at_most, optional_int, single_line
MAX_CAPACITY = 10_000
MAX_COST_EUROS = 1_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Euros and at most two decimals, with a dot or the Italian comma; the sign only to say it is wrong.
AMOUNT = re.compile(r"^(-?)([0-9]{1,7})(?:[.,]([0-9]{1,2}))?$")

KIND_LABELS = {
    EventKind.WORKSHOP: _l("Workshop"),
    EventKind.MEETING: _l("Meeting"),
    EventKind.MUTUAL_AID: _l("Mutual-aid session"),
    EventKind.OPEN_DESK: _l("Open desk (access point hours)"),
}
REPEAT_LABELS = {"weekly": _l("Every week"), "fortnightly": _l("Every two weeks")}


def language_label(code: str) -> str:
    """The language in itself, then in the reader's language: "العربية (Arabic)"."""
    language = Locale.parse(code)
    autonym, here = language.get_language_name(code), language.get_language_name(get_locale())
    return autonym if autonym == here else f"{autonym} ({here})"


def age_band_label(band: str) -> str:
    return _l("%(band)s years", band=band)


class ChoiceField(SelectField):
    """A choice from a fixed list; anything else gets `message` next to the field."""

    def __init__(self, label, choices, message, **kwargs):
        super().__init__(label, choices=choices, validate_choice=False, **kwargs)
        self.message = message

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


class CountField(ChoiceField):
    """How many, from `low` to `high`, as a select: quicker than typing on a phone."""

    def __init__(self, label, low: int, high: int, message, **kwargs):
        super().__init__(label, [SelectChoice(n, str(n)) for n in range(low, high + 1)], message,
                         coerce=optional_int, **kwargs)


class ChoiceListField(SelectMultipleField):
    """Several choices from a fixed list, as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label, choices, message, **kwargs):
        super().__init__(label, choices=choices, validate_choice=False, **kwargs)
        self.message = message

    def pre_validate(self, form) -> None:
        valid = {choice.value for choice in self.choices}
        if any(value not in valid for value in self.data or []):
            raise ValidationError(self.message)


class LocalDateTimeField(DateTimeLocalField):
    """A date and time on the city's clock. Browsers send "2026-03-14T18:30"; a browser without a
    date picker shows a text box, where people type a space instead of the T."""

    def __init__(self, label, validators=(), **kwargs):
        super().__init__(label, validators=[*validators, _reasonable_year],
                         format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                         invalid_value_message=_l("Enter a date and time like 2026-03-14 18:30."), **kwargs)


class DayField(DateField):
    def __init__(self, label, **kwargs):
        super().__init__(label, validators=[Optional(), _reasonable_year],
                         invalid_value_message=_l("Enter a date like 2026-03-14."), **kwargs)


def _reasonable_year(_form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Choose a date between %(first)d and %(last)d.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


class EuroField(StringField):
    """An amount in euros ("2.50" or "2,50"), kept in cents; empty means free."""

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = 0
            return
        match = AMOUNT.match(text)
        if match is None:
            self.data = None
            raise ValueError(_l("Enter an amount in euros like 2.50, or leave it empty if it is free."))
        sign, euros, cents = match.groups()
        self.data = int(euros) * 100 + int((cents or "0").ljust(2, "0"))
        if sign:
            raise ValueError(_l("The cost cannot be negative."))
        if self.data > MAX_COST_EUROS * 100:
            raise ValueError(_l("Use an amount up to %(max)d euros.", max=MAX_COST_EUROS))

    def _value(self) -> str:
        return f"{self.data / 100:.2f}" if self.data else ""


def _kind_choices():
    return [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]


def _language_choices():
    return [SelectChoice(code, language_label(code)) for code in LANGUAGE_CODES]


def _age_band_choices():
    return [SelectChoice(band, age_band_label(band)) for band in AGE_BANDS]


def _any(label):
    return SelectChoice("", label)


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), at_most(160), single_line])
    kind = ChoiceField(_l("Kind of event"), _kind_choices, _l("Choose a kind of event from the list."))
    description = TextAreaField(_l("Description (optional)"), validators=[at_most(5000)],
                                description=_l("What happens, what to bring. *Italics*, **bold**, "
                                               "lists and links work."))
    # InputRequired, not DataRequired: a date in the wrong format keeps its own message.
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(REQUIRED)])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired(REQUIRED)])
    place = StringField(_l("Place"), validators=[DataRequired(REQUIRED), at_most(160), single_line],
                        description=_l("For example: Biblioteca Lorenteggio, room 2."))
    address = StringField(_l("Address (optional)"), validators=[at_most(300), single_line])
    accessibility = TextAreaField(_l("Accessibility (optional)"), validators=[at_most(1000)],
                                  description=_l("Steps, lift, toilets, room for pushchairs and wheelchairs."))
    languages = ChoiceListField(_l("Languages spoken"), _language_choices,
                                _l("Choose languages from the list."))
    age_bands = ChoiceListField(_l("For children aged"), _age_band_choices,
                                _l("Choose age groups from the list."))
    childcare = BooleanField(_l("Childcare during the event"))
    cost = EuroField(_l("Cost in euros (optional)"), description=_l("Leave empty if it is free."))
    capacity = WholeNumberField(_l("Seats (optional)"), validators=[
        Optional(), NumberRange(min=1, max=MAX_CAPACITY, message=_l(
            "Enter a number of seats from %(min)d to %(max)d, or leave it empty for no limit."))],
        message=_l("Enter a number of seats, like 20, or leave it empty for no limit."),
        description=_l("Adults and children take a seat each. Leave empty for no limit."))
    registration_opens = LocalDateTimeField(_l("Registration opens (optional)"), validators=[Optional()],
                                            description=_l("Leave empty to open it now."))
    registration_closes = LocalDateTimeField(_l("Registration closes (optional)"), validators=[Optional()],
                                             description=_l("Leave empty to close it when the event starts."))

    def validate_ends_at(self, field) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def fields(self) -> dict:
        """The event's columns as the service takes them: times in UTC."""
        def utc(field):
            return dates.to_utc(field.data) if field.data else None

        return {
            "title": self.title.data.strip(), "kind": EventKind(self.kind.data),
            "description": self.description.data or "", "starts_at": utc(self.starts_at),
            "ends_at": utc(self.ends_at), "place": self.place.data.strip(),
            "address": (self.address.data or "").strip(),
            "accessibility": (self.accessibility.data or "").strip(),
            "languages": [code for code in LANGUAGE_CODES if code in self.languages.data],
            "age_bands": [band for band in AGE_BANDS if band in self.age_bands.data],
            "childcare": self.childcare.data, "cost_cents": self.cost.data,
            "capacity": self.capacity.data, "registration_opens_at": utc(self.registration_opens),
            "registration_closes_at": utc(self.registration_closes),
        }

    @classmethod
    def for_event(cls, event) -> EventForm:
        def local(moment):
            return dates.to_local(moment).replace(tzinfo=None)

        return cls(data={
            "title": event.title, "kind": event.kind.value, "description": event.description,
            "starts_at": local(event.starts_at), "ends_at": local(event.ends_at), "place": event.place,
            "address": event.address, "accessibility": event.accessibility,
            "languages": event.languages, "age_bands": event.age_bands, "childcare": event.childcare,
            "cost": event.cost_cents, "capacity": event.capacity,
            "registration_opens": local(event.registration_opens_at),
            "registration_closes": local(event.registration_closes_at),
        })


class NewEventForm(EventForm):
    group = ChoiceField(_l("Group"), [], _l("Choose one of your groups."), coerce=optional_int)
    repeat = ChoiceField(_l("Repeat"), [SelectChoice("", _l("Only once")),
                                        *(SelectChoice(key, label) for key, label in REPEAT_LABELS.items())],
                         _l("Choose how often it repeats from the list."), default="")
    occurrences = CountField(_l("How many times, for a series"), 2, MAX_OCCURRENCES,
                             _l("Choose from %(low)d to %(high)d times.", low=2, high=MAX_OCCURRENCES),
                             default=4)

    @classmethod
    def build(cls, groups, **kwargs) -> NewEventForm:
        form = cls(**kwargs)
        form.group.choices = [SelectChoice(group.id, group.name) for group in groups]
        return form


class RegisterForm(Form):
    adults = CountField(_l("Adults"), 1, MAX_ADULTS,
                        _l("Choose from %(low)d to %(high)d adults.", low=1, high=MAX_ADULTS))
    children = CountField(_l("Children"), 0, MAX_CHILDREN,
                          _l("Choose from %(low)d to %(high)d children.", low=0, high=MAX_CHILDREN))


class CancelEventForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), at_most(500)],
                           description=_l("Everyone registered or waiting reads it in their notification."))


class CheckInForm(Form):
    search = StringField(_l("Check in by code or nickname"), validators=[DataRequired(REQUIRED),
                                                                        at_most(30)])


class AttendanceForm(Form):
    attendance = ChoiceField(_l("Attendance"), [SelectChoice(value.value) for value in Attendance],
                             _l("Choose present or absent."))


class FilterForm(Form):
    """The list's filters: a GET form (no CSRF: it changes nothing), bookmarkable."""

    class Meta:
        csrf = False

    kind = ChoiceField(_l("Kind"), lambda: [_any(_l("Any kind")), *_kind_choices()],
                       _l("Choose a kind of event from the list."), default="")
    date_from = DayField(_l("From"), name="from")
    date_to = DayField(_l("To"), name="to")
    age = ChoiceField(_l("Children's age"), lambda: [_any(_l("Any age")), *_age_band_choices()],
                      _l("Choose an age group from the list."), default="")
    language = ChoiceField(_l("Language"), lambda: [_any(_l("Any language")), *_language_choices()],
                           _l("Choose a language from the list."), default="")

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
