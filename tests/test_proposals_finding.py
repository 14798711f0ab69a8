"""Finding proposals: filters, search, orders (a shuffle stable per visitor), pages, what each
person may see, and pages whose query count does not grow with the data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal import db
from portal.groups.models import JoinPolicy, Visibility
from portal.timeutil import utcnow
from proposals.models import Proposal, ProposalState, Theme
from proposals.queries import PER_PAGE, SHUFFLE_PRIME, shuffle_keys
from tests.fixtures.groups import ROLES
from tests.fixtures.web import text_of
from tests.fixtures.proposals import add_supports, make_proposal  # noqa: F401 - fixtures

S = ProposalState


def _listed(response) -> list[int]:
    """The proposals a list page shows, in order."""
    return [int(n) for n in re.findall(r'<h3 class="card-title"><a href="/proposals/(\d+)">',
                                       response.get_data(as_text=True))]


@pytest.fixture
def author(make_user):
    return make_user("Author")


def test_filters_narrow_the_list(client, make_proposal, author):
    school = make_proposal(author, theme=Theme.SCHOOL)
    food = make_proposal(author, theme=Theme.FOOD, state=S.UNDER_REVIEW)
    barona = make_proposal(author, neighbourhood="barona", theme=Theme.FOOD)
    niguarda = make_proposal(author, neighbourhood="niguarda")
    draft = make_proposal(author, S.DRAFT)

    def ids(query: str) -> set[int]:
        response = client.get(f"/proposals/?{query}")
        assert response.status_code == 200
        return set(_listed(response))

    everything = {school.id, food.id, barona.id, niguarda.id}
    assert ids("") == everything and draft.id not in ids("state=")
    assert ids("theme=food") == {food.id, barona.id}
    assert ids("state=under_review") == {food.id}
    assert ids(f"neighbourhood={barona.neighbourhood_id}") == {barona.id}
    assert ids("municipio=6") == {school.id, food.id, barona.id}
    assert ids("municipio=9") == {niguarda.id}
    assert ids("municipio=6&theme=food&state=open") == {barona.id}


def test_search_looks_in_titles_and_summaries_whatever_the_case(client, make_proposal, author):
    homework = make_proposal(author, title="Aiuto COMPITI al sabato")
    summary = make_proposal(author, title="Un cortile per giocare", summary="Anche per i compiti estivi.")
    make_proposal(author, title="Orto condiviso", description="compiti nel testo lungo non contano")
    assert set(_listed(client.get("/proposals/?q=Compiti"))) == {homework.id, summary.id}
    assert "No proposals match." in text_of(client.get("/proposals/?q=nessuno"))


def test_wildcards_in_a_search_are_plain_characters(client, make_proposal, author):
    percent = make_proposal(author, title="Sconto 100% sui libri")
    underscore = make_proposal(author, title="Spazio_bimbi al parco")
    make_proposal(author, title="Spazio bimbi in biblioteca")
    assert _listed(client.get("/proposals/?q=100%25")) == [percent.id]
    assert _listed(client.get("/proposals/?q=%25")) == [percent.id]
    assert _listed(client.get("/proposals/?q=o_b")) == [underscore.id]
    assert _listed(client.get("/proposals/?q=%5C")) == []


@pytest.mark.parametrize("query, message", [
    ("theme=sport", "Choose a theme from the list."),
    ("state=draft", "Choose a state from the list."),
    ("municipio=10", "Choose a Municipio from the list."),
    ("neighbourhood=999999", "Choose a neighbourhood from the list."),
    ("order=oldest", "Choose an order from the list."),
    ("q=" + "x" * 101, "Use at most 100 characters."),
])
def test_bad_filters_are_explained(client, city, query, message):
    response = client.get(f"/proposals/?{query}")
    assert response.status_code == 422
    assert message in text_of(response)


def _shuffled(ids, seed: int) -> list[int]:
    multiplier, offset = shuffle_keys(seed)
    return sorted(ids, key=lambda i: ((i * multiplier + offset) % SHUFFLE_PRIME, i))


def test_the_default_order_is_a_shuffle_stable_for_each_visitor(make_client, make_proposal, author):
    ids = [make_proposal(author).id for _ in range(PER_PAGE + 5)]
    first, second = make_client(), make_client()
    for visitor, seed in ((first, 12345), (second, 987654321)):
        with visitor.session_transaction() as session:
            session["proposals.seed"] = seed
    pages = _listed(first.get("/proposals/")) + _listed(first.get("/proposals/?page=2"))
    assert pages == _shuffled(ids, 12345) and sorted(pages) == sorted(ids)
    assert _listed(first.get("/proposals/")) == pages[:PER_PAGE]  # the same again
    assert _listed(second.get("/proposals/")) == _shuffled(ids, 987654321)[:PER_PAGE]
    assert _shuffled(ids, 12345) != _shuffled(ids, 987654321)


def test_a_new_visitor_gets_a_seed_of_their_own(client, make_proposal, author):
    make_proposal(author)
    client.get("/proposals/")
    with client.session_transaction() as session:
        seed = session["proposals.seed"]
    assert 1 <= seed < SHUFFLE_PRIME
    client.get("/proposals/?page=2")
    with client.session_transaction() as session:
        assert session["proposals.seed"] == seed


def test_the_other_orders(client, make_proposal, author, add_supports):
    few = make_proposal(author, days=50)
    many = make_proposal(author, days=20)
    newest = make_proposal(author, days=40)
    closed = make_proposal(author, state=S.DONE, days=1)
    add_supports(many, 3)
    add_supports(few, 1)
    with db.write_transaction():
        for proposal, hours in ((few, 3), (many, 2), (closed, 1), (newest, 0)):
            db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                               .values(published_at=utcnow() - timedelta(hours=hours)))
    assert _listed(client.get("/proposals/?order=supported"))[:2] == [many.id, few.id]
    assert _listed(client.get("/proposals/?order=newest")) == [newest.id, closed.id, many.id, few.id]
    assert _listed(client.get("/proposals/?order=closing")) == [many.id, newest.id, few.id, closed.id]


def test_pages_of_twenty(client, make_proposal, author):
    ids = [make_proposal(author).id for _ in range(PER_PAGE + 1)]
    first = client.get("/proposals/?order=newest&theme=school")
    assert len(_listed(first)) == PER_PAGE
    following = re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1)
    assert "page=2" in following and "order=newest" in following and "theme=school" in following
    second = client.get("/proposals/?order=newest&theme=school&page=2")
    assert _listed(second) == [min(ids)] and "Previous page" in text_of(second)
    assert "Next page" not in text_of(second)


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_exactly_the_proposals_the_person_may_open(role, make_group, cast, as_role,
                                                                  make_proposal, add_member, author):
    """The list's SQL and the `proposal.view` rule agree, for members-only and public groups."""
    closed_group = make_group("Cortile chiuso", visibility=Visibility.MEMBERS)
    open_group = make_group("Cortile aperto", visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN)
    people = cast(closed_group)
    add_member(author, closed_group)
    add_member(author, open_group)
    proposals = [make_proposal(author, group=closed_group), make_proposal(author, group=open_group),
                 make_proposal(author), make_proposal(author, S.DRAFT)]
    client = as_role(people[role])
    listed = set(_listed(client.get("/proposals/")))
    may_open = {p.id for p in proposals if client.get(f"/proposals/{p.id}").status_code == 200}
    assert listed == may_open
    assert (proposals[0].id in listed) == (role in {"member", "muted", "facilitator", "coordinator", "admin"})


# --- query counts ------------------------------------------------------------------------------

def _queries_for(client, url: str, count_queries) -> int:
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_costs_the_same_for_3_or_40_proposals(make_proposal, make_group, add_member, as_role,
                                                       make_user, count_queries, author, signed_in):
    group = make_group("Mamme in rete", visibility=Visibility.PUBLIC)
    add_member(author, group)
    client = as_role(make_user("Reader") if signed_in else None)
    for number in range(3):
        make_proposal(author, group=group if number % 2 else None)
    few = _queries_for(client, "/proposals/?order=supported", count_queries)
    for number in range(37):
        if number % 2:
            make_proposal(author, group=group)
        else:
            make_proposal(author, neighbourhood=("barona", "niguarda")[number % 4 // 2])
    many = _queries_for(client, "/proposals/?order=supported", count_queries)
    assert few == many
    assert _queries_for(client, "/proposals/?page=2", count_queries) == few


@pytest.mark.parametrize("viewer", ["anonymous", "resident", "author", "steward"])
def test_a_proposal_page_costs_the_same_for_0_or_30_supports(make_proposal, make_group, add_member, as_role,
                                                              make_user, add_supports, count_queries,
                                                              author, viewer):
    group = make_group("Mamme in rete", visibility=Visibility.PUBLIC)
    add_member(author, group)
    people = {"anonymous": None, "resident": make_user("Reader"), "author": author,
              "steward": make_user("Giulia", role="facilitator", group="giambellino-lorenteggio")}
    client = as_role(people[viewer])
    proposal = make_proposal(author, group=group, coauthors=[make_user("Bilal")])
    none = _queries_for(client, f"/proposals/{proposal.id}", count_queries)
    add_supports(proposal, 30)
    assert _queries_for(client, f"/proposals/{proposal.id}", count_queries) == none
    assert none <= 14
