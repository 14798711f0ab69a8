"""Read-only forum lookups for pages: each page's list in a fixed number of queries, however long."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import aliased, contains_eager, joinedload

from forums.models import Post, PostRevision, PostState, Report, ReportReason, Thread
from portal import db
from portal.groups.models import Group
from portal.links import stored_path
from portal.pagination import page_slice, split_page
from portal.permissions import member_groups_condition, readable_groups_condition, standing
from portal.places.models import Municipio, Neighbourhood

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 30
QUEUE_PER_PAGE = 20


# --- groups ------------------------------------------------------------------------------------

def _listed_thread():
    """Threads everyone reading the group sees: not deleted, opening post visible."""
    opening = aliased(Post)
    return opening, and_(Thread.deleted_at.is_(None), opening.state == PostState.VISIBLE)


def groups_with_activity(user) -> tuple[list, list]:
    """The groups `user` may read as (group, latest activity or None, thread count), the liveliest
    first: their own groups, then the others. One query."""
    opening, listed = _listed_thread()
    activity = (
        select(Thread.group_id, func.max(Thread.last_activity_at).label("latest"),
               func.count(Thread.id).label("threads"))
        .join(opening, and_(opening.thread_id == Thread.id, opening.is_opening.is_(True)))
        .where(listed).group_by(Thread.group_id).subquery()
    )
    is_mine = member_groups_condition(user)
    rows = db.session.execute(
        select(Group, is_mine, activity.c.latest, func.coalesce(activity.c.threads, 0))
        .outerjoin(activity, activity.c.group_id == Group.id)
        .options(joinedload(Group.neighbourhood))
        .where(readable_groups_condition(user))
        .order_by(activity.c.latest.desc().nulls_last(), Group.name)
    ).all()
    mine = [(group, latest, threads) for group, own, latest, threads in rows if own]
    others = [(group, latest, threads) for group, own, latest, threads in rows if not own]
    return mine, others


def moderated_municipi(user) -> list[Municipio]:
    """The Municipi whose moderation queue `user` may open: none without a query for most people."""
    s = standing(user)
    if not (s.is_admin or s.coordinated_municipio_ids):
        return []
    statement = select(Municipio).order_by(Municipio.number)
    if not s.is_admin:
        statement = statement.where(Municipio.id.in_(s.coordinated_municipio_ids))
    return db.session.scalars(statement).all()


def threads_page(group: Group, page: int, *, include_hidden: bool) -> tuple[list, bool]:
    """(thread, opening post state, visible replies) rows: pinned first, then the latest active.
    Hidden and deleted threads only for those who moderate them."""
    opening, listed = _listed_thread()
    replies = (
        select(func.count(Post.id))
        .where(Post.thread_id == Thread.id, Post.is_opening.is_(False), Post.state == PostState.VISIBLE)
        .correlate(Thread).scalar_subquery()
    )
    statement = (
        select(Thread, opening.state, replies)
        .join(opening, and_(opening.thread_id == Thread.id, opening.is_opening.is_(True)))
        .options(joinedload(Thread.author))
        .where(Thread.group_id == group.id, true() if include_hidden else listed)
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    )
    rows = db.session.execute(page_slice(statement, page, THREADS_PER_PAGE)).all()
    return split_page([tuple(row) for row in rows], THREADS_PER_PAGE)


# --- threads and posts -------------------------------------------------------------------------

def thread_or_404(thread_id: int) -> tuple[Thread, Post]:
    """The thread with its group and opening post, in one query."""
    opening = aliased(Post)
    row = db.session.execute(
        select(Thread, opening)
        .join(opening, and_(opening.thread_id == Thread.id, opening.is_opening.is_(True)))
        .options(joinedload(Thread.group).joinedload(Group.neighbourhood))
        .where(Thread.id == thread_id)
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def posts_page(thread: Thread, page: int) -> tuple[list[Post], bool]:
    statement = (select(Post).options(joinedload(Post.author))
                 .where(Post.thread_id == thread.id).order_by(Post.id))
    return split_page(db.session.scalars(page_slice(statement, page, POSTS_PER_PAGE)).all(),
                      POSTS_PER_PAGE)


def post_or_404(post_id: int) -> Post:
    """The post with its author, thread and group (one query), for the post's own pages."""
    post = db.session.scalar(
        select(Post)
        .options(joinedload(Post.author),
                 joinedload(Post.thread).joinedload(Thread.group).joinedload(Group.neighbourhood))
        .where(Post.id == post_id))
    if post is None:
        abort(404)
    return post


def reported_by(user, posts: list[Post]) -> set[int]:
    """Which of `posts` this person has already reported, in one query."""
    if not user.is_authenticated or not posts:
        return set()
    return set(db.session.scalars(select(Report.post_id).where(
        Report.reporter_id == user.id, Report.post_id.in_([post.id for post in posts]))))


def post_url(post: Post) -> str:
    """The page of its thread that shows the post, scrolled to it."""
    earlier = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.id < post.id)) or 0
    page = earlier // POSTS_PER_PAGE + 1
    return stored_path("forums.thread", thread_id=post.thread_id, page=page if page > 1 else None,
                       _anchor=f"post-{post.id}")


def revisions(post: Post) -> list[PostRevision]:
    return db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id.desc())
    ).all()


# --- moderation queue --------------------------------------------------------------------------

@dataclass
class QueueItem:
    post: Post
    reports: int
    reasons: list[tuple[ReportReason, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def hidden_by_reports(self) -> bool:
        return self.post.state == PostState.HIDDEN and self.post.moderated_by_id is None


def moderation_queue(condition, page: int) -> tuple[list[QueueItem], bool]:
    """Posts with open reports in the groups matching `condition`: those the reports already hid
    first, then the most reported, then the longest waiting. Two queries."""
    open_reports = (
        select(Report.post_id, func.count(Report.id).label("reports"),
               func.min(Report.created_at).label("first"))
        .where(Report.resolved_at.is_(None)).group_by(Report.post_id).subquery()
    )
    hidden_by_reports = and_(Post.state == PostState.HIDDEN, Post.moderated_by_id.is_(None))
    statement = (
        select(Post, open_reports.c.reports)
        .join(open_reports, open_reports.c.post_id == Post.id)
        .join(Post.thread).join(Thread.group)
        .options(joinedload(Post.author), contains_eager(Post.thread).contains_eager(Thread.group))
        .where(Post.state != PostState.DELETED, condition)
        .order_by(case((hidden_by_reports, 0), else_=1), open_reports.c.reports.desc(),
                  open_reports.c.first, Post.id)
    )
    rows, has_more = split_page(db.session.execute(page_slice(statement, page, QUEUE_PER_PAGE)).all(),
                                QUEUE_PER_PAGE)
    items = {post.id: QueueItem(post, count) for post, count in rows}
    reasons: dict[int, Counter] = {post_id: Counter() for post_id in items}
    for post_id, reason, note in db.session.execute(
            select(Report.post_id, Report.reason, Report.note)
            .where(Report.post_id.in_(items), Report.resolved_at.is_(None)).order_by(Report.id)):
        reasons[post_id][reason] += 1
        if note:
            items[post_id].notes.append(note)
    for post_id, item in items.items():
        item.reasons = reasons[post_id].most_common()
    return list(items.values()), has_more


def queue_item(post: Post) -> QueueItem:
    """One post's open reports, for its own moderation page."""
    items, _ = moderation_queue(Post.id == post.id, 1)
    return items[0] if items else QueueItem(post, 0)


def in_municipio(municipio_id: int):
    return Group.neighbourhood_id.in_(
        select(Neighbourhood.id).where(Neighbourhood.municipio_id == municipio_id))
