"""Governance dashboards (facilitators: their neighbourhood; coordinators: their Municipio; admins:
the city), their exports, targets, and the public open-data page.

Every figure comes from `indicators.build_report`, which has already protected it; views only choose
which places of the report to show."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal import db
from portal.governance import exports, rollup
from portal.governance.charts import Point, trend_chart
from portal.governance.indicators import (
    CITY, INDICATORS, SECTIONS, TARGETABLE, TREND_INDICATORS, build_report, municipio_node, neighbourhood_node, threshold,
)
from portal.governance.periods import GRANULARITIES, Period, local_date, parse, start_of
from portal.governance.targets import (
    CITY_SCOPE, parse_target, progress, set_targets, target_text, targets_for,
)
from portal.i18n import LANGUAGES
from portal.numbers import parse_int
from portal.permissions import may, require, standing
from portal.places.models import Municipio, Neighbourhood
from portal.rules import RuleError
from portal.timeutil import utcnow
from portal.web import redirect_after_post, render_page, signed_in_user

bp = Blueprint("governance", __name__)

UNIT_NAMES = {"count": _l("a count"), "percent": _l("a share"), "hours": _l("hours"), "days": _l("days")}
UNIT_HINTS = {"percent": _l("As a percentage, for example 30."), "hours": _l("In hours."), "days": _l("In days.")}
COLUMN_HELP = {
    "period": _l("The period's name: 2026-10 (month) or 2026-Q3 (quarter)."),
    "granularity": _l("month or quarter."),
    "period_start": _l("First day of the period (YYYY-MM-DD)."),
    "period_end": _l("First day after the period."),
    "place_type": _l("city, municipio, neighbourhood, or city_wide for groups that belong to no neighbourhood."),
    "place_id": _l("The Municipio's number or the neighbourhood's identifier; empty for the city."),
    "place": _l("The place's name."),
    "indicator": _l("The indicator's code, as listed above."),
    "unit": _l("count, percent (as a fraction: 0.3 is 30%), hours or days."),
    "value": _l("The figure; empty when it is not published."),
    "status": _l("shown; small (below the threshold, published as \"<5\"); hidden (not published, so that a "
                 "small one cannot be worked out: it may be any number, small or not)."),
}


@bp.context_processor
def governance_labels() -> dict:
    return {
        "language_names": {code: lang.autonym for code, lang in LANGUAGES.items()} | {"?": _("Not known")},
        "unit_names": UNIT_NAMES, "column_help": COLUMN_HELP,
        "unit_hint": lambda indicator: UNIT_HINTS.get(indicator.unit, ""),
        "target_input": lambda key, value: format_decimal(round(value * 100 if INDICATORS[key].unit == "percent"
                                                               else value, 2)),
    }


class Scope:
    """The place a dashboard is about: the city, a Municipio or a neighbourhood."""

    def __init__(self, place):
        self.place = place  # None for the city
        if place is None:
            self.level, self.node, self.name = "city", CITY, _("Milan")
            self.target_scope = CITY_SCOPE
        elif isinstance(place, Municipio):
            self.level, self.node, self.name = "municipio", municipio_node(place.id), place.name
            self.target_scope = place.id
        else:
            self.level, self.node, self.name = "neighbourhood", neighbourhood_node(place.id), place.name
            self.target_scope = place.municipio_id

    def url(self, endpoint: str = "dashboard", **params) -> str:
        if endpoint == "open_data":
            return url_for(".open_data", **params)
        if self.level == "city":
            return url_for(f".{endpoint}", level="city", **params)
        key = self.place.number if self.level == "municipio" else self.place.slug
        return url_for(f".{endpoint}", level=self.level, key=key, **params)


def _scope(level: str, key: str | None) -> Scope:
    if level == "city" and key is None:
        return Scope(None)
    if level == "municipio" and (number := parse_int(key, min=1, max=99)) is not None:
        municipio = db.session.scalar(select(Municipio).where(Municipio.number == number))
        if municipio is not None:
            return Scope(municipio)
    if level == "neighbourhood" and key is not None:
        neighbourhood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == key))
        if neighbourhood is not None:
            return Scope(neighbourhood)
    abort(404)


BAD_PERIOD = _l("That period does not exist. Choose month or quarter, and a period such as 2026-10 or 2026-Q3.")
FUTURE_PERIOD = _l("That period has not started yet.")
NOT_PUBLISHED = _l("The figures of a quarter and its months are published when the quarter has ended. "
                   "Choose an earlier period.")


def _latest_published(granularity: str) -> Period:
    """The last period whose quarter has ended."""
    before = Period.containing("quarter", utcnow()).shifted(-1)
    return before if granularity == "quarter" else before.months()[-1]


def _period(published: bool = False) -> Period | str:
    """The period asked for, or the message explaining why not. Dashboards default to this month so
    far; open data and downloads (`published`) carry only ended quarters and their months."""
    granularity = request.args.get("by", "month")
    now = Period.containing(granularity, utcnow()) if granularity in GRANULARITIES else None
    if now is None:
        return str(BAD_PERIOD)
    key = request.args.get("period")
    if key is None:
        return _latest_published(granularity) if published else now
    period = parse(granularity, key)
    if period is None:
        return str(BAD_PERIOD)
    if period > now:
        return str(FUTURE_PERIOD)
    if published and not period.published(utcnow()):
        return str(NOT_PUBLISHED)
    return period


def _bad_request(message: str):
    return render_page("errors/error.html", None, 400, title=_("Something in the request was not right"),
                       message=message)


def _report(period: Period):
    rollup.catch_up()  # a few new signals at most: dashboards are exact up to this request
    # After the catch-up's commit, so the snapshot holds what it folded; one snapshot for the whole
    # report, so that a total and its breakdowns are counted from the same signals.
    db.begin_snapshot()
    return build_report(period)


def _children(scope: Scope, report) -> list[str]:
    return [] if scope.level == "neighbourhood" else report.places.children[scope.node]


def _period_links(scope: Scope, period: Period, endpoint: str, published: bool) -> dict:
    """Links to the previous and next period and to each granularity: plain links, no script."""
    now = Period.containing(period.granularity, utcnow())
    last = _latest_published(period.granularity) if published else now
    # Switching from a quarter to months shows the quarter's first month.
    by = {g: scope.url(endpoint, by=g, period=Period(g, start_of(g, period.start)).key) for g in GRANULARITIES}
    return {
        "previous": scope.url(endpoint, by=period.granularity, period=period.shifted(-1).key),
        "next": (scope.url(endpoint, by=period.granularity, period=period.shifted(1).key)
                 if period < last else None),
        "by": by,
        "is_current": period == now,
        "in_progress": not period.published(utcnow()),
    }


@bp.get("/governance")
def index():
    require("governance.index")
    s = standing(current_user)
    places = []
    if s.is_admin:
        places.append(Scope(None))
    municipi = db.session.scalars(select(Municipio).order_by(Municipio.number)).all()
    places += [Scope(m) for m in municipi if may("governance.view", m)]
    neighbourhoods = db.session.scalars(select(Neighbourhood).where(
        Neighbourhood.id.in_(s.facilitated_neighbourhood_ids)).order_by(Neighbourhood.name)).all()
    places += [Scope(n) for n in neighbourhoods if not s.is_admin and n.municipio_id not in s.coordinated_municipio_ids]
    if len(places) == 1:
        return redirect(places[0].url())
    return render_page("governance/index.html", places=places)


def _dashboard_context(scope: Scope, endpoint: str = "dashboard"):
    published = endpoint == "open_data"
    period = _period(published)
    if isinstance(period, str):
        return period
    report = _report(period)
    targets = targets_for(scope.target_scope)
    return {
        "scope": scope, "report": report, "period": period, "node": scope.node,
        "children": _children(scope, report), "sections": SECTIONS, "indicators": INDICATORS,
        "charts": {key: _chart(report, scope.node, key, targets.get(key)) for key in TREND_INDICATORS},
        "languages_by_month": period.granularity == "month",
        "targets": targets, "progress": progress, "target_text": target_text,
        "links": _period_links(scope, period, endpoint, published), "granularities": GRANULARITIES,
        "threshold": threshold(),
        "child_links": _child_links(scope, report),
        "may_set_targets": may("governance.targets", _target_place(scope)),
    }


def _chart(report, node: str, key: str, target: float | None):
    indicator = INDICATORS[key]
    today = utcnow()
    # A period not yet over is drawn apart, never like a full one.
    points = [Point(period.short_label(), figure.value, figure.text, partial=period.end > local_date(today))
              for period, figure in report.trend(key, node)]
    return trend_chart(points, title=str(indicator.label), unit="%" if indicator.unit == "percent" else "",
                       target=target, target_label=_("Target"), chart_id=f"chart-{key}",
                       suppressed_label=_("Hidden for privacy"), partial_label=_("So far: the period is not over"))


def _child_links(scope: Scope, report) -> dict[str, str]:
    """Links from a comparison row to that place's own dashboard, where the viewer may open it."""
    if scope.level != "municipio":
        return {}
    return {neighbourhood_node(n.id): Scope(n).url() for n in scope.place.neighbourhoods
            if may("governance.view", n)}


def _target_place(scope: Scope):
    if scope.level == "neighbourhood":
        return scope.place.municipio
    return scope.place


@bp.get("/governance/<any(city):level>", defaults={"key": None})
@bp.get("/governance/<any(municipio, neighbourhood):level>/<key>")
def dashboard(level: str, key: str | None):
    scope = _scope(level, key)
    require("governance.view", scope.place)
    context = _dashboard_context(scope)
    if isinstance(context, str):
        return _bad_request(context)
    return render_page("governance/dashboard.html", **context)


@bp.get("/governance/<any(city):level>/export.<any(csv, json):fmt>", defaults={"key": None})
@bp.get("/governance/<any(municipio, neighbourhood):level>/<key>/export.<any(csv, json):fmt>")
def export(level: str, key: str | None, fmt: str):
    scope = _scope(level, key)
    require("governance.view", scope.place)
    period = _period(published=True)  # what is still in progress is never downloaded
    if isinstance(period, str):
        return _bad_request(period)
    report = _report(period)
    nodes = [scope.node, *_children(scope, report)]
    return _download(report, nodes, fmt, f"cortile-{scope.level}-{key or 'milano'}-{period.key}")


def _download(report, nodes: list[str], fmt: str, name: str) -> Response:
    if fmt == "json":
        response = jsonify(exports.as_json(report, nodes))
    else:
        response = Response(exports.as_csv(report, nodes), mimetype="text/csv")
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/governance/<any(city):level>/targets", defaults={"key": None}, methods=["GET", "POST"])
@bp.route("/governance/<any(municipio):level>/<key>/targets", methods=["GET", "POST"])
def targets(level: str, key: str | None):
    scope = _scope(level, key)
    require("governance.targets", scope.place)
    current = targets_for(scope.target_scope)
    values = {k: request.form.get(k, "") for k in TARGETABLE} if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted = {}
        for indicator_key in TARGETABLE:
            try:
                wanted[indicator_key] = parse_target(indicator_key, values[indicator_key])
            except RuleError as error:
                errors[indicator_key] = str(error.message)
        if not errors:
            with db.write_transaction():
                set_targets(scope.target_scope, wanted, signed_in_user())
            flash(_("Targets saved."), "success")
            return redirect_after_post(scope.url())
    return render_page("governance/targets.html", "governance/_targets_form.html", 422 if errors else 200,
                       scope=scope, indicators=INDICATORS, targetable=TARGETABLE, current=current,
                       values=values, errors=errors)


# --- open data ---------------------------------------------------------------------------------

@bp.get("/open-data")
def open_data():
    require("open_data.view")
    context = _dashboard_context(Scope(None), endpoint="open_data")
    if isinstance(context, str):
        return _bad_request(context)
    return render_page("governance/open_data.html", **context)


@bp.get("/open-data/export.<any(csv, json):fmt>")
def open_data_export(fmt: str):
    require("open_data.view")
    period = _period(published=True)
    if isinstance(period, str):
        return _bad_request(period)
    report = _report(period)
    return _download(report, [CITY, *report.places.children[CITY]], fmt, f"cortile-open-data-{period.key}")


@bp.get("/open-data/schema")
def schema():
    require("open_data.view")
    return render_page("governance/schema.html", sections=SECTIONS, indicators=INDICATORS,
                       columns=exports.CSV_COLUMNS, threshold=threshold())
