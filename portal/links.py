"""The one way to build links that outlive the request they were made in.

`stored_path` is for links kept in the database (notifications, a proposal's discussion post): a
path built from the URL map, so it works outside a request too (expiry and reminders run from the
command line). `public_url` is for links that leave the site (mail, calendar files, the calendar
feed): they start with the configured PUBLIC_URL, never with the request's Host or X-Forwarded-Host,
which whoever sends the request chooses: a reset link built from them would carry its token to the
sender's own server.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app

# What url_for leaves unquoted in an anchor.
_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


def stored_path(endpoint: str, /, *, _anchor: str | None = None, **values) -> str:
    """The path of `endpoint` with `values` (None values left out), as url_for would build it."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return f"{path}#{quote(_anchor, safe=_ANCHOR_SAFE)}" if _anchor else path


def public_url(endpoint: str, /, **values) -> str:
    """The absolute address of `endpoint` for people outside the site, from PUBLIC_URL."""
    return current_app.config["PUBLIC_URL"] + stored_path(endpoint, **values)


def public_host() -> str:
    """The public URL's host name, for identifiers that name the site (calendar UIDs)."""
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname
