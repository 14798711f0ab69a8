"""Proposals families make for their neighbourhood, their co-authors, supports, followers, the
history of their states, and each neighbourhood's rules for supports."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from forums.models import Thread
from portal.accounts.models import User
from portal.db import Base, str_enum
from portal.groups.models import Group
from portal.places.models import Neighbourhood
from portal.text import keep_rendered
from portal.timeutil import utcnow

DEFAULT_SUPPORT_DAYS = 60
DEFAULT_THRESHOLD = 20


class ProposalState(enum.StrEnum):
    DRAFT = "draft"  # private to its authors
    OPEN = "open"  # published, gathering supports until its deadline
    THRESHOLD_REACHED = "threshold_reached"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # the support window ended below the threshold


STATE_LABELS = {
    ProposalState.DRAFT: _l("Draft"),
    ProposalState.OPEN: _l("Open for support"),
    ProposalState.THRESHOLD_REACHED: _l("Threshold reached"),
    ProposalState.UNDER_REVIEW: _l("Under review"),
    ProposalState.ACCEPTED: _l("Accepted"),
    ProposalState.NOT_ACCEPTED: _l("Not accepted"),
    ProposalState.IN_PROGRESS: _l("In progress"),
    ProposalState.DONE: _l("Done"),
    ProposalState.WITHDRAWN: _l("Withdrawn"),
    ProposalState.EXPIRED: _l("Expired"),
}
# States in which people may add their support (before the deadline).
SUPPORTABLE = (ProposalState.OPEN, ProposalState.THRESHOLD_REACHED)


class Theme(enum.StrEnum):
    EARLY_YEARS = "early_years"
    SCHOOL = "school"
    HOUSING = "housing"
    WORK = "work"
    FOOD = "food"
    HEALTH = "health"
    CULTURE_SPORT = "culture_sport"
    MUTUAL_AID = "mutual_aid"
    PUBLIC_SPACE = "public_space"
    OTHER = "other"


THEME_LABELS = {
    Theme.EARLY_YEARS: _l("Early years (0-3)"),
    Theme.SCHOOL: _l("School and after-school"),
    Theme.HOUSING: _l("Housing"),
    Theme.WORK: _l("Work"),
    Theme.FOOD: _l("Food"),
    Theme.HEALTH: _l("Health"),
    Theme.CULTURE_SPORT: _l("Culture and sport"),
    Theme.MUTUAL_AID: _l("Mutual aid"),
    Theme.PUBLIC_SPACE: _l("Public space"),
    Theme.OTHER: _l("Other"),
}


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_listing", "state", "published_at"),
        CheckConstraint("supports_count >= 0", name="supports_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(280))
    description: Mapped[str] = mapped_column(Text)  # Markdown, rendered by portal.text
    description_html: Mapped[str | None] = mapped_column(Text, default=None)  # see keep_rendered below
    theme: Mapped[Theme] = mapped_column(str_enum(Theme))
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True, default=None)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState), default=ProposalState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set on publishing from the neighbourhood's settings, so later changes do not move the goal.
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    threshold: Mapped[int | None] = mapped_column(default=None)
    # Recounted in SQL by every support and withdrawal, under the proposal's row lock.
    supports_count: Mapped[int] = mapped_column(default=0)
    answer: Mapped[str] = mapped_column(Text, default="")  # the network's official answer, Markdown
    answer_html: Mapped[str | None] = mapped_column(Text, default=None)
    text_version: Mapped[int] = mapped_column(default=0)  # of portal.text's sanitiser, for both
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), default=None)

    neighbourhood: Mapped[Neighbourhood] = relationship()
    group: Mapped[Group | None] = relationship()
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    thread: Mapped[Thread | None] = relationship()
    coauthors: Mapped[list[Coauthor]] = relationship(back_populates="proposal", order_by="Coauthor.id")

    def is_author(self, user) -> bool:
        """The proposer or a co-author who accepted."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.id == self.proposer_id or any(
            c.user_id == user.id and c.status == CoauthorStatus.ACCEPTED for c in self.coauthors)


# Pages show the stored HTML; writing the text stores it.
keep_rendered(Proposal, "description", "answer")


class CoauthorStatus(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Coauthor(Base):
    __tablename__ = "proposal_coauthors"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[CoauthorStatus] = mapped_column(str_enum(CoauthorStatus), default=CoauthorStatus.INVITED)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)

    proposal: Mapped[Proposal] = relationship(back_populates="coauthors")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class _OnePerPerson:
    """A person's tie to a proposal; the unique constraint makes a second one impossible."""

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("proposal_id", "user_id"),)


class Support(_OnePerPerson, Base):
    __tablename__ = "proposal_supports"

    # The supporter's home neighbourhood when they gave it: a later move neither takes the support
    # back nor moves it (None: they had no home and supported as a member of the proposal's group).
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"), default=None)


class Follow(_OnePerPerson, Base):
    """Someone who wants news of a proposal without supporting it."""

    __tablename__ = "proposal_follows"


class ProposalStep(Base):
    """One change of state: the proposal's public timeline."""

    __tablename__ = "proposal_steps"
    __table_args__ = (Index("ix_proposal_steps_timeline", "proposal_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    from_state: Mapped[ProposalState | None] = mapped_column(str_enum(ProposalState))
    to_state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState))
    # None when the change was automatic: the threshold reached, the window ended.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User | None] = relationship()


class NeighbourhoodProposalSettings(Base):
    """How proposals work in one neighbourhood; a neighbourhood without a row uses the defaults."""

    __tablename__ = "neighbourhood_proposal_settings"
    __table_args__ = (
        CheckConstraint("support_days >= 1", name="support_days_positive"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), unique=True)
    support_days: Mapped[int] = mapped_column(default=DEFAULT_SUPPORT_DAYS)
    threshold: Mapped[int] = mapped_column(default=DEFAULT_THRESHOLD)
    # Only people a facilitator has met in person (users.verified_at) may support.
    require_verified: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
