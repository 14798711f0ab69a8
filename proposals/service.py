"""Proposal rules that views and the command line share: drafts and co-authors, the lifecycle,
supports and the threshold, following, official answers, each neighbourhood's settings.

Functions add to the current transaction; the caller commits (views through
`db.write_transaction()`), so a refused action leaves nothing behind. Who may act is the caller's
question (views ask `portal.permissions`); these functions keep the rules about the proposal.
Everything that changes a proposal's state or count first locks its row, so two requests never
both act on the same state: two supports never both miss or both cross the threshold.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, union, update

from forums.service import start_thread
from portal import audit, db, permissions, signals
from portal.accounts.models import User
from portal.accounts.service import find_by_nickname, lock_person
from portal.forms import TOO_LONG
from portal.groups.models import MEMBER_STATUSES, Group, GroupKind, Membership, Visibility
from portal.groups.service import lock_group
from portal.links import stored_path
from portal.notifications import notify, notify_facilitators
from portal.places.models import Neighbourhood
from portal.rules import RuleError
from portal.timeutil import utcnow
from proposals.models import (
    DEFAULT_SUPPORT_DAYS,
    DEFAULT_THRESHOLD,
    STATE_LABELS,
    SUPPORTABLE,
    Coauthor,
    CoauthorStatus,
    Follow,
    NeighbourhoodProposalSettings,
    Proposal,
    ProposalState,
    ProposalStep,
    Support,
)

TITLE_LENGTH = (5, 120)
SUMMARY_MAX = 280
DESCRIPTION_MAX = 10_000
NOTE_MAX = 500
SUPPORT_DAYS = (1, 365)
THRESHOLD = (1, 10_000)
ONLY_DRAFTS = _l("Only drafts can be changed, and this proposal is no longer a draft.")
ONLY_UNDER_REVIEW = _l("Only a proposal under review can be answered.")


@dataclass(frozen=True)
class Move:
    """A change of state someone makes by hand, and whose rule allows it."""

    sources: tuple[ProposalState, ...]
    target: ProposalState
    rule: str  # the permissions action the view requires


# The hand-made steps; answering (under review to accepted or not) has its own form and function.
MOVES = {
    "publish": Move((ProposalState.DRAFT,), ProposalState.OPEN, "proposal.author"),
    "withdraw": Move((ProposalState.DRAFT, *SUPPORTABLE), ProposalState.WITHDRAWN, "proposal.author"),
    "review": Move((ProposalState.THRESHOLD_REACHED,), ProposalState.UNDER_REVIEW, "proposal.steward"),
    "start": Move((ProposalState.ACCEPTED,), ProposalState.IN_PROGRESS, "proposal.steward"),
    "finish": Move((ProposalState.IN_PROGRESS,), ProposalState.DONE, "proposal.steward"),
}
ANSWERS = (ProposalState.ACCEPTED, ProposalState.NOT_ACCEPTED)


def proposal_link(proposal_id: int) -> str:
    """For notifications, which expiry also sends from the command line."""
    return stored_path("proposals.show", proposal_id=proposal_id)


def _locked(proposal_id: int) -> Proposal:
    """The proposal's row, locked until the transaction ends (SQLite: the write lock, taken up
    front), read afresh: another request may have changed it while this one waited."""
    db.begin_write()
    return db.session.scalar(select(Proposal).where(Proposal.id == proposal_id).with_for_update()
                             .execution_options(populate_existing=True))


# --- neighbourhood settings --------------------------------------------------------------------

def settings_for(neighbourhood_id: int) -> NeighbourhoodProposalSettings:
    """The neighbourhood's settings, or the defaults (a row not added to the session)."""
    row = db.session.scalar(select(NeighbourhoodProposalSettings)
                            .where(NeighbourhoodProposalSettings.neighbourhood_id == neighbourhood_id))
    return row or NeighbourhoodProposalSettings(
        neighbourhood_id=neighbourhood_id, support_days=DEFAULT_SUPPORT_DAYS, threshold=DEFAULT_THRESHOLD,
        require_verified=False)


def save_settings(neighbourhood: Neighbourhood, actor: User, *, support_days: int, threshold: int,
                  require_verified: bool) -> None:
    """Apply to proposals published from now on; running ones keep their window and threshold."""
    db.begin_write()
    # The neighbourhood's row lock makes two first saves take turns instead of both inserting.
    db.session.execute(select(Neighbourhood.id).where(Neighbourhood.id == neighbourhood.id).with_for_update())
    row = settings_for(neighbourhood.id)
    db.session.add(row)
    row.support_days, row.threshold, row.require_verified = support_days, threshold, require_verified
    row.updated_at, row.updated_by_id = utcnow(), actor.id
    audit.record("proposal_settings.update", "neighbourhood", neighbourhood.id, actor_id=actor.id,
                 support_days=support_days, threshold=threshold, require_verified=require_verified)


# --- drafts and co-authors ---------------------------------------------------------------------

def _check_group(group: Group | None, neighbourhood_id: int, author: User,
                 current_group_id: int | None) -> None:
    if group is None:
        return
    if group.neighbourhood_id != neighbourhood_id:
        raise RuleError(_l("This group belongs to another neighbourhood: choose one of the "
                               "proposal's neighbourhood, or none."), "group")
    if group.id == current_group_id:
        return  # a co-author editing keeps the group the proposer chose
    is_member = db.session.scalar(select(Membership.id).where(
        Membership.group_id == group.id, Membership.user_id == author.id,
        Membership.status.in_(MEMBER_STATUSES)))
    if is_member is None:
        raise RuleError(_l("Choose one of your groups, or none."), "group")


def create_draft(author: User, fields: dict) -> Proposal:
    """`fields`: title, summary, description, theme, neighbourhood_id, group (a Group or None)."""
    fields = dict(fields)
    group = fields.pop("group")
    _check_group(group, fields["neighbourhood_id"], author, None)
    proposal = Proposal(proposer_id=author.id, group_id=group.id if group else None, **fields)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ProposalStep(proposal_id=proposal.id, from_state=None, to_state=ProposalState.DRAFT,
                                actor_id=author.id))
    signals.record("proposal.created", author.id, group=group, neighbourhood=db.session.get(
        Neighbourhood, proposal.neighbourhood_id), subject_type="proposal", subject_id=proposal.id)
    return proposal


def _refuse_unless_draft(proposal: Proposal) -> None:
    if proposal.state != ProposalState.DRAFT:
        raise RuleError(ONLY_DRAFTS)


def update_draft(proposal_id: int, editor: User, fields: dict) -> Proposal:
    proposal = _locked(proposal_id)
    _refuse_unless_draft(proposal)
    fields = dict(fields)
    group = fields.pop("group")
    _check_group(group, fields["neighbourhood_id"], editor, proposal.group_id)
    for key, value in fields.items():
        setattr(proposal, key, value)
    proposal.group_id = group.id if group else None
    return proposal


def invite_coauthor(proposal_id: int, inviter: User, nickname: str) -> User:
    proposal = _locked(proposal_id)
    _refuse_unless_draft(proposal)
    person = find_by_nickname(nickname)
    if person is None or person.erased_at is not None:
        raise RuleError(_l("Nobody here uses that nickname. Check how it is written."), "nickname")
    if proposal.is_author(person):
        raise RuleError(_l("%(nickname)s is already an author.", nickname=person.nickname), "nickname")
    if any(c.user_id == person.id for c in proposal.coauthors):
        raise RuleError(_l("%(nickname)s has already been invited.", nickname=person.nickname),
                            "nickname")
    db.session.add(Coauthor(proposal_id=proposal.id, user_id=person.id, invited_by_id=inviter.id))
    notify(person.id, "coauthor_invited", stored_path("proposals.mine"), nickname=inviter.nickname,
           proposal=proposal.title)
    return person


def pending_invitation(proposal_id: int, user: User) -> Coauthor | None:
    return db.session.scalar(select(Coauthor).where(
        Coauthor.proposal_id == proposal_id, Coauthor.user_id == user.id,
        Coauthor.status == CoauthorStatus.INVITED))


ANSWER_WORDS = {CoauthorStatus.ACCEPTED: _l("accepted"), CoauthorStatus.DECLINED: _l("declined")}


def answer_invitation(invitation: Coauthor, user: User, accept: bool) -> None:
    proposal = _locked(invitation.proposal_id)
    if accept:
        _refuse_unless_draft(proposal)
    status = CoauthorStatus.ACCEPTED if accept else CoauthorStatus.DECLINED
    # Conditional: of two answers sent at once, only the first counts.
    answered = db.session.execute(
        update(Coauthor).where(Coauthor.id == invitation.id, Coauthor.status == CoauthorStatus.INVITED)
        .values(status=status, answered_at=utcnow())).rowcount
    if not answered:
        raise RuleError(_l("You have already answered this invitation."))
    inviter_language = db.session.scalar(select(User.language).where(User.id == invitation.invited_by_id))
    with force_locale(inviter_language):
        word = str(ANSWER_WORDS[status])
    notify(invitation.invited_by_id, "coauthor_answered", proposal_link(proposal.id),
           nickname=user.nickname, proposal=proposal.title, answer=word)


# --- the lifecycle -----------------------------------------------------------------------------

def _audience(proposal: Proposal, exclude: set[int]) -> list[tuple[int, str]]:
    """(user id, language) of its authors, co-authors, supporters and followers, one row each."""
    people = union(
        select(Proposal.proposer_id).where(Proposal.id == proposal.id),
        select(Coauthor.user_id).where(Coauthor.proposal_id == proposal.id,
                                       Coauthor.status == CoauthorStatus.ACCEPTED),
        select(Support.user_id).where(Support.proposal_id == proposal.id),
        select(Follow.user_id).where(Follow.proposal_id == proposal.id),
    )
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.language)
        .where(User.id.in_(people), User.id.not_in(exclude), User.erased_at.is_(None))
        .order_by(User.language, User.id))]


def _move(proposal: Proposal, target: ProposalState, actor: User | None, note: str = "", *,
          prompted_by: User | None = None) -> None:
    """Change the state, write the timeline and tell everyone concerned (each in their language).
    `prompted_by`: who caused a step nobody takes by hand (the support that reached the threshold)."""
    db.session.add(ProposalStep(proposal_id=proposal.id, from_state=proposal.state, to_state=target,
                                actor_id=actor.id if actor else None, note=note))
    proposal.state = target
    kind = "proposal_answered" if target in ANSWERS else "proposal_state"
    link = proposal_link(proposal.id)
    told = {actor.id} if actor else set()
    if target == ProposalState.THRESHOLD_REACHED:
        # Its stewards' review comes next: they get that message instead of the general one.
        stewarding = or_(Group.neighbourhood_id == proposal.neighbourhood_id, Group.id == proposal.group_id)
        told |= notify_facilitators([stewarding], "proposal_to_review", link,
                                    actor_id=prompted_by.id if prompted_by else None,
                                    readable_in=proposal.group, proposal=proposal.title)
    for language, people in groupby(_audience(proposal, told), key=lambda p: p[1]):
        with force_locale(language):
            label = str(STATE_LABELS[target])
        for user_id, _language in people:
            notify(user_id, kind, link, readable_in=proposal.group, proposal=proposal.title, state=label)


def _signal(kind: str, proposal: Proposal, actor_id: int, value: int | None = None) -> None:
    """detail is always the state the proposal is in after the act."""
    signals.record(kind, actor_id, group=proposal.group, neighbourhood=proposal.neighbourhood,
                   subject_type="proposal", subject_id=proposal.id, value=value,
                   detail=proposal.state.value)


def move_problem(proposal: Proposal, move: str):
    """Why this step cannot be taken now, or None."""
    if proposal.state not in MOVES[move].sources:
        return _l("This cannot be done while the proposal is: %(state)s.",
                  state=STATE_LABELS[proposal.state])
    return None


def take_step(proposal_id: int, move: str, actor: User, note: str = "") -> Proposal:
    """Publish, withdraw, start the review, mark in progress or done."""
    proposal = _locked(proposal_id)
    problem = move_problem(proposal, move)
    if problem is not None:
        raise RuleError(problem)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleError(TOO_LONG % {"max": NOTE_MAX}, "note")
    if move == "publish":
        _publish(proposal, actor)
    _move(proposal, MOVES[move].target, actor, note)
    _signal("proposal.published" if move == "publish" else "proposal.state_changed", proposal, actor.id)
    return proposal


def _publish(proposal: Proposal, actor: User) -> None:
    settings = settings_for(proposal.neighbourhood_id)
    now = utcnow()
    proposal.published_at = now
    proposal.deadline_at = now + timedelta(days=settings.support_days)
    proposal.threshold = settings.threshold
    group = discussion_group(proposal)
    if group is None:
        return
    # The discussion is the publisher's own thread (they are told of its replies, may correct
    # it, it counts as their post), so it opens only where they may start one themselves: the
    # rule of the forum's own form. Someone banned or muted there, or not a member, publishes
    # the proposal without a discussion, and the publish page says so beforehand. Opening it
    # under a neutral author instead would still put their words in a forum that keeps them
    # out, and the usual case, a resident who never joined their neighbourhood's open group,
    # is one "Join" away from a discussion of their own (the publish page offers it).
    lock_group(group)  # a ban committed while this request waited is seen
    if not permissions.may_now("thread.start", group, actor):
        return
    # Written once for every reader, so in the forum's language (Milan's groups write Italian),
    # not in the language of the publisher's request.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        read_more = _("Read the whole proposal")
    body = "\n\n".join([proposal.summary, f"[{read_more}]({proposal_link(proposal.id)})"])
    try:
        proposal.thread_id = start_thread(group, actor, proposal.title, body).id
    except RuleError as error:
        raise RuleError(_l("The discussion could not be opened: %(reason)s", reason=error.message)) \
            from None


def discussion_group(proposal: Proposal) -> Group | None:
    """Where the proposal is discussed: its own group, or else its neighbourhood's own group if
    that is public (everyone reads a published proposal, so everyone must read its discussion)."""
    if proposal.group is not None:
        return proposal.group
    return db.session.scalar(select(Group).where(
        Group.neighbourhood_id == proposal.neighbourhood_id, Group.kind == GroupKind.NEIGHBOURHOOD,
        Group.visibility == Visibility.PUBLIC).order_by(Group.id).limit(1))


def answer(proposal_id: int, steward: User, decision: str, text: str) -> Proposal:
    """The network's official answer: accepted or not, with the reasons in writing."""
    proposal = _locked(proposal_id)
    if proposal.state != ProposalState.UNDER_REVIEW:
        raise RuleError(ONLY_UNDER_REVIEW)
    try:
        target = ProposalState(decision)
    except ValueError:
        target = None
    if target not in ANSWERS:
        raise RuleError(_l("Choose accepted or not accepted."), "decision")
    text = (text or "").strip()
    if not text:
        raise RuleError(_l("Write the answer: families read why."), "answer")
    if len(text) > DESCRIPTION_MAX:
        raise RuleError(TOO_LONG % {"max": DESCRIPTION_MAX}, "answer")
    proposal.answer, proposal.answered_at, proposal.answered_by_id = text, utcnow(), steward.id
    _move(proposal, target, steward)
    audit.record("proposal.answer", "proposal", proposal.id, actor_id=steward.id, decision=target.value)
    # value: seconds from publication to the answer, for "median days to an answer".
    _signal("proposal.answered", proposal, steward.id,
            int((proposal.answered_at - proposal.published_at).total_seconds()))
    return proposal


def close_expired(now: datetime | None = None) -> int:
    """Open proposals whose window ended below the threshold become expired; returns how many.
    Supports are refused after the deadline anyway: this only makes the state say so."""
    now = now or utcnow()
    db.begin_write()
    expired = db.session.scalars(
        select(Proposal).where(Proposal.state == ProposalState.OPEN, Proposal.deadline_at <= now)
        .order_by(Proposal.id).with_for_update().execution_options(populate_existing=True)).all()
    for proposal in expired:
        _move(proposal, ProposalState.EXPIRED, None)
        # Signals need an actor: an automatic change is the proposal's own, so its proposer's.
        _signal("proposal.state_changed", proposal, proposal.proposer_id)
    return len(expired)


# --- supports and following --------------------------------------------------------------------

def support_problem(proposal: Proposal, user: User, now: datetime | None = None):
    """Why this person cannot add their support now (beyond the permission rule), or None."""
    now = now or utcnow()
    if proposal.state not in SUPPORTABLE:
        return _l("This proposal is not collecting supports: it is %(state)s.",
                  state=STATE_LABELS[proposal.state])
    if now >= proposal.deadline_at:
        return _l("The time to support this proposal is over.")
    if settings_for(proposal.neighbourhood_id).require_verified and user.verified_at is None:
        return _l("In this neighbourhood supports count once a facilitator has met you in person. "
                  "Ask at an access point.")
    return None


def supports(proposal_id: int, user: User) -> bool:
    return db.session.scalar(select(Support.id).where(
        Support.proposal_id == proposal_id, Support.user_id == user.id)) is not None


def _recount(proposal: Proposal) -> int:
    """The count, recomputed in SQL from the supports themselves, never added to in Python."""
    counted = select(func.count(Support.id)).where(Support.proposal_id == proposal.id).scalar_subquery()
    proposal.supports_count = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id).values(supports_count=counted)
        .returning(Proposal.supports_count)).scalar_one()
    return proposal.supports_count


def support(proposal_id: int, user: User) -> Proposal:
    proposal = _locked(proposal_id)
    # The person's row too, then the rule again: a move to another neighbourhood committed while
    # this request waited takes the right with it, and none can happen until this one commits.
    lock_person(user)
    if not permissions.may_now("proposal.support", proposal, user):
        raise RuleError(_l("Only residents of its neighbourhood and members of its group can support "
                           "this proposal."))
    problem = support_problem(proposal, user)
    if problem is not None:
        raise RuleError(problem)
    # The row lock makes this check exact; the unique constraint stands behind it.
    if supports(proposal.id, user):
        raise RuleError(_l("You already support this proposal."))
    # It counts for the neighbourhood the person lives in now, whatever they do later.
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id, neighbourhood_id=user.home_neighbourhood_id))
    db.session.flush()
    count = _recount(proposal)
    _signal("proposal.supported", proposal, user.id)
    if proposal.state == ProposalState.OPEN and count >= proposal.threshold:
        _move(proposal, ProposalState.THRESHOLD_REACHED, None, prompted_by=user)
        _signal("proposal.state_changed", proposal, user.id)
    return proposal


def withdraw_support(proposal_id: int, user: User) -> Proposal:
    """Allowed while the proposal is open: once it reached its threshold, supports stay."""
    proposal = _locked(proposal_id)
    if proposal.state != ProposalState.OPEN or utcnow() >= proposal.deadline_at:
        raise RuleError(_l("Supports can be withdrawn only while the proposal is open for support."))
    removed = db.session.execute(delete(Support).where(
        Support.proposal_id == proposal.id, Support.user_id == user.id)).rowcount
    if not removed:
        raise RuleError(_l("You do not support this proposal."))
    _recount(proposal)
    _signal("proposal.support_withdrawn", proposal, user.id)
    return proposal


def follow(proposal_id: int, user: User) -> None:
    proposal = _locked(proposal_id)  # two quick clicks take turns: one row, never an error
    if not follows(proposal.id, user):
        db.session.add(Follow(proposal_id=proposal.id, user_id=user.id))


def unfollow(proposal_id: int, user: User) -> None:
    db.session.execute(delete(Follow).where(Follow.proposal_id == proposal_id, Follow.user_id == user.id))


def follows(proposal_id: int, user: User) -> bool:
    return db.session.scalar(select(Follow.id).where(
        Follow.proposal_id == proposal_id, Follow.user_id == user.id)) is not None
