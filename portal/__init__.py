"""Cortile: the application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal.config import PROJECT_ROOT, load_settings

HTMX_STATIC_PATH = "vendor/htmx.min.js"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("CORTILE_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(load_settings(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    # Development mail and operator messages are INFO; the root logger would drop them.
    app.logger.setLevel(logging.INFO)

    if app.config["TRUSTED_PROXIES"]:
        # Rate limits count per client address: behind nginx, read it from X-Forwarded-For.
        # Never the host (x_host=0): links that leave the site come from PUBLIC_URL (portal/links.py).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    _init_extensions(app)
    _register_blueprints(app)

    from portal import cli, errors, web

    errors.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from portal import db
    from portal.extensions import babel, csrf, htmx, limiter, login_manager
    from portal.i18n import select_locale

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    # Pages work without JavaScript: htmx is added when `npm ci` has put it in static/vendor.
    app.config["HTMX_AVAILABLE"] = (Path(app.static_folder) / HTMX_STATIC_PATH).exists()
    if not app.config["HTMX_AVAILABLE"]:
        app.logger.warning(
            "htmx is not installed: pages work without it. Install Node.js and npm, then run "
            "`make setup` to add it."
        )


class DatabaseSizedInt(IntegerConverter):
    """`<int:...>` in URLs, capped to what an INTEGER column holds: a longer number is a 404,
    not a database overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseSizedInt
    from events.views import bp as events_bp
    from forums.views import bp as forums_bp
    from portal.accounts.access_point import bp as access_point_bp
    from portal.accounts.views import bp as accounts_bp
    from portal.governance.views import bp as governance_bp
    from portal.groups.views import bp as groups_bp
    from portal.notifications.views import bp as notifications_bp
    from portal.places.views import bp as places_bp
    from proposals.views import bp as proposals_bp

    for blueprint in (places_bp, accounts_bp, access_point_bp, groups_bp, notifications_bp, forums_bp,
                      proposals_bp, events_bp, governance_bp):
        app.register_blueprint(blueprint)

    # The features' commands for cron, as top-level `flask --app portal <command>`.
    from events.cli import send_reminders_command
    from proposals.cli import close_expired_command

    app.cli.add_command(send_reminders_command)
    app.cli.add_command(close_expired_command)

    from portal.demo.cli import demo_data_command

    app.cli.add_command(demo_data_command)
