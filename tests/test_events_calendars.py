"""Calendar files: one per event, and a personal feed behind a secret link kept only as a hash."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import delete, select

from events import service
from events.models import CalendarFeed
from portal import db
from portal.config import DEVELOPMENT_PUBLIC_URL as PUBLIC_URL
from portal.groups.models import Membership, Visibility
from portal.timeutil import utcnow
from tests.fixtures.web import text_of
from tests.fixtures.events import (  # noqa: F401 - fixtures
    enrol,
    facilitator,
    make_event,
    public_group,
)

NEXT_YEAR = utcnow().year + 1


def _parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


@pytest.mark.parametrize("utc_start, local_start, offset", [
    (datetime(NEXT_YEAR, 7, 1, 16, 0), datetime(NEXT_YEAR, 7, 1, 18, 0), timedelta(hours=2)),  # summer
    (datetime(NEXT_YEAR, 1, 15, 17, 0), datetime(NEXT_YEAR, 1, 15, 18, 0), timedelta(hours=1)),  # winter
])
def test_an_event_file_shows_milan_time_in_summer_and_winter(client, make_event, utc_start, local_start, offset):
    event = make_event(starts_at=utc_start, ends_at=utc_start + timedelta(hours=2))
    response = client.get(f"/events/{event.id}.ics")
    assert response.headers["Content-Disposition"] == f'attachment; filename="cortile-event-{event.id}.ics"'
    calendar = _parse(response)
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Rome"]
    (component,) = calendar.events
    start = component.start
    assert str(start.tzinfo) == "Europe/Rome"
    assert start.replace(tzinfo=None) == local_start and start.utcoffset() == offset
    assert component.end.replace(tzinfo=None) == local_start + timedelta(hours=2)
    assert b"DTSTART;TZID=Europe/Rome:" + local_start.strftime("%Y%m%dT%H%M%S").encode() in response.get_data()


def test_an_event_file_has_plain_text_and_a_stable_uid(client, make_event):
    event = make_event(title="Cucina, insieme; <b>tutti</b>", description="Porta **un libro** e [un amico](https://example.org).",
                       accessibility="Senza gradini")
    # Another Host header (a forged one, or another name of the site) changes neither UID nor link.
    first, second = (_parse(client.get(f"/events/{event.id}.ics", headers=headers)).events[0]
                     for headers in ({}, {"Host": "evil.example"}))
    assert first["UID"] == second["UID"] == f"cortile-event-{event.id}@127.0.0.1"
    assert str(second["DESCRIPTION"]) == str(first["DESCRIPTION"])
    assert str(first["SUMMARY"]) == "Cucina, insieme; <b>tutti</b>"  # text as typed, not HTML
    assert str(first["LOCATION"]) == "Biblioteca Lorenteggio, Via Odazio 9"
    description = str(first["DESCRIPTION"])
    assert description.startswith("Porta un libro e un amico.")
    assert "**" not in description and "<" not in description
    assert "Accessibility: Senza gradini" in description
    assert description.endswith(f"{PUBLIC_URL}/events/{event.id}")
    assert str(first["STATUS"]) == "CONFIRMED"


@pytest.fixture
def feed_link(client, make_user, sign_in):
    """Bea, signed in, makes her calendar link; returns (client, Bea, the link's path)."""
    bea = make_user("Bea")
    sign_in(client, bea)
    assert client.post("/events/calendar").status_code == 303
    page = client.get("/events/calendar").get_data(as_text=True)
    link = re.search(f'value="{re.escape(PUBLIC_URL)}(/events/calendar/[^"]+\\.ics)"', page).group(1)
    return client, bea, link


def test_the_link_is_shown_once_and_only_its_hash_is_kept(feed_link):
    client, bea, link = feed_link
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    stored = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == bea.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    later = client.get("/events/calendar")
    assert token not in later.get_data(as_text=True)
    assert "We keep only a fingerprint of it, so we cannot show it again." in text_of(later)
    assert 'href="webcal://' not in later.get_data(as_text=True)


def test_the_feed_lists_confirmed_and_waiting_events_without_signing_in(feed_link, make_client, make_event,
                                                                         make_user, enrol, facilitator):
    _client, bea, link = feed_link
    going = make_event(title="Going", capacity=1)
    waiting = make_event(title="Waiting", capacity=1, starts_in=timedelta(days=4))
    dropped = make_event(title="Dropped", starts_in=timedelta(days=5))
    called_off = make_event(title="Called off", starts_in=timedelta(days=6))
    make_event(title="Not mine")
    code = enrol(going, bea).code
    enrol(waiting, make_user("Carla"))
    enrol(waiting, bea)
    dropped_registration = enrol(dropped, bea)
    enrol(called_off, bea)
    with db.write_transaction():
        service.cancel_registration(dropped_registration.id, bea)
        service.cancel_event(called_off.id, facilitator, "Rain")
    calendar = _parse(make_client().get(link))  # a calendar app: no cookies
    summaries = {str(event["SUMMARY"]): event for event in calendar.events}
    assert set(summaries) == {"Going", "Waiting list: Waiting", "Cancelled: Called off"}
    assert str(summaries["Going"]["STATUS"]) == "CONFIRMED"
    assert f"Your code for the door: {code}" in str(summaries["Going"]["DESCRIPTION"])
    assert str(summaries["Waiting list: Waiting"]["STATUS"]) == "TENTATIVE"
    assert str(summaries["Cancelled: Called off"]["STATUS"]) == "CANCELLED"
    assert summaries["Going"]["UID"] == f"cortile-event-{going.id}@127.0.0.1"
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Rome"]


def test_leaving_a_members_only_group_takes_its_events_out_of_the_feed(feed_link, make_client, make_event,
                                                                        make_group, add_member, enrol):
    _client, bea, link = feed_link
    private = make_group("Mamme in rete", visibility=Visibility.MEMBERS)
    add_member(bea, private)
    enrol(make_event(private, title="Members only"), bea)
    assert [str(e["SUMMARY"]) for e in _parse(make_client().get(link)).events] == ["Members only"]
    with db.write_transaction():
        db.session.execute(delete(Membership).where(Membership.user_id == bea.id))
    assert _parse(make_client().get(link)).events == []


def test_a_new_link_replaces_the_old_one(feed_link, make_client):
    client, _bea, old = feed_link
    client.post("/events/calendar")
    new = re.search(f'value="{re.escape(PUBLIC_URL)}(/events/calendar/[^"]+\\.ics)"',
                    client.get("/events/calendar").get_data(as_text=True)).group(1)
    assert new != old
    assert make_client().get(old).status_code == 404
    assert make_client().get(new).status_code == 200
    assert db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.token_hash != "")) is not None
    assert len(db.session.scalars(select(CalendarFeed)).all()) == 1


def test_a_revoked_link_is_not_found(feed_link, make_client):
    client, _bea, link = feed_link
    response = client.post("/events/calendar/revoke")
    assert response.status_code == 303
    assert "Your calendar link no longer works." in text_of(client.get("/events/calendar"))
    assert make_client().get(link).status_code == 404
    assert db.session.scalar(select(CalendarFeed)) is None


@pytest.mark.parametrize("token", ["nothing", "a" * 43, "x" * 2000])
def test_made_up_links_are_not_found(client, city, token):
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404


def test_an_erased_account_has_no_feed(feed_link, make_client):
    from portal.accounts.models import User

    _client, bea, link = feed_link
    with db.write_transaction():
        db.session.get(User, bea.id).erased_at = utcnow()
    assert make_client().get(link).status_code == 404


def test_a_title_with_line_breaks_saved_before_forms_refused_them_still_makes_a_calendar(client, make_event):
    event = make_event(title="Cucina\ninsieme\r\nper tutti", place="Biblioteca\nsala 2")
    calendar = _parse(client.get(f"/events/{event.id}.ics"))
    (component,) = calendar.events
    assert str(calendar["X-WR-CALNAME"]) == "Cucina insieme per tutti"
    assert str(component["SUMMARY"]) == "Cucina insieme per tutti"
    assert str(component["LOCATION"]).startswith("Biblioteca sala 2")
