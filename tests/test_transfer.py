"""Export, import, export: identical files, on SQLite and PostgreSQL; bad files change nothing."""

import json
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tracker.auth.models import User
from tracker.cli import cli
from tracker.dates import PrecisionDate
from tracker.db import Base
from tracker.regulations.instruments.models import Instrument
from tracker.regulations.models import Regulation, StageChange
from tracker.transfer import TABLES, VERSION, TransferError, export_data, import_data, seal


@pytest.fixture
def busy(login):
    """A seeded database with users, a stage move, an edited deadline and audit rows."""
    editor = login("ezk.editor@example.nl")
    page = editor.get("/regulations/DSA").get_data(as_text=True)
    token = csrf_from(page)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert editor.post("/regulations/DSA/stage", data={"csrf_token": token, "version": version,
                                                        "to_stage": "council_of_state", "effective": "2024-01"}
                       ).status_code == 302
    assert editor.post("/regulations/DSA/follow", data={"csrf_token": token}).status_code == 302
    return editor


def test_export_import_export_is_identical(busy, db, empty_db, session):
    with db.sessionmaker() as s:
        first = export_data(s, with_password_hashes=True)
    data = json.loads(first)
    assert data["tables"]["stage_changes"] and data["tables"]["audit_events"] and data["tables"]["follows"]
    with empty_db.transaction() as s:
        counts = import_data(s, first)
    assert counts["regulations"] == len(data["tables"]["regulations"])
    with empty_db.sessionmaker() as s:
        assert export_data(s, with_password_hashes=True) == first
        # New rows after an import get fresh ids (sequences moved past the imported ones).
        reg = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        first = s.scalars(select(Instrument.id).where(Instrument.regulation_id == reg.id)).first()
        s.add(StageChange(regulation_id=reg.id, instrument_id=first, to_stage="parliament", move="forward",
                          effective=PrecisionDate.parse("2024-02"), recorded_at=reg.created_at, actor="test"))
        s.commit()


def test_password_hashes_only_when_asked(busy, db):
    with db.sessionmaker() as s:
        plain = json.loads(export_data(s))
        hashed = json.loads(export_data(s, with_password_hashes=True))
    assert all(u["password_hash"] is None for u in plain["tables"]["users"])
    assert all(u["password_hash"].startswith("$argon2id$") for u in hashed["tables"]["users"])


def broken_variants(good: str):
    data = json.loads(good)

    def variant(change, sealed=False):
        d = json.loads(good)
        change(d)
        return json.dumps(seal(d) if sealed else d)

    first_reg = data["tables"]["regulations"][0]
    yield "not json", "{", "not JSON"
    yield "other format", variant(lambda d: d.update(format="x")), "not an export"
    yield "partial", variant(lambda d: d["tables"].pop("deadlines")), "missing ['deadlines']"
    yield "unknown column", variant(lambda d: d["tables"]["teams"][0].update(colour="red")), "unknown column(s) colour"
    yield "missing column", variant(lambda d: d["tables"]["teams"][0].pop("name")), "missing column(s) name"
    yield "bad date", variant(lambda d: d["tables"]["deadlines"][0].update(due_on="2024-13-01")), "due_on"
    yield "bad enum", variant(lambda d: d["tables"]["regulations"][0].update(kind="treaty")), "kind"
    # Resealed (counts and checksums recomputed): only the database's constraints can refuse these.
    yield "dangling reference", variant(lambda d: d["tables"]["deadlines"][0].update(regulation_id=99999), True), \
        "inconsistent"
    yield "duplicate key", variant(lambda d: d["tables"]["regulations"].append(dict(first_reg)), True), "inconsistent"
    yield "null in required", variant(lambda d: d["tables"]["regulations"][0].update(title=None)), "may not be empty"


def test_a_malformed_or_partial_file_changes_nothing(busy, db, empty_db):
    with db.sessionmaker() as s:
        good = export_data(s)
    for name, raw, message in broken_variants(good):
        with pytest.raises(TransferError) as err, empty_db.transaction() as s:
            import_data(s, raw)
        assert message in str(err.value), (name, str(err.value))
        with empty_db.sessionmaker() as s:
            for table in TABLES:
                assert s.scalar(select(func.count()).select_from(Base.metadata.tables[table])) == 0, name


def test_import_refuses_a_database_that_is_not_empty(busy, db):
    with db.sessionmaker() as s:
        good = export_data(s)
    with pytest.raises(TransferError, match="not empty"), db.transaction() as s:
        import_data(s, good)


def test_cli_export_and_import(busy, app, tmp_path, session):
    runner = app.test_cli_runner()
    target = tmp_path / "export.json"
    result = runner.invoke(cli, ["export", str(target)])
    assert result.exit_code == 0 and target.exists()
    assert json.loads(target.read_text())["tables"]["users"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "eu-implementation-tracker-export", "version": VERSION, "tables": {}}))
    result = runner.invoke(cli, ["import", str(broken)])
    assert result.exit_code == 1 and "Nothing was imported" in result.output and "missing" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 4


def test_import_takes_the_stage_from_the_history_not_from_the_file(busy, db, empty_db):
    """The stage columns are derived: a file whose columns disagree with its history is restored by the history."""
    with db.sessionmaker() as s:
        data = json.loads(export_data(s))
    dsa = next(r for r in data["tables"]["regulations"] if r["key"] == "DSA")
    assert (dsa["current_stage"], dsa["stage_since_on"]) == ("council_of_state", "2024-01-01")
    dsa.update(current_stage="in_force", stage_since_on="1999-01-01", stage_since_precision="day")
    with empty_db.transaction() as s:
        import_data(s, json.dumps(seal(data)))
    with empty_db.sessionmaker() as s:
        reg = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        assert (reg.current_stage.value, reg.stage_since.isoformat(), reg.version) == (
            "council_of_state", "2024-01", dsa["version"])
        stages = dict(s.execute(select(Regulation.key, Regulation.current_stage)).all())
    originals = {r["key"]: r["current_stage"] for r in data["tables"]["regulations"] if r["key"] != "DSA"}
    assert {k: (v.value if v else None) for k, v in stages.items() if k != "DSA"} == originals
