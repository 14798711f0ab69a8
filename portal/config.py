"""Settings read from the environment, with safe defaults for a first `make run`.

Only names listed in `ENV_SETTINGS` are read, so the README's configuration table and this module
cannot drift apart silently (a test compares them).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from gunicorn.app.wsgiapp import WSGIApplication

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> (default, description); the README documents each of these.
ENV_SETTINGS: dict[str, tuple[str | None, str]] = {
    "DATABASE_URL": (None, "SQLAlchemy URL; default an SQLite file under instance/"),
    "SECRET_KEY": (None, "signs sessions and tokens; generated into instance/secret_key when unset"),
    "RATELIMIT_STORAGE_URI": ("memory://", "Flask-Limiter storage; redis://host:6379/0 in production"),
    "CORTILE_ENV": ("development", "development or production (production makes cookies Secure)"),
    "CORTILE_PUBLIC_URL": (None, "the address people open (https://cortile.example.org), the start of every mailed link; required in production"),
    "TRUSTED_PROXIES": ("0", "reverse proxies in front of gunicorn (1 behind nginx), for client addresses"),
    "CORTILE_SUPPRESS_BELOW": ("5", "governance figures below this count are shown as \"<N\" (at least 3: with 2, two cells of 1 under a total of 2 could not be protected)"),
    "CORTILE_HOME_CHANGE_DAYS": ("30", "days a resident waits between changes of home neighbourhood (support rights follow the home)"),
    "CORTILE_RETENTION_MONTHS": ("24", "accounts unused this many months are erased (flask --app portal erase-inactive), after a notice"),
    "CORTILE_RETENTION_NOTICE_DAYS": ("30", "days between telling a person their unused account will be erased and erasing it"),
    "MAIL_SERVER": (None, "SMTP host; when unset, mail is written to the log"),
    "MAIL_PORT": ("587", "SMTP port"),
    "MAIL_USERNAME": (None, "SMTP user"),
    "MAIL_PASSWORD": (None, "SMTP password"),
    "MAIL_USE_TLS": ("true", "STARTTLS to the SMTP server"),
    "MAIL_SENDER": ("Cortile <noreply@localhost>", "From address of outgoing mail"),
}


# Where `make run` serves, so development mail links open on the developer's machine.
DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:5000"


class SettingsError(RuntimeError):
    """A setting is missing or malformed: the application refuses to start, saying which."""


def _public_url(value: str | None, production: bool) -> str:
    """The site's public origin, for every link that leaves it (see portal/links.py). Never guessed
    from requests in production: their Host header is whatever the sender wrote."""
    if not value:
        if production:
            raise SettingsError(
                "CORTILE_PUBLIC_URL is not set. In production it must be the address people open, "
                "for example https://cortile.example.org: password reset mail and calendar links "
                "start with it.")
        return DEVELOPMENT_PUBLIC_URL
    parts = urlsplit(value.rstrip("/"))
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query \
            or parts.fragment:
        raise SettingsError(
            f"CORTILE_PUBLIC_URL must be a scheme and host only, like https://cortile.example.org, "
            f"not {value!r}.")
    return value.rstrip("/")


def _limits_storage(uri: str, production: bool) -> str:
    """Rate limits are counted in one place for the whole site. In memory, every gunicorn worker
    would count alone: four workers let four times the password guesses through, and each restart
    forgets them. Production refuses to start that way."""
    if not (production and uri.startswith("memory://")):
        return uri
    workers = gunicorn_workers()
    if workers > 1:
        raise SettingsError(
            f"RATELIMIT_STORAGE_URI is memory:// with {workers} gunicorn workers: each worker would "
            "count sign-in attempts on its own. Set RATELIMIT_STORAGE_URI=redis://host:6379/0 so "
            "they share the counts, or run a single worker.")
    return uri


def gunicorn_workers() -> int:
    """How many workers gunicorn runs, read as gunicorn itself reads it (command line,
    GUNICORN_CMD_ARGS, gunicorn.conf.py, WEB_CONCURRENCY); 1 under any other server."""
    # gunicorn sets SERVER_SOFTWARE in its master, before loading the app; workers inherit it.
    if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        return 1
    return WSGIApplication().cfg.workers


def _secret_key(instance_path: Path) -> str:
    """Use SECRET_KEY, else a key generated once into instance/ so sessions survive restarts."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written with owner-only permissions: anyone who reads it can forge sessions.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(instance_path: Path) -> dict:
    env = {name: os.environ.get(name, default) for name, (default, _) in ENV_SETTINGS.items()}
    production = env["CORTILE_ENV"] == "production"
    database_url = env["DATABASE_URL"] or f"sqlite:///{instance_path / 'cortile.sqlite3'}"
    return {
        "ENV_NAME": env["CORTILE_ENV"],
        "PUBLIC_URL": _public_url(env["CORTILE_PUBLIC_URL"], production),
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": _limits_storage(env["RATELIMIT_STORAGE_URI"], production),
        "TRUSTED_PROXIES": int(env["TRUSTED_PROXIES"] or 0),
        # Limits must not silently vanish if Redis is down in production; in development the
        # in-memory store never fails anyway.
        "RATELIMIT_SWALLOW_ERRORS": False,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "cortile_session",
        # Shared family phones: a signed-in session ends after two weeks without use, and a month
        # after signing in whatever happens (portal/accounts/sessions.py).
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "SESSION_MAX_AGE": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so long forms on slow phones work
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAIL_SERVER": env["MAIL_SERVER"],
        "MAIL_PORT": int(env["MAIL_PORT"] or 587),
        "MAIL_USERNAME": env["MAIL_USERNAME"],
        "MAIL_PASSWORD": env["MAIL_PASSWORD"],
        "MAIL_USE_TLS": (env["MAIL_USE_TLS"] or "").lower() in {"1", "true", "yes"},
        "MAIL_SENDER": env["MAIL_SENDER"],
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "TERMS_VERSION": "2026-11",
        "SUPPRESS_BELOW": max(3, int(env["CORTILE_SUPPRESS_BELOW"] or 5)),
        "HOME_CHANGE_DAYS": max(0, int(env["CORTILE_HOME_CHANGE_DAYS"] or 30)),
        "RETENTION_MONTHS": max(1, int(env["CORTILE_RETENTION_MONTHS"] or 24)),
        "RETENTION_NOTICE_DAYS": max(1, int(env["CORTILE_RETENTION_NOTICE_DAYS"] or 30)),
        "RESET_CODE_HOURS": 48,
        "RESET_LINK_HOURS": 2,
        "EMAIL_LINK_HOURS": 48,
        # Brotli where the browser takes it, else gzip. Streamed responses stay as they are.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/csv", "text/calendar", "application/json"],
        "COMPRESS_STREAMS": False,
    }
