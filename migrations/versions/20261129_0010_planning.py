"""planning targets durations planned dates reviews

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_plan_reviews_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reviews")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_plan_reviews_seed_key")),
    )
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_plan_reviews_regulation_on", ["regulation_id", "reviewed_on"], unique=False)

    op.create_table(
        "planned_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column(
            "planned_precision",
            sa.Enum(
                "day",
                "month",
                "quarter",
                "half",
                "year",
                "unknown",
                name="planned_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(planned_on IS NULL) = (planned_precision = 'unknown')", name=op.f("ck_planned_dates_planned_known")
        ),
        sa.CheckConstraint(
            "step IN ('internal_prep', 'consultation', 'council_of_state', 'parliament', 'publication', 'in_force')",
            name=op.f("ck_planned_dates_step_known"),
        ),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_planned_dates_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_dates")),
        sa.UniqueConstraint("regulation_id", "step", name="uq_planned_dates_step"),
    )
    op.create_table(
        "stage_durations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("regulation_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("assumption", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "step IN ('internal_prep', 'consultation', 'council_of_state', 'parliament', 'publication')",
            name=op.f("ck_stage_durations_step_known"),
        ),
        sa.CheckConstraint("days BETWEEN 0 AND 3650", name=op.f("ck_stage_durations_days_range")),
        sa.CheckConstraint("team_id IS NULL OR regulation_id IS NULL", name=op.f("ck_stage_durations_one_scope")),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_stage_durations_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_stage_durations_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_durations")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_stage_durations_seed_key")),
        sa.UniqueConstraint("step", "team_id", "regulation_id", name="uq_stage_durations_scope"),
    )
    with op.batch_alter_table("stage_durations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_durations_regulation_id"), ["regulation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stage_durations_team_id"), ["team_id"], unique=False)

    op.create_table(
        "act_plans",
        sa.Column("regulation_id", sa.Integer(), nullable=False),
        sa.Column("target_deadline_id", sa.Integer(), nullable=True),
        sa.Column("eu_exception", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["regulations.id"],
            name=op.f("fk_act_plans_regulation_id_regulations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_act_plans_target_deadline_id_deadlines"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("regulation_id", name=op.f("pk_act_plans")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_act_plans_seed_key")),
    )


def downgrade() -> None:
    op.drop_table("act_plans")
    with op.batch_alter_table("stage_durations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_durations_team_id"))
        batch_op.drop_index(batch_op.f("ix_stage_durations_regulation_id"))

    op.drop_table("stage_durations")
    op.drop_table("planned_dates")
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_reviews_regulation_on")

    op.drop_table("plan_reviews")
