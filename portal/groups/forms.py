"""Group forms. The service checks the same rules again, so the command line gets them too."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.accounts import nicknames
from portal.forms import REQUIRED, Form, WholeNumberField, at_most, single_line
from portal.groups import service
from portal.groups.models import GroupKind, JoinPolicy, Visibility


class ChoiceField(SelectField):
    """A select whose wrong answers get a clear, translated message."""

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose one of the options."))


class RequestForm(Form):
    message = TextAreaField(
        _l("A few words for the facilitators (optional)"),
        validators=[Optional(), at_most(service.MESSAGE_MAX)],
        description=_l("For example who you are and why you would like to join. Only the group's "
                       "facilitators read it."))


class InviteForm(Form):
    nickname = StringField(_l("Nickname of the person to invite"), validators=[
        DataRequired(REQUIRED), at_most(nicknames.MAX_LENGTH)])


def _reason_field(**kwargs) -> TextAreaField:
    return TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), at_most(service.MESSAGE_MAX)],
                         description=_l("The person will read it."), **kwargs)


class MuteForm(Form):
    days = WholeNumberField(_l("For how many days"), validators=[
        InputRequired(REQUIRED),
        NumberRange(*service.MUTE_DAYS, message=_l("Choose from %(min)d to %(max)d days."))])
    reason = _reason_field()


class BanForm(Form):
    reason = _reason_field(id="ban-reason")  # the mute form on the same page has a "reason" too


class GroupForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), at_most(service.NAME_MAX), single_line])
    about = TextAreaField(_l("What the group is about (optional)"),
                          validators=[Optional(), at_most(service.ABOUT_MAX)])
    kind = ChoiceField(_l("Kind of group"), choices=[
        SelectChoice(GroupKind.NEIGHBOURHOOD.value, _l("Neighbourhood group")),
        SelectChoice(GroupKind.THEMATIC_TABLE.value, _l("Thematic table")),
        SelectChoice(GroupKind.MUTUAL_AID.value, _l("Mutual-aid group")),
    ])
    visibility = ChoiceField(_l("Who sees what the group shares"), choices=[
        SelectChoice("", _l("The usual for this kind")),
        SelectChoice(Visibility.PUBLIC.value, _l("Everyone")),
        SelectChoice(Visibility.MEMBERS.value, _l("Members only")),
    ], description=_l("Usually mutual-aid groups are for members only; the others are public."))
    join_policy = ChoiceField(_l("How people join"), choices=[
        SelectChoice("", _l("The usual for this kind")),
        SelectChoice(JoinPolicy.OPEN.value, _l("Anyone can join")),
        SelectChoice(JoinPolicy.APPROVAL.value, _l("They ask, a facilitator accepts")),
        SelectChoice(JoinPolicy.INVITE.value, _l("Only by invitation")),
    ], description=_l("Usually people ask to join mutual-aid groups; the others are open."))
    capacity = WholeNumberField(_l("Places (optional)"), validators=[
        Optional(), NumberRange(1, service.CAPACITY_MAX, message=_l(
            "Use a number from 1 to %(max)d, or leave it empty for no limit."))],
        description=_l("When the group is full, new members wait in line and the first is offered "
                       "the next free place."))
