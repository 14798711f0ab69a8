"""Slowing down password guessing without locking the real person out.

The design is OWASP's "Slow Down Online Guessing Attacks with Device Cookies" (the idea behind
Facebook's datr cookie); Django-axes's other answer, counting per account *and* address, fails
against guessers with many addresses and still locks out a family behind one shared address.

- Failures are counted per account, named by the folded login (nicknames.fold, as sign-in reads it),
  so "Anna", "ANNA" and full-width "Ａｎｎａ" count as one.
- The first FREE_FAILURES cost nothing. After that each try must wait, doubling from FIRST_WAIT up to
  MAX_WAIT, and the page says how long in plain words: slower with each failure, never a lockout.
- A browser where someone signed in to the account before carries a signed device cookie naming
  it. There the waits do not apply: the person's own phone still signs in while a guesser elsewhere
  waits. The cookie's own failures are counted; after DEVICE_FAILURES it is trusted no more.
- Tries are counted before the password is checked (so tries sent at once count one by one), and
  tries during a wait are refused unchecked, so they teach a guesser nothing.

Counters live in the rate limiter's storage (Redis in production), so every worker shares them.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass, field

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.extensions import limiter

FREE_FAILURES = 5
FIRST_WAIT = 60  # seconds
MAX_WAIT = 15 * 60
DEVICE_FAILURES = 10
FAILURES_KEPT = 24 * 3600  # failures are forgotten a day after the first of them
DEVICE_COOKIE = "cortile_device"
DEVICE_COOKIE_DAYS = 180
DEVICE_ACCOUNTS = 5  # a shared family phone remembers this many people


def _key(*parts: str) -> str:
    return ":".join([current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "signin", *parts])


def _account_tag(account: str) -> str:
    """Names the account in cookies and counters without the nickname (a shared phone's cookie
    is readable by everyone who uses it)."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), account.encode(), hashlib.sha256).hexdigest()[:24]


@dataclass
class Device:
    """This browser as the device cookie describes it: its own id and the accounts it signed in to."""

    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    accounts: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls) -> Device:
        cookie = request.cookies.get(DEVICE_COOKIE, "")
        try:
            data = _serializer().loads(cookie, max_age=DEVICE_COOKIE_DAYS * 86400)
        except BadSignature:
            return cls()
        if not isinstance(data, dict) or not isinstance(data.get("n"), str) \
                or not isinstance(data.get("a"), list):
            return cls()
        return cls(data["n"], [tag for tag in data["a"] if isinstance(tag, str)][:DEVICE_ACCOUNTS])

    def trusted_for(self, account: str) -> bool:
        tag = _account_tag(account)
        if tag not in self.accounts:
            return False
        return limiter.storage.get(_key("device", self.nonce, tag)) < DEVICE_FAILURES

    def remember(self, response, account: str) -> None:
        """After a correct password: this browser is trusted for the account from now on."""
        tag = _account_tag(account)
        accounts = [tag, *(other for other in self.accounts if other != tag)][:DEVICE_ACCOUNTS]
        response.set_cookie(DEVICE_COOKIE, _serializer().dumps({"n": self.nonce, "a": accounts}),
                            max_age=DEVICE_COOKIE_DAYS * 86400, path=request.path, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def attempt(account: str, device: Device) -> int:
    """Count a password try for `account` before it is checked, so tries sent at once are counted
    one by one. Returns 0 to go ahead, or the minutes (rounded up) this browser must wait first."""
    tag = _account_tag(account)
    if device.trusted_for(account):
        limiter.storage.incr(_key("device", device.nonce, tag), FAILURES_KEPT)
        return 0
    wait_key = _key("wait", tag)
    if limiter.storage.get(wait_key) == 0:
        tries = limiter.storage.incr(_key("failures", tag), FAILURES_KEPT)
        if tries < FREE_FAILURES:
            return 0
        # This try goes ahead and the next waits; of tries racing for the same slot, one goes.
        wait = min(MAX_WAIT, FIRST_WAIT * 2 ** (tries - FREE_FAILURES))
        if limiter.storage.incr(wait_key, wait) == 1:
            return 0
    return max(1, math.ceil((limiter.storage.get_expiry(wait_key) - time.time()) / 60))


def succeeded(account: str, device: Device) -> None:
    """The right password: its try was no failure. On a trusted browser only that browser's count
    is forgotten: the person signing in on their phone must not hand a guesser elsewhere a fresh
    set of free tries."""
    tag = _account_tag(account)
    keys = [_key("device", device.nonce, tag)]
    if not device.trusted_for(account):
        keys += [_key("failures", tag), _key("wait", tag)]
    for key in keys:
        limiter.storage.clear(key)
