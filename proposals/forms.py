"""Proposal forms. Lengths come from the service's rules; the service checks the rules that are not
about one field (a group of the chosen neighbourhood, states) again for every caller."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.accounts import nicknames
from portal.accounts.forms import NeighbourhoodField
from portal.forms import REQUIRED, TOO_SHORT, Form, WholeNumberField, at_most, optional_int, single_line, strip
from portal.places.queries import neighbourhood_choices
from proposals.models import STATE_LABELS, THEME_LABELS, ProposalState
from proposals.service import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    SUMMARY_MAX,
    SUPPORT_DAYS,
    THRESHOLD,
    TITLE_LENGTH,
)

OUT_OF_RANGE = _l("Enter a number from %(min)d to %(max)d.")
ORDER_LABELS = {"random": _l("Shuffled"), "supported": _l("Most supported"), "newest": _l("Newest"),
                "closing": _l("Closing soon")}
DECISIONS = {ProposalState.ACCEPTED.value: _l("Accepted"),
             ProposalState.NOT_ACCEPTED.value: _l("Not accepted")}
LISTED_STATES = [state for state in ProposalState if state != ProposalState.DRAFT]


def _choice(label, choices: dict, message, *, first=None, required: bool = False, **kwargs) -> SelectField:
    """A select from a fixed list, after an empty `first` option (a prompt when `required`, else
    "any"); anything else gets `message` next to the field."""
    options = ([SelectChoice("", first)] if first else []) + [SelectChoice(k, v) for k, v in choices.items()]
    allowed = [str(key) for key in choices] + ([""] if first and not required else [])
    validators = [DataRequired(REQUIRED)] if required else []
    return SelectField(label, choices=options, validate_choice=False,
                       validators=[*validators, AnyOf(allowed, message=message)], **kwargs)


def _neighbourhoods(first: str) -> list[SelectChoice]:
    """The neighbourhoods grouped by Municipio, after a first empty option saying `first`."""
    return [SelectChoice("", first), *neighbourhood_choices()[1:]]


class ProposalForm(Form):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(REQUIRED), Length(min=TITLE_LENGTH[0], message=TOO_SHORT),
        at_most(TITLE_LENGTH[1]), single_line],
        description=_l("What you propose, in a few words: \u201cA homework club on Saturdays\u201d."))
    summary = TextAreaField(_l("Short summary"), filters=[strip], validators=[
        DataRequired(REQUIRED), at_most(SUMMARY_MAX)],
        description=_l("One or two sentences, shown in the list of proposals."))
    description = TextAreaField(_l("Description"), filters=[strip], validators=[
        DataRequired(REQUIRED), at_most(DESCRIPTION_MAX)],
        description=_l("Who it is for, what is needed, who could help. You can use Markdown: "
                       "*italic*, **bold**, lists and links."))
    theme = _choice(_l("Theme"), {theme.value: label for theme, label in THEME_LABELS.items()},
                    _l("Choose a theme from the list."), first=_l("Choose a theme"), required=True)
    neighbourhood = NeighbourhoodField(_l("Neighbourhood"), validators=[DataRequired(REQUIRED)])
    group = SelectField(_l("Group (optional)"), coerce=optional_int, validate_choice=False,
                        description=_l("One of your groups in that neighbourhood, if the proposal "
                                       "comes from it. Its members can support it too."))

    @classmethod
    def build(cls, groups, **kwargs) -> ProposalForm:
        """`groups`: those the person may choose (theirs, and the group the draft already has)."""
        form = cls(**kwargs)
        form.neighbourhood.choices = _neighbourhoods(gettext("Choose a neighbourhood"))
        form.group.choices = [SelectChoice("", gettext("No group")), *[
            SelectChoice(group.id, group.name, optgroup=group.neighbourhood.name) for group in groups]]
        return form

    def validate_group(self, field) -> None:
        if field.data is not None and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Choose one of your groups, or none."))

    def fields(self, groups) -> dict:
        """The values for the service, with the chosen group as a Group."""
        chosen = next((group for group in groups if group.id == self.group.data), None)
        return {"title": self.title.data, "summary": self.summary.data, "description": self.description.data,
                "theme": self.theme.data, "neighbourhood_id": self.neighbourhood.data, "group": chosen}


class StepForm(Form):
    note = TextAreaField(_l("Note (optional)"), filters=[strip],
                         validators=[at_most(NOTE_MAX)],
                         description=_l("Shown in the proposal's history for everyone to read."))


class AnswerForm(Form):
    decision = _choice(_l("The decision"), DECISIONS, _l("Choose accepted or not accepted."),
                       first=_l("Choose"), required=True)
    answer = TextAreaField(_l("The answer"), filters=[strip], validators=[
        DataRequired(_l("Write the answer: families read why.")),
        at_most(DESCRIPTION_MAX)],
        description=_l("Why, and what happens next. Everyone reads it. You can use Markdown."))


class InviteForm(Form):
    nickname = StringField(_l("Nickname of the co-author"), filters=[strip], validators=[
        DataRequired(REQUIRED), at_most(nicknames.MAX_LENGTH)],
        description=_l("They receive a notification and accept or decline."))


class InvitationAnswerForm(Form):
    """Accept or decline: the buttons carry the answer."""

    answer = StringField(validators=[AnyOf(["accept", "decline"], message=_l("Choose what to do."))])


NOT_A_NUMBER = _l("Enter a whole number, like 20.")


class SettingsForm(Form):
    support_days = WholeNumberField(_l("Days to collect supports"), message=NOT_A_NUMBER, validators=[
        InputRequired(REQUIRED), NumberRange(*SUPPORT_DAYS, message=OUT_OF_RANGE)])
    threshold = WholeNumberField(_l("Supports needed"), message=NOT_A_NUMBER, validators=[
        InputRequired(REQUIRED), NumberRange(*THRESHOLD, message=OUT_OF_RANGE)],
        description=_l("When a proposal reaches this number it goes to the network for an answer."))
    require_verified = BooleanField(_l("Only people a facilitator has met in person may support"))


class FilterForm(Form):
    """The list's filters: a GET form (no CSRF: it changes nothing), bookmarkable."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[
        Optional(), at_most(100)],
        description=_l("Words in the title or summary."))
    theme = _choice(_l("Theme"), {theme.value: label for theme, label in THEME_LABELS.items()},
                    _l("Choose a theme from the list."), first=_l("Any theme"), default="")
    state = _choice(_l("State"), {state.value: STATE_LABELS[state] for state in LISTED_STATES},
                    _l("Choose a state from the list."), first=_l("Any state"), default="")
    municipio = _choice(_l("Municipio"), {str(n): _l("Municipio %(number)d", number=n) for n in range(1, 10)},
                        _l("Choose a Municipio from the list."), first=_l("Any Municipio"), default="")
    neighbourhood = NeighbourhoodField(_l("Neighbourhood"))
    order = _choice(_l("Order"), ORDER_LABELS, _l("Choose an order from the list."), default="random")

    @classmethod
    def build(cls, **kwargs) -> FilterForm:
        form = cls(**kwargs)
        form.neighbourhood.choices = _neighbourhoods(gettext("Any neighbourhood"))
        return form
