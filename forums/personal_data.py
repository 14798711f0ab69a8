"""The forums' part of a person's data (portal/accounts/personal_data.py): threads, posts, reports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from forums import service
from forums.forms import REASON_LABELS
from forums.models import Post, PostRevision, PostState, Report, Thread
from portal import db
from portal.accounts.personal_data import ERASED, NAMES_NOBODY, Erasure, Holder, Section
from portal.groups.models import Group


def _threads(person) -> list[dict]:
    rows = db.session.execute(select(Thread, Group.name).join(Group, Group.id == Thread.group_id)
                              .where(Thread.author_id == person.id).order_by(Thread.id))
    return [{"group": name, "title": thread.title, "started_at": thread.created_at,
             "deleted_at": thread.deleted_at} for thread, name in rows]


def _posts(person) -> list[dict]:
    rows = db.session.execute(select(Post, Thread.title).join(Thread, Thread.id == Post.thread_id)
                              .where(Post.author_id == person.id).order_by(Post.id))
    return [{"thread": title, "text": post.body, "written_at": post.created_at, "edited_at": post.edited_at,
             "state": post.state} for post, title in rows]


def _reports(person) -> list[dict]:
    return [{"reason": report.reason, "note": report.note, "at": report.created_at, "outcome": report.outcome}
            for report in db.session.scalars(select(Report).where(Report.reporter_id == person.id)
                                             .order_by(Report.id))]


def _erase(erasure: Erasure) -> None:
    person = erasure.person
    db.session.execute(delete(Report).where(Report.reporter_id == person.id))
    if not erasure.remove_posts:
        return  # they stay, under "former member"
    posts = db.session.scalars(select(Post).where(Post.author_id == person.id).order_by(Post.id)).all()
    for post in posts:
        if post.state != PostState.DELETED:
            service.delete_own(post)  # as if they took each down: reports close, threads go
        post.body = ""
        db.session.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
        if post.is_opening:
            post.thread.title = ""


HOLDER = Holder(
    sections=(
        Section("threads", _l("Threads you started"), {
            "group": _l("Group"), "title": _l("Title"), "started_at": _l("Started on"),
            "deleted_at": _l("Removed on")}, _threads),
        Section("posts", _l("Your posts"), {
            "thread": _l("Thread"), "text": _l("Text"), "written_at": _l("Written on"),
            "edited_at": _l("Changed on"), "state": _l("Status")}, _posts,
            {"state": {"visible": _l("Visible"), "hidden": _l("Hidden"), "deleted": _l("Removed")}}),
        Section("reports", _l("Posts you reported"), {
            "reason": _l("Reason"), "note": _l("Your note"), "at": _l("When"),
            "outcome": _l("Decision")}, _reports, {"reason": REASON_LABELS}),
    ),
    columns={"threads.author_id": NAMES_NOBODY, "posts.author_id": NAMES_NOBODY,
             "reports.reporter_id": ERASED},
    kept={"posts.moderated_by_id": "the facilitator who moderated someone else's post: that post's record"},
    erase=_erase,
)
