"""What Cortile holds about a person: gathered for them to take away (GDPR Art. 15 and 20) and
erased when they ask (Art. 17).

Every package that stores a person's id describes it in a `Holder`: the sections it exports, what
erasure does to each of its columns that point at users.id, and the columns it keeps with a
reason. portal's own holders are in portal/accounts/own_data.py; the features' come through
portal.features (portal never imports them). tests/test_personal_data.py walks the schema and
fails on a column naming a person that no holder accounts for, so a new table cannot be forgotten.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app

from portal.accounts.models import User

# What erasure does to the rows a column points at the person from.
ERASED = "erased"  # the rows go
# The rows stay for everyone else (a post, a proposal, an audit entry) and point at the erased
# account, which names nobody: it reads "former member" and holds no personal data.
NAMES_NOBODY = "names nobody"


@dataclass
class Erasure:
    person: User
    # The person themselves, or the facilitator who erases for them at an access point.
    actor: User
    # Their posts are taken down (True) or stay under "former member" (False): they choose.
    remove_posts: bool


@dataclass(frozen=True)
class Section:
    """One part of the download: rows of plain values, and the words that label them."""

    key: str
    title: object  # a lazy string
    labels: dict  # field -> lazy label, in the order the readable page shows them
    rows: Callable[[User], list[dict]]
    # field -> {code: lazy word}: the readable page says "On the waiting list", the file "waitlisted".
    words: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Holder:
    sections: tuple[Section, ...]
    # "table.column" -> ERASED or NAMES_NOBODY: every column the sections read.
    columns: dict[str, str]
    # The person's part in other people's records (a facilitator who hid a post, gave a code):
    # the row stays, pointing at an account that names nobody once erased. Each with its reason.
    kept: dict[str, str] = field(default_factory=dict)
    # Runs inside the erasing transaction, before portal's own data goes.
    erase: Callable[[Erasure], None] | None = None


def holders() -> tuple[Holder, ...]:
    """portal's holders and the features', as the app registered them (portal/__init__.py)."""
    return current_app.extensions["cortile.personal_data"]


def plain(value):
    """A value as the JSON download writes it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def gather(person: User) -> list[tuple[Section, list[dict]]]:
    return [(section, section.rows(person)) for holder in holders() for section in holder.sections]


def as_json(person: User) -> dict:
    return {section.key: [{key: plain(value) for key, value in row.items()} for row in rows]
            for section, rows in gather(person)}
