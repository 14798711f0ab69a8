"""What every page about a group starts with: the group at its address, and the header with its
facts, the viewer's place in it and the buttons that change it. The groups' own pages and the
features' pages of a group (its discussion, its moderation queue) use it, so a group looks the
same wherever one reads it.

This is the view layer: the rules it shows are in portal.groups.service.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, abort, current_app
from flask_babel import LazyString
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import db, permissions
from portal.forms import ConfirmForm
from portal.groups.forms import RequestForm
from portal.groups.models import Group, MembershipStatus
from portal.groups.service import counts, waiting_position
from portal.timeutil import utcnow

SECTIONS_KEY = "cortile.group_sections"


@dataclass(frozen=True)
class Section:
    """A feature's page of a group, linked from the group's header: `endpoint` takes the `slug`."""

    endpoint: str
    label: LazyString


def add_section(app: Flask, endpoint: str, label: LazyString) -> None:
    """Link a feature's page of each group from the group's header.

    Features call this when their blueprint is registered (`Blueprint.record_once`), so the groups
    package never names them: a feature that is not registered simply has no button. The list
    lives on the app, not in this module, so every app (one per test) has only its own sections.
    """
    app.extensions.setdefault(SECTIONS_KEY, []).append(Section(endpoint, label))


def group_or_404(slug: str) -> Group:
    """The group at /groups/<slug> (and the features' pages of it), with its neighbourhood."""
    group = db.session.scalar(
        select(Group).options(joinedload(Group.neighbourhood)).where(Group.slug == slug))
    if group is None:
        abort(404)
    return group


def header_context(group: Group, request_form: RequestForm | None = None) -> dict:
    """Everything templates/groups/_header.html needs, for the signed-in viewer (or a visitor)."""
    row = permissions.membership(current_user, group)
    members, places = counts(group)
    return {
        "group": group,
        "membership": row,
        "members": members,
        "free_places": None if group.capacity is None else max(group.capacity - places, 0),
        "waiting_position": waiting_position(row) if row and row.status == MembershipStatus.WAITING else None,
        "muted_until": row.muted_until if row and row.is_muted(utcnow()) else None,
        "request_form": request_form or RequestForm(),
        "confirm_form": ConfirmForm(),
        "sections": current_app.extensions.get(SECTIONS_KEY, []),
    }
