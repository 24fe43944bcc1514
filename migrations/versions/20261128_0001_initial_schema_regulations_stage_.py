"""initial schema: regulations, stage history, deadlines, designations, evaluations

Revision ID: 0001
Revises:
Create Date: 2026-11-28 22:05:24.852635
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "authorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorities")),
        sa.UniqueConstraint("key", name=op.f("uq_authorities_key")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_authorities_seed_key")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("key", name=op.f("uq_teams_key")),
    )
    op.create_table(
        "regulations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "regulation",
                "directive",
                "national_law",
                "decision",
                "programme",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("eu_number", sa.String(length=60), nullable=True),
        sa.Column("celex", sa.String(length=30), nullable=True),
        sa.Column("pillar", sa.Integer(), nullable=True),
        sa.Column("lead_ministry", sa.String(length=40), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("national_instrument", sa.String(length=300), nullable=True),
        sa.Column("bill_number", sa.String(length=60), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("eu_published_on", sa.Date(), nullable=True),
        sa.Column(
            "eu_published_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="eu_published_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("eu_in_force_on", sa.Date(), nullable=True),
        sa.Column(
            "eu_in_force_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="eu_in_force_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(eu_in_force_on IS NULL) = (eu_in_force_precision = 'unknown')",
            name=op.f("ck_regulations_eu_in_force_known"),
        ),
        sa.CheckConstraint(
            "(eu_published_on IS NULL) = (eu_published_precision = 'unknown')",
            name=op.f("ck_regulations_eu_published_known"),
        ),
        sa.CheckConstraint("pillar BETWEEN 1 AND 5", name=op.f("ck_regulations_pillar_range")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_regulations_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulations")),
        sa.UniqueConstraint("key", name=op.f("uq_regulations_key")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_regulations_seed_key")),
    )
    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regulations_team_id"), ["team_id"], unique=False)

    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "application",
                "designation",
                "transposition",
                "entry_into_force",
                "compliance",
                "report",
                "milestone",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "due_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="due_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("legal_basis", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("(due_on IS NULL) = (due_precision = 'unknown')", name=op.f("ck_deadlines_due_known")),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_deadlines_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_deadlines_seed_key")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_deadlines_due_on", ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadlines_regulation_id"), ["regulation_id"], unique=False)

    op.create_table(
        "designations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=300), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("intended", "designated", name="status", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("legal_basis", sa.String(length=300), nullable=True),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_designations_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_designations_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_designations")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_designations_seed_key")),
    )
    with op.batch_alter_table("designations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_designations_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_designations_regulation_id"), ["regulation_id"], unique=False)

    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column(
            "level",
            sa.Enum("eu", "national", name="level", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "done", "running", "announced", name="status", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "due_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="due_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_note", sa.Text(), nullable=True),
        sa.Column("performer", sa.String(length=200), nullable=True),
        sa.Column("pillar", sa.String(length=10), nullable=True),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("(due_on IS NULL) = (due_precision = 'unknown')", name=op.f("ck_evaluations_due_known")),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_evaluations_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_evaluations_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_evaluations_seed_key")),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluations_regulation_id"), ["regulation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluations_team_id"), ["team_id"], unique=False)

    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "eu_negotiation",
                "internal_prep",
                "consultation",
                "council_of_state",
                "parliament",
                "in_force",
                name="from_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "eu_negotiation",
                "internal_prep",
                "consultation",
                "council_of_state",
                "parliament",
                "in_force",
                name="to_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "move",
            sa.Enum(
                "initial", "forward", "skip", "back", name="move", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column(
            "effective_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="effective_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=500), nullable=True),
        sa.Column("source_ref", sa.String(length=300), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(effective_on IS NULL) = (effective_precision = 'unknown')", name=op.f("ck_stage_changes_effective_known")
        ),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_stage_changes_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_stage_changes_seed_key")),
    )
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_regulation_effective", ["regulation_id", "effective_on", "id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_regulation_effective")

    op.drop_table("stage_changes")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluations_team_id"))
        batch_op.drop_index(batch_op.f("ix_evaluations_regulation_id"))

    op.drop_table("evaluations")
    with op.batch_alter_table("designations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_designations_regulation_id"))
        batch_op.drop_index(batch_op.f("ix_designations_authority_id"))

    op.drop_table("designations")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadlines_regulation_id"))
        batch_op.drop_index("ix_deadlines_due_on")

    op.drop_table("deadlines")
    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regulations_team_id"))

    op.drop_table("regulations")
    op.drop_table("teams")
    op.drop_table("authorities")
