"""national instruments on their own procedures

Each act"s stage path becomes its first instrument (kind "unknown" until the seed or a team says which), with its
history kept row for row: every stage change now belongs to that instrument. The act"s own current stage is
unchanged (its least advanced required instrument: its only one).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:12:33.679846
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instruments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "wet",
                "amvb",
                "ministeriele_regeling",
                "besluit",
                "unknown",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.Column("ministry", sa.String(length=40), nullable=True),
        sa.Column("consultation_url", sa.String(length=500), nullable=True),
        sa.Column("council_case", sa.String(length=60), nullable=True),
        sa.Column("dossier", sa.String(length=60), nullable=True),
        sa.Column("publication", sa.String(length=120), nullable=True),
        sa.Column("bwb_id", sa.String(length=30), nullable=True),
        sa.Column("planned_in_force_on", sa.Date(), nullable=True),
        sa.Column(
            "planned_in_force_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="planned_in_force_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("in_force_on", sa.Date(), nullable=True),
        sa.Column(
            "in_force_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="in_force_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "current_stage",
            sa.Enum(
                "eu_negotiation",
                "internal_prep",
                "consultation",
                "council_of_state",
                "parliament",
                "in_force",
                name="current_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("stage_since_on", sa.Date(), nullable=True),
        sa.Column(
            "stage_since_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="stage_since_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column(
            "certainty",
            sa.Enum(
                "report",
                "reading",
                "inference",
                "external",
                name="certainty",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("certainty_note", sa.Text(), nullable=True),
        sa.Column("certainty_note_en", sa.Text(), nullable=True),
        sa.Column("alternative", sa.Text(), nullable=True),
        sa.Column("alternative_en", sa.Text(), nullable=True),
        sa.Column("conflicts", sa.JSON(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(in_force_on IS NULL) = (in_force_precision = 'unknown')", name=op.f("ck_instruments_in_force_known")
        ),
        sa.CheckConstraint(
            "(planned_in_force_on IS NULL) = (planned_in_force_precision = 'unknown')",
            name=op.f("ck_instruments_planned_in_force_known"),
        ),
        sa.CheckConstraint(
            "(stage_since_on IS NULL) = (stage_since_precision = 'unknown')",
            name=op.f("ck_instruments_stage_since_known"),
        ),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_instruments_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruments")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_instruments_seed_key")),
    )
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instruments_regulation_id"), ["regulation_id"], unique=False)

    op.create_table(
        "instrument_acts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("covers", sa.Text(), nullable=True),
        sa.Column("covers_en", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_instrument_acts_instrument_id_instruments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_instrument_acts_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_acts")),
        sa.UniqueConstraint("instrument_id", "regulation_id", name="uq_instrument_acts"),
    )
    with op.batch_alter_table("instrument_acts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_instrument_acts_regulation", ["regulation_id", "required", "instrument_id"], unique=False
        )

    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "national_measures", _enum("national_measures", MEASURES), nullable=False, server_default="unknown"
            )
        )
        batch_op.add_column(sa.Column("national_measures_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("national_measures_note_en", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("eu_adopted_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "eu_adopted_precision",
                _enum("eu_adopted_precision", PRECISIONS),
                nullable=False,
                server_default="unknown",
            )
        )
        batch_op.add_column(sa.Column("eli", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("com_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("procedure_ref", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("bnc_fiche", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("co_ministries", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("notification", _enum("notification", NOTIFICATIONS), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("notified_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "notified_precision", _enum("notified_precision", PRECISIONS), nullable=False, server_default="unknown"
            )
        )
        batch_op.add_column(sa.Column("notification_ref", sa.String(length=200), nullable=True))
        batch_op.create_check_constraint(
            "eu_adopted_known", "(eu_adopted_on IS NULL) = (eu_adopted_precision = 'unknown')"
        )
        batch_op.create_check_constraint("notified_known", "(notified_on IS NULL) = (notified_precision = 'unknown')")
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({_listed(KINDS)})")

    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instrument_id", sa.Integer(), nullable=True))
    _first_instruments()
    _certainties(("report", "reading", "inference", "external"))
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.alter_column("instrument_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            "ix_stage_changes_instrument_effective_stage",
            ["instrument_id", "effective_on", "id", "to_stage"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_stage_changes_instrument_id_instruments"),
            "instruments",
            ["instrument_id"],
            ["id"],
            ondelete="CASCADE",
        )


PRECISIONS = ("day", "month", "quarter", "half", "year", "unknown")
MEASURES = ("unknown", "needed", "not_needed")
NOTIFICATIONS = ("none", "partial", "complete")
OLD_KINDS = ("regulation", "directive", "national_law", "decision", "programme")
KINDS = ("regulation", "directive", "national_law", "decision", "delegated_act", "implementing_act", "programme")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


SOURCED = ("authorities", "regulations", "stage_changes", "deadlines", "designations", "evaluations")


def _certainties(values: tuple[str, ...]) -> None:
    """A fact from outside the report (EUR-Lex, the Staatsblad) has the certainty "external"."""
    listed = ", ".join(f"'{v}'" for v in values)
    for table in SOURCED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint("certainty", type_="check")
            batch_op.create_check_constraint("certainty", f"certainty IN ({listed})")


def _first_instruments() -> None:
    """An instrument per act that has a history or names its national instrument; its history moves to it."""
    conn = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    acts = conn.execute(
        sa.text(
            "SELECT r.id, r.national_instrument, r.bill_number, r.lead_ministry, r.current_stage, r.stage_since_on,"
            " r.stage_since_precision FROM regulations r WHERE r.national_instrument IS NOT NULL"
            " OR EXISTS (SELECT 1 FROM stage_changes s WHERE s.regulation_id = r.id) ORDER BY r.id"
        )
    ).all()
    for reg_id, title, dossier, ministry, stage, since_on, since_precision in acts:
        instrument_id = conn.execute(
            sa.text(
                "INSERT INTO instruments (regulation_id, kind, title, ministry, dossier, planned_in_force_precision,"
                " in_force_precision, current_stage, stage_since_on, stage_since_precision, created_at, updated_at,"
                " version) VALUES (:reg, 'unknown', :title, :ministry, :dossier, 'unknown', 'unknown', :stage,"
                " :since_on, :since_precision, :now, :now, 1) RETURNING id"
            ),
            dict(
                reg=reg_id,
                title=title,
                ministry=ministry,
                dossier=dossier,
                stage=stage,
                since_on=since_on,
                since_precision=since_precision or "unknown",
                now=now,
            ),
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO instrument_acts (instrument_id, regulation_id, required, position)"
                " VALUES (:instrument, :reg, :yes, 0)"
            ),
            dict(instrument=instrument_id, reg=reg_id, yes=True),
        )
        conn.execute(
            sa.text("UPDATE stage_changes SET instrument_id = :instrument WHERE regulation_id = :reg"),
            dict(instrument=instrument_id, reg=reg_id),
        )


def downgrade() -> None:
    _certainties(("report", "reading", "inference"))
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stage_changes_instrument_id_instruments"), type_="foreignkey")
        batch_op.drop_index("ix_stage_changes_instrument_effective_stage")
        batch_op.drop_column("instrument_id")

    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({_listed(OLD_KINDS)})")
        batch_op.drop_constraint("eu_adopted_known", type_="check")
        batch_op.drop_constraint("notified_known", type_="check")
        for name in ("national_measures", "notification", "eu_adopted_precision", "notified_precision"):
            batch_op.drop_constraint(name, type_="check")  # each enum's own check goes with its column
        for column in (
            "notification_ref",
            "notified_precision",
            "notified_on",
            "notification",
            "co_ministries",
            "bnc_fiche",
            "procedure_ref",
            "com_number",
            "eli",
            "eu_adopted_precision",
            "eu_adopted_on",
            "national_measures_note_en",
            "national_measures_note",
            "national_measures",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("instrument_acts", schema=None) as batch_op:
        batch_op.drop_index("ix_instrument_acts_regulation")

    op.drop_table("instrument_acts")
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instruments_regulation_id"))

    op.drop_table("instruments")
