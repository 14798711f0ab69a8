"""Loads Milan's Municipi, neighbourhood networks, organisations and thematic tables. Idempotent:
rows are found by their stable number or slug and updated, never duplicated."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal import db
from portal.groups.models import Group, GroupKind, JoinPolicy, Visibility
from portal.places import facts
from portal.places.models import Municipio, Neighbourhood, NetworkMembership, Organisation
from portal.slugs import slugify


@dataclass
class SeedReport:
    created: int = 0
    existing: int = 0


def _upsert(model, key: dict, values: dict, report: SeedReport):
    row = db.session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
        report.created += 1
    else:
        for name, value in values.items():
            setattr(row, name, value)
        report.existing += 1
    return row


def seed_city() -> SeedReport:
    report = SeedReport()
    municipi = {
        number: _upsert(Municipio, {"number": number}, {"name": name, "areas": areas}, report)
        for number, name, areas in facts.MUNICIPI
    }
    db.session.flush()
    organisations: dict[str, Organisation] = {}

    def organisation(name: str) -> Organisation:
        if name not in organisations:
            organisations[name] = _upsert(Organisation, {"slug": slugify(name)}, {"name": name}, report)
        return organisations[name]

    for name, municipio_number, leads in facts.NEIGHBOURHOOD_NETWORKS:
        neighbourhood = _upsert(Neighbourhood, {"slug": slugify(name)},
                                {"name": name, "municipio_id": municipi[municipio_number].id}, report)
        db.session.flush()
        for lead in leads:
            lead_org = organisation(lead)
            db.session.flush()
            _upsert(NetworkMembership,
                    {"neighbourhood_id": neighbourhood.id, "organisation_id": lead_org.id},
                    {"is_lead": True}, report)
        _upsert(Group, {"slug": slugify(name)}, {
            "name": name, "kind": GroupKind.NEIGHBOURHOOD, "neighbourhood_id": neighbourhood.id,
            "visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.OPEN,
        }, report)
    for name in facts.OTHER_ORGANISATIONS:
        organisation(name)
    for name, about in facts.THEMATIC_TABLES:
        _upsert(Group, {"slug": "tavolo-" + slugify(name)}, {
            "name": name, "about": about, "kind": GroupKind.THEMATIC_TABLE, "neighbourhood_id": None,
            "visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.OPEN,
        }, report)
    db.session.flush()
    return report
