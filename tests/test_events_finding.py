"""Finding events: the list (near me first, then the city), filters, pages, who sees what; the
event page; query budgets that do not grow with events or registrations."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events.dates import to_local
from events.models import EventKind
from portal.groups.models import JoinPolicy, Visibility
from portal.timeutil import utcnow
from tests.fixtures.web import text_of
from tests.fixtures.events import (  # noqa: F401 - fixtures
    enrol,
    facilitator,
    make_event,
    move_event,
    public_group,
)

HTMX = {"HX-Request": "true"}


def _titles(response) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="/events/\d+">([^<]+)</a>', response.get_data(as_text=True))


def _sections(response) -> tuple[list[str], list[str]]:
    html = response.get_data(as_text=True)
    near, _, city = html.partition('<h2 id="city">')
    return _titles_in(near), _titles_in(city)


def _titles_in(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="/events/\d+">([^<]+)</a>', html)


def test_the_list_shows_upcoming_events_in_date_order(client, make_event, facilitator):
    make_event(title="Later", starts_in=timedelta(days=9))
    make_event(title="Sooner", starts_in=timedelta(days=2))
    gone = make_event(title="Over")
    move_event(gone, starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3, hours=-2))
    called_off = make_event(title="Called off")
    from events import service
    from portal import db

    with db.write_transaction():
        service.cancel_event(called_off.id, facilitator, "Rain")
    response = client.get("/events/")
    assert response.status_code == 200
    assert _titles(response) == ["Sooner", "Later"]


def test_members_only_events_are_invisible_to_others(client, make_client, make_event, make_group, make_user,
                                                     add_member, sign_in):
    private = make_group("Mamme in rete", visibility=Visibility.MEMBERS, join_policy=JoinPolicy.APPROVAL)
    secret = make_event(private, title="Members only")
    make_event(title="Open to all")
    assert _titles(client.get("/events/")) == ["Open to all"]
    assert client.get(f"/events/{secret.id}").status_code == 302  # to sign in
    outsider = sign_in(make_client(), make_user("Outsider"))
    assert "Members only" not in outsider.get("/events/").get_data(as_text=True)
    assert outsider.get(f"/events/{secret.id}").status_code == 403
    member = make_user("Member")
    add_member(member, private)
    inside = sign_in(make_client(), member)
    assert "Members only" in _titles(inside.get("/events/"))
    assert inside.get(f"/events/{secret.id}").status_code == 200


def test_signed_in_people_see_their_neighbourhood_and_groups_first(client, make_event, make_group, make_user,
                                                                  add_member, sign_in):
    barona = make_group("Barona in festa", neighbourhood="barona", visibility=Visibility.PUBLIC)
    table = make_group("Tavolo scuola", neighbourhood=None, visibility=Visibility.PUBLIC)
    make_event(title="Near home")  # Giambellino Lorenteggio, Bea's neighbourhood
    make_event(barona, title="Across town", starts_in=timedelta(days=1))
    make_event(table, title="My table", starts_in=timedelta(days=4))
    bea = make_user("Bea")
    add_member(bea, table)
    near, city = _sections(sign_in(client, bea).get("/events/"))
    assert near == ["Near home", "My table"]
    assert city == ["Across town", "Near home", "My table"]


def test_visitors_see_only_the_city_list(client, make_event):
    make_event(title="Near home")
    response = client.get("/events/")
    assert "In your neighbourhood and groups" not in text_of(response)
    assert _titles(response) == ["Near home"]


@pytest.mark.parametrize("query, expected", [
    ("kind=meeting", ["Assemblea"]),
    ("kind=open_desk", ["Sportello"]),
    ("language=ar", ["Laboratorio"]),
    ("language=zh", ["Assemblea"]),
    ("age=0-3", ["Sportello"]),
    ("age=6-11", ["Laboratorio", "Assemblea"]),
    ("from={in5}", ["Assemblea", "Sportello"]),
    ("to={in5}", ["Laboratorio", "Assemblea"]),
    ("from={in5}&to={in5}", ["Assemblea"]),
    ("kind=workshop&language=zh", []),
    ("kind=&from=&to=&age=&language=", ["Laboratorio", "Assemblea", "Sportello"]),
])
def test_filters_narrow_the_list(client, make_event, query, expected):
    make_event(title="Laboratorio", kind=EventKind.WORKSHOP, languages=["it", "ar"], age_bands=["6-11"],
               starts_in=timedelta(days=2))
    assemblea = make_event(title="Assemblea", kind=EventKind.MEETING, languages=["zh"],
                           age_bands=["6-11", "11-14"], starts_in=timedelta(days=5))
    make_event(title="Sportello", kind=EventKind.OPEN_DESK, languages=[], age_bands=["0-3"],
               starts_in=timedelta(days=8))
    # The filter's days are the city's calendar days: from 23:00 UTC (midnight in Milan in winter)
    # the UTC date is the day before the one a resident would type.
    in5 = to_local(assemblea.starts_at).date().isoformat()
    response = client.get("/events/?" + query.format(in5=in5))
    assert response.status_code == 200
    assert _titles(response) == expected


@pytest.mark.parametrize("query, message", [
    ("from=2027-13-01", "Enter a date like 2026-03-14."),
    ("from=01/03/2027", "Enter a date like 2026-03-14."),
    ("to=0001-01-01", "Choose a date between 2000 and 2100."),
    ("from=2027-03-10&to=2027-03-01", "The end date is before the start date."),
    ("kind=party", "Choose a kind of event from the list."),
    ("language=xx", "Choose a language from the list."),
    ("age=99", "Choose an age group from the list."),
])
def test_bad_filters_get_a_message_next_to_the_field(client, make_event, query, message):
    make_event()
    response = client.get("/events/?" + query)
    assert response.status_code == 422
    assert message in text_of(response) and 'class="error"' in response.get_data(as_text=True)
    assert _titles(response) == []


@pytest.mark.parametrize("page", ["abc", "-1", "0", ""])
def test_odd_page_numbers_are_the_first_page(client, make_event, page):
    make_event(title="Only one")
    response = client.get(f"/events/?page={page}")
    assert response.status_code == 200 and _titles(response) == ["Only one"]


def test_an_absurd_page_number_is_an_empty_page_not_an_error(client, make_event):
    make_event(title="Only one")
    response = client.get("/events/?page=" + "9" * 40)
    assert response.status_code == 200 and _titles(response) == []


def test_pages_of_twenty_keep_the_filters(client, make_event):
    for number in range(23):
        make_event(title=f"Incontro {number:02d}", kind=EventKind.MEETING, starts_in=timedelta(days=1, hours=number))
    make_event(title="Not a meeting")
    first = client.get("/events/?kind=meeting")
    assert _titles(first) == [f"Incontro {n:02d}" for n in range(20)]
    html = first.get_data(as_text=True)
    assert 'href="/events/?page=2&amp;kind=meeting"' in html and 'rel="prev"' not in html
    second = client.get("/events/?kind=meeting&page=2")
    assert _titles(second) == ["Incontro 20", "Incontro 21", "Incontro 22"]
    assert 'href="/events/?page=1&amp;kind=meeting"' in second.get_data(as_text=True)
    assert 'rel="next"' not in second.get_data(as_text=True)


def test_the_event_page_shows_every_detail(client, make_event):
    event = make_event(title="Merenda <b>insieme</b>", description="Porta **un libro**.\n\n<script>alert(1)</script>",
                       accessibility="Rampa all ingresso", languages=["it", "uk"], age_bands=["0-3", "3-6"],
                       childcare=True, cost_cents=350, capacity=12)
    response = client.get(f"/events/{event.id}")
    html, page = response.get_data(as_text=True), text_of(response)
    assert "Merenda &lt;b&gt;insieme&lt;/b&gt;" in html and "<script>alert" not in html
    assert "<strong>un libro</strong>" in html and '<article class="event" hx-disable>' in html
    for text in ("Biblioteca Lorenteggio", "Via Odazio 9", "Rampa all ingresso", "italiano (Italian)",
                 "українська (Ukrainian)", "0-3 years", "3-6 years", "Yes, during the event", "€3.50",
                 "12 seats left", "Giambellino insieme (Giambellino Lorenteggio)", "Sign in to register"):
        assert text in page, text
    assert f'href="/events/{event.id}.ics"' in html


def test_the_event_page_offers_the_register_form_with_seat_choices(client, make_event, make_user, sign_in):
    event = make_event()
    sign_in(client, make_user("Bea"))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<label for="adults">Adults</label>' in html and '<label for="children">Children</label>' in html
    assert '<option value="10">10</option>' in html and 'hx-post="/events/%d/register"' % event.id in html


def test_an_htmx_registration_with_bad_input_gets_only_the_form(client, make_event, make_user, sign_in):
    event = make_event()
    sign_in(client, make_user("Bea"))
    response = client.post(f"/events/{event.id}/register", data={"adults": "0", "children": "0"}, headers=HTMX)
    assert response.status_code == 422
    assert response.get_data(as_text=True).lstrip().startswith("<form")


def test_a_banned_person_cannot_register(client, make_event, make_user, add_member, sign_in, public_group):
    from portal.groups.models import MembershipStatus

    event = make_event()
    banned = make_user("Banned")
    add_member(banned, public_group, MembershipStatus.BANNED)
    sign_in(client, banned)
    assert "Only members of Giambellino insieme can register." in text_of(client.get(f"/events/{event.id}"))
    assert client.post(f"/events/{event.id}/register", data={"adults": "1", "children": "0"}).status_code == 403


def test_unknown_events_are_not_found(client, city):
    assert client.get("/events/999").status_code == 404
    assert client.get("/events/99999999999999999999").status_code == 404


# --- query budgets ---------------------------------------------------------------------------

def _queries_for(client, count_queries, url: str) -> int:
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_2_or_25_events(client, make_event, make_user, sign_in,
                                                             enrol, count_queries, make_group, add_member):
    bea = make_user("Bea")
    add_member(bea, make_group("Tavolo", visibility=Visibility.MEMBERS))
    sign_in(client, bea)
    for number in range(2):
        enrol(make_event(title=f"Event {number}"), make_user(f"Early{number}"))
    few = _queries_for(client, count_queries, "/events/")
    for number in range(23):
        enrol(make_event(title=f"More {number}"), make_user(f"Late{number}"))
    assert _queries_for(client, count_queries, "/events/") == few
    assert _queries_for(client, count_queries, "/events/?language=ar&age=3-6&kind=workshop") == few
    assert few <= 9  # user, standing (2), memberships' visibility is a subquery, two lists, unread count


def test_the_event_page_costs_the_same_queries_for_1_or_30_registrations(client, make_event, make_user,
                                                                         sign_in, enrol, count_queries):
    event = make_event(capacity=5, repeat="weekly", occurrences=3)
    bea = make_user("Bea")
    sign_in(client, bea)
    enrol(event, bea)
    few = _queries_for(client, count_queries, f"/events/{event.id}")
    for number in range(29):
        enrol(event, make_user(f"Person{number}"))
    assert _queries_for(client, count_queries, f"/events/{event.id}") == few
    assert few <= 12


def test_the_attendance_list_costs_the_same_queries_for_any_number_of_families(
        client, make_event, make_user, sign_in, enrol, count_queries, facilitator):
    event = make_event(capacity=None)
    sign_in(client, facilitator)
    enrol(event, make_user("Bea"))
    few = _queries_for(client, count_queries, f"/events/{event.id}/attendance")
    for number in range(20):
        enrol(event, make_user(f"Person{number}"))
    assert _queries_for(client, count_queries, f"/events/{event.id}/attendance") == few
