"""Forum rules that views and the command line share: threads, replies, edits, reports, moderation.

Functions add to the current transaction; the caller commits (views through
`db.write_transaction()`), so a refused action leaves nothing behind. Who may act is the caller's
question (views ask `portal.permissions`); these functions keep the rules about the content.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from forums.models import Post, PostRevision, PostState, Report, ReportReason, Thread
from forums.queries import post_url
from portal import audit, db, signals
from portal.accounts.models import User
from portal.forms import REQUIRED, TOO_LONG, TOO_SHORT
from portal.groups.models import Group
from portal.links import stored_path
from portal.notifications import notify, notify_facilitators
from portal.rules import RuleError
from portal.timeutil import utcnow

TITLE_LENGTH = (3, 160)
BODY_LENGTH = (1, 10_000)
NOTE_MAX = 500  # reports' notes and moderators' reasons: the columns hold 500
REPORTS_TO_HIDE = 3
# Abuse limits, counted in the database so that every worker agrees.
DUPLICATE_WINDOW = timedelta(minutes=5)
RATE_WINDOW = timedelta(minutes=10)
NEW_ACCOUNT_AGE = timedelta(hours=24)
NEW_ACCOUNT_POSTS = 3
POSTS_PER_WINDOW = 10

# What reporters are told a facilitator decided; stored in their own language.
OUTCOMES = {
    "hidden": _l("the post is hidden"),
    "kept": _l("the post stays visible"),
    "deleted": _l("the post is removed"),
}


def _text(value: str | None, field: str, length: tuple[int, int], *, required: bool = True) -> str:
    text = (value or "").strip()
    shortest, longest = length
    if not text and required:
        raise RuleError(REQUIRED, field)
    if text and len(text) < shortest:
        raise RuleError(TOO_SHORT % {"min": shortest}, field)
    if len(text) > longest:
        raise RuleError(TOO_LONG % {"max": longest}, field)
    return text


def _check_posting_limits(author: User, body: str) -> None:
    # Serialise one person's posts (a row lock on PostgreSQL; SQLite's write lock is already
    # held), so two quick submissions cannot both slip under the counts.
    db.session.execute(select(User.id).where(User.id == author.id).with_for_update())
    now = utcnow()
    duplicate = db.session.scalar(select(Post.id).where(
        Post.author_id == author.id, Post.body == body, Post.created_at > now - DUPLICATE_WINDOW).limit(1))
    if duplicate is not None:
        raise RuleError(_l("You posted the same text a moment ago. It is already there."), "body")
    allowed = NEW_ACCOUNT_POSTS if now - author.created_at < NEW_ACCOUNT_AGE else POSTS_PER_WINDOW
    recent = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == author.id, Post.created_at > now - RATE_WINDOW))
    if recent >= allowed:
        raise RuleError(ngettext(
            "You can write %(num)d post every 10 minutes. Please wait a little and send it again.",
            "You can write %(num)d posts every 10 minutes. Please wait a little and send it again.",
            allowed), "body")


# --- writing -----------------------------------------------------------------------------------

def start_thread(group, author: User, title: str, body: str) -> Thread:
    title = _text(title, "title", TITLE_LENGTH)
    body = _text(body, "body", BODY_LENGTH)
    _check_posting_limits(author, body)
    now = utcnow()
    thread = Thread(group=group, author_id=author.id, title=title, created_at=now, last_activity_at=now)
    db.session.add(thread)
    db.session.add(Post(thread=thread, author_id=author.id, is_opening=True, body=body, created_at=now))
    db.session.flush()
    signals.record("forum.posted", author.id, group=group, subject_type="thread", subject_id=thread.id)
    return thread


def reply(thread: Thread, author: User, body: str) -> Post:
    body = _text(body, "body", BODY_LENGTH)
    _check_posting_limits(author, body)
    now = utcnow()
    post = Post(thread=thread, author_id=author.id, body=body, created_at=now)
    db.session.add(post)
    thread.last_activity_at = now
    db.session.flush()
    if thread.author_id != author.id:
        notify(thread.author_id, "reply", post_url(post), readable_in=thread.group, nickname=author.nickname,
               thread=thread.title)
    signals.record("forum.posted", author.id, group=thread.group, subject_type="post", subject_id=post.id)
    return post


def edit(post: Post, body: str) -> None:
    """Change the text, keeping the earlier version (dated when it was written) for facilitators."""
    body = _text(body, "body", BODY_LENGTH)
    if body == post.body:
        return
    written = post.edited_at or post.created_at
    db.session.add(PostRevision(post_id=post.id, body=post.body, created_at=written))
    post.body = body
    post.edited_at = utcnow()


def delete_own(post: Post) -> None:
    """The author takes the post down; the row stays so that replies keep their place."""
    _lock(post)
    _set_state(post, PostState.DELETED, moderator=None, reason="")
    _close_reports(post, "deleted")


# --- reports -----------------------------------------------------------------------------------

def report(post: Post, reporter: User, reason: str, note: str = "") -> bool:
    """Record a member's report; True if it was the one that hid the post."""
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise RuleError(_l("Choose a reason from the list."), "reason") from None
    note = _text(note, "note", (0, NOTE_MAX), required=False)
    # The post's row lock makes reports on one post take turns: the count below sees every
    # report before this one, so the third always hides it.
    _lock(post)
    if post.state != PostState.VISIBLE:
        raise RuleError(_l("This post is already hidden while a facilitator looks at it."))
    if db.session.scalar(select(Report.id).where(Report.post_id == post.id,
                                                 Report.reporter_id == reporter.id)) is not None:
        raise RuleError(_l("You have already reported this post. A facilitator will look at it."),
                         "reason")
    db.session.add(Report(post_id=post.id, reporter_id=reporter.id, reason=reason, note=note))
    db.session.flush()
    signals.record("forum.reported", reporter.id, group=post.thread.group, subject_type="post",
                   subject_id=post.id)
    open_reports = db.session.scalar(select(func.count(Report.id)).where(
        Report.post_id == post.id, Report.resolved_at.is_(None)))
    if open_reports == 1:  # once the post is in the queue, later reports add to it, not to the list
        group = post.thread.group
        notify_facilitators([Group.id == group.id], "post_reported",
                            stored_path("forums.moderation.group_queue", slug=group.slug), actor_id=reporter.id,
                            readable_in=group, thread=post.thread.title)
    if open_reports < REPORTS_TO_HIDE:
        return False
    hidden = db.session.execute(
        update(Post).where(Post.id == post.id, Post.state == PostState.VISIBLE)
        .values(state=PostState.HIDDEN, moderated_by_id=None, moderated_at=utcnow(), moderation_reason="")
    ).rowcount == 1
    if hidden:
        notify(post.author_id, "post_hidden_by_reports", post_url(post), readable_in=post.thread.group,
               thread=post.thread.title)
    return hidden


# --- moderation --------------------------------------------------------------------------------

def hide(post: Post, moderator: User, reason: str) -> None:
    _decide(post, moderator, PostState.HIDDEN, _text(reason, "reason", (1, NOTE_MAX)))


def restore(post: Post, moderator: User, reason: str = "") -> None:
    """Make a hidden post visible again, or keep a reported one: either way the reports are
    answered "kept"."""
    _decide(post, moderator, PostState.VISIBLE, _text(reason, "reason", (0, NOTE_MAX), required=False))


def delete(post: Post, moderator: User, reason: str) -> None:
    _decide(post, moderator, PostState.DELETED, _text(reason, "reason", (1, NOTE_MAX)))


# The post's new state: (audit action, what reporters are told, the author's notification).
DECISIONS = {
    PostState.HIDDEN: ("post.hide", "hidden", "post_hidden"),
    PostState.DELETED: ("post.delete", "deleted", "post_deleted"),
    PostState.VISIBLE: ("post.restore", "kept", "post_restored"),
}
# Restoring a post that was never hidden answers its reports and changes nothing for the author.
KEEP = ("post.keep", "kept", None)


POST_ACTIONS = {"hide": hide, "restore": restore, "delete": delete}
# action: (the thread's flag, its new value)
THREAD_ACTIONS = {"lock": ("locked", True), "unlock": ("locked", False),
                  "pin": ("pinned", True), "unpin": ("pinned", False)}


def moderate_thread(thread: Thread, moderator: User, action: str, reason: str = "") -> None:
    """Lock (a reason is required: the author reads it), unlock, pin or unpin a thread."""
    flag, value = THREAD_ACTIONS[action]
    reason = _text(reason, "reason", (1, NOTE_MAX), required=action == "lock")
    setattr(thread, flag, value)
    audit.record(f"thread.{action}", "thread", thread.id, actor_id=moderator.id, reason=reason,
                 group=thread.group_id)
    if action == "lock" and thread.author_id != moderator.id:
        notify(thread.author_id, "thread_locked", stored_path("forums.thread", thread_id=thread.id),
               readable_in=thread.group, thread=thread.title, reason=reason)
    signals.record("forum.moderated", moderator.id, group=thread.group, subject_type="thread",
                   subject_id=thread.id, detail=f"thread.{action}")


def _lock(post: Post) -> None:
    """Take the post's row lock and read its state afresh (another facilitator may have acted)."""
    db.session.scalar(select(Post).where(Post.id == post.id).with_for_update()
                      .execution_options(populate_existing=True))


def _set_state(post: Post, state: PostState, moderator: User | None, reason: str) -> None:
    now = utcnow()
    post.state = state
    if moderator is not None:
        post.moderated_by_id = moderator.id
        post.moderated_at = now
        post.moderation_reason = reason
    if post.is_opening and state == PostState.DELETED:
        post.thread.deleted_at = now  # the opening post carries the thread


def _decide(post: Post, moderator: User, state: PostState, reason: str) -> None:
    """A moderation decision and all it leaves behind: the audit entry, the author's and the
    reporters' notifications, the signal."""
    _lock(post)
    if post.state == PostState.DELETED:
        raise RuleError(_l("This post was already deleted."))
    kept = state == PostState.VISIBLE and post.state == PostState.VISIBLE
    action, outcome, author_message = KEEP if kept else DECISIONS[state]
    _set_state(post, state, moderator, reason)
    thread = post.thread
    audit.record(action, "post", post.id, actor_id=moderator.id, reason=reason, thread=thread.id,
                 group=thread.group_id)
    link = post_url(post)
    if author_message and post.author_id != moderator.id:
        notify(post.author_id, author_message, link, readable_in=thread.group, thread=thread.title,
               reason=reason)
    first_report_at = db.session.scalar(select(func.min(Report.created_at)).where(
        Report.post_id == post.id, Report.resolved_at.is_(None)))
    for reporter_id, language in _close_reports(post, outcome):
        with force_locale(language):
            notify(reporter_id, "report_outcome", link, readable_in=thread.group, thread=thread.title,
                   outcome=str(OUTCOMES[outcome]))
    # value: seconds from the first open report to this decision, for "median time to decide".
    waited = int((utcnow() - first_report_at).total_seconds()) if first_report_at else None
    signals.record("forum.moderated", moderator.id, group=thread.group, subject_type="post",
                   subject_id=post.id, value=waited, detail=action)


def _close_reports(post: Post, outcome: str) -> list[tuple[int, str]]:
    """Answer the post's open reports; returns (reporter id, their language) to tell them."""
    reporters = db.session.execute(
        select(Report.reporter_id, User.language).join(User, User.id == Report.reporter_id)
        .where(Report.post_id == post.id, Report.resolved_at.is_(None)).order_by(Report.id)
    ).all()
    db.session.execute(
        update(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), outcome=outcome))
    return [tuple(row) for row in reporters]
