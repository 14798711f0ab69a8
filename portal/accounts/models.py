from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, str_enum
from portal.places.models import Municipio, Neighbourhood
from portal.timeutil import utcnow


# What an erased account is called where its posts and proposals stay.
FORMER_MEMBER = _l("former member")


class User(UserMixin, Base):
    """A resident, facilitator, coordinator or admin. Deliberately no documents, birth date or phone."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed; read `nickname`, which names nobody once the account is erased (its posts stay).
    stored_nickname: Mapped[str] = mapped_column("nickname", String(30))
    # Case- and width-folded nickname: "Anna", "ANNA" and "Ａｎｎａ" are the same person to a reader.
    nickname_key: Mapped[str] = mapped_column(String(30), unique=True)
    # Confirmed by its owner through a mailed link: the only address signed in with or mailed.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Asked for but not confirmed yet (portal/accounts/addresses.py); never used, never unique.
    pending_email: Mapped[str | None] = mapped_column(String(254), default=None)
    password_hash: Mapped[str] = mapped_column(String(200))
    home_neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id"), index=True
    )
    # When the person last chose a home (None: never): support rights follow the home, so changes
    # wait a while between them (accounts.service.change_home).
    home_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    language: Mapped[str] = mapped_column(String(8), default="it")
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
    # Signing in and using a device (at most once a minute) move it; retention counts from it.
    last_active_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # When the person was told their unused account will be erased (portal/accounts/retention.py).
    inactivity_warned_at: Mapped[datetime | None] = mapped_column(default=None)

    home_neighbourhood: Mapped[Neighbourhood | None] = relationship()

    # Not stored: the device session this request signed in with (portal.accounts.sessions sets
    # it). Flask-Login keeps get_id() in the cookie, so the cookie names a session, never the user.
    device_session = None

    @hybrid_property
    def nickname(self) -> str:
        # In the reader's language, wherever the account is named: posts, proposals, lists.
        return str(FORMER_MEMBER) if self.erased_at is not None else self.stored_nickname

    @nickname.inplace.setter
    def _nickname_setter(self, value: str) -> None:
        self.stored_nickname = value

    @nickname.inplace.expression
    @classmethod
    def _nickname_expression(cls):
        return cls.stored_nickname

    def get_id(self) -> str | None:
        return self.device_session.secret if self.device_session else None

    @property
    def is_active(self) -> bool:
        return self.erased_at is None


class DeviceSession(Base):
    """One signed-in device. The cookie carries a secret and only its hash is stored, so a copy of
    the database signs nobody in; deleting the row signs the device out, whatever its cookie."""

    __tablename__ = "device_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Refreshed at most once a minute, so reading pages does not write on every request.
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the person sees in their list ("Chrome on Android"); no address, no full User-Agent.
    browser: Mapped[str] = mapped_column(String(20), default="")
    system: Mapped[str] = mapped_column(String(20), default="")

    user: Mapped[User] = relationship()
    # The plain secret, only on the request that created the session (it goes into the cookie).
    secret = None


class Consent(Base):
    """What a person agreed to, which version, and when; withdrawal keeps the record."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class RoleGrant(Base):
    """City-level roles. Facilitator is not here: it is a role inside a group's membership."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "municipio_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    # Set for coordinators (their Municipio), None for admins (the whole city).
    municipio_id: Mapped[int | None] = mapped_column(ForeignKey("municipi.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipio: Mapped[Municipio | None] = relationship()


class ResetCode(Base):
    """A one-time password reset code a facilitator hands over at an access point. Stored hashed."""

    __tablename__ = "reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
