"""certainty of each fact, sources per regulation field, date ranges with the report's words

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SOURCED = ("authorities", "regulations", "stage_changes", "deadlines", "designations", "evaluations")
RANGED = ("deadlines", "evaluations")
CERTAINTY = ("report", "reading", "inference")
PRECISION = ("day", "month", "quarter", "half", "year", "unknown")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    for table in SOURCED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("certainty", _enum(CERTAINTY, "certainty"), nullable=True))
            batch_op.add_column(sa.Column("certainty_note", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("alternative", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("conflicts", sa.JSON(), nullable=True))
            if table == "regulations":
                batch_op.add_column(sa.Column("field_sources", sa.JSON(), nullable=True))
            if table in RANGED:
                batch_op.add_column(sa.Column("due_until", sa.Date(), nullable=True))
                batch_op.add_column(
                    sa.Column("due_until_precision", _enum(PRECISION, "due_until_precision"), nullable=True)
                )
                batch_op.add_column(sa.Column("due_label", sa.String(length=80), nullable=True))


def downgrade() -> None:
    for table in reversed(SOURCED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in RANGED:
                batch_op.drop_constraint(op.f(f"ck_{table}_due_until_precision"), type_="check")
                batch_op.drop_column("due_label")
                batch_op.drop_column("due_until_precision")
                batch_op.drop_column("due_until")
            if table == "regulations":
                batch_op.drop_column("field_sources")
            batch_op.drop_constraint(op.f(f"ck_{table}_certainty"), type_="check")
            batch_op.drop_column("conflicts")
            batch_op.drop_column("alternative")
            batch_op.drop_column("certainty_note")
            batch_op.drop_column("certainty")
