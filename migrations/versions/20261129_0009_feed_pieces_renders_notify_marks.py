"""feed pieces, shared feed renders, notification markers and board indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_pieces",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_feed_pieces")),
    )
    op.create_table(
        "feed_renders",
        sa.Column("feed_key", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("feed_key", name=op.f("pk_feed_renders")),
    )
    op.create_table(
        "notify_marks",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_notify_marks")),
    )
    op.create_index("ix_regulations_current_stage_key", "regulations", ["current_stage", "key"])
    op.create_index("ix_deadlines_regulation_due", "deadlines", ["regulation_id", "due_on", "id"])
    op.create_index("ix_evaluations_due_on", "evaluations", ["due_on"])


def downgrade() -> None:
    op.drop_index("ix_evaluations_due_on", table_name="evaluations")
    op.drop_index("ix_deadlines_regulation_due", table_name="deadlines")
    op.drop_index("ix_regulations_current_stage_key", table_name="regulations")
    op.drop_table("notify_marks")
    op.drop_table("feed_renders")
    op.drop_table("feed_pieces")
