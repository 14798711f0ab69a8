"""The proposals' part of a person's data (portal/accounts/personal_data.py): proposals they made
or co-author, supports, follows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from portal import db
from portal.accounts.personal_data import ERASED, NAMES_NOBODY, Erasure, Holder, Section
from portal.timeutil import utcnow
from proposals import service
from proposals.models import STATE_LABELS, Coauthor, Follow, Proposal, ProposalState, ProposalStep, Support


def _proposals(person) -> list[dict]:
    return [{"title": p.title, "summary": p.summary, "description": p.description, "state": p.state,
             "created_at": p.created_at, "published_at": p.published_at}
            for p in db.session.scalars(select(Proposal).where(Proposal.proposer_id == person.id)
                                        .order_by(Proposal.id))]


def _ties(model):
    def rows(person) -> list[dict]:
        found = db.session.execute(select(model, Proposal.title).join(Proposal, Proposal.id == model.proposal_id)
                                   .where(model.user_id == person.id).order_by(model.id))
        return [{"proposal": title, "since": tie.created_at} for tie, title in found]
    return rows


def _coauthorships(person) -> list[dict]:
    found = db.session.execute(select(Coauthor, Proposal.title).join(Proposal, Proposal.id == Coauthor.proposal_id)
                               .where(Coauthor.user_id == person.id).order_by(Coauthor.id))
    return [{"proposal": title, "status": c.status, "invited_at": c.invited_at, "answered_at": c.answered_at}
            for c, title in found]


def _erase(erasure: Erasure) -> None:
    person = erasure.person
    supported = db.session.scalars(select(Support.proposal_id).where(Support.user_id == person.id)
                                   .order_by(Support.proposal_id)).all()
    for proposal_id in supported:
        proposal = db.session.get(Proposal, proposal_id)
        if proposal.state == ProposalState.OPEN and utcnow() < proposal.deadline_at:
            service.withdraw_support(proposal_id, person)  # the count goes down, as for anyone
        else:
            # Past its window the count is a result on record: it stays, the tie to them goes.
            db.session.execute(delete(Support).where(Support.proposal_id == proposal_id,
                                                     Support.user_id == person.id))
    for model in (Follow, Coauthor):
        db.session.execute(delete(model).where(model.user_id == person.id))
    # Drafts nobody else could see go; published proposals belong to the neighbourhood and stay.
    drafts = select(Proposal.id).where(Proposal.proposer_id == person.id, Proposal.state == ProposalState.DRAFT)
    for model in (ProposalStep, Coauthor, Follow, Support):
        db.session.execute(delete(model).where(model.proposal_id.in_(drafts)))
    db.session.execute(delete(Proposal).where(Proposal.id.in_(drafts.scalar_subquery())))


HOLDER = Holder(
    sections=(
        Section("proposals", _l("Your proposals"), {
            "title": _l("Title"), "summary": _l("Summary"), "description": _l("Description"),
            "state": _l("Status"), "created_at": _l("Started on"), "published_at": _l("Published on")},
            _proposals, {"state": STATE_LABELS}),
        Section("coauthorships", _l("Proposals you were invited to write"), {
            "proposal": _l("Proposal"), "status": _l("Status"), "invited_at": _l("Invited on"),
            "answered_at": _l("Answered on")}, _coauthorships,
            {"status": {"invited": _l("Invited"), "accepted": _l("Co-author"), "declined": _l("Declined")}}),
        Section("supports", _l("Proposals you support"), {"proposal": _l("Proposal"), "since": _l("Since")},
                _ties(Support)),
        Section("follows", _l("Proposals you follow"), {"proposal": _l("Proposal"), "since": _l("Since")},
                _ties(Follow)),
    ),
    columns={"proposals.proposer_id": NAMES_NOBODY, "proposal_coauthors.user_id": ERASED,
             "proposal_supports.user_id": ERASED, "proposal_follows.user_id": ERASED},
    kept={
        "proposals.answered_by_id": "the network's official answer, given by a facilitator",
        "proposal_coauthors.invited_by_id": "who invited someone else to co-author: that person's record",
        "proposal_steps.actor_id": "the proposal's public timeline; a step by an erased person names nobody",
        "neighbourhood_proposal_settings.updated_by_id": "a facilitator's change to a neighbourhood's rules",
    },
    erase=_erase,
)
