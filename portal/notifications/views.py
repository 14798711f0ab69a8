"""The signed-in person's notifications: a list, opening one, marking all read."""
from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import db
from portal.forms import ConfirmForm
from portal.notifications import mark_all_read, shown_to
from portal.notifications.models import Notification
from portal.pagination import page_number, page_slice, split_page
from portal.permissions import require
from portal.timeutil import utcnow
from portal.web import is_local_path, redirect_after_post, render_page

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PER_PAGE = 30


@bp.get("/")
def index():
    require("notifications.view")
    page = page_number()
    notifications, has_more = split_page(db.session.scalars(page_slice(
        select(Notification).where(shown_to(current_user))
        .order_by(Notification.id.desc()), page, PER_PAGE)).all(), PER_PAGE)
    return render_page("notifications/index.html", notifications=notifications, has_more=has_more,
                       page=page, confirm_form=ConfirmForm())


@bp.post("/<int:notification_id>/open")
def open_one(notification_id: int):
    require("notifications.view")
    ConfirmForm().validate_on_submit() or abort(400)
    # Someone else's notification, or one about a group the person may no longer read, is "not
    # found", not "forbidden": its existence is private too.
    notification = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, shown_to(current_user)))
    if notification is None:
        abort(404)
    with db.write_transaction():
        notification.read_at = notification.read_at or utcnow()
    return redirect_after_post(notification.link if is_local_path(notification.link) else url_for(".index"))


@bp.post("/read-all")
def read_all():
    require("notifications.view")
    ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        mark_all_read(current_user.id)
    return redirect_after_post(request.referrer if _same_site(request.referrer) else url_for(".index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
