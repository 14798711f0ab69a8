"""Talk in the groups: threads and replies, now and then a report, and the facilitator's decision
hours or days later."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from demo import texts
from demo.agenda import poisson
from demo.world import Circle, World
from forums import service as forums
from forums.models import Post, PostState, ReportReason, Thread
from portal import db

# Posts a day for each unit of members' activity (an ordinary member is about 1).
POSTS_PER_ACTIVITY = 0.016
REPLY_SHARE = 0.68
REPORTED_SHARE = 0.025
MORE_REPORTS_SHARE = 0.35  # a reported post often draws a second report, sometimes a third (which hides it)
REASONS = {ReportReason.OFFENSIVE: 3, ReportReason.PERSONAL_DATA: 3, ReportReason.SPAM: 2, ReportReason.OTHER: 2}
# What facilitators decide: on a post people reported, and on one their reports already hid.
DECISIONS = {PostState.VISIBLE: {"restore": 55, "hide": 35, "delete": 10},
             PostState.HIDDEN: {"restore": 40, "hide": 40, "delete": 20}}


class ForumLife:
    def __init__(self, world: World):
        self.world = world
        self.reporters: dict[int, set[int]] = defaultdict(set)  # post id -> who reported it
        self.awaiting_decision: set[int] = set()

    def plan(self, day: date, circle: Circle, pace: float) -> None:
        world = self.world
        for _ in range(poisson(world.rng, circle.members.weight * POSTS_PER_ACTIVITY * pace)):
            world.agenda.at(world.moment_on(day), self.post, circle)

    def post(self, moment: datetime, circle: Circle) -> None:
        world, rng = self.world, self.world.rng
        author = circle.members.pick(rng)
        if author is None:
            return
        reported = rng.random() < REPORTED_SHARE
        threads = [thread for thread in circle.threads[-8:] if thread.deleted_at is None]
        if threads and rng.random() < REPLY_SHARE:
            thread = threads[-1 - int(len(threads) * rng.random() ** 2)]  # the latest get most replies
            post = world.attempt(lambda: forums.reply(thread, author, rng.choice(texts.REPLIES)))
        else:
            title, openings = rng.choice(circle.topics)
            thread = world.attempt(lambda: forums.start_thread(
                circle.group, author, title.format(q=circle.label), rng.choice(openings).format(q=circle.label)))
            if thread is None:
                return
            circle.threads.append(thread)
            post = self._opening(thread) if reported else None
        if reported and post is not None:
            world.agenda.at(moment + timedelta(hours=rng.uniform(0.5, 48)), self.report, circle, post, 2)

    def _opening(self, thread: Thread) -> Post:
        return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening))

    def report(self, moment: datetime, circle: Circle, post: Post, more: int) -> None:
        world, rng = self.world, self.world.rng
        already = self.reporters[post.id]
        reporter = circle.members.pick(rng, lambda person: person.id != post.author_id and person.id not in already)
        if reporter is None:
            return
        reason = rng.choices(list(REASONS), list(REASONS.values()))[0]
        # `report` answers whether this report hid the post; here only whether it was made matters.
        if world.attempt(lambda: forums.report(post, reporter, reason, rng.choice(texts.REPORT_NOTES)) or True) is None:
            return
        already.add(reporter.id)
        if post.id not in self.awaiting_decision:
            self.awaiting_decision.add(post.id)
            # Most reports are looked at within the day; some wait for the weekend to pass.
            waited = timedelta(hours=0.3 + min(rng.expovariate(1 / 16), 140))
            world.agenda.at(moment + waited, self.decide, circle, post)
        if more and rng.random() < MORE_REPORTS_SHARE:
            world.agenda.at(moment + timedelta(hours=rng.uniform(0.2, 8)), self.report, circle, post, more - 1)

    def decide(self, _moment: datetime, circle: Circle, post: Post) -> None:
        world, rng = self.world, self.world.rng
        self.awaiting_decision.discard(post.id)
        db.session.refresh(post)  # three reports may have hidden it since
        if post.state not in DECISIONS:
            return
        options = DECISIONS[post.state]
        action = rng.choices(list(options), list(options.values()))[0]
        world.attempt(lambda: forums.POST_ACTIONS[action](post, circle.moderator,
                                                          rng.choice(texts.DECISION_REASONS[action])))
