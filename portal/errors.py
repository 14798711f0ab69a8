"""Error pages: a clear, translated message and the right status; never a traceback."""
from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal import db
from portal.web import render_page

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("Please go back, check what you wrote and try again.")),
    403: (_l("This is not for you"),
          _l("Your account cannot open this page. If you think it should, ask a facilitator.")),
    404: (_l("Page not found"), _l("The page may have moved, or the address has a typo.")),
    405: (_l("Not possible here"), _l("This address does not accept that kind of request.")),
    413: (_l("Too much at once"), _l("What you sent is too large. Please shorten it.")),
    429: (_l("Too many attempts"),
          _l("Please wait a few minutes before trying again. This protects everyone's accounts.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing was saved. Please try again in a moment.")),
}
CSRF_MESSAGE = (_l("The form has expired"),
                _l("For your safety forms stop working after a while or when sent from another "
                   "site. Please go back, reload the page and send it again."))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _page(400, *CSRF_MESSAGE)

    @app.errorhandler(401)
    def unauthorised(_error):
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        title, message = MESSAGES.get(error.code, MESSAGES[400])
        return _page(error.code or 400, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _page(500, *MESSAGES[500])


def _page(status: int, title, message):
    return render_page("errors/error.html", None, status, title=title, message=message)
