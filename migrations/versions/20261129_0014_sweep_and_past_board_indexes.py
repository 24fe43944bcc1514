"""indexes for the sweep's window and the past board: both ends of a date range; the stage in the history's index

The sweep asks for open items whose first or last day lies in its window (`due_on BETWEEN .. OR due_until BETWEEN
..`). With `due_on` indexed but `due_until` not, SQLite scanned every deadline (the sweep's cost followed the open
items, not the due ones); with both indexed it reads the two ranges (a multi-index OR, a BitmapOr on PostgreSQL).

A past board reads each act's stage on a day by one seek in (regulation_id, effective_on, id); with to_stage added
to that index (which replaces it) the seek answers from the index alone, without visiting the history's rows.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 10:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deadlines_due_until", "deadlines", ["due_until"])
    op.create_index("ix_evaluations_due_until", "evaluations", ["due_until"])
    columns = ["regulation_id", "effective_on", "id", "to_stage"]
    op.create_index("ix_stage_changes_regulation_effective_stage", "stage_changes", columns)
    op.drop_index("ix_stage_changes_regulation_effective", table_name="stage_changes")


def downgrade() -> None:
    op.create_index("ix_stage_changes_regulation_effective", "stage_changes", ["regulation_id", "effective_on", "id"])
    op.drop_index("ix_stage_changes_regulation_effective_stage", table_name="stage_changes")
    op.drop_index("ix_evaluations_due_until", table_name="evaluations")
    op.drop_index("ix_deadlines_due_until", table_name="deadlines")
