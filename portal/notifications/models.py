"""In-app notifications. Stored as a kind and parameters, and worded when shown, so each person
reads them in their own language even if they switch language later."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import FORMER_MEMBER
from portal.db import Base
from portal.timeutil import utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    # The group whose content it is about, if any: shown only while the person may read that group.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(default=None)

    def message(self) -> str:
        template = MESSAGES.get(self.kind)
        if template is None:
            return ""
        params = {key: value for key, value in (self.params or {}).items()}
        params.setdefault("reason", "")
        if "nickname" in params and params["nickname"] is None:
            params["nickname"] = FORMER_MEMBER  # the person it named erased their account
        return str(template) % params


# Every kind a feature may send. Parameters are plain values (names, titles, reasons); a
# `nickname` names the person who acted, and becomes None when they erase their account.
MESSAGES = {
    "reply": _l("%(nickname)s replied in \u201c%(thread)s\u201d."),
    "join_approved": _l("Your request to join %(group)s was accepted. Welcome!"),
    "join_declined": _l("Your request to join %(group)s was declined."),
    "join_waiting": _l("%(group)s is full: you are on the waiting list and will be offered a place."),
    "place_offered": _l("A place is free in %(group)s and it is held for you. Accept it on the group page."),
    "invited": _l("%(nickname)s invited you to join %(group)s."),
    "post_hidden": _l("Your post in \u201c%(thread)s\u201d was hidden by a facilitator. Reason: %(reason)s"),
    "post_hidden_by_reports": _l("Your post in \u201c%(thread)s\u201d was hidden after several reports, "
                                 "until a facilitator looks at it."),
    "post_restored": _l("Your post in \u201c%(thread)s\u201d is visible again. %(reason)s"),
    "post_deleted": _l("Your post in \u201c%(thread)s\u201d was removed by a facilitator. Reason: %(reason)s"),
    "thread_locked": _l("Your thread \u201c%(thread)s\u201d was closed to new replies. Reason: %(reason)s"),
    "muted": _l("You cannot write in %(group)s until %(until)s. Reason: %(reason)s"),
    "banned": _l("You were removed from %(group)s. Reason: %(reason)s"),
    "report_outcome": _l("You reported a post in \u201c%(thread)s\u201d. A facilitator decided: %(outcome)s."),
    "facilitator_appointed": _l("You are now a facilitator of %(group)s."),
    "event_promoted": _l("A place freed up: your registration for \u201c%(event)s\u201d on %(when)s is "
                         "confirmed."),
    "event_reminder": _l("Reminder: \u201c%(event)s\u201d is tomorrow, %(when)s, at %(place)s. Your code "
                         "is %(code)s."),
    "coauthor_invited": _l("%(nickname)s invited you to co-author the proposal \u201c%(proposal)s\u201d."),
    "coauthor_answered": _l("%(nickname)s answered your invitation to co-author \u201c%(proposal)s\u201d: "
                            "%(answer)s."),
    "proposal_answered": _l("The proposal \u201c%(proposal)s\u201d received its answer: %(state)s."),
    "proposal_state": _l("The proposal \u201c%(proposal)s\u201d is now: %(state)s."),
    "reset_code_issued": _l("%(nickname)s gave out a code to reset your password at an access point. "
                            "If you did not ask for it, change your password now: the code then stops "
                            "working. And tell a coordinator."),
    "event_cancelled": _l("\u201c%(event)s\u201d on %(when)s has been cancelled. %(reason)s"),
    "account_unused": _l("You have not used Cortile for a long time. To protect your data, your account "
                         "will be erased on %(until)s. To keep it, sign in once before then."),
    "registration_released": _l("Your registration for \u201c%(event)s\u201d on %(when)s is cancelled, "
                                "because you were removed from %(group)s."),
    # To facilitators: what needs them, linked to the page where they act.
    "join_requested": _l("%(nickname)s asks to join %(group)s. Answer in the list of requests."),
    "post_reported": _l("A post in \u201c%(thread)s\u201d was reported. Look at it in the list of reported posts."),
    "event_registered": _l("%(nickname)s signed up for \u201c%(event)s\u201d on %(when)s."),
    "event_unregistered": _l("%(nickname)s cancelled their place at \u201c%(event)s\u201d on %(when)s."),
    "proposal_to_review": _l("The proposal \u201c%(proposal)s\u201d has enough supports. It waits for "
                             "your review."),
}
