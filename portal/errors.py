"""Error pages: a clear, translated message and the right status; never a traceback.

When the database or the rate-limit store cannot be reached, the answer is a page that needs
neither: the usual layout asks the database who is signed in, and would fail a second time."""
from __future__ import annotations

import redis
from flask import Flask, current_app, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from gunicorn.http.errors import ParseException as MalformedRequestBody
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import db
from portal.i18n import LANGUAGES, visitor_language
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
UNAVAILABLE_MESSAGE = (_l("The portal is not available for a moment"),
                       _l("Please try again in a minute. What was saved before is safe. If you were "
                          "sending something, it was not saved: please send it again."))
RETRY_AFTER_SECONDS = 30
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

    @app.errorhandler(MalformedRequestBody)
    def malformed_body(_error):
        # gunicorn reads the body only when the form is parsed: a broken chunked body surfaces here.
        return _page(400, *MESSAGES[400])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, InternalServerError) and is_outage(error.original_exception):
            # The database went away while another error page was being drawn.
            return unavailable(error.original_exception)
        title, message = MESSAGES.get(error.code, MESSAGES[400])
        return _page(error.code or 400, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if is_outage(error):
            return unavailable(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _page(500, *MESSAGES[500])


def is_outage(error: BaseException | None) -> bool:
    """The database or the rate-limit store could not be reached (stopped, restarting, the
    connection cut), or SQLite stayed locked by other writers past its busy timeout."""
    return (db.connection_lost(error) or db.database_busy(error)
            or isinstance(error, (redis.ConnectionError, redis.TimeoutError)))


def unavailable(error: BaseException):
    """503 in the visitor's language, drawn without the database. The request's transaction went
    with its connection, so nothing of it was saved; what was committed before is safe."""
    current_app.logger.warning("Service unavailable on %s %s: %s", request.method, request.path, error)
    # Not the account's language (that is in the database): the visitor's choice or the browser's.
    language = LANGUAGES[visitor_language()]
    # Straight from the template, without the context processors: Flask-Login's would look up the
    # signed-in user in the database.
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    with force_locale(language.code):
        page = template.render(language=language, title=UNAVAILABLE_MESSAGE[0], message=UNAVAILABLE_MESSAGE[1])
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def retry_soon(title, message):
    """503 with the usual layout, for a page that cannot be drawn right now but will be shortly."""
    page, status = _page(503, title, message)
    return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _page(status: int, title, message):
    return render_page("errors/error.html", None, status, title=title, message=message)
