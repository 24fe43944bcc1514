"""Planning tables: an act's target and exception, stage durations, planned dates and reviews."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.dates import Precision, PrecisionDate
from tracker.db import Base, PortfolioRecord, UTCDateTime, precision_check, precision_date

_STEPS = "'internal_prep', 'consultation', 'council_of_state', 'parliament', 'publication'"
DURATION_STEP_CHECK = f"step IN ({_STEPS})"
PLANNED_STEP_CHECK = f"step IN ({_STEPS}, 'in_force')"


class ActPlan(PortfolioRecord, Base):
    """Per act: the deadline that is its target and whether it uses the EU-implementation exception (Ar 4.17)."""

    __tablename__ = "act_plans"

    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"), primary_key=True)
    # A deleted deadline leaves the act without a target ("unplanned"), never with a dangling one.
    target_deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id", ondelete="SET NULL"))
    eu_exception: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    seed_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StageDuration(PortfolioRecord, Base):
    """Typical days a step takes: the default (no team, no act), a team's own figure, or one act's figure."""

    __tablename__ = "stage_durations"
    __table_args__ = (
        CheckConstraint("team_id IS NULL OR regulation_id IS NULL", name="one_scope"),
        CheckConstraint("days BETWEEN 0 AND 3650", name="days_range"),
        CheckConstraint(DURATION_STEP_CHECK, name="step_known"),
        UniqueConstraint("step", "team_id", "regulation_id", name="uq_stage_durations_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    regulation_id: Mapped[int | None] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)  # where the figure comes from (Dutch)
    source_en: Mapped[str | None] = mapped_column(Text)  # its English, for English readers
    assumption: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    seed_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PlannedDate(PortfolioRecord, Base):
    """The start of a step as a team plans it, at any precision ("2024-Q1"); it overrides the durations."""

    __tablename__ = "planned_dates"
    __table_args__ = (
        precision_check("planned"),
        CheckConstraint(PLANNED_STEP_CHECK, name="step_known"),
        UniqueConstraint("regulation_id", "step", name="uq_planned_dates_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(32))
    planned: Mapped[PrecisionDate] = precision_date("planned", known=True)
    if TYPE_CHECKING:  # the composite's two columns, which SQLAlchemy maps under their own names
        planned_on: Mapped[dt.date]
        planned_precision: Mapped[Precision]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))


class Review(PortfolioRecord, Base):
    """'Confirm still current': a team says the act's stage and plan still hold on `reviewed_on`."""

    __tablename__ = "plan_reviews"
    __table_args__ = (Index("ix_plan_reviews_regulation_on", "regulation_id", "reviewed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    seed_key: Mapped[str | None] = mapped_column(String(120), unique=True)
