"""Request plumbing shared by every blueprint: sign-in loading, page helpers, submitting forms and
buttons, headers, templates."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, render_template, request, session
from flask_login import current_user
from htmx_flask import make_response
from portal import db, permissions
from portal.accounts import sessions
from portal.extensions import login_manager
from portal.forms import ConfirmForm
from portal.i18n import LANGUAGES, current_language
from portal.notifications import unread_count
from portal.rules import RuleError

# No third-party request of any kind, no inline script: htmx and our CSS come from our origin.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page itself explains; no flash in every language

    # The cookie holds a device session's secret, not the user id: ending the session on the
    # server signs that device out, whatever the cookie says.
    login_manager.user_loader(sessions.user_for_secret)
    app.teardown_request(lambda _error: sessions.touch_after_request())

    @app.before_request
    def refuse_nul_characters() -> None:
        # No person types U+0000; PostgreSQL cannot store it and would fail mid-request.
        values = [*request.args.values(), *request.form.values(), request.path]
        if any("\x00" in value for value in values):
            abort(400)

    @app.before_request
    def take_write_lock_for_posts() -> None:
        # On SQLite every state-changing request reads, then writes: take the lock up front.
        if db.needs_upfront_write_lock():
            db.begin_write()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Shared family phones: never keep personal pages in caches or the back button. Flask-Login's
        # session key says the browser is signed in without asking the database, which may be down.
        if "_user_id" in session:
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")  # beside Accept-Encoding (Flask-Compress)
        return response

    @app.context_processor
    def template_globals() -> dict:
        return {
            "may": permissions.may,
            "languages": LANGUAGES,
            "current_language": current_language(),
            "htmx_available": current_app.config["HTMX_AVAILABLE"],
            # A function, so the count query runs only where a page shows it.
            "unread_notifications": lambda: unread_count(current_user),
        }


def render_page(template: str, partial: str | None = None, status: int = 200, **context):
    """The full page, or only `partial` when htmx asks (the page includes the same partial)."""
    if partial and request.htmx and not request.htmx.boosted:
        return render_template(partial, **context), status
    return render_template(template, **context), status


def render_form_page(template: str, partial: str | None = None, **context):
    """A form's page: 422 when it comes back after a submission (with its messages), else 200."""
    return render_page(template, partial, 422 if request.method == "POST" else 200, **context)


def signed_in_user():
    """The signed-in User itself, not Flask-Login's proxy: services keep and compare the object."""
    return current_user._get_current_object()


def submit(form, change) -> tuple[bool, object]:
    """If `form` is sent and valid, run `change()` in one write transaction. Returns (done, what
    `change` returned). When not done nothing is saved and the form carries the messages to show:
    its fields' own, and a broken rule's next to its field."""
    if not form.validate_on_submit():
        return False, None
    try:
        return True, _in_one_transaction(change)
    except RuleError as error:
        error.show_on(form)
        return False, None


def press(change, form=None) -> tuple[bool, object]:
    """A button-only action: `form` (a ConfirmForm, unless the button carries a value) must come
    with its CSRF token, else 400. Runs `change()` in one write transaction and returns (done, what
    it returned). When a rule says no (the page was out of date, say) nothing is saved and the
    message is flashed: the caller shows the page again, with 409."""
    (form if form is not None else ConfirmForm()).validate_on_submit() or abort(400)
    try:
        return True, _in_one_transaction(change)
    except RuleError as error:
        flash(error.message, "error")
        return False, None


def _in_one_transaction(change):
    try:
        with db.write_transaction():
            return change()
    except RuleError:
        permissions.forget_standing()  # memberships read before the rollback
        raise


def redirect_after_post(url: str):
    """POST-redirect-GET; htmx requests get HX-Redirect so the whole page loads, not a fragment."""
    if request.htmx:
        # To the same page at an anchor ("#post-9" after a reply), the browser would only scroll:
        # the new post would not show and the text would stay in the box. Reload it there.
        return make_response("", redirect=url, refresh=_only_the_anchor_changes(url))
    return redirect(url, code=303)


def _only_the_anchor_changes(url: str) -> bool:
    target, current = urlsplit(url), urlsplit(request.headers.get("HX-Current-URL", ""))
    return bool(target.fragment) and (target.path, target.query) == (current.path, current.query)


def is_local_path(target: str) -> bool:
    """A path on this site, never another host: "/x" yes; "//host", "/\\host", "https://..." no."""
    parts = urlsplit(target)
    # Backslashes too: browsers read "/\\host" as "//host".
    return (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not parts.netloc and not parts.scheme)


def safe_next_url(default: str) -> str:
    """Only redirect to a path on this site (never to another host after signing in)."""
    target = request.values.get("next", "")
    return target if is_local_path(target) else default


def remember_language(code: str) -> None:
    session["language"] = code
