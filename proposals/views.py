from flask import Blueprint

from portal.permissions import require
from portal.web import render_page

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


@bp.get("/")
def index():
    require("feature.index")
    return render_page("proposals/index.html")
