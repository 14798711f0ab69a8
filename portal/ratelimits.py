"""Rate limits must be counted in one place for the whole site. With the in-memory store every
gunicorn worker counts on its own: four workers let four times the password guesses through, and
each restart forgets them. In production the application refuses to start that way."""
from __future__ import annotations

import os

from flask import Flask
from gunicorn.app.wsgiapp import WSGIApplication


class SharedLimitsError(RuntimeError):
    """Production with limits that the worker processes would each count alone."""


def refuse_unshared_limits(app: Flask) -> None:
    if app.config["ENV_NAME"] != "production" or not app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return
    workers = gunicorn_workers()
    if workers > 1:
        raise SharedLimitsError(
            f"RATELIMIT_STORAGE_URI is memory:// with {workers} gunicorn workers: each worker would "
            "count sign-in attempts on its own. Set RATELIMIT_STORAGE_URI=redis://host:6379/0 so "
            "they share the counts, or run a single worker.")


def gunicorn_workers() -> int:
    """How many workers gunicorn runs, read as gunicorn itself reads it (command line,
    GUNICORN_CMD_ARGS, gunicorn.conf.py, WEB_CONCURRENCY); 1 under any other server."""
    # gunicorn sets SERVER_SOFTWARE in its master, before loading the app; workers inherit it.
    if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        return 1
    return WSGIApplication().cfg.workers
