"""Events: creating (one date or a series), editing, cancelling; registering with a waiting list
that moves; codes and check-in at the door; the CSV list; reminders."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from events import exports, service
from events.models import Attendance, Event, EventKind, Registration, RegistrationStatus
from events.queries import waitlist_position
from portal import db
from portal.accounts.models import User
from portal.accounts.service import CODE_ALPHABET
from portal.audit import AuditEntry
from portal.signals import Signal
from portal.timeutil import utcnow
from tests.fixtures.web import text_of
from tests.fixtures.events import (  # noqa: F401 - fixtures
    enrol,
    facilitator,
    make_event,
    move_event,
    notifications,
    public_group,
    registrations,
    run_reminders,
    worded,
)

HTMX = {"HX-Request": "true"}
NEXT_YEAR = utcnow().year + 1


def _event_form(in_group, **changes) -> dict:
    data = {
        "group": str(in_group.id), "title": "Cucina insieme", "kind": "workshop",
        "starts_at": f"{NEXT_YEAR}-07-01T18:00", "ends_at": f"{NEXT_YEAR}-07-01T20:00",
        "place": "Casa di quartiere", "address": "Via Giambellino 58", "description": "Si cucina.",
        "accessibility": "Senza gradini", "languages": ["it", "ar"], "age_bands": ["3-6", "6-11"],
        "cost": "", "capacity": "12", "registration_opens": "", "registration_closes": "",
        "repeat": "", "occurrences": "4",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _signals(kind: str) -> int:
    return db.session.scalar(select(func.count(Signal.id)).where(Signal.kind == kind))


def _signal_total(kind: str) -> int:
    return db.session.scalar(select(func.sum(Signal.value)).where(Signal.kind == kind))


@pytest.fixture
def as_facilitator(client, sign_in, facilitator):
    return sign_in(client, facilitator)


# --- creating --------------------------------------------------------------------------------

def test_a_facilitator_publishes_an_event_typed_in_milan_time(as_facilitator, public_group):
    response = as_facilitator.post("/events/new", data=_event_form(public_group, cost="2,50"))
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert response.headers["Location"] == f"/events/{event.id}"
    # 18:00 in Milan in July is 16:00 UTC (summer time).
    assert event.starts_at == datetime(NEXT_YEAR, 7, 1, 16, 0)
    assert event.ends_at == datetime(NEXT_YEAR, 7, 1, 18, 0)
    assert event.languages == ["it", "ar"] and event.age_bands == ["3-6", "6-11"]
    assert event.cost_cents == 250 and event.capacity == 12 and event.childcare is False
    assert event.kind == EventKind.WORKSHOP and event.group_id == public_group.id
    # The registration window defaults: open from now, closing when the event starts.
    assert abs(event.registration_opens_at - utcnow()) < timedelta(minutes=1)
    assert event.registration_closes_at == event.starts_at
    assert event.series_id is None
    page = text_of(as_facilitator.get(f"/events/{event.id}"))
    assert "The event is published." in page
    assert "6:00 PM–8:00 PM" in page and "€2.50" in page and "12 seats left" in page


def test_winter_times_are_converted_with_the_winter_offset(as_facilitator, public_group):
    as_facilitator.post("/events/new", data=_event_form(
        public_group, starts_at=f"{NEXT_YEAR}-01-15T18:00", ends_at=f"{NEXT_YEAR}-01-15T20:00"))
    assert db.session.scalar(select(Event.starts_at)) == datetime(NEXT_YEAR, 1, 15, 17, 0)


def test_free_and_unlimited_are_the_defaults(as_facilitator, public_group):
    as_facilitator.post("/events/new", data=_event_form(public_group, cost="", capacity=""))
    event = db.session.scalar(select(Event))
    assert event.cost_cents == 0 and event.capacity is None
    page = text_of(as_facilitator.get(f"/events/{event.id}"))
    assert "Free" in page and "No seat limit" in page


def test_a_weekly_series_keeps_the_wall_clock_time_across_summer_time(as_facilitator, public_group):
    # Summer time starts on the last Sunday of March: the series crosses it.
    response = as_facilitator.post("/events/new", data=_event_form(
        public_group, starts_at=f"{NEXT_YEAR}-03-15T18:00", ends_at=f"{NEXT_YEAR}-03-15T19:30",
        repeat="weekly", occurrences="4"))
    assert response.status_code == 303
    events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert len(events) == 4
    assert {event.series_id for event in events} == {events[0].id}
    assert [event.starts_at.hour for event in events] == [17, 17, 16, 16]  # 18:00 in Milan each time
    week = timedelta(weeks=1)
    assert [b.starts_at - a.starts_at for a, b in zip(events, events[1:])] == \
        [week, week - timedelta(hours=1), week]
    assert all(event.registration_closes_at == event.starts_at for event in events)
    page = text_of(as_facilitator.get(f"/events/{events[0].id}"))
    assert "The series is published: 4 dates." in page and "Other dates" in page


def test_a_fortnightly_series_moves_the_chosen_window_with_each_date(as_facilitator, public_group):
    as_facilitator.post("/events/new", data=_event_form(
        public_group, starts_at=f"{NEXT_YEAR}-05-04T10:00", ends_at=f"{NEXT_YEAR}-05-04T12:00",
        registration_closes=f"{NEXT_YEAR}-05-03T12:00", repeat="fortnightly", occurrences="26"))
    events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert len(events) == 26
    assert events[1].starts_at - events[0].starts_at == timedelta(weeks=2)
    assert all(event.starts_at - event.registration_closes_at == timedelta(hours=22) for event in events)


def test_each_date_of_a_series_has_its_own_registrations(make_event, make_user, enrol):
    first = make_event(repeat="weekly", occurrences=3, capacity=1)
    second = db.session.scalars(select(Event).where(Event.id != first.id).order_by(Event.starts_at)).first()
    enrol(first, make_user("Bea"))
    assert enrol(second, make_user("Carla")).status == RegistrationStatus.CONFIRMED


BAD_EVENTS = [
    ({"title": ""}, "This field is required."),
    ({"kind": "party"}, "Choose a kind of event from the list."),
    ({"ends_at": f"{NEXT_YEAR}-07-01T17:00"}, "The end must be after the start."),
    ({"starts_at": "tomorrow at six"}, "Enter a date and time like 2026-03-14 18:30."),
    ({"starts_at": f"01/07/{NEXT_YEAR} 18:00"}, "Enter a date and time like 2026-03-14 18:30."),
    ({"starts_at": "0001-01-01T00:00"}, "Choose a date between 2000 and 2100."),
    ({"starts_at": "2020-07-01T18:00", "ends_at": "2020-07-01T20:00"}, "The start is in the past."),
    ({"languages": ["it", "klingon"]}, "Choose languages from the list."),
    ({"age_bands": ["0-99"]}, "Choose age groups from the list."),
    ({"cost": "-1"}, "The cost cannot be negative."),
    ({"cost": "due euro"}, "Enter an amount in euros like 2.50, or leave it empty if it is free."),
    ({"cost": "1.234"}, "Enter an amount in euros like 2.50, or leave it empty if it is free."),
    ({"cost": "5000"}, "Use an amount up to 1000 euros."),
    ({"capacity": "0"}, "Enter a number of seats from 1 to 10000, or leave it empty for no limit."),
    ({"capacity": "-3"}, "Enter a number of seats from 1 to 10000, or leave it empty for no limit."),
    ({"capacity": "dieci"}, "Enter a number of seats, like 20, or leave it empty for no limit."),
    ({"registration_closes": f"{NEXT_YEAR}-07-01T21:00"}, "Registration must close by the end of the event."),
    ({"registration_opens": f"{NEXT_YEAR}-06-20T10:00", "registration_closes": f"{NEXT_YEAR}-06-10T10:00"},
     "Registration must close after it opens."),
    ({"repeat": "daily"}, "Choose how often it repeats from the list."),
    ({"repeat": "weekly", "occurrences": "27"}, "Choose from 2 to 26 times."),
    ({"group": "abc"}, "Choose one of your groups."),
    ({"title": "x" * 161}, "Use at most 160 characters."),
]


@pytest.mark.parametrize("changes, message", BAD_EVENTS)
def test_bad_event_input_is_refused_next_to_its_field_and_nothing_is_saved(as_facilitator, public_group,
                                                                          changes, message):
    response = as_facilitator.post("/events/new", data=_event_form(public_group, **changes))
    assert response.status_code == 422
    assert message in text_of(response)
    assert 'class="error"' in response.get_data(as_text=True)
    assert _count(Event) == 0


def test_an_htmx_submission_with_errors_gets_only_the_form(as_facilitator, public_group):
    response = as_facilitator.post("/events/new", data=_event_form(public_group, title=""), headers=HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<form") and "<html" not in html


def test_the_new_event_form_offers_only_the_groups_one_facilitates(as_facilitator, public_group, make_group):
    make_group("Altro gruppo")
    page = as_facilitator.get("/events/new").get_data(as_text=True)
    assert "Giambellino insieme" in page and "Altro gruppo" not in page


# --- editing and cancelling ------------------------------------------------------------------

def test_the_edit_form_shows_milan_times(as_facilitator, make_event):
    event = make_event(starts_at=datetime(NEXT_YEAR, 7, 1, 16, 0), ends_at=datetime(NEXT_YEAR, 7, 1, 18, 0))
    html = as_facilitator.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{NEXT_YEAR}-07-01T18:00"' in html and f'value="{NEXT_YEAR}-07-01T20:00"' in html


def test_editing_saves_the_changes(as_facilitator, make_event, public_group):
    event = make_event()
    data = _event_form(public_group, title="Lettura ad alta voce", group=None, repeat=None, occurrences=None)
    response = as_facilitator.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.title == "Lettura ad alta voce" and event.starts_at == datetime(NEXT_YEAR, 7, 1, 16, 0)


def test_capacity_may_not_go_below_the_confirmed_seats(as_facilitator, make_event, make_user, enrol,
                                                       public_group):
    event = make_event(capacity=10)
    enrol(event, make_user("Bea"), adults=2, children=1)
    data = _event_form(public_group, capacity="2", group=None, repeat=None, occurrences=None)
    response = as_facilitator.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert "3 seats are already confirmed: the capacity cannot be lower." in text_of(response)
    db.session.refresh(event)
    assert event.capacity == 10 and event.title == "Laboratorio di lettura"


def test_more_seats_move_the_waiting_list_up(as_facilitator, make_event, make_user, enrol, public_group):
    event = make_event(capacity=1)
    enrol(event, make_user("Bea"))
    waiting = enrol(event, make_user("Carla"))
    data = _event_form(public_group, capacity="", group=None, repeat=None, occurrences=None)
    assert as_facilitator.post(f"/events/{event.id}/edit", data=data).status_code == 303
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [n.user_id for n in notifications("event_promoted")] == [waiting.user_id]


def test_cancelling_an_event_needs_a_reason(as_facilitator, make_event):
    event = make_event()
    response = as_facilitator.post(f"/events/{event.id}/cancel", data={"reason": "  "})
    assert response.status_code == 422 and "This field is required." in text_of(response)
    db.session.refresh(event)
    assert event.cancelled_at is None


def test_cancelling_an_event_tells_everyone_registered_or_waiting(as_facilitator, make_event, make_user,
                                                                  enrol, client):
    event = make_event(capacity=1)
    bea, carla, dora = make_user("Bea"), make_user("Carla"), make_user("Dora")
    enrol(event, bea)
    enrol(event, carla)
    gone = enrol(event, dora)
    with db.write_transaction():
        service.cancel_registration(gone.id, dora)
    response = as_facilitator.post(f"/events/{event.id}/cancel", data={"reason": "The library is closed."})
    assert response.status_code == 303
    told = notifications("event_cancelled")
    assert sorted(n.user_id for n in told) == sorted([bea.id, carla.id])
    assert worded(told[0]).endswith("has been cancelled. The library is closed.")
    assert told[0].link == f"/events/{event.id}"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.cancel"))
    assert audit.subject_id == event.id and audit.reason == "The library is closed."
    page = text_of(client.get(f"/events/{event.id}"))
    assert "The event is cancelled and 2 families were told." in page
    assert "This event has been cancelled." in page and "The library is closed." in page
    assert "Laboratorio di lettura" not in text_of(client.get("/events/"))
    again = as_facilitator.post(f"/events/{event.id}/cancel", data={"reason": "Twice"})
    assert again.status_code == 422 and "This event has already been cancelled." in text_of(again)
    assert as_facilitator.post(f"/events/{event.id}/edit", data={}).status_code == 422


# --- registering -----------------------------------------------------------------------------

@pytest.fixture
def resident(client, make_user, sign_in):
    person = make_user("Bea")
    sign_in(client, person)
    return person


def test_a_family_registers_and_sees_its_code(client, resident, make_event):
    event = make_event(capacity=10)
    response = client.post(f"/events/{event.id}/register", data={"adults": "2", "children": "3"})
    assert response.status_code == 303
    registration = db.session.scalar(select(Registration))
    assert (registration.adults, registration.children) == (2, 3)
    assert registration.status == RegistrationStatus.CONFIRMED
    page = text_of(client.get(f"/events/{event.id}"))
    assert f"Your code for the door is {registration.code}." in page
    assert "You are registered: 2 adults, 3 children." in page and "5 seats left" in page
    assert _signals("event.registered") == 1


def test_when_seats_run_out_families_wait_in_line_and_see_their_place(client, resident, make_event,
                                                                      make_user, enrol):
    event = make_event(capacity=3)
    enrol(event, make_user("Anna"), adults=2)
    enrol(event, make_user("Carla"), adults=2)  # only 1 seat left: waits
    response = client.post(f"/events/{event.id}/register", data={"adults": "1", "children": "1"})
    assert response.status_code == 303
    page = text_of(client.get(f"/events/{event.id}"))
    assert "The event is full: you are number 2 on the waiting list." in page
    assert "You are number 2 on the waiting list." in page
    assert "1 seat left" in page and "2 families waiting" in page
    assert _signals("event.waitlisted") == 2


def test_a_small_family_takes_the_seats_a_big_one_cannot(make_event, make_user, enrol):
    event = make_event(capacity=5)
    enrol(event, make_user("Anna"), adults=2, children=1)
    assert enrol(event, make_user("Bea"), adults=1, children=2).status == RegistrationStatus.WAITLISTED
    assert enrol(event, make_user("Carla"), adults=1, children=1).status == RegistrationStatus.CONFIRMED


def test_cancelling_promotes_the_earliest_waiting_families_that_fit(make_event, make_user, enrol, client,
                                                                    sign_in):
    event = make_event(capacity=4)
    anna = make_user("Anna")
    first = enrol(event, anna, adults=2, children=1)  # 3 seats
    enrol(event, make_user("Bruno"))  # 1 seat: full now
    big = enrol(event, make_user("Carla"), adults=2, children=1)  # waits: 3 seats
    small = enrol(event, make_user("Dora"), adults=1, children=1)  # waits: 2 seats
    smallest = enrol(event, make_user("Ezio"))  # waits: 1 seat
    sign_in(client, anna)
    assert client.post(f"/events/registrations/{first.id}/cancel").status_code == 303
    db.session.expire_all()
    # 3 seats free: Carla (3) fits first; nobody else fits after her.
    states = {r.user_id: r.status for r in registrations(event)}
    assert states[big.user_id] == RegistrationStatus.CONFIRMED
    assert states[small.user_id] == states[smallest.user_id] == RegistrationStatus.WAITLISTED
    promoted = notifications("event_promoted")
    assert [n.user_id for n in promoted] == [big.user_id]
    assert "A place freed up: your registration for “Laboratorio di lettura” on" in worded(promoted[0])
    assert _signals("event.promoted") == 1 and _signals("event.cancelled") == 1


def test_a_waiting_family_that_does_not_fit_keeps_its_place(make_event, make_user, enrol):
    event = make_event(capacity=3)
    bruno = enrol(event, make_user("Bruno"))
    carla = enrol(event, make_user("Carla"), adults=2)
    big = enrol(event, make_user("Dora"), adults=2, children=1)  # waits: 3 seats
    small = enrol(event, make_user("Ezio"))  # waits: 1 seat

    def cancel(registration):
        with db.write_transaction():
            service.cancel_registration(registration.id, db.session.get(User, registration.user_id))
        db.session.expire_all()
        return db.session.get(Registration, big.id)

    big = cancel(bruno)  # 1 seat free: Dora does not fit, Ezio does
    assert db.session.get(Registration, small.id).status == RegistrationStatus.CONFIRMED
    assert big.status == RegistrationStatus.WAITLISTED and waitlist_position(big) == 1
    big = cancel(carla)  # 2 seats free: still not enough for Dora, still first in line
    assert big.status == RegistrationStatus.WAITLISTED and waitlist_position(big) == 1
    big = cancel(small)  # 3 seats free
    assert big.status == RegistrationStatus.CONFIRMED


def test_one_registration_per_person_per_event(client, resident, make_event):
    event = make_event()
    client.post(f"/events/{event.id}/register", data={"adults": "1", "children": "0"})
    again = client.post(f"/events/{event.id}/register", data={"adults": "2", "children": "0"})
    assert again.status_code == 422
    assert "You are already registered for this event." in text_of(again)
    assert [r.adults for r in registrations(event)] == [1]


def test_registering_again_after_cancelling_reuses_the_row_and_goes_to_the_back(
        client, resident, make_event, make_user, enrol):
    event = make_event(capacity=1)
    mine = enrol(event, resident)
    enrol(event, make_user("Carla"))  # waits, and is promoted when Bea cancels
    client.post(f"/events/registrations/{mine.id}/cancel")
    client.post(f"/events/{event.id}/register", data={"adults": "1", "children": "0"})
    again = db.session.get(Registration, mine.id)
    assert again.status == RegistrationStatus.WAITLISTED and again.code == mine.code
    assert again.sequence > max(r.sequence for r in registrations(event) if r.id != mine.id)
    assert len(registrations(event)) == 2
    assert "You are number 1 on the waiting list." in text_of(client.get(f"/events/{event.id}"))


@pytest.mark.parametrize("times, message", [
    (lambda now: {"registration_closes_at": now - timedelta(minutes=1)}, "Registration has closed."),
    (lambda now: {"registration_opens_at": now + timedelta(days=1)}, "Registration opens on"),
    (lambda now: {"starts_at": now - timedelta(days=2), "ends_at": now - timedelta(days=2, hours=-2),
                  "registration_opens_at": now - timedelta(days=9),
                  "registration_closes_at": now + timedelta(days=1)}, "This event is over."),
])
def test_registration_only_while_the_window_is_open(client, resident, make_event, times, message):
    event = make_event()
    move_event(event, **times(utcnow()))
    assert message in text_of(client.get(f"/events/{event.id}"))
    response = client.post(f"/events/{event.id}/register", data={"adults": "1", "children": "0"})
    assert response.status_code == 422 and message in text_of(response)
    assert registrations(event) == []


def test_no_registering_for_a_cancelled_event(client, resident, make_event, facilitator):
    event = make_event()
    with db.write_transaction():
        service.cancel_event(event.id, facilitator, "Rain")
    response = client.post(f"/events/{event.id}/register", data={"adults": "1", "children": "0"})
    assert response.status_code == 422 and "This event has been cancelled." in text_of(response)
    assert registrations(event) == []


@pytest.mark.parametrize("data, message", [
    ({"adults": "0", "children": "0"}, "Choose from 1 to 10 adults."),
    ({"adults": "11", "children": "0"}, "Choose from 1 to 10 adults."),
    ({"adults": "-2", "children": "0"}, "Choose from 1 to 10 adults."),
    ({"adults": "due", "children": "0"}, "Choose from 1 to 10 adults."),
    ({"adults": "1", "children": "-1"}, "Choose from 0 to 10 children."),
    ({"adults": "1", "children": "11"}, "Choose from 0 to 10 children."),
    ({"children": "1"}, "Choose from 1 to 10 adults."),
])
def test_bad_seat_counts_are_refused(client, resident, make_event, data, message):
    event = make_event()
    response = client.post(f"/events/{event.id}/register", data=data)
    assert response.status_code == 422 and message in text_of(response)
    assert registrations(event) == []


def test_cancelling_twice_or_after_the_start_is_refused(client, resident, make_event, enrol):
    event = make_event()
    mine = enrol(event, resident)
    assert client.post(f"/events/registrations/{mine.id}/cancel").status_code == 303
    twice = client.post(f"/events/registrations/{mine.id}/cancel")
    assert twice.status_code == 409 and "This registration is already cancelled." in text_of(twice)
    started = make_event()
    mine = enrol(started, resident)
    now = utcnow()
    move_event(started, starts_at=now - timedelta(minutes=5), registration_opens_at=now - timedelta(days=1),
               registration_closes_at=now - timedelta(minutes=5))
    late = client.post(f"/events/registrations/{mine.id}/cancel")
    assert late.status_code == 409 and "The event has already started." in text_of(late)


def test_a_facilitator_cancelling_someones_registration_is_audited(make_event, make_user, enrol, facilitator,
                                                                    sign_in, client):
    event = make_event()
    theirs = enrol(event, make_user("Bea"))
    sign_in(client, facilitator)
    assert client.post(f"/events/registrations/{theirs.id}/cancel").status_code == 303
    assert db.session.scalar(select(AuditEntry.action)) == "registration.cancel"


# --- codes and the door ----------------------------------------------------------------------

def test_codes_are_six_characters_without_look_alikes(make_event, make_user, enrol):
    event = make_event(capacity=None)
    codes = [enrol(event, make_user(f"Person{i}")).code for i in range(30)]
    assert len(set(codes)) == 30
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("".join(codes)) & set("0O1IL5S2Z8B")


def test_a_code_taken_in_the_event_is_drawn_again(make_event, make_user, enrol, monkeypatch):
    event = make_event()
    taken = enrol(event, make_user("Bea")).code
    draws = iter([taken, taken, "ACDEFG"])
    monkeypatch.setattr(service, "_random_code", lambda: next(draws))
    assert enrol(event, make_user("Carla")).code == "ACDEFG"
    # Another event may use the same code.
    draws = iter([taken])
    assert enrol(make_event(), make_user("Dora")).code == taken


@pytest.fixture
def door(make_event, make_user, enrol, facilitator, client, sign_in):
    """An event with two confirmed families and one waiting; the facilitator signed in."""
    event = make_event(capacity=3)
    bea = enrol(event, make_user("Bea"), adults=1, children=1)
    carla = enrol(event, make_user("Carla"))
    waiting = enrol(event, make_user("Dora"))
    sign_in(client, facilitator)
    return event, bea, carla, waiting


def test_the_attendance_list_shows_the_confirmed_families(door, client):
    event, bea, carla, waiting = door
    page = text_of(client.get(f"/events/{event.id}/attendance"))
    assert "Bea 1 adult, 1 child " + bea.code in page and "Carla 1 adult, 0 children " + carla.code in page
    assert "Dora" not in page and waiting.code not in page
    assert "2 confirmed families, 3 seats." in page


def test_marking_present_updates_the_row_in_place_with_htmx(door, client):
    event, bea, _carla, _waiting = door
    response = client.post(f"/events/{event.id}/attendance/{bea.id}", data={"attendance": "present"},
                           headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="registration-{bea.id}"') and "<html" not in html
    assert 'value="present" class="button small"' in html and "aria-pressed=\"true\"" in html
    assert db.session.get(Registration, bea.id).attendance == Attendance.PRESENT
    assert _signals("event.attended") == 1


def test_marking_without_htmx_comes_back_to_the_list(door, client):
    event, bea, _carla, _waiting = door
    response = client.post(f"/events/{event.id}/attendance/{bea.id}", data={"attendance": "absent"})
    assert response.status_code == 303 and response.headers["Location"] == f"/events/{event.id}/attendance"
    assert db.session.get(Registration, bea.id).attendance == Attendance.ABSENT
    client.post(f"/events/{event.id}/attendance/{bea.id}", data={"attendance": "absent"})
    client.post(f"/events/{event.id}/attendance/{bea.id}", data={"attendance": "present"})
    # Marking the same again adds nothing; a correction takes the earlier mark back (value -1).
    assert (_signals("event.absent"), _signals("event.attended")) == (2, 1)
    assert (_signal_total("event.absent"), _signal_total("event.attended")) == (0, 1)


def test_marking_refuses_odd_values_waiting_families_and_other_events(door, client, make_event):
    event, bea, _carla, waiting = door
    assert client.post(f"/events/{event.id}/attendance/{bea.id}", data={"attendance": "maybe"}).status_code == 400
    response = client.post(f"/events/{event.id}/attendance/{waiting.id}", data={"attendance": "present"})
    assert response.status_code == 409
    assert "Only confirmed registrations can be checked in." in text_of(response)
    other = make_event()
    assert client.post(f"/events/{other.id}/attendance/{bea.id}", data={"attendance": "present"}).status_code == 404
    assert db.session.get(Registration, waiting.id).attendance is None


def test_check_in_by_code_however_it_is_typed(door, client):
    event, bea, _carla, _waiting = door
    typed = " ".join([bea.code[:3].lower(), bea.code[3:]])
    response = client.post(f"/events/{event.id}/check-in", data={"search": typed})
    assert response.status_code == 303
    assert db.session.get(Registration, bea.id).attendance == Attendance.PRESENT
    assert "Bea is checked in." in text_of(client.get(f"/events/{event.id}/attendance"))


def test_check_in_by_nickname_narrows_the_list(door, client):
    event, _bea, _carla, _waiting = door
    response = client.post(f"/events/{event.id}/check-in", data={"search": "car"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/attendance?search=car")
    page = text_of(client.get(response.headers["Location"]))
    assert "Carla" in page and "Bea 1 adult" not in page


def test_check_in_with_an_unknown_or_waiting_code_says_so(door, client):
    event, _bea, _carla, waiting = door
    for search in ("QQQQQQ", waiting.code, "Dora"):
        response = client.post(f"/events/{event.id}/check-in", data={"search": search})
        assert response.status_code == 422
        assert "No confirmed registration has this code or nickname." in text_of(response)
    assert db.session.get(Registration, waiting.id).attendance is None


def test_the_attendance_list_prints_as_a_clean_table(door, client):
    event, *_ = door
    html = client.get(f"/events/{event.id}/attendance").get_data(as_text=True)
    assert 'class="stack no-print"' in html and '<table class="attendance"' in html
    css = client.get("/static/css/cortile.css").get_data(as_text=True)
    events_css = css.split("/* Events:")[1]
    assert "@media print" in events_css and ".no-print" in events_css and ".site-header" in events_css


def test_the_csv_lists_everyone_registered_safely(door, client):
    event, bea, carla, waiting = door
    with db.write_transaction():
        db.session.execute(update(User).where(User.id == carla.user_id).values(nickname="=HYPERLINK(1)"))
        db.session.execute(update(Registration).where(Registration.id == bea.id).values(attendance="present"))
    response = client.get(f"/events/{event.id}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="cortile-event-{event.id}-attendance.csv"'
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == [
        "Nickname,Adults,Children,Status,Code,Attendance",
        f"Bea,1,1,confirmed,{bea.code},present",
        f"'=HYPERLINK(1),1,0,confirmed,{carla.code},",
        f"Dora,1,0,waitlisted,{waiting.code},",
    ]


@pytest.mark.parametrize("value, cell", [("=1+1", "'=1+1"), ("+39 02", "'+39 02"), ("-5", "'-5"),
                                         ("@SUM(A1)", "'@SUM(A1)"), ("Bea", "Bea"), (3, "3"), (None, "")])
def test_csv_cells_never_start_a_formula(value, cell):
    assert exports._cell(value) == cell


# --- reminders -------------------------------------------------------------------------------

def test_reminders_go_once_to_confirmed_families_of_events_in_12_to_36_hours(make_event, make_user, enrol,
                                                                              run_reminders, facilitator):
    soon, tomorrow, later, called_off = (make_event(starts_in=timedelta(hours=hours), capacity=1)
                                         for hours in (6, 20, 40, 24))
    bea = make_user("Bea")
    for event in (soon, tomorrow, later, called_off):
        enrol(event, bea)
    enrol(tomorrow, make_user("Carla"))  # waiting: no reminder
    with db.write_transaction():
        service.cancel_event(called_off.id, facilitator, "Rain")
    assert "Sent 1 reminders." in run_reminders().output
    reminders = notifications("event_reminder")
    assert [(n.user_id, n.link) for n in reminders] == [(bea.id, f"/events/{tomorrow.id}")]
    code = registrations(tomorrow)[0].code
    assert reminders[0].params["code"] == code and reminders[0].params["place"] == "Biblioteca Lorenteggio"
    assert f"Your code is {code}." in worded(reminders[0])
    assert "Sent 0 reminders." in run_reminders().output
    assert len(notifications("event_reminder")) == 1


def test_two_reminder_runs_at_once_send_each_reminder_once(app, make_event, make_user, enrol):
    events = [make_event(starts_in=timedelta(hours=20), capacity=None) for _ in range(3)]
    for number in range(10):
        person = make_user(f"Person{number}")
        for event in events:
            enrol(event, person)
    start = threading.Barrier(2)
    sent = []

    def run():
        with app.app_context():
            start.wait()
            with db.write_transaction():
                sent.append(service.send_reminders())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == [0, 30]
    assert len(notifications("event_reminder")) == 30


# --- junk ------------------------------------------------------------------------------------

JUNK = ["", " ", "x" * 5000, "\u202e\u200f", "' OR 1=1 --", "<script>alert(1)</script>", "9" * 40, "-1",
        "%00", "../../etc/passwd", "1e999", "NaN", "0001-01-01T00:00", "9999-12-31T23:59"]
FIELDS = ["group", "title", "kind", "description", "starts_at", "ends_at", "place", "address", "accessibility",
          "languages", "age_bands", "childcare", "cost", "capacity", "registration_opens",
          "registration_closes", "repeat", "occurrences", "adults", "children", "reason", "search",
          "attendance"]


@pytest.mark.parametrize("junk", JUNK)
def test_no_junk_in_any_field_of_any_event_route_gets_a_500(client, make_user, sign_in, make_event, enrol,
                                                            junk):
    sign_in(client, make_user("Admin", role="admin"))
    event = make_event()
    registration = enrol(event, make_user("Bea"))
    for rule in client.application.url_map.iter_rules():
        if not rule.endpoint.startswith("events."):
            continue
        url = (rule.rule.replace("<int:event_id>", str(event.id))
               .replace("<int:registration_id>", str(registration.id)).replace("<token>", "x"))
        if "POST" in rule.methods:
            response = client.post(url, data={field: junk for field in FIELDS})
            assert response.status_code < 500, (url, junk, text_of(response)[:300])
        response = client.get(url, query_string={field: junk for field in ["kind", "from", "to", "age",
                                                                         "language", "page", "search"]})
        assert response.status_code < 500, (url, junk)
