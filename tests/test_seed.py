"""`flask seed` loads Milan's networks, and running it again changes nothing."""
from sqlalchemy import func, select

from portal import db
from portal.groups.models import Group, GroupKind
from portal.places.models import Municipio, Neighbourhood, NetworkMembership, Organisation


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Municipio, Neighbourhood, Organisation, NetworkMembership, Group)}


def test_seed_command_loads_the_city_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    assert counts["Municipio"] == 9
    assert counts["Neighbourhood"] == 22
    assert "0 already there" in first.output

    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "0 rows created" in second.output
    assert _counts() == counts


def test_each_network_has_its_lead_and_its_open_group(city):
    barona = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "barona"))
    assert barona.municipio.number == 6
    leads = [m.organisation.name for m in barona.network if m.is_lead]
    assert leads == ["La Cordata Soc. coop. Sociale"]
    group = db.session.scalar(select(Group).where(Group.neighbourhood_id == barona.id))
    assert group.kind == GroupKind.NEIGHBOURHOOD and group.join_policy == "open"


def test_gallaratese_has_two_lead_organisations(city):
    gallaratese = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "gallaratese"))
    assert sorted(m.organisation.name for m in gallaratese.network if m.is_lead) == [
        "Mitades A.P.S.", "Zerodiciotto A.P.S."]


def test_an_organisation_leading_two_networks_is_one_organisation(city):
    equa = db.session.scalars(select(Organisation).where(Organisation.name == "Equa Coop. Sociale")).all()
    assert len(equa) == 1
    assert {m.neighbourhood.name for m in equa[0].networks} == {"Baggio", "Selinunte"}


def test_thematic_tables_span_the_city(city):
    tables = db.session.scalars(select(Group).where(Group.kind == GroupKind.THEMATIC_TABLE)).all()
    assert len(tables) == 7
    assert all(table.neighbourhood_id is None for table in tables)
    assert "Invisibili e accesso ai diritti" in {table.name for table in tables}


def test_migrate_command_reports_an_up_to_date_schema(app):
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0 and "up to date" in result.output
