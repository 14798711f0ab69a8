"""Cortile: the application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal import assets, cli, db, errors, web
from portal.accounts import own_data
from portal.accounts.access_point import bp as access_point_bp
from portal.accounts.my_data import bp as my_data_bp
from portal.accounts.views import bp as accounts_bp
from portal.config import PROJECT_ROOT, load_settings
from portal.extensions import babel, compress, csrf, htmx, limiter, login_manager
from portal.governance.views import bp as governance_bp
from portal.groups.views import bp as groups_bp
from portal.i18n import select_locale
from portal.notifications.views import bp as notifications_bp
from portal.places.views import bp as places_bp

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
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    _init_extensions(app)
    _register_blueprints(app)
    errors.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)
    assets.init_app(app)
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
    not a database overflow. ASCII digits only, as portal.numbers reads them: `\\d` takes any script's."""

    regex = r"[0-9]+"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    # Imported here, not at the top: the features import portal (see portal.features).
    from portal import features

    app.url_map.converters["int"] = DatabaseSizedInt
    for blueprint in (places_bp, accounts_bp, my_data_bp, access_point_bp, groups_bp, notifications_bp,
                      *features.BLUEPRINTS, governance_bp):
        app.register_blueprint(blueprint)
    for command in features.COMMANDS:
        app.cli.add_command(command)
    # portal's own first: erasure runs them in reverse, so portal's data goes last.
    app.extensions["cortile.personal_data"] = (own_data.HOLDER, *features.PERSONAL_DATA)
