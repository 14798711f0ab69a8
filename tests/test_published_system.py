"""Everything published, read together, gives no small count away: the quarter minus its months,
a Municipio minus its other neighbourhoods, a month's people minus their other languages, and an
attacker who solves every sum at once by linear programming."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from math import inf

import pytest
from scipy.optimize import linprog
from scipy.sparse import lil_matrix
from sqlalchemy import insert, select

from portal import db
from portal.governance import rollup
from portal.governance.periods import Period
from portal.places.models import Municipio, Neighbourhood
from portal.signals import Signal
from portal.timeutil import utcnow

K = 5
COUNTS = ("reports", "groups_joined", "new_residents")  # the indicators the data below feeds


def _quarter() -> Period:
    """The last quarter that is over: the newest one open data carries."""
    return Period.containing("quarter", utcnow()).shifted(-1)


@pytest.fixture
def quarter(city):
    """A quarter of activity with the shapes the issue found: the city's reports of July 19,
    August 3 and September 44; Barona's 3 Spanish speakers beside Giambellino's 7; a few people in
    many places, many in a few. Each person acts in one place and month, in one language."""
    quarter = _quarter()
    places = {n.slug: (n.id, n.municipio_id) for n in db.session.scalars(select(Neighbourhood))}
    rng = random.Random(12)
    rows, people = [], iter(range(10**6))

    def act(kind, slug, month, times=1, language="it"):
        neighbourhood_id, municipio_id = places[slug]
        start = _months(quarter)[month].start
        for _ in range(times):
            rows.append({"at": datetime(start.year, start.month, 1 + rng.randrange(27), 12) + timedelta(hours=1),
                         "kind": kind, "actor_key": f"{next(people):064x}", "neighbourhood_id": neighbourhood_id,
                         "municipio_id": municipio_id, "group_id": None, "subject_type": "", "subject_id": None,
                         "value": None, "detail": "", "language": language, "verified": False,
                         "first": False, "rolled_up": False})

    for slug, by_month in {"barona": (6, 1, 14), "giambellino-lorenteggio": (9, 2, 20), "niguarda": (4, 0, 10)}.items():
        for month, times in enumerate(by_month):
            act("forum.reported", slug, month, times)
    for month in range(3):
        act("group.joined", "barona", month, 3, "es")
        act("group.joined", "giambellino-lorenteggio", month, 7, "es")
        act("group.joined", "giambellino-lorenteggio", month, 6 + month)
        act("group.joined", "barona", month, [2, 9, 1][month], "ar")
        act("account.registered", "barona", month, [6, 2, 7][month])
        act("account.registered", "giambellino-lorenteggio", month, [12, 8, 3][month])
    for slug in rng.sample(sorted(places), 8):
        for month in range(3):
            act("group.joined", slug, month, rng.choice([0, 1, 2, 6, 12]))
            act("account.registered", slug, month, rng.choice([0, 1, 3, 8]))
    db.session.execute(insert(Signal), rows)
    db.session.commit()
    rollup.catch_up()
    return quarter


def _months(quarter: Period) -> list[Period]:
    return [Period("month", date(quarter.start.year, quarter.start.month + step, 1)) for step in range(3)]


def _periods(quarter: Period) -> list[Period]:
    return [quarter, *_months(quarter)]


def _open_data(client, period: Period) -> dict:
    response = client.get(f"/open-data/export.json?by={period.granularity}&period={period.key}")
    assert response.status_code == 200
    return response.get_json()


def _figures(data: dict) -> dict[tuple[str, str], tuple[int | None, str]]:
    return {(row["place"], row["indicator"]): (row["value"], row["status"]) for row in data["figures"]}


def test_a_quarter_minus_its_other_months_gives_no_month_away(quarter, client):
    """Anonymous, from open data: a shown quarter, and all its months shown but one."""
    quarter_rows = _figures(_open_data(client, quarter))
    months = [_figures(_open_data(client, month)) for month in _months(quarter)]
    assert quarter_rows[("Milan", "reports")][1] != "small"
    recovered = []
    for (place, indicator), (total, status) in quarter_rows.items():
        if indicator not in COUNTS or status != "shown":
            continue
        parts = [month[(place, indicator)] for month in months]
        unknown = [i for i, (_value, mark) in enumerate(parts) if mark != "shown"]
        if len(unknown) == 1:
            recovered.append((place, indicator, _months(quarter)[unknown[0]].key,
                              total - sum(value for value, mark in parts if mark == "shown")))
    assert recovered == []


def test_a_municipio_minus_its_other_neighbourhood_gives_no_language_away(quarter, as_role, make_user):
    """A coordinator of Municipio 6 (Barona and Giambellino only), for each month: a language's
    people in the Municipio minus Giambellino's, and a place's people minus its other languages."""
    coordinator = as_role(make_user("Coordinatrice", role="coordinator", municipio=6))
    recovered = []
    for month in _months(quarter):
        data = coordinator.get(f"/governance/municipio/6/export.json?by=month&period={month.key}").get_json()
        languages: dict[str, dict[str, tuple]] = {}
        for row in data["languages"]:
            languages.setdefault(row["place_id"], {})[row["language"]] = (row["people"], row["status"])
        active = {row["place_id"]: (row["value"], row["status"]) for row in data["figures"]
                  if row["indicator"] == "active"}
        municipio = next(row["place_id"] for row in data["figures"] if row["place_type"] == "municipio")
        neighbourhoods = [place for place in languages if place != municipio]
        assert len(neighbourhoods) == 2 and languages[municipio]
        for code, (total, status) in languages[municipio].items():
            parts = [languages[place].get(code, (0, "shown")) for place in neighbourhoods]
            unknown = [part for part in parts if part[1] != "shown"]
            if status == "shown" and len(unknown) == 1:
                recovered.append((month.key, code, total - sum(v for v, mark in parts if mark == "shown")))
        for place, by_language in languages.items():
            hidden = [code for code, (_v, mark) in by_language.items() if mark != "shown"]
            if active[place][1] == "shown" and len(hidden) == 1:
                recovered.append((month.key, place, hidden[0]))
    assert recovered == []


def _published(client, quarter: Period) -> dict:
    """Every cell anyone may download for the quarter: open data and every Municipio's export
    (an admin sees what each coordinator sees, and each facilitator sees part of it)."""
    cells: dict[tuple, tuple[int | None, str]] = {}
    municipi = db.session.scalars(select(Municipio.number)).all()
    for period in _periods(quarter):
        for url in [f"/governance/municipio/{number}/export.json" for number in municipi] + ["/open-data/export.json"]:
            data = client.get(f"{url}?by={period.granularity}&period={period.key}").get_json()
            for row in data["figures"]:
                if row["indicator"] in (*COUNTS, "active"):
                    cell = (row["indicator"], row["place_type"], row["place_id"], period, "")
                    assert cells.setdefault(cell, (row["value"], row["status"])) == (row["value"], row["status"])
            for row in data["languages"]:
                cell = ("active", row["place_type"], row["place_id"], period, row["language"])
                assert cells.setdefault(cell, (row["people"], row["status"])) == (row["people"], row["status"])
    return cells


def _true_values(quarter: Period) -> Counter:
    """What each cell really is, counted from the signals (each person acts once, so people add up)."""
    of_municipio = {n.id: n.municipio_id for n in db.session.scalars(select(Neighbourhood))}
    kinds = {"forum.reported": "reports", "group.joined": "groups_joined", "account.registered": "new_residents"}
    truth = Counter()
    start, end = quarter.utc_bounds()
    for at, kind, neighbourhood_id, language in db.session.execute(
            select(Signal.at, Signal.kind, Signal.neighbourhood_id, Signal.language)
            .where(Signal.at >= start, Signal.at < end)):
        month = next(m for m in _months(quarter) if m.utc_bounds()[0] <= at < m.utc_bounds()[1])
        places = [("neighbourhood", str(neighbourhood_id)), ("municipio", str(of_municipio[neighbourhood_id])),
                  ("city", "")]
        for period in (quarter, month):
            for place in places:
                truth[(kinds[kind], *place, period, "")] += 1
                if kind != "account.registered":  # joining and reporting are participation
                    truth[("active", *place, period, "")] += 1
                    if period == month:
                        truth[("active", *place, period, language)] += 1
    return truth


def test_no_small_count_narrows_when_everything_published_is_solved_together(quarter, as_role, make_user):
    admin = as_role(make_user("Admin", role="admin", neighbourhood=None))
    published = _published(admin, quarter)
    truth = _true_values(quarter)
    # The unknowns: every cell not shown, and every neighbourhood's cell, published or not.
    neighbourhoods = [str(n) for n in db.session.scalars(select(Neighbourhood.id))]
    # Exports name a Municipio by its id (its number only where the ids happen to be 1..9).
    of_municipio = {str(n.id): str(n.municipio_id) for n in db.session.scalars(select(Neighbourhood))}
    municipi = [str(m) for m in db.session.scalars(select(Municipio.id))]
    # A language a month does not list was used by nobody that month: a known zero.
    languages = {period: sorted({cell[4] for cell in published if cell[3] == period and cell[4]})
                 for period in _periods(quarter)}
    cells = set(published)
    for indicator in (*COUNTS, "active"):
        for period in _periods(quarter):
            for code in ("", *(languages[period] if indicator == "active" else ())):
                cells |= {(indicator, "neighbourhood", n, period, code) for n in neighbourhoods}
                cells |= {(indicator, "municipio", m, period, code) for m in municipi}
                cells |= {(indicator, "city", "", period, code), (indicator, "city_wide", "0", period, code)}

    def value(cell):
        return published[cell][0] if cell in published and published[cell][1] == "shown" else None

    sums = []  # (total, parts): place, time and language sums
    for indicator, place_type, place_id, period, code in cells:
        cell = (indicator, place_type, place_id, period, code)
        if place_type == "city":
            sums.append((cell, [(indicator, "municipio", m, period, code) for m in municipi]
                         + [(indicator, "city_wide", "0", period, code)]))
        if place_type == "municipio" and place_id in of_municipio.values():  # some have no networks yet
            sums.append((cell, [(indicator, "neighbourhood", n, period, code) for n in neighbourhoods
                                if of_municipio[n] == place_id]))
        if period.granularity == "quarter" and not code:
            sums.append((cell, [(indicator, place_type, place_id, month, "") for month in _months(quarter)]))
        if indicator == "active" and period.granularity == "month" and not code:
            sums.append((cell, [(indicator, place_type, place_id, period, language)
                                for language in languages[period]]))
    cells |= {part for _total, parts in sums for part in parts}
    narrowed = []
    for indicator in (*COUNTS, "active"):  # no sum joins two indicators: one linear programme each
        unknown = sorted((cell for cell in cells if cell[0] == indicator
                          and published.get(cell, (None, "absent"))[1] != "shown"), key=repr)
        index = {cell: i for i, cell in enumerate(unknown)}
        matrix, rhs = lil_matrix((len(sums), len(unknown))), []
        for total, parts in (s for s in sums if s[0][0] == indicator):
            constant = 0.0
            for cell, sign in [(total, 1), *((part, -1) for part in parts)]:
                if cell in index:
                    matrix[len(rhs), index[cell]] += sign
                else:
                    constant += sign * value(cell)
            rhs.append(-constant)
        matrix = matrix[:len(rhs)].tocsr()
        # "<5" is 0..4; "hidden" any count, as the rules say (a small one may be hidden too).
        bounds = [(0, K - 1) if published.get(cell, (0, ""))[1] == "small" else (0, None) for cell in unknown]
        for cell in unknown:
            if cell not in published or truth[cell] >= K:
                continue  # a neighbourhood nobody may download, or a count that is not small
            objective = [0.0] * len(unknown)
            objective[index[cell]] = 1.0
            low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
            high = linprog([-c for c in objective], A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
            assert low.status == 0, "the true values must be a solution"
            top = inf if high.status == 3 else -high.fun
            if low.fun > 1e-6 or top < K - 1 - 1e-6:
                narrowed.append((cell, truth[cell], low.fun, top))
    assert narrowed == []
    assert sum(1 for cell, (_v, status) in published.items() if status != "shown" and truth[cell] < K) > 50


