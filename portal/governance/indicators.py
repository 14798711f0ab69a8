"""What the governance dashboard shows: each indicator, how it is counted from the signal summaries,
and the privacy protection applied before any number leaves this module.

Every figure is computed for the whole place tree (city, Municipi, neighbourhoods) and protected
together with every sum it takes part in: its place's parts and whole, its quarter and the quarter's
months, and for people their languages. The same cell therefore carries the same mark on a
facilitator's page, a coordinator's, an export and the open-data page: a number hidden in one can
never be subtracted out of another.
"""
from __future__ import annotations

import statistics
from functools import lru_cache
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import format_decimal, format_percent
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from portal import db
from portal.governance.periods import Period
from portal.governance.rollup import NOWHERE, SignalCount, SignalPeople
from portal.governance.suppression import DisclosureError, Mark, derived_mark, protect_grid
from portal.places.models import Municipio, Neighbourhood
from portal.signals import PARTICIPATION_KINDS, Signal

CITY = "city"


def municipio_node(municipio_id: int) -> str:
    return f"m:{municipio_id}"


def neighbourhood_node(neighbourhood_id: int) -> str:
    return f"n:{neighbourhood_id}"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    section: str
    unit: str  # count, percent, hours or days
    definition: object
    better: str = "higher"  # which way a target is met
    # For counts: (kind, detail or None for any, "signals" | "value" | "first_acts")
    terms: tuple = ()


def _count(kind, detail=None, measure="signals"):
    return (kind, detail, measure)


SECTIONS = {
    "people": _l("People"),
    "groups": _l("Groups and forums"),
    "proposals": _l("Proposals"),
    "events": _l("Events"),
}

INDICATORS: dict[str, Indicator] = {i.key: i for i in [
    Indicator("active", _l("Active participants"), "people", "count",
              _l("People who did at least one act of participation: joined a group, posted, reported, "
                 "proposed, supported, registered for or attended an event.")),
    Indicator("first_time", _l("First-time participants"), "people", "count",
              _l("People whose first act of participation ever happened in this period."),
              terms=tuple(_count(kind, measure="first_acts") for kind in PARTICIPATION_KINDS)),
    Indicator("first_time_share", _l("Share of first-time participants"), "people", "percent",
              _l("First-time participants out of active participants.")),
    Indicator("new_residents", _l("New residents"), "people", "count",
              _l("Accounts opened, counted in the home neighbourhood chosen at sign-up."),
              terms=(_count("account.registered"),)),
    Indicator("verified_share", _l("Share verified in person"), "people", "percent",
              _l("Active participants whom a facilitator had met in person at the time.")),
    Indicator("groups_joined", _l("Groups joined"), "groups", "count",
              _l("Times someone became a member of a group."), terms=(_count("group.joined"),)),
    Indicator("posts", _l("Posts"), "groups", "count",
              _l("New threads and replies in group forums."), terms=(_count("forum.posted"),)),
    Indicator("reports", _l("Reports"), "groups", "count",
              _l("Posts reported to facilitators."), terms=(_count("forum.reported"),)),
    Indicator("moderation_actions", _l("Moderation actions"), "groups", "count",
              _l("Facilitators' decisions on posts and threads."), terms=(_count("forum.moderated"),)),
    Indicator("decide_hours", _l("Median time to decide on a report"), "groups", "hours",
              _l("Hours from the first report on a post to the facilitator's decision."), better="lower"),
    Indicator("proposals_created", _l("Proposals created"), "proposals", "count",
              _l("Proposals started, drafts included."), terms=(_count("proposal.created"),)),
    Indicator("proposals_threshold", _l("Proposals reaching the threshold"), "proposals", "count",
              _l("Proposals that gathered the supports their neighbourhood asks for."),
              terms=(_count("proposal.state_changed", "threshold_reached"),)),
    Indicator("proposals_answered", _l("Proposals answered"), "proposals", "count",
              _l("Official answers given by the network."), terms=(_count("proposal.answered"),)),
    Indicator("proposals_accepted", _l("Proposals accepted"), "proposals", "count",
              _l("Official answers that accepted the proposal."),
              terms=(_count("proposal.answered", "accepted"),)),
    Indicator("answer_days", _l("Median days to an answer"), "proposals", "days",
              _l("Days from a proposal's publication to its official answer."), better="lower"),
    Indicator("supports", _l("Supports"), "proposals", "count",
              _l("Supports given to proposals (withdrawn ones included)."),
              terms=(_count("proposal.supported"),)),
    Indicator("seats_offered", _l("Seats offered"), "events", "count",
              _l("Seats in events published, less seats removed by changes and cancellations. Events "
                 "without a seat limit are not counted."),
              terms=(_count("event.published", measure="value"), _count("event.seats_changed", measure="value"))),
    Indicator("seats_registered", _l("Seats registered"), "events", "count",
              _l("Seats confirmed to families, on registering or from the waiting list."),
              terms=(_count("event.registered", measure="value"), _count("event.promoted", measure="value"))),
    Indicator("attended", _l("Families present"), "events", "count",
              _l("Registrations checked in at the door."), terms=(_count("event.attended", measure="value"),)),
    Indicator("attendance_rate", _l("Attendance rate"), "events", "percent",
              _l("Registrations checked in as present out of those checked at the door.")),
    Indicator("seats_waitlisted", _l("Unmet demand (seats waitlisted)"), "events", "count",
              _l("Seats asked for when the event was full."), better="lower",
              terms=(_count("event.waitlisted", measure="value"),)),
]}
# Hidden helpers: counted and protected like the others, used for rates, never shown alone.
_ABSENT = Indicator("absent", "", "events", "count", "", terms=(_count("event.absent", measure="value"),))
TREND_INDICATORS = ("active", "first_time_share", "posts", "supports", "seats_registered", "attendance_rate")
# Counts depend on the period's length, so targets are set only for shares, rates and medians.
TARGETABLE = tuple(key for key, indicator in INDICATORS.items() if indicator.unit != "count")


def threshold() -> int:
    return current_app.config["SUPPRESS_BELOW"]


@dataclass(frozen=True)
class Figure:
    value: float | None  # None: not published (suppressed or nothing to compute from)
    mark: Mark
    unit: str = "count"

    @property
    def shown(self) -> bool:
        return self.mark == Mark.SHOWN

    @property
    def text(self) -> str:
        """As a reader sees it; formatted only when shown (a report holds thousands of figures)."""
        if self.mark == Mark.SMALL:
            return f"<{threshold()}"
        if self.value is None:
            return "·"
        return format_value(self.unit, self.value)


def format_value(unit: str, value: float) -> str:
    if unit == "percent":
        return format_percent(value)
    if unit in ("hours", "days"):
        return format_decimal(round(value, 1))
    return format_decimal(value)


def _figure(indicator: Indicator, value: float | None, mark: Mark) -> Figure:
    if mark != Mark.SHOWN or value is None:
        return Figure(None, Mark.SMALL if mark == Mark.SMALL else Mark.HIDDEN, indicator.unit)
    return Figure(int(value) if indicator.unit == "count" else value, mark, indicator.unit)


@dataclass
class PlaceTree:
    """The city's places as the tree that suppression protects."""
    children: dict[str, list[str]]
    names: dict[str, str]
    municipio_of: dict[int, int]  # neighbourhood id -> Municipio id

    @classmethod
    def load(cls) -> PlaceTree:
        children: dict[str, list[str]] = {CITY: []}
        names = {CITY: str(_l("Milan")), municipio_node(NOWHERE): str(_l("City-wide groups"))}
        municipio_of = {}
        for municipio in db.session.scalars(select(Municipio).order_by(Municipio.number)):
            node = municipio_node(municipio.id)
            children[CITY].append(node)
            children[node] = []
            names[node] = str(_l("Municipio %(number)d", number=municipio.number))
        children[CITY].append(municipio_node(NOWHERE))
        for neighbourhood in db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)):
            node = neighbourhood_node(neighbourhood.id)
            children[municipio_node(neighbourhood.municipio_id)].append(node)
            names[node] = neighbourhood.name
            municipio_of[neighbourhood.id] = neighbourhood.municipio_id
        return cls(children, names, municipio_of)

    @property
    def structure(self) -> tuple:
        return tuple((parent, tuple(kids)) for parent, kids in self.children.items())

    @property
    def nodes(self) -> list[str]:
        return list(self.names)

    def leaf_of(self, municipio_id: int, neighbourhood_id: int) -> str:
        return neighbourhood_node(neighbourhood_id) if neighbourhood_id else municipio_node(municipio_id)

    def sums(self, leaves: dict[str, float]) -> dict[str, float]:
        """Each node's value as the sum of its leaves (neighbourhoods and the city-wide node)."""
        values: dict[str, float] = {}

        def total(node: str) -> float:
            kids = self.children.get(node)
            values[node] = sum(total(kid) for kid in kids) if kids else leaves.get(node, 0)
            return values[node]
        total(CITY)
        return values


@dataclass
class Report:
    """Every protected figure for one period and the trend before it, for the whole city."""
    period: Period
    places: PlaceTree
    figures: dict[Period, dict[str, dict[str, Figure]]] = field(default_factory=dict)
    languages: dict[str, list[tuple[str, Figure]]] = field(default_factory=dict)

    def figure(self, indicator: str, node: str, period: Period | None = None) -> Figure:
        return self.figures[period or self.period][indicator][node]

    def trend(self, indicator: str, node: str) -> list[tuple[Period, Figure]]:
        return [(period, self.figures[period][indicator][node]) for period in self.period.trend()]


def build_report(period: Period) -> Report:
    """Each quarter the trend touches is one system of sums (places by the quarter and its months,
    people also by each month's languages) protected as a whole, so a cell carries the same mark
    whichever page shows it; no published sum spans two quarters, so quarters are independent."""
    places = PlaceTree.load()
    report = Report(period, places)
    trend = period.trend()
    quarters = sorted({bucket.quarter for bucket in trend})
    counts = _count_rows(quarters)
    people = _people_rows(quarters)
    structure, nodes = places.structure, tuple(places.nodes)
    for quarter in quarters:
        wanted = tuple(bucket for bucket in trend if bucket.quarter == quarter)
        figures, languages = _quarter(structure, nodes, quarter, wanted, threshold(),
                                      tuple(counts[p] for p in (quarter, *quarter.months())),
                                      tuple(people[p] for p in (quarter, *quarter.months())))
        report.figures.update({bucket: dict(by_key) for bucket, by_key in figures.items()})  # medians go in
        if period in languages:
            report.languages = languages[period]
    _medians(report, period)
    return report


@lru_cache(maxsize=256)
def _quarter(structure: tuple, nodes: tuple, quarter: Period, wanted: tuple, k: int, count_rows: tuple,
             people_rows: tuple):
    """The figures of the `wanted` periods of a quarter (itself or its months) and the languages of
    its months, from the whole quarter protected as one system; `count_rows` and `people_rows` are
    its summary rows, period by period. A quarter that is over does not change: its figures are
    remembered (read-only) by those rows."""
    places = PlaceTree(dict(structure), dict.fromkeys(nodes), {})
    months = quarter.months()
    buckets = [quarter, *months]
    counts = {bucket: {(m, n, kind, detail): {"signals": s, "value": v, "first_acts": f}
                       for m, n, kind, detail, s, v, f in rows} for bucket, rows in zip(buckets, count_rows)}
    people = {bucket: defaultdict(dict) for bucket in buckets}
    for bucket, rows in zip(buckets, people_rows):
        for node, language, count, verified in rows:
            people[bucket][node][language] = (count, verified)
    # {indicator: {period or (month, language): {node: value}}}
    values: dict[str, dict] = defaultdict(dict)
    for bucket in buckets:
        # Each summary row once: its measures by kind and detail, per leaf of the place tree.
        by_kind: dict[tuple[str, str], list[tuple[str, dict]]] = defaultdict(list)
        for (municipio_id, neighbourhood_id, kind, detail), sums in counts[bucket].items():
            by_kind[(kind, detail)].append((places.leaf_of(municipio_id, neighbourhood_id), sums))
        for indicator in [*INDICATORS.values(), _ABSENT]:
            if not indicator.terms:
                continue
            leaves: dict[str, float] = defaultdict(float)
            for (kind, detail), rows in by_kind.items():
                for term_kind, term_detail, measure in indicator.terms:
                    if kind == term_kind and term_detail in (None, detail):
                        for leaf, sums in rows:
                            leaves[leaf] += sums[measure]
            values[indicator.key][bucket] = places.sums(leaves)
        by_node = {node: people[bucket].get(node, {}) for node in places.nodes}
        values["active"][bucket] = {node: sum(n for n, _ in rows.values()) for node, rows in by_node.items()}
        values["verified"][bucket] = {node: sum(v for _, v in rows.values()) for node, rows in by_node.items()}
    # People by language are parts of each month's active participants. Every place lists every
    # language used in the city that month, "<5" where few or nobody used it: a language left out
    # would be a known zero, and known zeros tie the other figures down.
    spoken = tuple(tuple(sorted({code for node in places.nodes for code in people[month].get(node, {})}))
                   for month in months)
    for month, codes in zip(months, spoken):
        for code in codes:
            values["active"][(month, code)] = {node: people[month].get(node, {}).get(code, (0, 0))[0]
                                               for node in places.nodes}
    # Seats offered can dip below zero in a period of cancellations: protected as a zero.
    marks = {key: _protect(structure, nodes, quarter, spoken if key == "active" else None,
                           tuple(max(0, int(column[node])) for column in by_column.values() for node in nodes), k)
             for key, by_column in values.items()}
    figures: dict[Period, dict[str, dict[str, Figure]]] = {}
    for bucket in wanted:
        def value(key: str) -> dict[str, float]:
            return values[key][bucket]

        def mark(key: str) -> dict[str, Mark]:
            return marks[key][bucket]
        at = figures[bucket] = {}
        for key, indicator in INDICATORS.items():
            if indicator.terms or key == "active":
                at[key] = {n: _figure(indicator, v, mark(key)[n]) for n, v in value(key).items()}
        active, active_marks = value("active"), mark("active")
        for part in ("first_time", "verified"):
            indicator = INDICATORS[f"{part}_share"]
            at[indicator.key] = {n: _figure(indicator, v / active[n] if active[n] else None,
                                            derived_mark(mark(part)[n], active_marks[n]))
                                 for n, v in value(part).items()}
        rate, attended, absent = INDICATORS["attendance_rate"], value("attended"), value("absent")
        at[rate.key] = {n: _figure(rate, v / (v + absent[n]) if v + absent[n] else None,
                                   derived_mark(mark("attended")[n], mark("absent")[n])) for n, v in attended.items()}
    people_indicator = INDICATORS["active"]
    languages = {month: {node: [(code, _figure(people_indicator, values["active"][(month, code)][node],
                                               marks["active"][(month, code)][node]))
                                for code in codes]  # by code: an order by size would rank hidden cells
                         for node in places.nodes}
                 for month, codes in zip(months, spoken) if month in wanted}
    return figures, languages


@lru_cache(maxsize=2_000)
def _protect(structure: tuple, nodes: tuple, quarter: Period, spoken: tuple | None, values: tuple, k: int) -> dict:
    """Marks {column: {node: mark}} for one indicator over a quarter: columns the quarter, its
    months and, given `spoken`, each month's languages; `values` column by column, node by node in
    the order of the place tree. A closed quarter's figures never change and every view of them
    protects the same system again: the marks (read-only) are remembered by the values."""
    months = quarter.months()
    columns = {quarter: months}
    if spoken is not None:
        columns |= {month: [(month, code) for code in codes] for month, codes in zip(months, spoken)}
    order = [quarter, *months, *(kid for month in months if spoken is not None for kid in columns[month])]
    cells = {(node, column): value for (column, node), value in
             zip(((column, node) for column in order for node in nodes), values)}
    try:
        marks = protect_grid(cells, dict(structure), columns, k)
    except DisclosureError:  # no way found to protect it: publish none of it
        marks = dict.fromkeys(cells, Mark.HIDDEN)
    by_column: dict = defaultdict(dict)
    for (node, column), mark in marks.items():
        by_column[column][node] = mark
    return dict(by_column)


def _count_rows(quarters: list[Period]) -> dict[Period, tuple]:
    """{period: ((municipio, neighbourhood, kind, detail, signals, value total, first acts), ...)}
    for the quarters and their months, in a stable order."""
    periods = [*quarters, *(month for quarter in quarters for month in quarter.months())]
    rows = db.session.connection().execute(  # plain rows: thousands of them, no ORM needed
        select(SignalCount.granularity, SignalCount.period_start, SignalCount.municipio_id,
               SignalCount.neighbourhood_id, SignalCount.kind, SignalCount.detail, SignalCount.signals,
               SignalCount.value_total, SignalCount.first_acts)
        .where(_in_periods(SignalCount, periods))
        .order_by(SignalCount.granularity, SignalCount.period_start, SignalCount.municipio_id,
                  SignalCount.neighbourhood_id, SignalCount.kind, SignalCount.detail))
    counts: dict[tuple, list] = {(period.granularity, period.start): [] for period in periods}
    for row in rows:
        counts[(row[0], row[1])].append(tuple(row[2:]))
    return {period: tuple(counts[(period.granularity, period.start)]) for period in periods}


def _in_periods(model, periods: list[Period]):
    return or_(*(and_(model.granularity == granularity,
                      model.period_start.in_([p.start for p in periods if p.granularity == granularity]))
                 for granularity in {p.granularity for p in periods}))


def _scope_node(scope: str, scope_id: int) -> str:
    if scope == "city":
        return CITY
    return municipio_node(scope_id) if scope == "municipio" else neighbourhood_node(scope_id)


def _people_rows(quarters: list[Period]) -> dict[Period, tuple]:
    """{period: ((node, language, people, verified), ...)} for the quarters and their months."""
    periods = [*quarters, *(month for quarter in quarters for month in quarter.months())]
    people: dict[tuple, list] = {(period.granularity, period.start): [] for period in periods}
    for granularity, start, scope, scope_id, language, count, verified in db.session.connection().execute(
            select(SignalPeople.granularity, SignalPeople.period_start, SignalPeople.scope, SignalPeople.scope_id,
                   SignalPeople.language, SignalPeople.people, SignalPeople.verified)
            .where(_in_periods(SignalPeople, periods))
            .order_by(SignalPeople.granularity, SignalPeople.period_start, SignalPeople.scope,
                      SignalPeople.scope_id, SignalPeople.language)):
        people[(granularity, start)].append((_scope_node(scope, scope_id), language or "?", count, verified))
    return {period: tuple(people[(period.granularity, period.start)]) for period in periods}


def _medians(report: Report, period: Period) -> None:
    """Medians need the single values, so they are read from the signals of the chosen period:
    moderation decisions and answers are few. A median of fewer values than the threshold is hidden."""
    start, end = period.utc_bounds()
    places = report.places
    for key, kind, seconds_per_unit in (("decide_hours", "forum.moderated", 3600),
                                        ("answer_days", "proposal.answered", 86400)):
        by_node: dict[str, list[float]] = defaultdict(list)
        for municipio_id, neighbourhood_id, value in db.session.execute(
                select(Signal.municipio_id, Signal.neighbourhood_id, Signal.value)
                .where(Signal.kind == kind, Signal.at >= start, Signal.at < end, Signal.value.is_not(None))):
            leaf = places.leaf_of(municipio_id or NOWHERE, neighbourhood_id or NOWHERE)
            for node in _ancestry(places, leaf):
                by_node[node].append(value / seconds_per_unit)
        indicator = INDICATORS[key]
        report.figures[period][key] = {
            node: (_figure(indicator, statistics.median(by_node[node]), Mark.SHOWN)
                   if len(by_node[node]) >= threshold() else Figure(None, Mark.HIDDEN, indicator.unit))
            for node in places.nodes}


def _ancestry(places: PlaceTree, leaf: str) -> list[str]:
    if leaf.startswith("n:"):
        return [leaf, municipio_node(places.municipio_of[int(leaf[2:])]), CITY]
    return [leaf, CITY]
