"""Home, the city, a Municipio and a neighbourhood: where people find their network."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal import db
from portal.groups.models import Group, GroupKind, Membership, MembershipStatus
from portal.permissions import require
from portal.places.models import Municipio, Neighbourhood, NetworkMembership, Organisation
from portal.places.queries import municipi_with_neighbourhoods
from portal.web import render_page

bp = Blueprint("places", __name__)


def _groups_with_member_counts(*conditions) -> list[tuple[Group, int]]:
    """Groups and how many active members each has, in one query (never who they are)."""
    members = (
        select(Membership.group_id, func.count(Membership.id).label("members"))
        .where(Membership.status.in_([MembershipStatus.ACTIVE, MembershipStatus.MUTED]))
        .group_by(Membership.group_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Group, func.coalesce(members.c.members, 0))
        .outerjoin(members, members.c.group_id == Group.id)
        .where(*conditions)
        .order_by(Group.kind, Group.name)
    ).all()
    return [(group, count) for group, count in rows]


def _network(neighbourhood_id: int) -> list[NetworkMembership]:
    return db.session.scalars(
        select(NetworkMembership)
        .options(joinedload(NetworkMembership.organisation))
        .where(NetworkMembership.neighbourhood_id == neighbourhood_id)
        .join(Organisation)
        .order_by(NetworkMembership.is_lead.desc(), Organisation.name)
    ).all()


@bp.get("/")
def home():
    require("place.view")
    home_neighbourhood = current_user.home_neighbourhood if current_user.is_authenticated else None
    if home_neighbourhood is not None:
        return render_page(
            "places/home_member.html",
            neighbourhood=home_neighbourhood,
            network=_network(home_neighbourhood.id),
            groups=_groups_with_member_counts(Group.neighbourhood_id == home_neighbourhood.id),
        )
    return render_page("places/home.html", municipi=municipi_with_neighbourhoods())


@bp.get("/city")
def city():
    require("place.view")
    other_organisations = db.session.scalars(
        select(Organisation)
        .where(~Organisation.networks.any())
        .order_by(Organisation.name)
    ).all()
    return render_page(
        "places/city.html",
        municipi=municipi_with_neighbourhoods(),
        tables=_groups_with_member_counts(Group.kind == GroupKind.THEMATIC_TABLE),
        other_organisations=other_organisations,
    )


@bp.get("/municipi/<int:number>")
def municipio(number: int):
    require("place.view")
    municipio = db.session.scalar(select(Municipio).where(Municipio.number == number))
    if municipio is None:
        abort(404)
    neighbourhoods = dict(municipi_with_neighbourhoods())[municipio]
    return render_page("places/municipio.html", municipio=municipio, neighbourhoods=neighbourhoods)


@bp.get("/neighbourhoods/<slug>")
def neighbourhood(slug: str):
    require("place.view")
    neighbourhood = db.session.scalar(
        select(Neighbourhood).options(joinedload(Neighbourhood.municipio))
        .where(Neighbourhood.slug == slug))
    if neighbourhood is None:
        abort(404)
    return render_page(
        "places/neighbourhood.html",
        neighbourhood=neighbourhood,
        network=_network(neighbourhood.id),
        groups=_groups_with_member_counts(Group.neighbourhood_id == neighbourhood.id),
    )
