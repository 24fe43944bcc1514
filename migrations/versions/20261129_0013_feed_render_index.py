"""feed renders keep their pieces' index, what they are and when they were fetched

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_renders") as batch:
        batch.add_column(sa.Column("piece_index", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("query", sa.Text(), nullable=True))
        batch.add_column(sa.Column("base_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_renders") as batch:
        batch.drop_column("fetched_at")
        batch.drop_column("base_url")
        batch.drop_column("query")
        batch.drop_column("piece_index")
