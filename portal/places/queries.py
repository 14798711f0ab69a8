"""Read-only lookups of places that several parts of the portal share."""
from __future__ import annotations

from flask import g
from flask_babel import gettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import db
from portal.places.models import Municipio, Neighbourhood


def municipi_with_neighbourhoods() -> list[tuple[Municipio, list[Neighbourhood]]]:
    """All Municipi in number order with their neighbourhoods, in two queries; cached per request."""
    if "municipi_tree" not in g:
        municipi = db.session.scalars(select(Municipio).order_by(Municipio.number)).all()
        neighbourhoods = db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)).all()
        by_municipio: dict[int, list[Neighbourhood]] = {m.id: [] for m in municipi}
        for neighbourhood in neighbourhoods:
            by_municipio[neighbourhood.municipio_id].append(neighbourhood)
        g.municipi_tree = [(m, by_municipio[m.id]) for m in municipi]
    return g.municipi_tree


def neighbourhood_choices() -> list[SelectChoice]:
    """Select options grouped by Municipio, after a first "rather not say" option."""
    choices = [SelectChoice("", gettext("I'd rather not say, or choose later"))]
    for municipio, neighbourhoods in municipi_with_neighbourhoods():
        choices += [SelectChoice(n.id, n.name, optgroup=municipio.name) for n in neighbourhoods]
    return choices
