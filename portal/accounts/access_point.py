"""The access point: a facilitator, face to face with a resident, resets their password with a
one-time code or confirms they met them in person. Nothing here needs the resident's email."""
from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _

from portal import db
from portal.accounts import forms, mails, service
from portal.accounts.models import User
from portal.forms import ConfirmForm
from portal.permissions import may, require
from portal.web import redirect_after_post, render_form_page, render_page, signed_in_user

bp = Blueprint("access_point", __name__, url_prefix="/access-point")


@bp.route("/", methods=["GET", "POST"])
def lookup():
    require("access_point.use")
    form = forms.PersonLookupForm()
    if form.validate_on_submit():
        person = service.find_by_nickname(form.nickname.data)
        if person is not None and may("person.issue_reset_code", person):
            return redirect_after_post(url_for(".person", user_id=person.id))
        form.nickname.errors.append(
            _("Nobody with this nickname lives in a neighbourhood you serve."))
    return render_form_page("accounts/access_point.html", form=form)


def person_or_404(user_id: int, action: str) -> User:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    require(action, person)
    return person


def _person_page(person: User, status: int = 200, *, code: str | None = None, home_form=None):
    return render_page("accounts/access_point_person.html", None, status, person=person,
                       confirm_form=ConfirmForm(), code=code,
                       home_form=home_form or forms.HomeCorrectionForm.build(person, formdata=None))


@bp.get("/people/<int:user_id>")
def person(user_id: int):
    return _person_page(person_or_404(user_id, "person.issue_reset_code"))


@bp.post("/people/<int:user_id>/reset-code")
def issue_code(user_id: int):
    person = person_or_404(user_id, "person.issue_reset_code")
    ConfirmForm().validate_on_submit() or abort(400)
    facilitator = signed_in_user()
    with db.write_transaction():
        code = service.issue_reset_code(person, facilitator)
    mails.reset_code_issued(person, facilitator)
    # Shown once, on this response only: it is never stored in clear nor put in a URL.
    return _person_page(person, code=code)


@bp.post("/people/<int:user_id>/home")
def correct_home(user_id: int):
    person = person_or_404(user_id, "person.correct_home")
    form = forms.HomeCorrectionForm.build(person)
    if not form.validate_on_submit():
        return _person_page(person, 422, home_form=form)
    with db.write_transaction():
        service.correct_home(person, signed_in_user(), form.home_neighbourhood.data)
    flash(_("The neighbourhood of %(nickname)s is corrected.", nickname=person.nickname), "success")
    return redirect_after_post(url_for(".person", user_id=person.id))


@bp.post("/people/<int:user_id>/verify")
def verify(user_id: int):
    person = person_or_404(user_id, "person.verify_in_person")
    ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        service.verify_in_person(person, signed_in_user())
    flash(_("%(nickname)s is now marked as met in person.", nickname=person.nickname), "success")
    return redirect_after_post(url_for(".person", user_id=person.id))
