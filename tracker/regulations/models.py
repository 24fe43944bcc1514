"""Regulations, their stage history, deadlines, designations, evaluations and the authorities they name."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ColumnElement, Date, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Composite, Mapped, declared_attr, mapped_column, relationship

from tracker.auth.models import Team
from tracker.dates import LABEL_MAX, Precision, PrecisionDate, period_start
from tracker.db import Base, PortfolioRecord, UTCDateTime, precision_check, precision_date, str_enum
from tracker.regulations.stages import MoveKind, Stage


class RegulationKind(enum.StrEnum):
    REGULATION = "regulation"
    DIRECTIVE = "directive"
    NATIONAL_LAW = "national_law"
    DECISION = "decision"
    DELEGATED_ACT = "delegated_act"
    IMPLEMENTING_ACT = "implementing_act"
    PROGRAMME = "programme"


class NationalMeasures(enum.StrEnum):
    """Whether an EU act needs national measures at all (a regulation may need none)."""

    UNKNOWN = "unknown"
    NEEDED = "needed"
    NOT_NEEDED = "not_needed"


class Notification(enum.StrEnum):
    """Whether the national measures were notified to the Commission: a directive counts as transposed only then."""

    NONE = "none"
    PARTIAL = "partial"
    COMPLETE = "complete"


class DeadlineKind(enum.StrEnum):
    APPLICATION = "application"
    DESIGNATION = "designation"
    TRANSPOSITION = "transposition"
    ENTRY_INTO_FORCE = "entry_into_force"
    COMPLIANCE = "compliance"
    REPORT = "report"
    MILESTONE = "milestone"
    OTHER = "other"


class DesignationStatus(enum.StrEnum):
    INTENDED = "intended"
    DESIGNATED = "designated"


class EvaluationLevel(enum.StrEnum):
    EU = "eu"
    NATIONAL = "national"


class EvaluationStatus(enum.StrEnum):
    DONE = "done"
    RUNNING = "running"
    ANNOUNCED = "announced"


class Certainty(enum.StrEnum):
    """How a fact stands to the report: its own words, a reading of them, the seed's inference, or a fact from
    another source (EUR-Lex, the Staatsblad), named in the source's ref."""

    REPORT = "report"
    READING = "reading"
    INFERENCE = "inference"
    EXTERNAL = "external"


class Sourced:
    """Where in the report (or elsewhere) a fact comes from, and how certain it is."""

    source_ref: Mapped[str | None] = mapped_column(String(300))
    source_quote: Mapped[str | None] = mapped_column(Text)
    # None: not taken from the report (entered in the tracker). A reading or an inference carries a note saying why.
    certainty: Mapped[Certainty | None] = mapped_column(str_enum(Certainty, "certainty"))
    certainty_note: Mapped[str | None] = mapped_column(Text)
    certainty_note_en: Mapped[str | None] = mapped_column(Text)  # its English, for English readers
    # Another reading of the same words, where one was recorded (Figure 8's Data Act column).
    alternative: Mapped[str | None] = mapped_column(Text)
    alternative_en: Mapped[str | None] = mapped_column(Text)
    # Where the report says otherwise elsewhere: [{ref, quote, note, note_en}], recorded on both facts.
    conflicts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The seed file entry this row was loaded from; lets `tracker seed` update instead of duplicate.
    seed_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    seed_hash: Mapped[str | None] = mapped_column(String(64))


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Optimistic lock: SQLAlchemy bumps it on every UPDATE and refuses a stale write.
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        mapped: Any = cls  # a mixin: the mapped class it is mixed into has the table
        return {"version_id_col": mapped.__table__.c.version}


class Authority(PortfolioRecord, Sourced, Base):
    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))


class Regulation(PortfolioRecord, Sourced, Timestamped, Base):
    __tablename__ = "regulations"
    __table_args__ = (
        CheckConstraint("pillar BETWEEN 1 AND 5", name="pillar_range"),
        precision_check("eu_published"),
        precision_check("eu_in_force"),
        precision_check("eu_adopted"),
        precision_check("notified"),
        precision_check("stage_since"),
        Index("ix_regulations_current_stage_key", "current_stage", "key"),  # a board column, in key order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # the key in URLs and data: DSA, VEILING_35GHZ, ...
    # Texts a reader sees are Dutch; `<field>_en` holds the English shown to English readers (tracker.content).
    short_name: Mapped[str | None] = mapped_column(String(60))  # a name to show: "DSA", "Veiling 3,5 GHz"
    short_name_en: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[RegulationKind] = mapped_column(str_enum(RegulationKind, "kind"))
    eu_number: Mapped[str | None] = mapped_column(String(60))
    celex: Mapped[str | None] = mapped_column(String(30))
    pillar: Mapped[int | None] = mapped_column(Integer)
    lead_ministry: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    national_instrument: Mapped[str | None] = mapped_column(String(300))
    bill_number: Mapped[str | None] = mapped_column(String(60))
    summary: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    eu_published: Mapped[PrecisionDate] = precision_date("eu_published")
    eu_in_force: Mapped[PrecisionDate] = precision_date("eu_in_force")
    eu_adopted: Mapped[PrecisionDate] = precision_date("eu_adopted")
    # Its identifiers besides CELEX: ELI, the Commission's proposal (COM(2020) 825), the interinstitutional procedure
    # (2020/0361(COD)) and the BNC-fiche's kamerstuk (22112, nr. 3022).
    eli: Mapped[str | None] = mapped_column(String(200))
    com_number: Mapped[str | None] = mapped_column(String(60))
    procedure_ref: Mapped[str | None] = mapped_column(String(40))
    bnc_fiche: Mapped[str | None] = mapped_column(String(60))
    co_ministries: Mapped[str | None] = mapped_column(String(200))  # co-responsible ministries, e.g. "BZK, JenV"
    notification: Mapped[Notification] = mapped_column(
        str_enum(Notification, "notification"), default=Notification.NONE, server_default="none"
    )
    notified: Mapped[PrecisionDate] = precision_date("notified")
    notification_ref: Mapped[str | None] = mapped_column(String(200))
    # The latest change, kept beside the history so today's board is an indexed query, not a scan of all history.
    current_stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "current_stage"), index=True)
    stage_since: Mapped[PrecisionDate] = precision_date("stage_since")
    # Whether the act needs national measures at all (a regulation may need none), and why not where it does not.
    national_measures: Mapped[NationalMeasures] = mapped_column(
        str_enum(NationalMeasures, "national_measures"), default=NationalMeasures.UNKNOWN, server_default="unknown"
    )
    national_measures_note: Mapped[str | None] = mapped_column(Text)
    national_measures_note_en: Mapped[str | None] = mapped_column(Text)
    # The source of each regulation-level fact (lead_ministry, national_instrument, eu_published, ...):
    # {field: {ref, quote, certainty, note}}; the row's own source names the act.
    field_sources: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    team: Mapped[Team] = relationship(lazy="raise")
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="regulation", lazy="raise", order_by="(StageChange.effective_on, StageChange.id)"
    )
    deadlines: Mapped[list[Deadline]] = relationship(back_populates="regulation", lazy="raise")
    designations: Mapped[list[Designation]] = relationship(back_populates="regulation", lazy="raise")
    evaluations: Mapped[list[Evaluation]] = relationship(back_populates="regulation", lazy="raise")

    def portfolio_act_id(self) -> int | None:
        return self.id

    def __repr__(self) -> str:
        return f"<Regulation {self.key}>"


class StageChange(PortfolioRecord, Sourced, Base):
    """One move on the stage machine. Rows are only ever added: the history is append-only."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        precision_check("effective"),
        # The change in force on a day, per act, by one seek; with the stage in the index a past board reads no row.
        Index("ix_stage_changes_regulation_effective_stage", "regulation_id", "effective_on", "id", "to_stage"),
        # The same per instrument: an act's place on a past board is its least advanced instrument's then.
        Index("ix_stage_changes_instrument_effective_stage", "instrument_id", "effective_on", "id", "to_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The act the instrument was made for (Instrument.regulation_id): the act's timeline is one seek.
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(str_enum(Stage, "to_stage"))
    move: Mapped[MoveKind] = mapped_column(str_enum(MoveKind, "move"))
    effective: Mapped[PrecisionDate] = precision_date("effective", known=True)
    if TYPE_CHECKING:  # the composite's two columns, which SQLAlchemy maps under their own names
        effective_on: Mapped[dt.date]
        effective_precision: Mapped[Precision]
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(500))

    regulation: Mapped[Regulation] = relationship(back_populates="stage_changes", lazy="raise")


def make_range(
    start: dt.date | None,
    precision: Precision | str | None,
    until: dt.date | None,
    until_precision: Precision | str | None,
    label: str | None,
) -> PrecisionDate:
    """Composite constructor: a date that may be a range and may carry the report's words (five columns)."""
    end_precision = Precision(until_precision) if until and until_precision else None
    end = period_start(until, end_precision) if until and end_precision else None
    return PrecisionDate(start, Precision(precision or Precision.UNKNOWN), end, end_precision, label)


class _RangeComposite(Composite[PrecisionDate]):
    """Stores a PrecisionDate in five columns; the two-column dates keep PrecisionDate.__composite_values__."""

    def _composite_values_from_instance(self, value: PrecisionDate) -> tuple[Any, ...]:
        until = value.last_day if value.is_range else None
        return (value.start, value.precision, until, value.end_precision, value.label)


def range_date(prefix: str) -> Any:
    """A date that may be a range ("2023-Q4 .. 2024") with the report's words: `<prefix>_on`/`_precision` as every
    date has, plus `<prefix>_until` (the range's last day: "overdue" counts from it), its precision, and the label."""
    return _RangeComposite(
        make_range,
        mapped_column(f"{prefix}_on", Date, nullable=True),
        mapped_column(
            f"{prefix}_precision", str_enum(Precision, f"{prefix}_precision"), nullable=False, default=Precision.UNKNOWN
        ),
        mapped_column(f"{prefix}_until", Date, nullable=True),
        mapped_column(f"{prefix}_until_precision", str_enum(Precision, f"{prefix}_until_precision"), nullable=True),
        mapped_column(f"{prefix}_label", String(LABEL_MAX), nullable=True),
    )


class Ranged:
    """A `due` date that may be a range: reminders count from `due_on`, "overdue" from `due_end`.

    (`due_on` and `due_until` are the columns of `range_date("due")` on the class that mixes this in.)
    """

    if TYPE_CHECKING:  # the columns of `range_date("due")`, which SQLAlchemy maps under their own names
        due_on: Mapped[dt.date | None]
        due_precision: Mapped[Precision]
        due_until: Mapped[dt.date | None]
        due_until_precision: Mapped[Precision | None]
        due_label: Mapped[str | None]

    @hybrid_property
    def due_end(self) -> dt.date | None:
        """The day after which the date has passed: a range's last day, a single date's first day."""
        row: Any = self
        return row.due_until or row.due_on

    @due_end.inplace.expression
    @classmethod
    def _due_end(cls) -> ColumnElement[dt.date | None]:
        table: Any = cls
        return func.coalesce(table.due_until, table.due_on)


class Deadline(PortfolioRecord, Ranged, Sourced, Timestamped, Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        precision_check("due"),
        Index("ix_deadlines_due_on", "due_on"),
        Index("ix_deadlines_due_until", "due_until"),  # the reminder sweep's range reads both ends
        Index("ix_deadlines_regulation_due", "regulation_id", "due_on", "id"),  # each card's next deadline
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind, "kind"))
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    due: Mapped[PrecisionDate] = range_date("due")
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    met_on: Mapped[dt.date | None] = mapped_column(Date)
    # iCalendar SEQUENCE: grows whenever the date or the title changes, so calendars update the event in place.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    regulation: Mapped[Regulation] = relationship(back_populates="deadlines", lazy="raise")


class Designation(PortfolioRecord, Sourced, Timestamped, Base):
    __tablename__ = "designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    role: Mapped[str] = mapped_column(String(300))
    role_en: Mapped[str | None] = mapped_column(String(300))
    scope: Mapped[str | None] = mapped_column(Text)
    scope_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[DesignationStatus] = mapped_column(str_enum(DesignationStatus, "status"))
    legal_basis: Mapped[str | None] = mapped_column(String(300))

    regulation: Mapped[Regulation] = relationship(back_populates="designations", lazy="raise")
    authority: Mapped[Authority] = relationship(lazy="raise")


class Evaluation(PortfolioRecord, Ranged, Sourced, Timestamped, Base):
    """An EU review clause or a national evaluation; it may concern a tracked act or a policy."""

    __tablename__ = "evaluations"
    __table_args__ = (  # the reminder sweep's range reads both ends
        precision_check("due"), Index("ix_evaluations_due_on", "due_on"), Index("ix_evaluations_due_until", "due_until")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int | None] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    subject_en: Mapped[str | None] = mapped_column(String(300))
    level: Mapped[EvaluationLevel] = mapped_column(str_enum(EvaluationLevel, "level"))
    status: Mapped[EvaluationStatus] = mapped_column(str_enum(EvaluationStatus, "status"))
    due: Mapped[PrecisionDate] = range_date("due")
    due_note: Mapped[str | None] = mapped_column(Text)
    due_note_en: Mapped[str | None] = mapped_column(Text)
    performer: Mapped[str | None] = mapped_column(String(200))
    pillar: Mapped[str | None] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    regulation: Mapped[Regulation | None] = relationship(back_populates="evaluations", lazy="raise")
    team: Mapped[Team | None] = relationship(lazy="raise")
