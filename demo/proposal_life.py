"""Initiatives: residents draft and publish proposals, neighbours support them, some reach their
threshold and get a review and an official answer days to weeks later; others expire or are withdrawn."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from demo import texts
from demo.agenda import poisson
from demo.world import Circle, World
from portal import db
from portal.accounts.models import User
from proposals import service as proposals
from proposals.models import SUPPORTABLE, Proposal, ProposalState, Theme

# Drafts a day for each unit of members' activity (an ordinary member is about 1).
DRAFTS_PER_ACTIVITY = 0.0013
# Coordinators set each neighbourhood's threshold to about this share of the residents it expects.
THRESHOLD_SHARE = 0.12
THRESHOLD_RANGE = (5, 40)
SUPPORT_DAYS = (30, 45, 60, 60, 90)
ACCEPTED_SHARE = 0.58


class ProposalLife:
    def __init__(self, world: World):
        self.world = world
        self.supporters: dict[int, set[int]] = defaultdict(set)  # proposal id -> who supports it
        self.verified_only: dict[int, bool] = {}  # neighbourhood id -> supports need in-person verification

    def set_rules(self) -> None:
        """Each Municipio's coordinator sets their neighbourhoods' thresholds and support windows."""
        world, rng = self.world, self.world.rng
        sizes = sum(place.size for place in world.places)
        low, high = THRESHOLD_RANGE
        for place in world.places:
            expected = world.residents_wanted * place.size / sizes
            threshold = min(high, max(low, 5 * round(expected * THRESHOLD_SHARE / 5)))
            self.verified_only[place.neighbourhood.id] = rng.random() < 0.15
            proposals.save_settings(place.neighbourhood, place.coordinator, support_days=rng.choice(SUPPORT_DAYS),
                                    threshold=threshold, require_verified=self.verified_only[place.neighbourhood.id])

    def plan(self, day: date, place: Circle, pace: float) -> None:
        world = self.world
        for _ in range(poisson(world.rng, place.members.weight * DRAFTS_PER_ACTIVITY * pace)):
            world.agenda.at(world.moment_on(day), self.draft, place)

    def close_expired(self, moment: datetime) -> None:
        proposals.close_expired(moment)

    def draft(self, moment: datetime, place: Circle) -> None:
        world, rng = self.world, self.world.rng
        author = place.members.pick(rng)
        if author is None:
            return
        title, summary, theme = rng.choice(texts.PROPOSALS)
        fields = {"title": title.format(q=place.label), "summary": summary,
                  "description": f"{summary}\n\n{rng.choice(texts.PROPOSAL_DETAILS)}", "theme": Theme(theme),
                  "neighbourhood_id": place.neighbourhood.id, "group": None}
        proposal = world.attempt(lambda: proposals.create_draft(author, fields))
        if proposal is None:
            return
        fate = rng.random()
        if fate < 0.05:
            world.agenda.at(moment + timedelta(days=rng.uniform(1, 14)), self.step, proposal.id, "withdraw", author)
        elif fate > 0.12:  # the rest stay drafts
            world.agenda.at(world.between(moment + timedelta(minutes=20), moment + timedelta(days=3)),
                            self.publish, place, proposal.id, author, 1)

    def publish(self, moment: datetime, place: Circle, proposal_id: int, author: User, attempt: int) -> None:
        world, rng = self.world, self.world.rng
        proposal = world.attempt(lambda: proposals.take_step(proposal_id, "publish", author))
        if proposal is None:
            if attempt < 3:  # opening its discussion hit a posting limit: the author tries again tomorrow
                world.agenda.at(moment + timedelta(days=1), self.publish, place, proposal_id, author, attempt + 1)
            return
        # How many neighbours it convinces: about half gather the supports they need.
        for _ in range(round(proposal.threshold * rng.lognormvariate(0.1, 0.6))):
            world.agenda.at(world.between(moment, proposal.deadline_at, 1.8), self.support, place, proposal_id, author)
        if rng.random() < 0.07:
            world.agenda.at(world.between(moment, proposal.deadline_at), self.step, proposal_id, "withdraw", author)

    def support(self, moment: datetime, place: Circle, proposal_id: int, author: User) -> None:
        world, rng = self.world, self.world.rng
        if db.session.get(Proposal, proposal_id).state not in SUPPORTABLE:
            return  # its page no longer offers the button
        already, verified_only = self.supporters[proposal_id], self.verified_only[place.neighbourhood.id]
        supporter = place.residents.pick(rng, lambda person: person.id != author.id and person.id not in already
                                         and (person.verified_at is not None or not verified_only))
        if supporter is None:
            return
        proposal = world.attempt(lambda: proposals.support(proposal_id, supporter))
        if proposal is None:
            return
        already.add(supporter.id)
        if proposal.state == ProposalState.THRESHOLD_REACHED and proposal.supports_count == proposal.threshold:
            world.agenda.at(world.between(moment + timedelta(days=1), moment + timedelta(days=8)),
                            self.review, place, proposal_id)

    def review(self, moment: datetime, place: Circle, proposal_id: int) -> None:
        """The facilitator, or sometimes the Municipio's coordinator, takes it up."""
        world, rng = self.world, self.world.rng
        steward = place.moderator if rng.random() < 0.75 else place.coordinator
        if world.attempt(lambda: proposals.take_step(proposal_id, "review", steward)) is not None:
            world.agenda.at(world.between(moment + timedelta(days=3), moment + timedelta(days=35)),
                            self.answer, proposal_id, steward)

    def answer(self, moment: datetime, proposal_id: int, steward: User) -> None:
        world, rng = self.world, self.world.rng
        decision = "accepted" if rng.random() < ACCEPTED_SHARE else "not_accepted"
        answered = world.attempt(lambda: proposals.answer(proposal_id, steward, decision,
                                                          rng.choice(texts.ANSWERS[decision])))
        if answered is not None and decision == "accepted" and rng.random() < 0.6:
            world.agenda.at(world.between(moment + timedelta(days=7), moment + timedelta(days=40)),
                            self.step, proposal_id, "start", steward)

    def step(self, moment: datetime, proposal_id: int, move: str, actor: User) -> None:
        """Withdrawn by its author; started, and later finished, by its steward."""
        world, rng = self.world, self.world.rng
        if world.attempt(lambda: proposals.take_step(proposal_id, move, actor)) is not None \
                and move == "start" and rng.random() < 0.5:
            world.agenda.at(world.between(moment + timedelta(days=20), moment + timedelta(days=90)),
                            self.step, proposal_id, "finish", actor)
