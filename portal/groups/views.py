"""Group pages: joining and leaving, requests, invitations, the waiting list, facilitators and the
moderation of members. The rules are in portal.groups.service; these handlers stay thin."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal import db
from portal.accounts.models import User
from portal.forms import ConfirmForm
from portal.groups import forms, service
from portal.groups.models import (
    MEMBER_STATUSES,
    Group,
    GroupKind,
    JoinPolicy,
    Membership,
    MembershipStatus,
    Visibility,
)
from portal.groups.pages import group_or_404, header_context
from portal.pagination import page_number, page_slice, split_page
from portal.permissions import may, require
from portal.places.models import Neighbourhood
from portal.text import render_plain
from portal.timeutil import utcnow
from portal.web import press, redirect_after_post, render_form_page, render_page, signed_in_user, submit

bp = Blueprint("groups", __name__, url_prefix="/groups")
PER_PAGE = 50


def _managed(slug: str, user_id: int, action: str = "group.manage") -> tuple[Group, User]:
    """A group the signed-in person may do `action` in, and one person in it."""
    group = group_or_404(slug)
    require(action, group)
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return group, person


def _done(message: str, url: str):
    flash(message, "success")
    return redirect_after_post(url)


# --- the group page and the person's own membership --------------------------------------------

@bp.get("/<slug>")
def page(slug: str):
    return _group_page(group_or_404(slug))


def _group_page(group: Group, status: int = 200, partial: str | None = None, request_form=None):
    # Members-only groups show others their name, kind, size and how to join: never what they share.
    about = render_plain(group.about) if may("group.view", group) and group.about else None
    return render_page("groups/page.html", partial, status, about=about,
                       **header_context(group, request_form))


def _outcome(group: Group, row: Membership | None, gone) -> str:
    """What the person now is in `group`, in a sentence; `gone` when they no longer have a row."""
    if row is None:
        return gone % {"group": group.name}
    if row.status == MembershipStatus.WAITING:
        return _("%(group)s is full: you are on the waiting list.", group=group.name)
    if row.status == MembershipStatus.PENDING:
        return _("Your request is sent. A facilitator will answer you here.")
    return _("Welcome to %(group)s!", group=group.name)


# Button-only actions people take on their own membership: address, permission, rule, and what
# to say when their row is gone.
SELF_ACTIONS = [
    ("join", "group.join", service.join, None),
    ("leave", "group.leave", service.leave, _l("You are no longer in %(group)s.")),
    ("invitation/accept", "group.answer_invitation", service.accept_invitation, None),
    ("invitation/decline", "group.answer_invitation", service.decline_invitation,
     _l("You declined the invitation to %(group)s.")),
    ("offer/accept", "group.answer_offer", service.accept_offer, None),
    ("offer/decline", "group.answer_offer", service.decline_offer,
     _l("You gave up the place in %(group)s.")),
]


def _self_action(action: str, perform, gone):
    def view(slug: str):
        group = group_or_404(slug)
        require(action, group)
        done, row = press(lambda: perform(group, signed_in_user()))
        if done:
            return _done(_outcome(group, row, gone), url_for(".page", slug=group.slug))
        return _group_page(group, 409)
    return view


for _path, _action, _perform, _gone in SELF_ACTIONS:
    bp.add_url_rule(f"/<slug>/{_path}", _path.replace("/", "_"), _self_action(_action, _perform, _gone),
                    methods=["POST"])


@bp.post("/<slug>/request")
def ask(slug: str):
    group = group_or_404(slug)
    require("group.join", group)
    form = forms.RequestForm()
    done, row = submit(form, lambda: service.request_to_join(group, signed_in_user(), form.message.data))
    if done:
        return _done(_outcome(group, row, None), url_for(".page", slug=group.slug))
    return _group_page(group, 422, "groups/_request_form.html", form)


# --- managing members --------------------------------------------------------------------------

def _with_people():
    return select(Membership).join(Membership.user).options(contains_eager(Membership.user))


@bp.get("/<slug>/members")
def members(slug: str):
    group = group_or_404(slug)
    require("group.manage", group)
    return _members_page(group)


def _members_page(group: Group, status: int = 200, partial: str | None = None, invite_form=None):
    page = page_number()
    # Requests, the waiting list, invitations and bans: short lists, in one query.
    others = db.session.scalars(_with_people().where(
        Membership.group_id == group.id, Membership.status.not_in(MEMBER_STATUSES))).all()
    members, has_more = split_page(db.session.scalars(page_slice(
        _with_people().where(Membership.group_id == group.id, Membership.status.in_(MEMBER_STATUSES))
        .order_by(Membership.role, User.nickname_key),  # facilitators first
        page, PER_PAGE)).all(), PER_PAGE)

    def having(*statuses):
        return [row for row in others if row.status in statuses]

    return render_page(
        "groups/members.html", partial, status, group=group, page=page,
        members=members, has_more=has_more, member_total=service.counts(group)[0],
        requests=sorted(having(MembershipStatus.PENDING), key=lambda row: (row.created_at, row.id)),
        waiting=sorted(having(MembershipStatus.OFFERED, MembershipStatus.WAITING),
                       key=lambda row: (row.queued_at or row.created_at, row.id)),
        invited=having(MembershipStatus.INVITED), banned=having(MembershipStatus.BANNED),
        invite_form=invite_form or forms.InviteForm(formdata=None), confirm_form=ConfirmForm(),
        now=utcnow())


@bp.post("/<slug>/invite")
def invite(slug: str):
    group = group_or_404(slug)
    require("group.manage", group)
    form = forms.InviteForm()
    done, row = submit(form, lambda: service.invite(group, form.nickname.data, signed_in_user()))
    if done:
        return _done(_("%(nickname)s is invited and will find it in their notifications.",
                       nickname=row.user.nickname), url_for(".members", slug=group.slug))
    return _members_page(group, 422, "groups/_invite_form.html", form)


# Button-only decisions about one person: address, service call, what to say after, permission.
MEMBER_ACTIONS = [
    ("approve", service.approve, _l("You accepted %(nickname)s's request. They are told."), "group.manage"),
    ("decline", service.decline, _l("You declined %(nickname)s's request. They are told."), "group.manage"),
    ("unmute", service.unmute, _l("%(nickname)s can write again."), "group.manage"),
    ("unban", service.unban, _l("%(nickname)s may ask to join again."), "group.manage"),
    ("facilitator", service.appoint_facilitator, _l("%(nickname)s is now a facilitator of this group."),
     "group.appoint_facilitator"),
]


def _member_action(perform, message, action):
    def view(slug: str, user_id: int):
        group, person = _managed(slug, user_id, action)
        done, _result = press(lambda: perform(group, person, signed_in_user()))
        if done:
            return _done(message % {"nickname": person.nickname}, url_for(".members", slug=group.slug))
        return _members_page(group, 409)
    return view


for _path, _perform, _message, _action in MEMBER_ACTIONS:
    bp.add_url_rule(f"/<slug>/members/<int:user_id>/{_path}", _path,
                    _member_action(_perform, _message, _action), methods=["POST"])


@bp.get("/<slug>/members/<int:user_id>")
def member(slug: str, user_id: int):
    return _member_page(*_managed(slug, user_id))


def _member_page(group: Group, person: User, status: int = 200, partial: str | None = None, **forms_shown):
    row = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == person.id))
    if row is None:
        abort(404)
    return render_page(
        "groups/member.html", partial, status, group=group, person=person, row=row, now=utcnow(),
        mute_form=forms_shown.get("mute_form") or forms.MuteForm(formdata=None),
        ban_form=forms_shown.get("ban_form") or forms.BanForm(formdata=None), confirm_form=ConfirmForm())


@bp.post("/<slug>/members/<int:user_id>/mute")
def mute(slug: str, user_id: int):
    group, person = _managed(slug, user_id)
    form = forms.MuteForm()
    done, _row = submit(form, lambda: service.mute(group, person, signed_in_user(), days=form.days.data,
                                                   reason=form.reason.data))
    if done:
        return _done(_("%(nickname)s cannot write here for %(days)d days, and is told why.",
                       nickname=person.nickname, days=form.days.data), url_for(".members", slug=group.slug))
    return _member_page(group, person, 422, "groups/_mute_form.html", mute_form=form)


@bp.post("/<slug>/members/<int:user_id>/ban")
def ban(slug: str, user_id: int):
    group, person = _managed(slug, user_id)
    form = forms.BanForm()
    done, _nothing = submit(form, lambda: service.ban(group, person, signed_in_user(),
                                                      reason=form.reason.data))
    if done:
        return _done(_("%(nickname)s is removed from the group, and is told why.", nickname=person.nickname),
                     url_for(".members", slug=group.slug))
    return _member_page(group, person, 422, "groups/_ban_form.html", ban_form=form)


# --- new groups --------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    """A group in ?neighbourhood=<slug>; without it a city-wide one (a thematic table)."""
    slug = request.args.get("neighbourhood")
    neighbourhood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == slug)) if slug else None
    if slug and neighbourhood is None:
        abort(404)
    require("group.create", neighbourhood)
    form = forms.GroupForm()
    if not form.is_submitted():
        form.kind.data = GroupKind.NEIGHBOURHOOD if neighbourhood else GroupKind.THEMATIC_TABLE
    done, group = submit(form, lambda: service.create_group(
        signed_in_user(), neighbourhood, name=form.name.data, about=form.about.data,
        kind=GroupKind(form.kind.data),
        visibility=Visibility(form.visibility.data) if form.visibility.data else None,
        join_policy=JoinPolicy(form.join_policy.data) if form.join_policy.data else None,
        capacity=form.capacity.data))
    if done:
        return _done(_("%(group)s is ready, and you are its facilitator.", group=group.name),
                     url_for(".page", slug=group.slug))
    return render_form_page("groups/new.html", "groups/_group_form.html", form=form,
                            neighbourhood=neighbourhood)
