"""indexes on the last day of deadline and evaluation ranges, so the reminder sweep reads only its window

The sweep asks for open items whose first or last day lies in its window (`due_on BETWEEN .. OR due_until BETWEEN
..`). With `due_on` indexed but `due_until` not, SQLite scanned every deadline (the sweep's cost followed the open
items, not the due ones); with both indexed it reads the two ranges (a multi-index OR, a BitmapOr on PostgreSQL).

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-29 10:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deadlines_due_until", "deadlines", ["due_until"])
    op.create_index("ix_evaluations_due_until", "evaluations", ["due_until"])


def downgrade() -> None:
    op.drop_index("ix_evaluations_due_until", table_name="evaluations")
    op.drop_index("ix_deadlines_due_until", table_name="deadlines")
