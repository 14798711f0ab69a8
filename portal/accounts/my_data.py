"""A person's data, theirs to take away or erase: from their account page, or at an access point
with a facilitator when they cannot do it themselves (the facilitator's part is audited)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import audit, db
from portal.accounts import erasure, forms, passwords
from portal.accounts.models import User
from portal.accounts.personal_data import as_json, gather
from portal.accounts.access_point import person_or_404
from portal.accounts.views import end_browser_session
from portal.extensions import limiter
from portal.permissions import require
from portal.rules import RuleError
from portal.timeutil import utcnow
from portal.web import redirect_after_post, render_form_page, render_page, signed_in_user, submit

bp = Blueprint("my_data", __name__)


def data_page(person: User, download_url: str, back_url: str):
    return render_page("accounts/my_data.html", None, person=person, sections=gather(person),
                       download_url=download_url, back_url=back_url)


def download(person: User) -> Response:
    body = json.dumps(as_json(person), ensure_ascii=False, indent=2)
    name = f"cortile-{utcnow():%Y-%m-%d}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def check_password(user: User, password: str) -> None:
    if not passwords.verify_password(user.password_hash, password):
        raise RuleError(_l("This is not the password."), "password")


@bp.get("/account/data")
def page():
    require("account.manage")
    return data_page(signed_in_user(), url_for(".download_json"), url_for("accounts.account"))


@bp.get("/account/data.json")
def download_json():
    require("account.manage")
    return download(signed_in_user())


@bp.route("/account/erase", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])  # a password check: no guessing from a phone left open
def erase():
    require("account.manage")
    user = signed_in_user()
    form = forms.EraseForm()

    def erase_me():
        check_password(user, form.password.data)
        erasure.erase(user, user, remove_posts=form.remove_posts)

    done, _nothing = submit(form, erase_me)
    if done:
        end_browser_session()
        flash(_("Your account is erased. Thank you for the time you spent in Cortile."), "success")
        return redirect_after_post(url_for("places.home"))
    return render_form_page("accounts/erase.html", None, form=form, person=user,
                            action=url_for(".erase"), back_url=url_for("accounts.account"))


# --- at an access point --------------------------------------------------------------------------

def _exported_at_access_point(user_id: int, format: str):
    """The person whose data a facilitator opens for them, with the export on the audit trail."""
    person = person_or_404(user_id, "person.export_data")
    with db.write_transaction():
        audit.record("user.export", "user", person.id, actor_id=signed_in_user().id, format=format)
    return person


@bp.get("/access-point/people/<int:user_id>/data")
def person_page(user_id: int):
    person = _exported_at_access_point(user_id, "page")
    return data_page(person, url_for(".person_json", user_id=person.id),
                     url_for("access_point.person", user_id=person.id))


@bp.get("/access-point/people/<int:user_id>/data.json")
def person_json(user_id: int):
    return download(_exported_at_access_point(user_id, "json"))


@bp.route("/access-point/people/<int:user_id>/erase", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def person_erase(user_id: int):
    person = person_or_404(user_id, "person.erase")
    facilitator = signed_in_user()
    form = forms.EraseForSomeoneForm()

    def erase_them():
        check_password(facilitator, form.password.data)
        erasure.erase(person, facilitator, remove_posts=form.remove_posts)

    done, _nothing = submit(form, erase_them)
    if done:
        flash(_("The account is erased."), "success")
        return redirect_after_post(url_for("access_point.lookup"))
    return render_form_page("accounts/erase.html", None, form=form, person=person,
                            action=url_for(".person_erase", user_id=person.id),
                            back_url=url_for("access_point.person", user_id=person.id))
