"""Forum forms. Lengths come from the service's rules; the service checks them again for callers
that are not forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from forums.models import ReportReason
from forums.service import BODY_LENGTH, NOTE_MAX, POST_ACTIONS, THREAD_ACTIONS, TITLE_LENGTH
from portal.forms import REQUIRED, TOO_SHORT, Form, at_most, single_line, strip


def _note_field(label, description) -> TextAreaField:
    return TextAreaField(label, filters=[strip], validators=[at_most(NOTE_MAX)],
                         description=description)


class PostForm(Form):
    body = TextAreaField(_l("Message"), filters=[strip], validators=[
        DataRequired(REQUIRED), at_most(BODY_LENGTH[1])],
        description=_l("You can use Markdown: *italic*, **bold**, lists and links."))


class ThreadForm(PostForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(REQUIRED), Length(min=TITLE_LENGTH[0], message=TOO_SHORT),
        at_most(TITLE_LENGTH[1]), single_line])


REPORT_REASONS = [
    SelectChoice(ReportReason.SPAM.value, _l("Spam or advertising")),
    SelectChoice(ReportReason.OFFENSIVE.value, _l("Offensive or hateful")),
    SelectChoice(ReportReason.PERSONAL_DATA.value, _l("It exposes someone's personal data")),
    SelectChoice(ReportReason.OTHER.value, _l("Something else")),
]
REASON_LABELS = {choice.value: choice.label for choice in REPORT_REASONS}


class ReportForm(Form):
    # validate_choice off: AnyOf gives a translated message for an unknown reason.
    reason = RadioField(_l("Why are you reporting it?"), choices=REPORT_REASONS, validate_choice=False,
                        validators=[AnyOf(list(REASON_LABELS),
                                          message=_l("Choose a reason from the list."))])
    note = _note_field(_l("Anything a facilitator should know (optional)"),
                       _l("Only facilitators read it. Please do not repeat personal data here."))


class PostModerationForm(Form):
    """Hide, restore or delete: the buttons carry the action. Forms for several posts share a
    page, so each is built with the prefix `post<id>`."""

    action = StringField(validators=[AnyOf(list(POST_ACTIONS), message=_l("Choose what to do."))])
    reason = _note_field(_l("Reason"), _l("The author reads it. Required to hide or delete."))


class ThreadModerationForm(Form):
    action = StringField(validators=[AnyOf(list(THREAD_ACTIONS), message=_l("Choose what to do."))])
    reason = _note_field(_l("Reason"), _l("The author reads it. Required to close the thread."))


def post_moderation_form(post) -> PostModerationForm:
    return PostModerationForm(prefix=f"post{post.id}")
