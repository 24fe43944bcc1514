"""portfolio revision counter and current stage beside the history

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 23:03:35.018797
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.add_column(
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
            )
        )
        batch_op.add_column(sa.Column("stage_since_on", sa.Date(), nullable=True))
        batch_op.add_column(
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
                server_default="unknown",  # for the rows that exist; filled from the history below
            )
        )
        batch_op.create_index(batch_op.f("ix_regulations_current_stage"), ["current_stage"], unique=False)

    # The current stage is the latest change by effective date, then by the order recorded.
    latest = (
        "(SELECT sc.{col} FROM stage_changes sc WHERE sc.regulation_id = regulations.id "
        "ORDER BY sc.effective_on DESC, sc.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE regulations SET "
        f"current_stage = {latest.format(col='to_stage')}, "
        f"stage_since_on = {latest.format(col='effective_on')}, "
        f"stage_since_precision = COALESCE({latest.format(col='effective_precision')}, 'unknown')"
    )
    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_regulations_stage_since_known"), "(stage_since_on IS NULL) = (stage_since_precision = 'unknown')"
        )


def downgrade() -> None:

    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_regulations_stage_since_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_regulations_stage_since_precision"), type_="check")
        batch_op.drop_constraint(op.f("ck_regulations_current_stage"), type_="check")
        batch_op.drop_index(batch_op.f("ix_regulations_current_stage"))
        batch_op.drop_column("stage_since_precision")
        batch_op.drop_column("stage_since_on")
        batch_op.drop_column("current_stage")

    op.drop_table("counters")
