from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, str_enum
from portal.places.models import Neighbourhood
from portal.timeutil import utcnow


class GroupKind(enum.StrEnum):
    NEIGHBOURHOOD = "neighbourhood"
    THEMATIC_TABLE = "thematic_table"
    MUTUAL_AID = "mutual_aid"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


class JoinPolicy(enum.StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    INVITE = "invite"


class MembershipStatus(enum.StrEnum):
    INVITED = "invited"  # a facilitator invited them; they accept or decline
    PENDING = "pending"  # they asked to join; a facilitator approves or declines
    WAITING = "waiting"  # accepted, but the group is full: in line by `queued_at`
    OFFERED = "offered"  # a place freed up and is held for them until they accept or decline
    ACTIVE = "active"
    MUTED = "muted"  # a member who may read but not write until `muted_until`
    BANNED = "banned"


# Statuses that hold one of a group's places (its capacity).
HOLDS_A_PLACE = (MembershipStatus.ACTIVE, MembershipStatus.MUTED, MembershipStatus.OFFERED)
# Statuses of people who count as members: they read members-only groups and may report.
MEMBER_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.MUTED)


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    about: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind))
    # None for thematic tables that span the whole city.
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.PUBLIC)
    join_policy: Mapped[JoinPolicy] = mapped_column(str_enum(JoinPolicy), default=JoinPolicy.OPEN)
    capacity: Mapped[int | None] = mapped_column(default=None)  # None: no limit
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    neighbourhood: Mapped[Neighbourhood | None] = relationship()


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus), default=MembershipStatus.ACTIVE
    )
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole), default=MembershipRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The short note sent with a request to join ("I have two children at the school...").
    request_message: Mapped[str] = mapped_column(String(500), default="")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    queued_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    offered_at: Mapped[datetime | None] = mapped_column(default=None)
    muted_until: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    group: Mapped[Group] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821 - portal.accounts

    def is_muted(self, now: datetime) -> bool:
        return self.status == MembershipStatus.MUTED and (self.muted_until is None or self.muted_until > now)
