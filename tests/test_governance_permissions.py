"""Who may open which dashboard, export and targets page: a facilitator only their neighbourhood, a
coordinator only their Municipio (and its neighbourhoods), an admin the city; open data for all."""
from __future__ import annotations

import pytest

GIAMBELLINO = "/governance/neighbourhood/giambellino-lorenteggio"
BARONA = "/governance/neighbourhood/barona"
MUNICIPIO_6 = "/governance/municipio/6"
MUNICIPIO_1 = "/governance/municipio/1"
CITY = "/governance/city"

# page -> roles that may open it (everyone else: 403, or the sign-in page when signed out)
ALLOWED = {
    GIAMBELLINO: {"facilitator", "coordinator", "admin"},
    BARONA: {"facilitator_elsewhere", "coordinator", "admin"},
    MUNICIPIO_6: {"coordinator", "admin"},
    MUNICIPIO_1: {"admin"},
    CITY: {"admin"},
    f"{GIAMBELLINO}/export.csv": {"facilitator", "coordinator", "admin"},
    f"{BARONA}/export.json": {"facilitator_elsewhere", "coordinator", "admin"},
    f"{MUNICIPIO_6}/export.csv": {"coordinator", "admin"},
    f"{MUNICIPIO_1}/export.json": {"admin"},
    f"{CITY}/export.csv": {"admin"},
    f"{MUNICIPIO_6}/targets": {"coordinator", "admin"},
    f"{MUNICIPIO_1}/targets": {"admin"},
    f"{CITY}/targets": {"admin"},
}
ROLES = ("anonymous", "non_member", "member", "facilitator", "facilitator_elsewhere", "coordinator", "admin")


@pytest.fixture
def people(cast, seeded_group):
    return cast(seeded_group("giambellino-lorenteggio"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_its_own_dashboards(people, as_role, role):
    client = as_role(people[role])
    for page, allowed in ALLOWED.items():
        status = client.get(page).status_code
        if role in allowed:
            assert status == 200, (role, page)
        elif role == "anonymous":
            assert status == 302, (role, page)
        else:
            assert status == 403, (role, page)


def test_the_dashboard_list_offers_each_person_their_places(people, as_role):
    # One place: straight to it.
    assert as_role(people["facilitator"]).get("/governance").headers["Location"] == GIAMBELLINO
    assert as_role(people["coordinator"]).get("/governance").headers["Location"] == MUNICIPIO_6
    page = as_role(people["admin"]).get("/governance").get_data(as_text=True)
    assert f'href="{CITY}"' in page and f'href="{MUNICIPIO_1}"' in page
    assert as_role(people["member"]).get("/governance").status_code == 403


def test_a_coordinator_follows_links_to_their_neighbourhoods_only(people, as_role):
    page = as_role(people["coordinator"]).get(MUNICIPIO_6).get_data(as_text=True)
    assert f'href="{GIAMBELLINO}"' in page and f'href="{BARONA}"' in page
    assert "export.csv" in page and "/targets" in page


def test_a_facilitator_sees_no_target_editing(people, as_role):
    page = as_role(people["facilitator"]).get(GIAMBELLINO).get_data(as_text=True)
    assert "/targets" not in page
    response = as_role(people["facilitator"]).post(f"{MUNICIPIO_6}/targets", data={"first_time_share": "30"})
    assert response.status_code == 403


def test_open_data_is_public(client, city):
    for page in ("/open-data", "/open-data/export.csv", "/open-data/export.json", "/open-data/schema"):
        assert client.get(page).status_code == 200, page
