"""CSV and JSON downloads of a report: one row per place and indicator, already protected.

The columns are documented on /open-data/schema (rendered from INDICATORS, so they cannot drift)."""
from __future__ import annotations

import csv
import io

from portal.governance.indicators import CITY, INDICATORS, Report, threshold

SCHEMA_VERSION = 1
CSV_COLUMNS = ("period", "granularity", "period_start", "period_end", "place_type", "place_id", "place",
               "indicator", "unit", "value", "status")


def _place(node: str) -> tuple[str, str]:
    if node == CITY:
        return "city", ""
    prefix, number = node.split(":")
    if prefix == "m" and number == "0":
        return "city_wide", number
    return ("municipio" if prefix == "m" else "neighbourhood"), number


def _rows(report: Report, nodes: list[str]):
    period = report.period
    for node in nodes:
        place_type, place_id = _place(node)
        for key, indicator in INDICATORS.items():
            figure = report.figure(key, node)
            yield {
                "period": period.key, "granularity": period.granularity,
                "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
                "place_type": place_type, "place_id": place_id, "place": report.places.names[node],
                "indicator": key, "unit": indicator.unit,
                # Shares as fractions, medians rounded: the same numbers the page shows.
                "value": None if figure.value is None else round(figure.value, 4),
                "status": figure.mark.value,
            }


def as_csv(report: Report, nodes: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in _rows(report, nodes):
        writer.writerow({**row, "value": "" if row["value"] is None else row["value"]})
    return buffer.getvalue()


def as_json(report: Report, nodes: list[str]) -> dict:
    languages = []
    for node in nodes:
        place_type, place_id = _place(node)
        for code, figure in report.languages.get(node, []):
            languages.append({"place_type": place_type, "place_id": place_id, "language": code,
                              "people": figure.value, "status": figure.mark.value})
    return {
        "schema_version": SCHEMA_VERSION,
        "suppressed_below": threshold(),
        "period": {"key": report.period.key, "granularity": report.period.granularity,
                   "start": report.period.start.isoformat(), "end": report.period.end.isoformat()},
        "figures": list(_rows(report, nodes)),
        "languages": languages,
    }
