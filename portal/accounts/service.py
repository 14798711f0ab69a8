"""Account rules that views and the command line share: registration, sign-in, resets, roles.

Functions add to the current transaction; the caller commits (views through
`db.write_transaction()`), so a failure never leaves half an account behind.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit, db, signals
from portal.accounts import addresses, nicknames, passwords, sessions, signed_links
from portal.accounts.models import Consent, ResetCode, Role, RoleGrant, User
from portal.forms import normalise_code
from portal.groups.models import Group, Membership, MembershipRole, MembershipStatus
from portal.links import stored_path
from portal.notifications import notify
from portal.places.models import Municipio
from portal.rules import RuleError
from portal.timeutil import utcnow

TERMS = "terms"
# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: read aloud or copied from paper at a desk without mistakes.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def find_by_nickname(nickname: str) -> User | None:
    return db.session.scalar(select(User).where(User.nickname_key == nicknames.fold(nickname)))


def register(*, nickname: str, password: str | None, email: str | None, home_neighbourhood_id: int | None,
             language: str, password_hash: str | None = None) -> User:
    """password_hash: already computed (the demo data gives thousands of residents one hash).
    The email waits for confirmation: the caller mails it (mails.ask_to_confirm) after the commit."""
    user = User(
        nickname=nicknames.clean(nickname),
        nickname_key=nicknames.fold(nickname),
        pending_email=addresses.normalise(email),
        password_hash=password_hash or passwords.hash_password(password),
        home_neighbourhood_id=home_neighbourhood_id,
        # Choosing a home when joining counts as a change: otherwise a new account could support in
        # one neighbourhood and move to the next at once.
        home_changed_at=utcnow() if home_neighbourhood_id is not None else None,
        language=language,
    )
    db.session.add(user)
    try:
        # Flush now: the unique constraints decide races between two people taking one nickname.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleError(_l("This nickname is taken. Please choose another."), "nickname") from None
    db.session.add(Consent(user_id=user.id, kind=TERMS, version=current_app.config["TERMS_VERSION"]))
    signals.record("account.registered", user.id, neighbourhood=user.home_neighbourhood)
    return user


def lock_person(user: User) -> User:
    """The person's row, locked until the transaction ends and read afresh: their home (and so
    their support rights) cannot change under a request that relies on it."""
    return db.session.scalar(select(User).where(User.id == user.id).with_for_update()
                             .execution_options(populate_existing=True))


def update_profile(user: User, *, email: str | None, home_neighbourhood_id: int | None,
                   language: str) -> bool:
    """True when a new address waits for confirmation (the caller mails it after the commit)."""
    lock_person(user)
    if home_neighbourhood_id != user.home_neighbourhood_id:
        next_change = next_home_change(user)
        if next_change is not None:
            raise RuleError(_l("You can change your neighbourhood again from %(date)s. If it is wrong, "
                               "a facilitator at an access point can correct it now.",
                               date=format_date(next_change, "long")), "home_neighbourhood")
        _move_home(user, home_neighbourhood_id)
    user.language = language
    return addresses.ask_to_use(user, email)


def login_key(login: str) -> str:
    """The account a typed login names, as sign-in reads it: the folded nickname, also when the
    login is the account's confirmed email (else the address itself). Limits count on this, so
    no spelling of a name, nor the email instead of the name, escapes them."""
    login = login.strip()
    if "@" not in login:
        return nicknames.fold(login)
    email = addresses.normalise(login)
    owner = addresses.confirmed_owner(email)
    return owner.nickname_key if owner else email


# Support rights follow the home neighbourhood: a support counts for the neighbourhood the person
# lived in when they gave it (proposal_supports.neighbourhood_id) and stays counted after a move.
# So one person may support proposals in several neighbourhoods over time, as people do move, but
# changes wait HOME_CHANGE_DAYS between them: rights cannot hop from one neighbourhood to the next.

def next_home_change(user: User) -> datetime | None:
    """When the person may choose another home themselves, or None if they may now."""
    if user.home_changed_at is None:
        return None
    allowed_at = user.home_changed_at + timedelta(days=current_app.config["HOME_CHANGE_DAYS"])
    return allowed_at if allowed_at > utcnow() else None


def _move_home(user: User, home_neighbourhood_id: int | None) -> None:
    user.home_neighbourhood_id = home_neighbourhood_id
    user.home_changed_at = utcnow()


def correct_home(person: User, staff: User, home_neighbourhood_id: int | None) -> None:
    """A facilitator at an access point corrects someone's home at any time (a wrong choice when
    joining, a move they could not enter); audited. The wait before the person's own next change
    starts again, so a correction is not a way round it."""
    lock_person(person)
    before = person.home_neighbourhood_id
    if home_neighbourhood_id == before:
        return
    _move_home(person, home_neighbourhood_id)
    audit.record("user.correct_home", "user", person.id, actor_id=staff.id, before=before,
                 after=home_neighbourhood_id)


def authenticate(login: str, password: str) -> User | None:
    """The user for a nickname or email and password, or None (the caller shows one generic message)."""
    key = login_key(login)
    # Nicknames have no "@": a key with one is an address nobody confirmed.
    user = None if "@" in key else find_by_nickname(key)
    if user is not None and user.erased_at is not None:
        user = None
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    return user


def upgrade_password_hash(user: User, password: str) -> None:
    """After a successful sign-in: re-hash with today's parameters if the stored hash is older."""
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)


def set_password(user: User, password: str) -> None:
    """Change the password and sign out every other session, since the old one may be known.
    Codes not yet used stop working: someone else may hold one."""
    user.password_hash = passwords.hash_password(password)
    _cancel_reset_codes(user, utcnow())
    sessions.end_all(user)


# --- one-time codes from an access point -------------------------------------------------------

def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _cancel_reset_codes(person: User, now) -> None:
    db.session.execute(
        update(ResetCode).where(ResetCode.user_id == person.id, ResetCode.used_at.is_(None))
        .values(used_at=now)
    )


def issue_reset_code(person: User, issued_by: User) -> str:
    """A fresh code for `person`; earlier unused codes stop working. Returns the plain code once.

    The person is told in their notifications (the caller mails them too, after the commit), so
    a code they did not ask for does not go unnoticed: changing their password cancels it."""
    now = utcnow()
    _cancel_reset_codes(person, now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    hours = current_app.config["RESET_CODE_HOURS"]
    db.session.add(ResetCode(user_id=person.id, code_hash=_hash_code(code), issued_by_id=issued_by.id,
                             expires_at=now + timedelta(hours=hours)))
    audit.record("reset_code.issue", "user", person.id, actor_id=issued_by.id)
    notify(person.id, "reset_code_issued", stored_path("accounts.account"), nickname=issued_by.nickname)
    return code


def redeem_reset_code(nickname: str, code: str, new_password: str) -> User:
    invalid = RuleError(_l("This code is not valid for this nickname, or it has expired or "
                              "been used. Ask a facilitator for a new one."), "code")
    person = find_by_nickname(nickname)
    if person is None or person.erased_at is not None:
        raise invalid
    now = utcnow()
    # A conditional update spends the code: two attempts at once cannot both succeed.
    spent = db.session.execute(
        update(ResetCode)
        .where(ResetCode.user_id == person.id, ResetCode.code_hash == _hash_code(normalise_code(code)),
               ResetCode.used_at.is_(None), ResetCode.expires_at > now)
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise invalid
    set_password(person, new_password)
    audit.record("reset_code.redeem", "user", person.id, actor_id=person.id)
    return person


# --- reset links by email ----------------------------------------------------------------------

RESET_LINK = "password-reset-link"


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, the link no longer matches and is spent.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), user.password_hash.encode(),
                    hashlib.sha256).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return signed_links.sign(RESET_LINK, {"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    data = signed_links.read(RESET_LINK, token, hours=current_app.config["RESET_LINK_HOURS"])
    user = db.session.get(User, data.get("u")) if data else None
    if user is None or user.erased_at is not None:
        return None
    if not hmac.compare_digest(str(data.get("p")), _password_fingerprint(user)):
        return None
    return user


# --- in-person verification --------------------------------------------------------------------

def verify_in_person(person: User, facilitator: User) -> None:
    person.verified_at = utcnow()
    person.verified_by_id = facilitator.id
    audit.record("user.verify_in_person", "user", person.id, actor_id=facilitator.id)
    # The person met is the actor: "share verified" counts people, not facilitators' work.
    signals.record("account.verified", person.id, neighbourhood=person.home_neighbourhood)


# --- roles -------------------------------------------------------------------------------------

def grant_role(person: User, role: str, *, municipio_number: int | None = None,
               group_slug: str | None = None, actor: User | None = None) -> None:
    """Grant admin, coordinator (of a Municipio) or facilitator (of a group). Idempotent; audited."""
    actor_id = actor.id if actor else None
    if role == "facilitator":
        group = _group(group_slug)
        membership = db.session.scalar(
            select(Membership).where(Membership.user_id == person.id, Membership.group_id == group.id))
        if membership is None:
            membership = Membership(user_id=person.id, group_id=group.id)
            db.session.add(membership)
        membership.role = MembershipRole.FACILITATOR
        membership.status = MembershipStatus.ACTIVE
        audit.record("role.grant", "user", person.id, actor_id=actor_id, role=role, group=group.slug)
        return
    municipio_id = _role_municipio_id(role, municipio_number)
    exists = db.session.scalar(select(RoleGrant.id).where(
        RoleGrant.user_id == person.id, RoleGrant.role == Role(role),
        RoleGrant.municipio_id.is_(None) if municipio_id is None else RoleGrant.municipio_id == municipio_id))
    if exists is None:
        db.session.add(RoleGrant(user_id=person.id, role=Role(role), municipio_id=municipio_id))
    audit.record("role.grant", "user", person.id, actor_id=actor_id, role=role,
                 municipio=municipio_number)


def revoke_role(person: User, role: str, *, municipio_number: int | None = None,
                group_slug: str | None = None, actor: User | None = None) -> bool:
    """Revoke a role; returns False if the person did not hold it. Audited when something changed."""
    actor_id = actor.id if actor else None
    if role == "facilitator":
        group = _group(group_slug)
        changed = db.session.execute(
            update(Membership)
            .where(Membership.user_id == person.id, Membership.group_id == group.id,
                   Membership.role == MembershipRole.FACILITATOR)
            .values(role=MembershipRole.MEMBER)
        ).rowcount
        details = {"group": group.slug}
    else:
        municipio_id = _role_municipio_id(role, municipio_number)
        grants = db.session.scalars(select(RoleGrant).where(
            RoleGrant.user_id == person.id, RoleGrant.role == Role(role),
            or_(RoleGrant.municipio_id == municipio_id, municipio_id is None))).all()
        for grant in grants:
            db.session.delete(grant)
        changed = len(grants)
        details = {"municipio": municipio_number}
    if changed:
        audit.record("role.revoke", "user", person.id, actor_id=actor_id, role=role, **details)
    return bool(changed)


def _group(slug: str | None) -> Group:
    group = db.session.scalar(select(Group).where(Group.slug == (slug or "")))
    if group is None:
        raise RuleError(f"No group with slug {slug!r}.")
    return group


def _role_municipio_id(role: str, municipio_number: int | None) -> int | None:
    if role not in {r.value for r in Role}:
        raise RuleError(f"Unknown role {role!r}: use admin, coordinator or facilitator.")
    if role == Role.ADMIN:
        return None
    municipio_id = db.session.scalar(select(Municipio.id).where(Municipio.number == municipio_number))
    if municipio_id is None:
        raise RuleError("A coordinator needs --municipio with a number from 1 to 9.")
    return municipio_id
