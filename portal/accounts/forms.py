"""Account forms. Every message is translatable; validators run server-side, JavaScript or not."""
from __future__ import annotations

from flask import current_app
from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Optional, ValidationError

from portal.accounts import nicknames, passwords
from portal.accounts.service import CODE_LENGTH, next_home_change
from portal.forms import REQUIRED, Form, at_most, normalise_code, optional_int
from portal.i18n import LANGUAGES
from portal.places.queries import neighbourhood_choices


def _nickname_rule(_form, field) -> None:
    problem = nicknames.nickname_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _password_rule(form, field) -> None:
    # The nickname typed in the same form, or the signed-in owner's (set by the view).
    nickname = form.nickname.data if hasattr(form, "nickname") else getattr(form, "owner_nickname", "")
    problem = passwords.password_problem(field.data or "", nickname or "")
    if problem:
        raise ValidationError(problem)


class NeighbourhoodField(SelectField):
    """A neighbourhood, grouped by Municipio; empty means "I'd rather not say / choose later"."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=optional_int, validate_choice=False, **kwargs)

    def pre_validate(self, form) -> None:
        valid = {choice.value for choice in self.choices if choice.value != ""}
        if self.data is not None and self.data not in valid:
            raise ValidationError(_l("Choose a neighbourhood from the list."))


class LanguageField(SelectField):
    def __init__(self, label, **kwargs):
        # Each option carries its own lang, so screen readers pronounce "العربية" as Arabic.
        choices = [SelectChoice(code, lang.autonym, render_kw={"lang": code, "dir": lang.direction})
                   for code, lang in LANGUAGES.items()]
        super().__init__(label, choices=choices, validate_choice=False, **kwargs)

    def pre_validate(self, form) -> None:
        if self.data not in LANGUAGES:
            raise ValidationError(_l("Choose a language from the list."))


def _with_neighbourhoods(form: Form) -> Form:
    form.home_neighbourhood.choices = neighbourhood_choices()
    return form


class RegisterForm(Form):
    nickname = StringField(_l("Nickname"), validators=[DataRequired(REQUIRED), _nickname_rule],
                           description=_l("Any name you like; other people will see it. "
                                          "No real name or documents needed."))
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), _password_rule],
                             description=_l("At least 8 characters. A short sentence is easy to "
                                            "remember and hard to guess."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The two passwords do not match."))])
    email = EmailField(_l("Email (optional)"), validators=[
        Optional(), at_most(254),
        Email(_l("Enter an email address like name@example.org, or leave it empty."))],
        description=_l("Only to reset your password by yourself. Without it, a facilitator "
                       "can help you at an access point."))
    home_neighbourhood = NeighbourhoodField(_l("Your neighbourhood"))
    language = LanguageField(_l("Language"))
    accept_terms = BooleanField(_l("I accept the rules of the portal and the privacy notice"),
                                validators=[DataRequired(_l("Please accept the rules to join."))])

    @classmethod
    def build(cls, **kwargs) -> RegisterForm:
        return _with_neighbourhoods(cls(**kwargs))


class LoginForm(Form):
    login = StringField(_l("Nickname or email"), validators=[DataRequired(REQUIRED), at_most(254)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(REQUIRED), at_most(passwords.MAX_LENGTH)])


class AccountForm(Form):
    email = EmailField(_l("Email (optional)"), validators=[
        Optional(), at_most(254),
        Email(_l("Enter an email address like name@example.org, or leave it empty."))])
    home_neighbourhood = NeighbourhoodField(_l("Your neighbourhood"))
    language = LanguageField(_l("Language"))

    @classmethod
    def for_user(cls, user, **kwargs) -> AccountForm:
        """The form for `user`'s account, saying when their neighbourhood may change next. The
        address waiting for confirmation, if any: saving the form again keeps it waiting."""
        form = _with_neighbourhoods(cls(email=user.pending_email or user.email, language=user.language,
                                        home_neighbourhood=user.home_neighbourhood_id, **kwargs))
        next_change = next_home_change(user)
        if next_change is not None:
            form.home_neighbourhood.description = _l(
                "Your supports follow your neighbourhood, so it does not change often. You can change "
                "it again from %(date)s.", date=format_date(next_change, "long"))
        else:
            form.home_neighbourhood.description = ngettext(
                "Your supports follow your neighbourhood: after a change, the next one waits %(num)d day.",
                "Your supports follow your neighbourhood: after a change, the next one waits %(num)d days.",
                current_app.config["HOME_CHANGE_DAYS"])
        return form


class NewPasswordForm(Form):
    """A new password typed twice; the other password forms add their own fields to it."""

    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), _password_rule])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The two passwords do not match."))])


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])


class CodeResetForm(NewPasswordForm):
    nickname = StringField(_l("Nickname"), validators=[DataRequired(REQUIRED), at_most(nicknames.MAX_LENGTH)])
    code = StringField(_l("Code from the facilitator"), validators=[DataRequired(REQUIRED)])

    def validate_code(self, field) -> None:
        if len(normalise_code(field.data or "")) != CODE_LENGTH:
            raise ValidationError(_l("The code has %(n)d letters and numbers.", n=CODE_LENGTH))


class EmailResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[
        DataRequired(REQUIRED), at_most(254),
        Email(_l("Enter an email address like name@example.org."))])


class PersonLookupForm(Form):
    nickname = StringField(_l("Nickname of the person"), validators=[
        DataRequired(REQUIRED), at_most(nicknames.MAX_LENGTH)])


class HomeCorrectionForm(Form):
    """At an access point: a facilitator corrects someone's neighbourhood."""

    home_neighbourhood = NeighbourhoodField(_l("Neighbourhood"))

    @classmethod
    def build(cls, person, **kwargs) -> HomeCorrectionForm:
        return _with_neighbourhoods(cls(home_neighbourhood=person.home_neighbourhood_id, **kwargs))


class LanguageSwitchForm(Form):
    language = LanguageField(_l("Language"))


class EraseForm(Form):
    """Erasing an account: what happens to the posts is the person's choice; the password makes
    sure it is them (a phone left signed in is not enough)."""

    posts = RadioField(_l("Your posts in the groups"), default="keep", validators=[DataRequired(REQUIRED)],
                       choices=[SelectChoice("keep", _l("Leave them. They will be signed \u201cformer member\u201d, "
                                                        "not with your nickname.")),
                                SelectChoice("remove", _l("Remove them. A thread you started goes away with "
                                                          "its replies."))])
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)])

    @property
    def remove_posts(self) -> bool:
        return self.posts.data == "remove"


class EraseForSomeoneForm(EraseForm):
    """At an access point: the facilitator's own password, and their word that the person is there."""

    posts = RadioField(_l("Their posts in the groups"), default="keep", validators=[DataRequired(REQUIRED)],
                       choices=[SelectChoice("keep", _l("Leave them, signed \u201cformer member\u201d.")),
                                SelectChoice("remove", _l("Remove them, with the threads they started."))])
    present = BooleanField(_l("The person is here with me and asked for this."),
                           validators=[DataRequired(_l("Erase an account only with its owner present."))])
    password = PasswordField(_l("Your own password, as facilitator"), validators=[DataRequired(REQUIRED)])
