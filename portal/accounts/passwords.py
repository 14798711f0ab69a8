"""Password hashing (Argon2id) and the rules a new password must meet."""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128  # Argon2 would take longer, but nobody types more on a phone

_hasher = PasswordHasher()
# Verified against when the nickname is unknown, so a failed login takes as long either way and
# does not reveal which nicknames exist.
_DUMMY_HASH = _hasher.hash("cortile-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "common-passwords.txt"
    lines = (line.strip() for line in path.read_text().splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def password_problem(password: str, nickname: str = ""):
    """The first rule `password` breaks, as a translatable message, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    folded = _fold(password)
    # "password2024" is as weak as "password": strip trailing digits and symbols before looking up.
    stem = folded.rstrip("0123456789!?.*#@$-_ ")
    if folded in _common_passwords() or stem in _common_passwords() or len(set(folded)) < 4:
        return _l("This password is too common and easy to guess. Try a short sentence instead.")
    if nickname and _fold(nickname) in folded:
        return _l("The password must not contain your nickname.")
    return None
