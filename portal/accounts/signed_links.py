"""Tokens in links mailed to a person: signed with SECRET_KEY, one salt per purpose so a token made
for one link never opens another, and expiring."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, data: dict) -> str:
    return _serializer(purpose).dumps(data)


def read(purpose: str, token: str, *, hours: int) -> dict | None:
    """The token's data, or None if it is forged, broken or older than `hours`."""
    try:
        data = _serializer(purpose).loads(token, max_age=hours * 3600)
    except BadSignature:  # SignatureExpired is one too
        return None
    return data if isinstance(data, dict) else None
