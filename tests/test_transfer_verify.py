"""Import verifies what it reads: counts and SHA-256 checksums catch cut and edited files; every field's type, range
and shape is checked even in a file whose checksums were recomputed. Each refusal says what and where, and leaves
the database empty. Runs on SQLite, and on PostgreSQL when TESTS_POSTGRES_URL is set."""

import json

import pytest
from sqlalchemy import func, select

from tests import test_transfer
from tracker.cli import cli
from tracker.db import Base
from tracker.regulations.models import Regulation, StageChange
from tracker.transfer import TABLES, VERSION, TransferError, export_data, import_data, parse_document, seal

busy = test_transfer.busy  # the fixture, shared


@pytest.fixture
def good(busy, db):
    with db.sessionmaker() as s:
        return export_data(s)


def edited(good, change, *, sealed=False):
    document = json.loads(good)
    change(document)
    return json.dumps(seal(document) if sealed else document, ensure_ascii=False)


def assert_empty(db, name=""):
    with db.sessionmaker() as s:
        for table in TABLES:
            assert s.scalar(select(func.count()).select_from(Base.metadata.tables[table])) == 0, (name, table)


def refused(db, raw, *parts, verify_checksum=True):
    with pytest.raises(TransferError) as err, db.transaction() as s:
        import_data(s, raw, verify_checksum=verify_checksum)
    message = str(err.value)
    assert all(p in message for p in parts), message
    assert_empty(db, parts)
    return message


def test_the_export_carries_counts_and_checksums(good):
    document = json.loads(good)
    assert document["version"] == VERSION == 4  # 3 added the planning inputs and the notification marks, 4 instruments
    assert document["counts"] == {name: len(rows) for name, rows in document["tables"].items()}
    assert set(document["table_sha256"]) == set(TABLES) and len(document["sha256"]) == 64
    assert json.dumps(seal(json.loads(good)), indent=1, sort_keys=True, ensure_ascii=False) + "\n" == good


def _before_instruments(document):
    """What a file written before version 4 holds: no instruments, and stage changes of an act alone."""
    for name in ("instruments", "instrument_acts"):
        del document["tables"][name]
    for change in document["tables"]["stage_changes"]:
        del change["instrument_id"]


def test_a_version_3_file_imports_and_each_act_gets_its_first_instrument(good, empty_db, db):
    document = json.loads(good)
    with db.sessionmaker() as s:
        stages = dict(s.execute(select(Regulation.key, Regulation.current_stage)).all())
    _before_instruments(document)
    document["version"] = 3
    with empty_db.transaction() as s:
        counts = import_data(s, json.dumps(seal(document), ensure_ascii=False))
    with empty_db.sessionmaker() as s:
        # Each act with a history stands where it stood, its history now its one instrument's.
        assert dict(s.execute(select(Regulation.key, Regulation.current_stage)).all()) == stages
        with_history = {c["regulation_id"] for c in document["tables"]["stage_changes"]}
        assert counts["instruments"] >= len(with_history) > 0
        assert s.scalar(select(func.count()).select_from(StageChange).where(StageChange.instrument_id.is_(None))) == 0


def test_a_version_2_file_still_imports_without_the_tables_version_3_added(good, empty_db):
    from tracker.transfer import V2_TABLES, V3_TABLES

    document = json.loads(good)
    added = [name for name in V3_TABLES if name not in V2_TABLES]
    assert added == ["act_plans", "stage_durations", "planned_dates", "plan_reviews", "notify_marks"]
    for name in added:
        del document["tables"][name]
    _before_instruments(document)
    document["version"] = 2
    with empty_db.transaction() as s:
        counts = import_data(s, json.dumps(seal(document), ensure_ascii=False))
    assert all(counts[name] == 0 for name in added)
    assert counts["regulations"] == len(document["tables"]["regulations"]) > 0


def test_a_cut_file_is_refused_by_its_counts(good, empty_db):
    rows = len(json.loads(good)["tables"]["audit_events"])
    assert rows >= 3
    cut = edited(good, lambda d: d["tables"]["audit_events"].pop(1))
    refused(empty_db, cut, f"tables.audit_events: the file holds {rows - 1} rows but its counts say {rows}")
    # Counts are checked even when the checksums are not.
    refused(empty_db, cut, "tables.audit_events: the file holds", verify_checksum=False)
    # Counts mended by hand, checksums not: the checksum still catches the cut.
    mended = edited(cut, lambda d: d["counts"].update(audit_events=rows - 1))
    refused(empty_db, mended, "tables.audit_events: its content does not match its SHA-256 checksum")
    refused(empty_db, edited(good, lambda d: d.pop("counts")), "counts: missing")


def test_an_edited_row_is_refused_by_its_checksum(good, empty_db):
    def retitle(d):
        d["tables"]["regulations"][0]["title"] = "Edited"

    message = "tables.regulations: its content does not match its SHA-256 checksum"
    refused(empty_db, edited(good, retitle), message, "--no-verify-checksum")
    refused(empty_db, edited(good, lambda d: d.update(password_hashes=True)), "sha256: the file's header")
    refused(empty_db, edited(good, lambda d: d.pop("sha256")), "sha256: missing")
    # Re-indenting or reordering keys is not an edit: the checksum is of the canonical content.
    with empty_db.transaction() as s:
        import_data(s, json.dumps(json.loads(good)))


def test_a_deliberate_edit_imports_without_checksum_verification(good, empty_db):
    def retitle(d):
        d["tables"]["regulations"][0]["title"] = "Edited by the operator"

    def retitle_and_drop_the_counts(d):
        retitle(d)
        d.pop("counts")

    with empty_db.transaction() as s:
        import_data(s, edited(good, retitle), verify_checksum=False)
    with empty_db.sessionmaker() as s:
        assert "Edited by the operator" in export_data(s)
    # Counts, when the file has them, are still checked; when the editor removed them, they are not asked for.
    parse_document(edited(good, retitle_and_drop_the_counts), verify_checksum=False)
    with pytest.raises(TransferError, match="counts: missing"):
        parse_document(edited(good, retitle_and_drop_the_counts))


def test_a_version_1_file_needs_checksum_verification_off(good, empty_db):
    from tracker.transfer import V2_TABLES

    def version_1(d):  # version 1 held the tables of version 2, without counts or checksums
        d.update(version=1)
        for key in ("counts", "sha256", "table_sha256"):
            d.pop(key)
        for name in set(TABLES) - set(V2_TABLES) - {"instruments", "instrument_acts"}:
            d["tables"].pop(name)
        _before_instruments(d)

    old = edited(good, version_1)
    refused(empty_db, old, "export version 1", "no counts or checksum", "--no-verify-checksum")
    refused(empty_db, edited(good, lambda d: d.update(version=5)), "export version 5 is not supported")
    with empty_db.transaction() as s:
        counts = import_data(s, old, verify_checksum=False)
    expected = {name: (n if name in V2_TABLES else 0) for name, n in json.loads(good)["counts"].items()}
    assert {k: v for k, v in counts.items() if k not in ("instruments", "instrument_acts")} == {
        k: v for k, v in expected.items() if k not in ("instruments", "instrument_acts")}
    assert counts["instruments"] == counts["instrument_acts"] > 0


def where(document, table, index=0):
    row = document["tables"][table][index]
    return f"tables.{table}[{index}]" + (f" (id {row['id']})" if isinstance(row.get("id"), int) else "")


LINKS_SHAPE = 'not a list of {"label", "url"} objects'
FIELD_CASES = [  # (table, column, value written into its first row, what the message says)
    ("audit_events", "changes", "role: viewer -> admin", "not an object mapping each field to [old, new]"),
    ("audit_events", "changes", [["role", "viewer", "admin"]], "not an object mapping each field"),
    ("audit_events", "changes", {"role": ["viewer", "editor", "admin"]}, "not [old, new] (a list of two) for 'role'"),
    ("audit_events", "changes", {"role": "admin"}, "not [old, new] (a list of two) for 'role'"),
    ("audit_events", "changes", {"role": [None, "ad\x00min"]}, "the new value of 'role' holds text with a NUL"),
    ("audit_events", "id", 2**31, "2147483648 is out of range for a 32-bit integer"),
    ("deadlines", "regulation_id", 2**31, "out of range for a 32-bit integer"),
    ("regulations", "version", -(2**31) - 1, "out of range for a 32-bit integer"),
    ("teams", "id", "1", "not a whole number"),
    ("regulations", "title", "Digital\x00Services Act", "text with a NUL character"),
    ("regulations", "links", "https://eur-lex.europa.eu", LINKS_SHAPE),
    ("regulations", "links", [{"label": "EUR-Lex"}], LINKS_SHAPE + " (item 0)"),
    ("regulations", "links", [{"label": "x", "url": "javascript:alert(1)"}], "not http(s)://"),
    ("regulations", "kind", "REGULATION", "not one of regulation, directive"),
    ("deadlines", "met_on", "2024-02-30", "not a real date"),
    ("deadlines", "met_on", 20240201, "not a date"),
    ("users", "created_at", "2024-01-01T10:00:00", "a time without a time zone"),
    ("users", "active", 1, "not true or false"),
]


def test_every_field_is_checked_even_with_a_recomputed_checksum(good, empty_db):
    """Sealed again after the edit, so no count or checksum catches these: only the field checks do."""
    document = json.loads(good)
    for table, column, value, what in FIELD_CASES:
        assert json.dumps(document["tables"][table][0][column]) != json.dumps(value)  # an edit (True == 1)
        raw = edited(good, lambda d, t=table, c=column, v=value: d["tables"][t][0].update({c: v}), sealed=True)
        refused(empty_db, raw, f"{where(json.loads(raw), table)}: {column}: ", what)
    # Within a row: a date known to a month is stored as the month's first day.
    misaligned = edited(
        good, lambda d: d["tables"]["deadlines"][0].update(due_on="2024-03-15", due_precision="month"), sealed=True
    )
    refused(empty_db, misaligned, f"{where(document, 'deadlines')}: due_on: ", "not the first day of a month")


def test_the_largest_32_bit_id_imports(good, empty_db):
    top = 2**31 - 1
    raw = edited(good, lambda d: d["tables"]["audit_events"][-1].update(id=top), sealed=True)
    with empty_db.transaction() as s:
        import_data(s, raw)
    with empty_db.sessionmaker() as s:
        assert json.loads(export_data(s))["tables"]["audit_events"][-1]["id"] == top


def test_json_that_python_reads_loosely_is_refused(good, empty_db):
    refused(empty_db, good.replace('"format"', '"format": "x", "format"', 1), "not JSON", "'format' twice")
    refused(empty_db, good.replace('"version": 2', '"version": NaN', 1), "not JSON", "NaN")
    refused(empty_db, good.replace('"version": 2', '"version": 1e400', 1), "not JSON", "out of range")


def test_cli_import_of_an_edited_file_imports_nothing(good, app, tmp_path):
    target = tmp_path / "edited.json"
    target.write_text(edited(good, lambda d: d["tables"]["teams"][0].update(name="Edited")), encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["import", str(target)])
    assert result.exit_code == 1 and "Nothing was imported" in result.output and "tables.teams" in result.output


def test_cli_imports_a_deliberate_edit_with_no_verify_checksum(good, empty_db, settings, tmp_path):
    from dataclasses import replace

    from tests.conftest import NOW
    from tracker import create_app
    from tracker.clock import Clock

    target = tmp_path / "edited.json"
    target.write_text(edited(good, lambda d: d["tables"]["teams"][0].update(name="Edited")), encoding="utf-8")
    empty_app = create_app(settings=replace(settings, database_url=empty_db.url), clock=Clock(settings.tz, NOW))
    try:
        refused_run = empty_app.test_cli_runner().invoke(cli, ["import", str(target)])
        assert refused_run.exit_code == 1 and "--no-verify-checksum" in refused_run.output
        assert_empty(empty_db)
        done = empty_app.test_cli_runner().invoke(cli, ["import", "--no-verify-checksum", str(target)])
        assert done.exit_code == 0, done.output
        assert done.output.startswith("imported ")
    finally:
        empty_app.extensions["tracker.db"].dispose()
    with empty_db.sessionmaker() as s:
        assert "Edited" in export_data(s)
