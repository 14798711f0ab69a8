"""Request plumbing shared by every blueprint: sign-in loading, page helpers, headers, templates."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, render_template, request, session
from flask_login import current_user
from htmx_flask import make_response
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import db, permissions
from portal.extensions import login_manager
from portal.i18n import LANGUAGES, current_language
from portal.notifications import unread_count
from portal.places.models import Neighbourhood

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

    @login_manager.user_loader
    def load_user(session_token: str):
        from portal.accounts.models import User

        # The cookie holds the rotating token, not the id: rotating it signs out every device.
        # The home neighbourhood and its Municipio come along: most pages show them.
        return db.session.scalar(
            select(User)
            .options(joinedload(User.home_neighbourhood).joinedload(Neighbourhood.municipio))
            .where(User.session_token == session_token, User.erased_at.is_(None)))

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
        if current_user.is_authenticated:
            # Shared family phones: never keep personal pages in caches or the back button.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Vary"] = "Cookie"
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


def redirect_after_post(url: str):
    """POST-redirect-GET; htmx requests get HX-Redirect so the whole page loads, not a fragment."""
    if request.htmx:
        return make_response("", redirect=url)
    return redirect(url, code=303)


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
