"""portal's own part of a person's data (see portal/accounts/personal_data.py): the account,
group memberships, roles, consents, notifications, devices, reset codes and the audit log."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from portal import db
from portal.accounts.models import Consent, DeviceSession, ResetCode, RoleGrant, User
from portal.accounts.personal_data import ERASED, NAMES_NOBODY, Erasure, Holder, Section
from portal.audit import AuditEntry
from portal.groups import service as groups
from portal.groups.models import Group, Membership
from portal.notifications.models import MESSAGES, Notification

# What each consent covers, in the words the account page and the download show.
CONSENT_WORDING = {
    "terms": _l("The rules of Cortile: you use a nickname, you respect the others, and Cortile keeps "
                "what you write and do here to run the portal. To withdraw it, erase your account."),
}


# The audit actions that can be about a person, as they read on their page (the file keeps codes;
# the actions of staff on posts, events and proposals keep theirs on the page too).
AUDIT_WORDS = {
    "group.ban": _l("Removed from a group"), "group.unban": _l("Allowed back into a group"),
    "group.mute": _l("Stopped from writing for a while"), "group.unmute": _l("Allowed to write again"),
    "group.decline_request": _l("Request to join declined"), "group.appoint_facilitator": _l("Made facilitator"),
    "role.grant": _l("Role given"), "role.revoke": _l("Role taken back"),
    "reset_code.issue": _l("Password code given"), "reset_code.redeem": _l("Password code used"),
    "user.correct_home": _l("Neighbourhood corrected"), "user.verify_in_person": _l("Met in person"),
    "user.export": _l("Data shown or downloaded at an access point"),
}


def _account(person: User) -> list[dict]:
    return [{"nickname": person.nickname, "email": person.email, "pending_email": person.pending_email,
             "neighbourhood": person.home_neighbourhood.name if person.home_neighbourhood else None,
             "language": person.language, "created_at": person.created_at,
             "last_active_at": person.last_active_at, "verified_at": person.verified_at}]


def _memberships(person: User) -> list[dict]:
    rows = db.session.execute(select(Membership, Group.name).join(Group, Group.id == Membership.group_id)
                              .where(Membership.user_id == person.id).order_by(Membership.id))
    return [{"group": name, "status": row.status, "role": row.role, "since": row.created_at,
             "message": row.request_message} for row, name in rows]


def _roles(person: User) -> list[dict]:
    return [{"role": grant.role, "municipio": grant.municipio.name if grant.municipio else None,
             "since": grant.granted_at}
            for grant in db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == person.id))]


def consents(person: User) -> list[dict]:
    return [{"covers": str(CONSENT_WORDING.get(c.kind, c.kind)), "version": c.version,
             "given_at": c.given_at, "withdrawn_at": c.withdrawn_at}
            for c in db.session.scalars(select(Consent).where(Consent.user_id == person.id).order_by(Consent.id))]


def _notifications(person: User) -> list[dict]:
    return [{"at": n.created_at, "message": n.message(), "read_at": n.read_at}
            for n in db.session.scalars(select(Notification).where(Notification.user_id == person.id)
                                        .order_by(Notification.id))]


def _devices(person: User) -> list[dict]:
    # Never the secret's hash: it is a key, not information about the person.
    return [{"browser": s.browser, "system": s.system, "signed_in_at": s.created_at, "last_used_at": s.last_used_at}
            for s in db.session.scalars(select(DeviceSession).where(DeviceSession.user_id == person.id)
                                        .order_by(DeviceSession.id))]


def _reset_codes(person: User) -> list[dict]:
    return [{"given_at": c.created_at, "expires_at": c.expires_at, "used_at": c.used_at}
            for c in db.session.scalars(select(ResetCode).where(ResetCode.user_id == person.id)
                                        .order_by(ResetCode.id))]


def _audit(person: User) -> list[dict]:
    about = (AuditEntry.subject_type == "user") & (AuditEntry.subject_id == person.id)
    entries = db.session.scalars(select(AuditEntry).where(or_(AuditEntry.actor_id == person.id, about))
                                 .order_by(AuditEntry.id))
    return [{"at": e.at, "action": e.action, "by_you": e.actor_id == person.id,
             "about_you": e.subject_type == "user" and e.subject_id == person.id, "reason": e.reason}
            for e in entries]


def _forget_in_others_notifications(person: User) -> None:
    """"Bea replied in ..." in other people's notifications: the name goes, the rest stays."""
    naming = [kind for kind, words in MESSAGES.items() if "%(nickname)s" in str(words)]
    sent = db.session.scalars(select(Notification).where(
        Notification.kind.in_(naming), Notification.user_id != person.id,
        Notification.created_at >= person.created_at))
    for notification in sent:
        if (notification.params or {}).get("nickname") == person.stored_nickname:
            notification.params = {**notification.params, "nickname": None}


def _erase(erasure: Erasure) -> None:
    """Last of all holders: the features may still have needed the memberships (a ban's seats)."""
    person = erasure.person
    _forget_in_others_notifications(person)
    groups.leave_all(person)
    for model in (RoleGrant, Consent, Notification, DeviceSession, ResetCode):
        db.session.execute(delete(model).where(model.user_id == person.id))



HOLDER = Holder(
    sections=(
        Section("account", _l("Your account"), {
            "nickname": _l("Nickname"), "email": _l("Email"), "pending_email": _l("Email waiting for confirmation"),
            "neighbourhood": _l("Neighbourhood"), "language": _l("Language"), "created_at": _l("Joined on"),
            "last_active_at": _l("Last used"), "verified_at": _l("Met in person on")}, _account),
        Section("memberships", _l("Your groups"), {
            "group": _l("Group"), "status": _l("Status"), "role": _l("Role"), "since": _l("Since"),
            "message": _l("Your message when asking to join")}, _memberships,
            {"status": {"active": _l("Member"), "pending": _l("Asked to join"), "waiting": _l("On the waiting list"),
                        "offered": _l("A place is held for you"), "invited": _l("Invited"),
                        "muted": _l("Cannot write for now"), "banned": _l("Removed from the group")},
             "role": {"member": _l("Member"), "facilitator": _l("Facilitator")}}),
        Section("roles", _l("Your roles"), {"role": _l("Role"), "municipio": _l("Municipio"),
                                             "since": _l("Since")}, _roles,
                {"role": {"coordinator": _l("Coordinator"), "admin": _l("Administrator")}}),
        Section("consents", _l("What you agreed to"), {
            "covers": _l("What it covers"), "version": _l("Version"), "given_at": _l("Agreed on"),
            "withdrawn_at": _l("Withdrawn on")}, consents),
        Section("notifications", _l("Your notifications"), {
            "at": _l("When"), "message": _l("Message"), "read_at": _l("Read on")}, _notifications),
        Section("devices", _l("Devices signed in"), {
            "browser": _l("Browser"), "system": _l("System"), "signed_in_at": _l("Signed in on"),
            "last_used_at": _l("Last used")}, _devices),
        Section("reset_codes", _l("Password codes from a facilitator"), {
            "given_at": _l("Given on"), "expires_at": _l("Valid until"), "used_at": _l("Used or cancelled on")},
            _reset_codes),
        Section("audit", _l("Records of actions by you or about you"), {
            "at": _l("When"), "action": _l("Action"), "by_you": _l("By you"), "about_you": _l("About you"),
            "reason": _l("Reason")}, _audit, {"action": AUDIT_WORDS}),
    ),
    columns={
        "memberships.user_id": ERASED, "role_grants.user_id": ERASED, "consents.user_id": ERASED,
        "notifications.user_id": ERASED, "device_sessions.user_id": ERASED, "reset_codes.user_id": ERASED,
        # Moderation and admin records stay (they are the trail of what staff did); the ones the
        # person did are shown to them, and point at an account that names nobody once erased.
        "audit_log.actor_id": NAMES_NOBODY,
    },
    kept={
        "users.verified_by_id": "the facilitator who met someone else in person: the other person's record",
        "memberships.invited_by_id": "who invited someone else into a group: that member's record",
        "memberships.decided_by_id": "the facilitator who decided on someone else's request",
        "reset_codes.issued_by_id": "the facilitator who gave someone else a code: that person's record",
        "governance_targets.set_by_id": "a coordinator's target for a place: no one's personal data",
    },
    erase=_erase,
)
