"""Threads and posts inside a group, earlier versions of edited posts, and reports."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, str_enum
from portal.groups.models import Group
from portal.text import keep_rendered
from portal.timeutil import utcnow


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_group_listing", "group_id", "pinned", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    group: Mapped[Group] = relationship()
    author: Mapped[User] = relationship()


class PostState(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"  # by a facilitator, or by three reports until a facilitator decides
    DELETED = "deleted"  # by its author or a facilitator; the row stays so replies keep their place


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_thread_order", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The thread's first post carries its text; reporting a thread reports this post.
    is_opening: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)  # Markdown as typed; rendered only by portal.text
    body_html: Mapped[str | None] = mapped_column(Text, default=None)  # set by portal.text.keep_rendered
    text_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    state: Mapped[PostState] = mapped_column(str_enum(PostState), default=PostState.VISIBLE)
    moderation_reason: Mapped[str] = mapped_column(String(500), default="")
    # None with state HIDDEN means the reports hid it and no facilitator has decided yet.
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    moderated_at: Mapped[datetime | None] = mapped_column(default=None)

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    # portal/permissions.py asks these instead of comparing states: portal never imports forums.
    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE

    @property
    def is_deleted(self) -> bool:
        return self.state == PostState.DELETED


class PostRevision(Base):
    """The text a post had before an edit; facilitators can read every earlier version."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    text_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Pages show the stored HTML; writing the text stores it.
keep_rendered(Post, "body")
keep_rendered(PostRevision, "body")


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class Report(Base):
    __tablename__ = "reports"
    # One report per member per post: three reports means three different people.
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[ReportReason] = mapped_column(str_enum(ReportReason))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # What the facilitator decided: "kept", "hidden", "restored" or "deleted"; reporters see it.
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)

    post: Mapped[Post] = relationship()
