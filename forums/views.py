from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import db
from portal.groups.models import Group, Visibility
from portal.permissions import require
from portal.web import render_page

bp = Blueprint("forums", __name__, url_prefix="/forums")


@bp.get("/")
def index():
    """Where conversations happen: the public groups, neighbourhood first, then the city's tables."""
    require("feature.index")
    groups = db.session.scalars(
        select(Group).options(joinedload(Group.neighbourhood))
        .where(Group.visibility == Visibility.PUBLIC).order_by(Group.kind, Group.name)
    ).all()
    return render_page("forums/index.html", groups=groups)
