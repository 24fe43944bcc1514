"""Migration 0017 (issue 27): each act's stage path becomes its first national instrument, its history kept row
for row, on a database filled by the previous version (its own export, tests/data/export_schema_0016.json.gz,
written by `tracker export` at schema 0016 from the seeded portfolio), and Figure 8 as of 2023-09-30 unchanged."""

import datetime as dt
import gzip
import json
from pathlib import Path

from sqlalchemy import JSON, Date, DateTime, MetaData, insert, select, text

from tracker import migrate
from tracker.db import make_engine

EXPORT = Path(__file__).parent / "data" / "export_schema_0016.json.gz"
ORDER = ("teams", "authorities", "users", "user_teams", "regulations", "stage_changes", "deadlines", "designations",
         "evaluations", "audit_events", "follows", "act_plans", "stage_durations", "planned_dates", "plan_reviews",
         "notify_marks")


def _value(column, value):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(value, (dict, list)) and not isinstance(column.type, JSON):
        return json.dumps(value)
    return value


def _load_previous_version(url: str) -> dict:
    """The previous version's export, written into a database at its schema (0016) as that version held it."""
    document = json.loads(gzip.decompress(EXPORT.read_bytes()))
    assert document["schema"] == "0016" and set(document["tables"]) == set(ORDER)
    engine = make_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.begin() as conn:
            for name in ORDER:
                table = tables.tables[name]
                rows = [{k: _value(table.c[k], v) for k, v in row.items()} for row in document["tables"][name]]
                if rows:
                    conn.execute(insert(table), rows)
    finally:
        engine.dispose()
    return document


def test_each_acts_history_becomes_its_first_instrument_row_for_row(settings):
    url = settings.database_url
    migrate.upgrade(url, "0016")
    document = _load_previous_version(url)
    engine = make_engine(url)
    try:
        before = document["tables"]["stage_changes"]
        stage_then = {r["id"]: r["current_stage"] for r in document["tables"]["regulations"]}
        migrate.upgrade(url)
        with engine.connect() as conn:
            after = conn.execute(text(
                "SELECT s.id, s.regulation_id, s.from_stage, s.to_stage, s.effective_on, s.effective_precision, "
                "s.note, s.seed_key, i.regulation_id FROM stage_changes s JOIN instruments i ON i.id = s.instrument_id "
                "ORDER BY s.id")).all()
            # Row for row: the same changes, each now on an instrument made for its own act.
            assert [(r[0], r[1], r[2], r[3], str(r[4]), r[5], r[6], r[7]) for r in after] == [
                (r["id"], r["regulation_id"], r["from_stage"], r["to_stage"], r["effective_on"],
                 r["effective_precision"], r["note"], r["seed_key"]) for r in before]
            assert all(r[1] == r[8] for r in after)
            instruments = conn.execute(text(
                "SELECT i.regulation_id, i.kind, i.title, i.current_stage, l.required FROM instruments i "
                "JOIN instrument_acts l ON l.instrument_id = i.id ORDER BY i.regulation_id")).all()
            with_history = {r["regulation_id"] for r in before}
            named = {r["id"] for r in document["tables"]["regulations"] if r["national_instrument"]}
            assert {r[0] for r in instruments} == with_history | named and len(instruments) == len(with_history | named)
            titles = {r["id"]: r["national_instrument"] for r in document["tables"]["regulations"]}
            assert all(kind == "unknown" and required and title == titles[reg] for reg, kind, title, _, required
                       in instruments)
            # Each act stands where it stood, and its instrument there too.
            now = dict(conn.execute(text("SELECT id, current_stage FROM regulations")).all())
            assert now == stage_then
            assert all(stage == stage_then[reg] for reg, _, _, stage, _ in instruments)
    finally:
        engine.dispose()


def test_figure_8_as_of_the_report_is_the_same_after_the_migration(settings, app):
    """The board of 30 September 2023 (Figure 8's stages) read through the instruments equals the one the previous
    version showed: each act's change in force then, from its own history in the file."""
    from tracker.db import get_db
    from tracker.regulations.queries import board

    url = settings.database_url
    migrate.downgrade(url, "0016")
    document = _load_previous_version(url)
    migrate.upgrade(url)
    as_of = dt.date(2023, 9, 30)
    expected = {}
    keys = {r["id"]: r["key"] for r in document["tables"]["regulations"]}
    for change in sorted(document["tables"]["stage_changes"], key=lambda c: (c["effective_on"], c["id"])):
        if dt.date.fromisoformat(change["effective_on"]) <= as_of:
            expected[keys[change["regulation_id"]]] = change["to_stage"]
    with app.app_context(), get_db().sessionmaker() as session:
        shown = board(session, as_of, today=dt.date(2026, 11, 28), limit=None)
        found = {card.regulation.key: card.stage.value for card in shown.cards if card.stage is not None}
        assert found == expected and len(found) >= 15
        assert session.scalar(select(text("count(*)")).select_from(text("instruments"))) >= len(found)
