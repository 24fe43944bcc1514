"""content in Dutch, English beside it: `<field>_en` columns, a regulation's short name, title Dutch

Every text a reader sees is Dutch in the report's words; its English sits beside it in a nullable `<field>_en`
column, shown to English readers (tracker.content). A regulation gets a short name to show instead of its key
("Veiling 3,5 GHz" for VEILING_35GHZ). Its `title` was English with the Dutch in `title_nl`: the Dutch title moves
to `title` where there was one, the old title to `title_en`, and `title_nl` goes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SOURCED = ("authorities", "regulations", "stage_changes", "deadlines", "designations", "evaluations")
# (table, column, type): the English beside a Dutch text
ENGLISH = (
    ("regulations", "short_name", sa.String(length=60)),
    ("regulations", "short_name_en", sa.String(length=60)),
    ("regulations", "title_en", sa.String(length=300)),
    ("regulations", "summary_en", sa.Text()),
    ("stage_changes", "reason_en", sa.Text()),
    ("stage_changes", "note_en", sa.Text()),
    ("deadlines", "title_en", sa.String(length=300)),
    ("deadlines", "note_en", sa.Text()),
    ("designations", "role_en", sa.String(length=300)),
    ("designations", "scope_en", sa.Text()),
    ("evaluations", "subject_en", sa.String(length=300)),
    ("evaluations", "due_note_en", sa.Text()),
    ("stage_durations", "source_en", sa.Text()),
    ("plan_reviews", "note_en", sa.Text()),
    *((table, name, sa.Text()) for table in SOURCED for name in ("certainty_note_en", "alternative_en")),
)


def _tables() -> dict[str, list[tuple[str, sa.types.TypeEngine]]]:
    tables: dict[str, list[tuple[str, sa.types.TypeEngine]]] = {}
    for table, name, kind in ENGLISH:
        tables.setdefault(table, []).append((name, kind))
    return tables


def upgrade() -> None:
    for table, columns in _tables().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, kind in columns:
                batch_op.add_column(sa.Column(name, kind, nullable=True))
    # The English title goes beside; the Dutch one, where there is one, becomes the title.
    op.execute("UPDATE regulations SET title_en = title")
    op.execute("UPDATE regulations SET title = title_nl WHERE title_nl IS NOT NULL AND title_nl <> ''")
    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.drop_column("title_nl")


def downgrade() -> None:
    with op.batch_alter_table("regulations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_nl", sa.String(length=300), nullable=True))
    op.execute("UPDATE regulations SET title_nl = title WHERE title_en IS NOT NULL AND title_en <> title")
    op.execute("UPDATE regulations SET title = title_en WHERE title_en IS NOT NULL AND title_en <> ''")
    for table, columns in reversed(list(_tables().items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _kind in reversed(columns):
                batch_op.drop_column(name)
