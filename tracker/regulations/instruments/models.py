"""National instruments (wet, AMvB, ministeriële regeling, besluit) and the EU acts each implements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.dates import PrecisionDate
from tracker.db import Base, PortfolioRecord, precision_check, precision_date, str_enum
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import Sourced, Timestamped
from tracker.regulations.stages import Stage

if TYPE_CHECKING:
    from tracker.regulations.models import Regulation


class Instrument(PortfolioRecord, Sourced, Timestamped, Base):
    """One national instrument on the procedure of its kind, with its own append-only stage history
    (`StageChange.instrument_id`); `current_stage` and `stage_since` mirror its latest change."""

    __tablename__ = "instruments"
    __table_args__ = (
        precision_check("stage_since"),
        precision_check("planned_in_force"),
        precision_check("in_force"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The act it was made for: its history rows carry this act's id too, so the act's own timeline is one seek.
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[InstrumentKind] = mapped_column(str_enum(InstrumentKind, "kind"), default=InstrumentKind.UNKNOWN)
    title: Mapped[str | None] = mapped_column(String(300))  # None: not named yet ("de uitvoering van ...")
    title_en: Mapped[str | None] = mapped_column(String(300))
    ministry: Mapped[str | None] = mapped_column(String(40))
    consultation_url: Mapped[str | None] = mapped_column(String(500))
    council_case: Mapped[str | None] = mapped_column(String(60))  # Raad van State zaaknummer
    dossier: Mapped[str | None] = mapped_column(String(60))  # Kamerstuk dossier, e.g. 36285
    publication: Mapped[str | None] = mapped_column(String(120))  # Stb. 2024, 12 / Stcrt. 2024, 345
    bwb_id: Mapped[str | None] = mapped_column(String(30))
    planned_in_force: Mapped[PrecisionDate] = precision_date("planned_in_force")
    in_force: Mapped[PrecisionDate] = precision_date("in_force")
    current_stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "current_stage"))
    stage_since: Mapped[PrecisionDate] = precision_date("stage_since")

    regulation: Mapped[Regulation] = relationship(lazy="raise")
    implements: Mapped[list[Implements]] = relationship(back_populates="instrument", lazy="raise")

    def __repr__(self) -> str:
        return f"<Instrument {self.id} {self.kind} {self.title!r}>"


class Implements(PortfolioRecord, Base):
    """An instrument implements (part of) an EU act; `required` says the act is not done without it."""

    __tablename__ = "instrument_acts"
    __table_args__ = (
        UniqueConstraint("instrument_id", "regulation_id", name="uq_instrument_acts"),
        # An act's required instruments in one seek, without reading the rows (a past board's every act).
        Index("ix_instrument_acts_regulation", "regulation_id", "required", "instrument_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))
    required: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    covers: Mapped[str | None] = mapped_column(Text)  # what part of the act it implements
    covers_en: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # order on the act's page

    instrument: Mapped[Instrument] = relationship(back_populates="implements", lazy="raise")
