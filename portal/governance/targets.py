"""Targets: what a Municipio's coordinators (or the city's admins) aim for, per indicator.

A neighbourhood is measured against its Municipio's targets; the city has its own."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from portal import audit, db
from portal.db import Base
from portal.governance.indicators import INDICATORS, Figure, format_value
from portal.rules import RuleError
from portal.timeutil import utcnow

CITY_SCOPE = 0  # municipio_id of a city-wide target


class Target(Base):
    __tablename__ = "governance_targets"
    __table_args__ = (UniqueConstraint("municipio_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipio_id: Mapped[int] = mapped_column()  # CITY_SCOPE for the city's own targets
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)  # a share as a fraction (0.3), a count, hours or days
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


def targets_for(municipio_id: int) -> dict[str, float]:
    return dict(db.session.execute(select(Target.indicator, Target.value)
                                   .where(Target.municipio_id == municipio_id)).all())


def parse_target(indicator_key: str, text: str) -> float | None:
    """The number typed for an indicator, in the unit people read it in; None clears the target."""
    text = (text or "").strip().replace(",", ".").rstrip("%").strip()
    if not text:
        return None
    indicator = INDICATORS[indicator_key]
    try:
        number = float(text)
    except ValueError:
        raise RuleError(_l("Write a number, for example 30."), indicator_key) from None
    if number != number or number < 0 or number > 1_000_000:  # NaN, negative or absurd
        raise RuleError(_l("Write a number between 0 and 1,000,000."), indicator_key)
    if indicator.unit == "percent":
        if number > 100:
            raise RuleError(_l("A share is at most 100%."), indicator_key)
        return number / 100
    return number


def set_targets(municipio_id: int, wanted: dict[str, float | None], actor) -> None:
    """Replace the targets of a place: a None clears that indicator's target."""
    current = targets_for(municipio_id)
    for key, value in wanted.items():
        if current.get(key) == value:
            continue
        db.session.execute(delete(Target).where(Target.municipio_id == municipio_id, Target.indicator == key))
        if value is not None:
            db.session.add(Target(municipio_id=municipio_id, indicator=key, value=value, set_by_id=actor.id))
        audit.record("target.set", "municipio" if municipio_id else "city", municipio_id or None,
                     actor_id=actor.id, indicator=key, value=value)


def progress(indicator_key: str, figure: Figure, target: float) -> tuple[str, float] | None:
    """(met | not_met, share of the way) for a shown figure, or None when it cannot be judged."""
    if not figure.shown or figure.value is None:
        return None
    indicator = INDICATORS[indicator_key]
    if indicator.better == "lower":
        met = figure.value <= target
        share = 1.0 if met else (target / figure.value if figure.value else 0.0)
    else:
        met = figure.value >= target
        share = 1.0 if met or not target else figure.value / target
    return ("met" if met else "not_met", max(0.0, min(share, 1.0)))


def target_text(indicator_key: str, target: float) -> str:
    return format_value(INDICATORS[indicator_key].unit, target)
