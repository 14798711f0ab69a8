"""Workshops, meetings and mutual-aid sessions: finding them, signing up, the door, calendars."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from events import calendars, dates, exports, forms, queries, service
from events.forms import KIND_LABELS, age_band_label, language_label
from events.models import Attendance, RegistrationStatus
from portal import db
from portal.forms import ConfirmForm
from portal.groups.hooks import member_banned
from portal.groups.models import Group
from portal.links import public_url
from portal.numbers import parse_int
from portal.pagination import page_number
from portal.permissions import may, require
from portal.text import stored_html
from portal.web import press, redirect_after_post, render_form_page, render_page, signed_in_user, submit

bp = Blueprint("events", __name__, url_prefix="/events")
NEW_TOKEN_KEY = "events.calendar_token"  # nosec B105 # the name of a session key, not a secret


@bp.record_once
def _subscribe(state) -> None:
    # portal cannot import events: the app that registers this blueprint is the one whose bans
    # release seats at its events.
    member_banned.connect(service.release_seats_of_banned, sender=state.app)


@bp.app_template_filter("event_span")
def event_span(event) -> str:
    return dates.span(event.starts_at, event.ends_at)


@bp.context_processor
def labels() -> dict:
    return {"kind_label": KIND_LABELS.get, "language_label": language_label,
            "age_band_label": age_band_label, "RegistrationStatus": RegistrationStatus,
            "Attendance": Attendance}


# --- finding events ----------------------------------------------------------------------------

@bp.get("/")
def index():
    require("feature.index")
    form = forms.FilterForm(formdata=request.args)
    valid = form.validate()
    page = page_number()
    nearby, listed, has_more = [], [], False
    if valid:
        filters = queries.Filters(kind=form.kind.data or None, date_from=form.date_from.data,
                                  date_to=form.date_to.data, age_band=form.age.data or None,
                                  language=form.language.data or None)
        listed, has_more = queries.upcoming(current_user, filters, page)
        if page == 1:
            nearby = queries.upcoming_near(current_user, filters)
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_page("events/index.html", status=200 if valid else 422, form=form, page=page,
                       nearby=nearby, listed=listed, has_more=has_more, query=query,
                       may_create=bool(_groups_for_new_event()))


def _groups_for_new_event() -> list[Group]:
    if not current_user.is_authenticated:
        return []
    groups = db.session.scalars(
        select(Group).options(joinedload(Group.neighbourhood)).order_by(Group.name)).all()
    return [group for group in groups if may("event.create", group)]


@bp.get("/<int:event_id>")
def show(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.view", event)
    return _event_page(event, forms.RegisterForm())


def _event_page(event, register_form, status: int = 200):
    registration = queries.registration_of(current_user, event.id)
    if registration is not None and registration.status == RegistrationStatus.CANCELLED:
        registration = None
    position = (queries.waitlist_position(registration)
                if registration is not None and registration.status == RegistrationStatus.WAITLISTED else None)
    return render_page(
        "events/show.html", "events/_register_form.html", status, event=event,
        description=stored_html(event, "description"), registration=registration, position=position,
        seats_left=queries.seats_left(event, queries.confirmed_seats(event.id)),
        waiting=queries.waiting_count(event.id), other_dates=queries.other_dates(event),
        form=register_form, confirm_form=ConfirmForm(), closed=service.registration_problem(event))


@bp.get("/<int:event_id>.ics")
def event_calendar(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.view", event)
    return calendars.response([(event, None)], uid=f"cortile-event-{event.id}-file", name=event.title,
                              filename=f"cortile-event-{event.id}.ics")


# --- creating, editing, cancelling -------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    groups = _groups_for_new_event()
    asked = parse_int(request.values.get("group"), min=1)
    requested = db.session.get(Group, asked) if asked is not None else None
    # The group asked for, else any group the person may create in; someone who manages no group
    # is asked about one they do not manage, and the answer is 401 or 403.
    require("event.create", requested or (groups[0] if groups else _any_group()))
    form = forms.NewEventForm.build(groups, group=requested.id if requested else None)

    def create():
        group = next(group for group in groups if group.id == form.group.data)
        return service.create_events(group, signed_in_user(), form.fields(), repeat=form.repeat.data or None,
                                     occurrences=form.occurrences.data)

    done, created = submit(form, create)
    if done:
        flash(_("The event is published.") if len(created) == 1 else
              ngettext("The series is published: %(num)d date.", "The series is published: %(num)d dates.",
                       len(created)), "success")
        return redirect_after_post(url_for(".show", event_id=created[0].id))
    return render_form_page("events/new.html", "events/_event_form.html", form=form, event=None)


def _any_group() -> Group:
    group = db.session.scalar(select(Group).order_by(Group.id).limit(1))
    if group is None:
        abort(404)
    return group


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.manage", event)
    form = forms.EventForm() if request.method == "POST" else forms.EventForm.for_event(event)
    # A cancelled event is refused by the service; its page says so instead of showing the form.
    done, _event = submit(form, lambda: service.update_event(event.id, form.fields(), signed_in_user()))
    if done:
        flash(_("Your changes are saved."), "success")
        return redirect_after_post(url_for(".show", event_id=event.id))
    return render_form_page("events/edit.html", "events/_event_form.html", form=form, event=event)


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.manage", event)
    form = forms.CancelEventForm()
    done, told = submit(form, lambda: service.cancel_event(event.id, signed_in_user(),
                                                           form.reason.data.strip()))
    if done:
        flash(ngettext("The event is cancelled and %(num)d family was told.",
                       "The event is cancelled and %(num)d families were told.", told), "success")
        return redirect_after_post(url_for(".show", event_id=event.id))
    return render_form_page("events/cancel.html", "events/_cancel_form.html", form=form, event=event)


# --- registering -------------------------------------------------------------------------------

@bp.post("/<int:event_id>/register")
def register(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.register", event)
    form = forms.RegisterForm()
    done, registration = submit(form, lambda: service.register(event.id, signed_in_user(), form.adults.data,
                                                               form.children.data))
    if done:
        if registration.status == RegistrationStatus.CONFIRMED:
            flash(_("You are registered. Your code for the door is %(code)s.", code=registration.code),
                  "success")
        else:
            flash(_("The event is full: you are number %(num)d on the waiting list.",
                    num=queries.waitlist_position(registration)), "success")
        return redirect_after_post(url_for(".show", event_id=event.id))
    return _event_page(event, form, 422)


@bp.post("/registrations/<int:registration_id>/cancel")
def cancel_registration(registration_id: int):
    registration = queries.registration_or_404(registration_id)
    require("registration.cancel", registration)
    event = registration.event
    done, _registration = press(lambda: service.cancel_registration(registration.id, signed_in_user()))
    if done:
        flash(_("The registration is cancelled and the seats are free for others."), "success")
        return redirect_after_post(url_for(".show", event_id=event.id))
    return _event_page(event, forms.RegisterForm(formdata=None), 409)


# --- at the door -------------------------------------------------------------------------------

@bp.get("/<int:event_id>/attendance")
def attendance(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.manage", event)
    search = request.args.get("search", "").strip()[:30]
    return _attendance_page(event, forms.CheckInForm(formdata=None, search=search), search)


def _attendance_page(event, check_in_form, search: str = "", status: int = 200):
    rows = queries.attendance_list(event.id, search)
    return render_page("events/attendance.html", None, status, event=event, rows=rows, search=search,
                       check_in_form=check_in_form, seats=sum(registration.seats for registration, _nickname in rows))


@bp.post("/<int:event_id>/check-in")
def check_in(event_id: int):
    """A code checks the family in at once; a nickname narrows the list to the people it matches."""
    event = queries.event_or_404(event_id)
    require("event.manage", event)
    form = forms.CheckInForm()
    done, registration = submit(form, lambda: service.check_in_by_code(event.id, form.search.data,
                                                                       signed_in_user()))
    if done:
        if registration is not None:
            flash(_("%(nickname)s is checked in.", nickname=registration.user.nickname), "success")
            return redirect_after_post(url_for(".attendance", event_id=event.id))
        if queries.attendance_list(event.id, form.search.data):
            return redirect_after_post(url_for(".attendance", event_id=event.id, search=form.search.data))
        form.search.errors.append(_("No confirmed registration has this code or nickname."))
    return _attendance_page(event, form, status=422)


@bp.post("/<int:event_id>/attendance/<int:registration_id>")
def mark(event_id: int, registration_id: int):
    event = queries.event_or_404(event_id)
    require("event.manage", event)
    registration = queries.registration_or_404(registration_id)
    if registration.event_id != event.id:
        abort(404)
    form = forms.AttendanceForm()
    done, _registration = press(lambda: service.mark_attendance(registration, signed_in_user(),
                                                                Attendance(form.attendance.data)), form)
    if done:
        if request.htmx:
            return render_page("events/_attendance_row.html", None, registration=registration,
                               nickname=registration.user.nickname, event=event)
        return redirect_after_post(url_for(".attendance", event_id=event.id, search=request.args.get("search")))
    return _attendance_page(event, forms.CheckInForm(formdata=None), status=409)


@bp.get("/<int:event_id>/attendance.csv")
def attendance_csv(event_id: int):
    event = queries.event_or_404(event_id)
    require("event.manage", event)
    return exports.attendance_csv(event, queries.export_rows(event.id))


# --- personal calendar link --------------------------------------------------------------------

@bp.get("/calendar")
def calendar():
    require("calendar.feed")
    token = session.pop(NEW_TOKEN_KEY, None)
    link = public_url("events.calendar_feed", token=token) if token else None
    return render_page("events/calendar.html", None, feed=service.calendar_feed(signed_in_user()),
                       link=link)


@bp.post("/calendar")
def new_calendar_link():
    require("calendar.feed")
    ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        token = service.new_calendar_token(signed_in_user())
    # Shown once on the next page, then only its hash remains.
    session[NEW_TOKEN_KEY] = token
    return redirect_after_post(url_for(".calendar"))


@bp.post("/calendar/revoke")
def revoke_calendar_link():
    require("calendar.feed")
    ConfirmForm().validate_on_submit() or abort(400)
    with db.write_transaction():
        service.revoke_calendar_token(signed_in_user())
    flash(_("Your calendar link no longer works."), "success")
    return redirect_after_post(url_for(".calendar"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """Calendar apps fetch this without signing in: the secret link stands for the person."""
    require("calendar.read_feed")
    owner = service.calendar_owner(token)
    if owner is None:
        abort(404)
    # Someone who has left a members-only group no longer sees its events here either.
    rows = [(event, registration) for event, registration in queries.feed_events(owner)
            if may("event.view", event, user=owner)]
    return calendars.response(rows, uid=f"cortile-feed-{owner.id}", name=_("Cortile: my events"))
