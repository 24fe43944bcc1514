from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import tracker.models  # noqa: F401  (every table on the metadata)
from tracker import migrate
from tracker.db import Base, make_engine


def test_a_single_head_and_dated_file_names(settings):
    script = ScriptDirectory.from_config(migrate.alembic_config(settings.database_url))
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        name = rev.module.__file__.rsplit("/", 1)[-1]
        assert name[:8].isdigit(), f"{name} should start with its date (YYYYMMDD)"


def test_upgrade_downgrade_to_base_and_upgrade_again(settings):
    url = settings.database_url
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        tables = set(inspect(engine).get_table_names())
        assert {"regulations", "stage_changes", "deadlines", "designations", "evaluations", "teams"} <= tables
        migrate.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        assert migrate.is_current(engine, url)
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(settings):
    url = settings.database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_tracker_db_commands(app):
    from tracker.cli import cli

    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["db", "current"]).output.strip().endswith("(up to date)")
    result = runner.invoke(cli, ["db", "downgrade", "base"])
    assert result.exit_code == 0 and "base" in result.output
    result = runner.invoke(cli, ["board"])
    assert result.exit_code == 2 and "tracker db upgrade" in result.output
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_the_current_stage_is_filled_from_the_history_on_upgrade(settings):
    from sqlalchemy import text

    url = settings.database_url
    migrate.upgrade(url, "0005")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO teams (id, key, name) VALUES (1, 'EZK', 'EZK')"))
            conn.execute(text(
                "INSERT INTO regulations (id, key, title, kind, team_id, links, eu_published_precision, "
                "eu_in_force_precision, created_at, updated_at, version) VALUES (1, 'DSA', 'DSA', 'regulation', 1, "
                "'[]', 'unknown', 'unknown', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1), (2, 'NEW', 'New', "
                "'regulation', 1, '[]', 'unknown', 'unknown', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1)"))
            for i, (stage, day, precision) in enumerate([("internal_prep", "2022-01-01", "year"),
                                                         ("consultation", "2023-04-01", "quarter")]):
                conn.execute(text(
                    "INSERT INTO stage_changes (id, regulation_id, to_stage, move, effective_on, effective_precision,"
                    " recorded_at, actor) VALUES (:id, 1, :stage, 'initial', :day, :precision, "
                    "'2024-01-01 00:00:00', 'x')"), {"id": i + 1, "stage": stage, "day": day, "precision": precision})
        migrate.upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key, current_stage, stage_since_on, stage_since_precision "
                                     "FROM regulations ORDER BY key")).all()
        assert [(r[0], r[1], str(r[2]), r[3]) for r in rows] == [
            ("DSA", "consultation", "2023-04-01", "quarter"), ("NEW", None, "None", "unknown")]
    finally:
        engine.dispose()


def test_the_dutch_title_becomes_the_title_and_the_english_one_goes_beside_it(settings):
    """0015: title_nl -> title where there was one, the old (English) title -> title_en; and back again."""
    from sqlalchemy import text

    url = settings.database_url
    migrate.upgrade(url, "0014")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO teams (id, key, name) VALUES (1, 'EZK', 'EZK')"))
            for i, (key, title, title_nl) in enumerate([("DSA", "Digital Services Act", "Digitaledienstenverordening"),
                                                        ("DA", "Data Act", None), ("X", "Only English", "")]):
                conn.execute(text(
                    "INSERT INTO regulations (id, key, title, title_nl, kind, team_id, links, eu_published_precision, "
                    "eu_in_force_precision, created_at, updated_at, version) VALUES (:id, :key, :title, :nl, "
                    "'regulation', 1, '[]', 'unknown', 'unknown', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1)"),
                    {"id": i + 1, "key": key, "title": title, "nl": title_nl})
        migrate.upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key, title, title_en, short_name FROM regulations ORDER BY id")).all()
            assert "title_nl" not in {c["name"] for c in inspect(conn).get_columns("regulations")}
        assert [tuple(r) for r in rows] == [("DSA", "Digitaledienstenverordening", "Digital Services Act", None),
                                            ("DA", "Data Act", "Data Act", None),
                                            ("X", "Only English", "Only English", None)]
        migrate.downgrade(url, "0014")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key, title, title_nl FROM regulations ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("DSA", "Digital Services Act", "Digitaledienstenverordening"),
                                            ("DA", "Data Act", None), ("X", "Only English", None)]
        migrate.upgrade(url)
    finally:
        engine.dispose()
