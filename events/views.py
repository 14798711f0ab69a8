from flask import Blueprint

from portal.permissions import require
from portal.web import render_page

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.get("/")
def index():
    require("feature.index")
    return render_page("events/index.html")
