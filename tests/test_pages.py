"""The pages a newcomer finds: home, the city, a Municipio, a neighbourhood; each within a query budget."""
import pytest
from sqlalchemy import select

from portal import db
from portal.groups.models import Group, Membership
from tests.fixtures.web import text_of


def test_home_signed_out_explains_cortile_and_lists_every_network(client, city):
    page = text_of(client.get("/"))
    assert "How to join" in page
    assert "No documents, no phone number" in page
    for name in ("Giambellino Lorenteggio", "Quarto Oggiaro", "Citta Studi", "Municipio 9"):
        assert name in page


def test_home_signed_in_shows_my_neighbourhood(client, make_user, sign_in):
    sign_in(client, make_user("Bea", neighbourhood="barona"))
    page = text_of(client.get("/"))
    assert "Your neighbourhood: Barona" in page
    assert "La Cordata Soc. coop. Sociale" in page
    assert "Signed in as Bea" in page


def test_home_signed_in_without_a_neighbourhood_invites_to_choose_one(client, make_user, sign_in):
    sign_in(client, make_user("Bea", neighbourhood=None))
    assert "Choose your neighbourhood in your account" in text_of(client.get("/"))


def test_neighbourhood_page_shows_network_and_groups_with_counts_never_names(
        client, make_user, neighbourhood):
    members = [make_user(f"Member{i}") for i in range(3)]
    group_id = db.session.scalar(select(Group.id).where(Group.slug == "giambellino-lorenteggio"))
    with db.write_transaction():
        for member in members:
            db.session.add(Membership(user_id=member.id, group_id=group_id))
    page = text_of(client.get("/neighbourhoods/giambellino-lorenteggio"))
    assert "APS Laboratorio di Quartiere Giambellino Lorenteggio lead organisation" in page
    assert "3 members" in page
    assert "Member0" not in page and "Member1" not in page
    assert "Municipio 6" in page


def test_city_page_lists_tables_and_other_organisations(client, city):
    page = text_of(client.get("/city"))
    assert "Doposcuola" in page and "Thematic table" in page
    assert "Emergency ONG Onlus" in page
    assert "Equa Coop. Sociale" not in page.split("Other organisations taking part")[1]


def test_municipio_page_lists_its_neighbourhoods(client, city):
    page = text_of(client.get("/municipi/6"))
    assert "Barona" in page and "Giambellino Lorenteggio" in page and "Baggio" not in page


@pytest.mark.parametrize("url", ["/municipi/10", "/municipi/abc", "/neighbourhoods/atlantis", "/nope"])
def test_unknown_places_get_a_translated_404(client, city, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/forums/", "/proposals/", "/events/"])
def test_feature_sections_have_index_pages(client, city, url):
    assert client.get(url).status_code == 200


def test_the_forum_index_lists_public_groups(client, city):
    page = text_of(client.get("/forums/"))
    assert "Giambellino Lorenteggio" in page and "Invisibili e accesso ai diritti" in page


# Query budgets: a page's queries do not grow with the data it shows.
BUDGETS = {
    "/": 3,
    "/city": 4,
    "/municipi/6": 3,
    "/neighbourhoods/giambellino-lorenteggio": 3,
    "/forums/": 1,
    "/join": 2,
}


@pytest.mark.parametrize("url, budget", BUDGETS.items())
def test_page_query_budget_signed_out(client, city, count_queries, url, budget):
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= budget, "\n".join(queries)


def test_my_neighbourhood_home_query_budget(client, make_user, sign_in, count_queries):
    sign_in(client, make_user("Bea"))
    with count_queries() as queries:
        client.get("/")
    # the user with their neighbourhood, the unread count, the network, the groups with counts
    assert len(queries) <= 4, "\n".join(queries)
