from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base


class Municipio(Base):
    """One of Milan's nine administrative districts."""

    __tablename__ = "municipi"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(80))
    areas: Mapped[str] = mapped_column(String(200), default="")

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="municipio", order_by="Neighbourhood.name"
    )


class Neighbourhood(Base):
    """A neighbourhood with its network against child poverty (a QuBi network)."""

    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    municipio_id: Mapped[int] = mapped_column(ForeignKey("municipi.id"), index=True)

    municipio: Mapped[Municipio] = relationship(back_populates="neighbourhoods")
    network: Mapped[list[NetworkMembership]] = relationship(
        back_populates="neighbourhood", cascade="all, delete-orphan"
    )


class Organisation(Base):
    """A third-sector body (ETS) taking part in one or more neighbourhood networks."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    networks: Mapped[list[NetworkMembership]] = relationship(back_populates="organisation")


class NetworkMembership(Base):
    """An organisation's place in a neighbourhood network; one or more are marked lead."""

    __tablename__ = "network_memberships"
    __table_args__ = (UniqueConstraint("neighbourhood_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="network")
    organisation: Mapped[Organisation] = relationship(back_populates="networks")
