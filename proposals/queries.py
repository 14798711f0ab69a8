"""Read-only lookups for proposal pages: each a fixed number of queries, however many proposals,
supports or steps there are."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import BigInteger, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from forums.models import Post, PostState
from portal import db
from portal.groups.models import Group
from portal.pagination import page_slice, split_page
from portal.permissions import member_groups_condition, readable_groups_condition
from portal.places.models import Neighbourhood
from portal.timeutil import utcnow
from proposals.models import (
    SUPPORTABLE,
    Coauthor,
    CoauthorStatus,
    Follow,
    Proposal,
    ProposalState,
    ProposalStep,
    Support,
)

PER_PAGE = 20
# The shuffle: (id * a + b) mod a prime, with a and b from the visitor's seed. Integer arithmetic
# that SQLite and PostgreSQL compute alike (in 64 bits: ids and seeds stay below 2**31).
SHUFFLE_PRIME = 2_147_483_647


@dataclass(frozen=True)
class Filters:
    theme: str | None = None
    state: str | None = None
    neighbourhood_id: int | None = None
    municipio_number: int | None = None
    text: str = ""
    order: str = "random"
    seed: int = 1


def _with_places(statement):
    return statement.options(joinedload(Proposal.neighbourhood).joinedload(Neighbourhood.municipio),
                             joinedload(Proposal.group).joinedload(Group.neighbourhood))


def proposal_or_404(proposal_id: int) -> Proposal:
    """The proposal with what its page and the permission rules read: places, group, proposer and
    co-authors (two queries)."""
    proposal = db.session.scalar(
        _with_places(select(Proposal))
        .options(joinedload(Proposal.proposer),
                 selectinload(Proposal.coauthors).joinedload(Coauthor.user))
        .where(Proposal.id == proposal_id))
    if proposal is None:
        abort(404)
    return proposal


def visible_to(user):
    """The SQL twin of the `proposal.view` rule for published proposals, for lists: those without
    a group and those of groups the person may read. test_proposal_permissions holds the two
    together."""
    readable = select(Group.id).where(readable_groups_condition(user))
    return and_(Proposal.published_at.is_not(None),
                or_(Proposal.group_id.is_(None), Proposal.group_id.in_(readable)))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: Filters) -> list:
    conditions = []
    if filters.theme:
        conditions.append(Proposal.theme == filters.theme)
    if filters.state:
        conditions.append(Proposal.state == filters.state)
    if filters.neighbourhood_id:
        conditions.append(Proposal.neighbourhood_id == filters.neighbourhood_id)
    if filters.municipio_number:
        in_municipio = Neighbourhood.municipio.has(number=filters.municipio_number)
        conditions.append(Proposal.neighbourhood.has(in_municipio))
    if filters.text:
        pattern = _like(filters.text)
        conditions.append(or_(Proposal.title.ilike(pattern, escape="\\"),
                              Proposal.summary.ilike(pattern, escape="\\")))
    return conditions


def _order(filters: Filters) -> list:
    if filters.order == "supported":
        return [Proposal.supports_count.desc(), Proposal.id.desc()]
    if filters.order == "newest":
        return [Proposal.published_at.desc(), Proposal.id.desc()]
    if filters.order == "closing":
        collecting = and_(Proposal.state.in_(SUPPORTABLE), Proposal.deadline_at > utcnow())
        return [case((collecting, 0), else_=1), Proposal.deadline_at, Proposal.id]
    multiplier, offset = shuffle_keys(filters.seed)
    shuffled = (cast(Proposal.id, BigInteger) * multiplier + offset) % SHUFFLE_PRIME
    return [shuffled, Proposal.id]


def shuffle_keys(seed: int) -> tuple[int, int]:
    """A multiplier that is never 0 modulo the prime (so no two ids collide), and an offset."""
    return seed % (SHUFFLE_PRIME - 1) + 1, (seed * 7919) % SHUFFLE_PRIME


def listing(user, filters: Filters, page: int) -> tuple[list[Proposal], bool]:
    """One page of the published proposals the person may see, and whether another follows."""
    statement = (_with_places(select(Proposal))
                 .where(visible_to(user), *_conditions(filters)).order_by(*_order(filters)))
    return split_page(db.session.scalars(page_slice(statement, page, PER_PAGE)).all(), PER_PAGE)


def authored_by(user, page: int) -> tuple[list[Proposal], bool]:
    """The person's own proposals, drafts included, the latest first."""
    coauthored = select(Coauthor.proposal_id).where(Coauthor.user_id == user.id,
                                                    Coauthor.status == CoauthorStatus.ACCEPTED)
    statement = (_with_places(select(Proposal))
                 .where(or_(Proposal.proposer_id == user.id, Proposal.id.in_(coauthored)))
                 .order_by(Proposal.created_at.desc(), Proposal.id.desc()))
    return split_page(db.session.scalars(page_slice(statement, page, PER_PAGE)).all(), PER_PAGE)


def invitations_of(user) -> list[Coauthor]:
    """Invitations waiting for the person's answer, with their proposals and who invited them."""
    return db.session.scalars(
        select(Coauthor).join(Coauthor.proposal)
        .options(joinedload(Coauthor.proposal).joinedload(Proposal.proposer),
                 joinedload(Coauthor.proposal).joinedload(Proposal.neighbourhood))
        .where(Coauthor.user_id == user.id, Coauthor.status == CoauthorStatus.INVITED,
               Proposal.state == ProposalState.DRAFT)
        .order_by(Coauthor.id.desc())).all()


def timeline(proposal: Proposal) -> list[ProposalStep]:
    return db.session.scalars(
        select(ProposalStep).options(joinedload(ProposalStep.actor))
        .where(ProposalStep.proposal_id == proposal.id).order_by(ProposalStep.at, ProposalStep.id)).all()


def viewer_ties(user, proposal: Proposal) -> tuple[bool, bool]:
    """Whether the person supports and follows the proposal, in one query."""
    if not getattr(user, "is_authenticated", False):
        return False, False
    row = db.session.execute(select(
        exists().where(Support.proposal_id == proposal.id, Support.user_id == user.id),
        exists().where(Follow.proposal_id == proposal.id, Follow.user_id == user.id))).one()
    return bool(row[0]), bool(row[1])


def reply_count(proposal: Proposal) -> int:
    """Visible replies in the proposal's discussion thread."""
    if proposal.thread_id is None:
        return 0
    return db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == proposal.thread_id, Post.is_opening.is_(False), Post.state == PostState.VISIBLE))


def groups_of(user) -> list[Group]:
    """The neighbourhood groups the person belongs to: the ones a proposal can come from."""
    if not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(
        select(Group).options(joinedload(Group.neighbourhood))
        .where(member_groups_condition(user), Group.neighbourhood_id.is_not(None))
        .order_by(Group.name)).all()
