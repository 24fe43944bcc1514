"""Export the whole database as JSON, and import such a file into an empty database.

The file is deterministic (tables in dependency order, rows by primary key, keys sorted, no timestamp of its own),
so export, import, export gives the same bytes. It carries each table's row count and SHA-256 digests of its
canonical JSON (per table, and over the whole document), so a file cut or edited after export is refused.

Import checks the whole file before writing: counts, every field's type and range (32-bit integers, real dates, enum
values, booleans, text without NUL, JSON columns by shape), checksums. It writes in one transaction, where the
database's constraints refuse what is inconsistent across rows (a reference to a missing row, a duplicate key).
A refused file changes nothing, and the error says what is wrong and where.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, Integer, Table, func, select, text
from sqlalchemy.orm import Session

import tracker.models  # noqa: F401  (every table on the metadata)
from tracker.db import Base
from tracker.migrate import current_revision
from tracker.regulations import history
from tracker.transfer_fields import TransferError, check_periods, load_value
from tracker.unit_of_work import PortfolioChanged, publish

FORMAT = "eu-implementation-tracker-export"
# 2: per-table counts and SHA-256 checksums. 1 had neither; it imports only with verify_checksum=False.
VERSION = 4
UNVERIFIABLE_VERSIONS = (1,)
NO_VERIFY_HINT = "`tracker import --no-verify-checksum`"
# Dependency order; operational tables (sessions, login counters, feed tokens, outbox) are not exported.
TABLES = (
    "teams",
    "authorities",
    "users",
    "user_teams",
    "regulations",
    # 4: the national instruments; an older file's acts get their first instrument as the migration gave them.
    "instruments",
    "instrument_acts",
    "stage_changes",
    "deadlines",
    "designations",
    "evaluations",
    "audit_events",
    "follows",
    # 3: the planning inputs and the notification marks, so a restore plans alike and sends nothing twice.
    "act_plans",
    "stage_durations",
    "planned_dates",
    "plan_reviews",
    "notify_marks",
)
V4_ONLY = ("instruments", "instrument_acts")
V3_TABLES = tuple(name for name in TABLES if name not in V4_ONLY)
V2_TABLES = V3_TABLES[: V3_TABLES.index("follows") + 1]
TABLES_OF = {1: V2_TABLES, 2: V2_TABLES, 3: V3_TABLES, VERSION: TABLES}
# Not exported, each for its reason: what a restore need not (or must not) bring back. tests/test_transfer_tables.py
# fails on a table that is in neither list.
OPERATIONAL = {
    "user_sessions": "logins end with the old installation; everyone logs in again",
    "login_throttles": "counters of failed logins, which expire within 15 minutes",
    "password_resets": "one-time links, which expire within 2 hours",
    "feed_tokens": "secret feed links: users make new ones (a copied database must not serve the old links)",
    "api_tokens": "secret API tokens: users make new ones",
    "feed_pieces": "rendered calendar events, a cache rebuilt from the data",
    "feed_renders": "assembled calendar feeds, a cache rebuilt from the data",
    "outbox": "mail queued or sent; the marks (notify_marks) that stop a mail going twice are exported",
    "heartbeats": "when the scheduler's jobs last ran on the old installation",
    "counters": "the portfolio revision, set anew by the import",
}
SECRET_COLUMNS = {("users", "password_hash")}


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# -- checksums ------------------------------------------------------------------------------------
def canonical(value: Any) -> bytes:
    """The bytes a checksum is taken of: independent of the file's indentation and key order."""
    text_ = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text_.encode("utf-8", "surrogatepass")


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def seal(document: dict[str, Any]) -> dict[str, Any]:
    """Set the counts and checksums of a document from its tables (export does this; so may a deliberate edit)."""
    document.pop("sha256", None)
    tables = document["tables"]
    document["counts"] = {name: len(rows) for name, rows in tables.items()}
    document["table_sha256"] = {name: _sha256(rows) for name, rows in tables.items()}
    document["sha256"] = _sha256(document)
    return document


# -- export ---------------------------------------------------------------------------------------
def _dump_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def export_data(session: Session, *, with_password_hashes: bool = False) -> str:
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        table = _table(name)
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        skip = set() if with_password_hashes else {c for t, c in SECRET_COLUMNS if t == name}
        tables[name] = [{k: (None if k in skip else _dump_value(v)) for k, v in row.items()} for row in rows]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "schema": current_revision(cast(Engine, session.get_bind())),
        "password_hashes": with_password_hashes,
        "tables": tables,
    }
    return json.dumps(seal(document), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"an object has the key {key!r} twice")
        result[key] = value
    return result


def _finite(number: str) -> float:
    """Also gets NaN and Infinity, which Python's JSON reader accepts but JSON and the databases do not."""
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(f"the number {number} is out of range")
    return value


def _read(raw: str) -> dict[str, Any]:
    try:
        document = json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_float=_finite, parse_constant=_finite)
    except ValueError as exc:  # json.JSONDecodeError included
        raise TransferError(f"not JSON: {exc}") from None
    except RecursionError:
        raise TransferError("not JSON this tracker reads: nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError(f"not an export of this tracker (format must be {FORMAT!r})")
    return document


def _check_version(document: dict[str, Any], verify_checksum: bool) -> bool:
    """Whether the file carries counts and checksums."""
    version = document.get("version")
    if type(version) is int and version in (VERSION, 3, 2):
        return True
    if type(version) is int and version in UNVERIFIABLE_VERSIONS:
        if verify_checksum:
            raise TransferError(
                f"export version {version} was written by an older tracker and has no counts or checksum to verify "
                f"(this tracker writes version {VERSION}); export again with this version, or, if you trust the "
                f"file, import it with {NO_VERIFY_HINT}"
            )
        return False
    raise TransferError(f"export version {version!r} is not supported (this tracker reads version {VERSION})")


def _tables_of(document: dict[str, Any]) -> tuple[str, ...]:
    """The tables a file of its version holds: version 3 added the planning inputs and the notification marks,
    version 4 the national instruments."""
    return TABLES_OF[document["version"]]


def _check_counts(document: dict[str, Any], tables: dict[str, Any]) -> None:
    counts = document.get("counts")
    if not isinstance(counts, dict) or set(counts) != set(_tables_of(document)):
        raise TransferError("counts: missing, or not one number per table (a cut or edited file?)")
    for name in _tables_of(document):
        if type(counts[name]) is not int or counts[name] != len(tables[name]):
            raise TransferError(
                f"tables.{name}: the file holds {len(tables[name])} rows but its counts say {counts[name]!r} "
                "(a cut or edited file)"
            )


def _check_checksums(document: dict[str, Any], tables: dict[str, Any]) -> None:
    expected, digests = document.get("sha256"), document.get("table_sha256")
    if not isinstance(expected, str) or not isinstance(digests, dict):
        raise TransferError("sha256: missing checksum (an edited file?)")
    edited = [name for name in _tables_of(document) if digests.get(name) != _sha256(tables[name])]
    if edited:
        raise TransferError(
            f"tables.{edited[0]}: its content does not match its SHA-256 checksum: the file was edited after export"
            + (f" (also {', '.join(edited[1:])})" if edited[1:] else "")
            + f"; if the edit is deliberate, import with {NO_VERIFY_HINT}"
        )
    if expected != _sha256({k: v for k, v in document.items() if k != "sha256"}):
        raise TransferError(
            "sha256: the file's header (schema, counts, password_hashes or checksums) does not match its SHA-256 "
            f"checksum: the file was edited after export; if the edit is deliberate, import with {NO_VERIFY_HINT}"
        )


def parse_document(raw: str, *, verify_checksum: bool = True) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Verify a whole export file; return it and its rows ready to insert, or raise TransferError."""
    document = _read(raw)
    sealed = _check_version(document, verify_checksum)
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise TransferError("tables: missing or not an object")
    holds = _tables_of(document)
    missing = [t for t in holds if t not in tables]
    unknown = sorted(set(tables) - set(holds))
    if missing or unknown:
        raise TransferError(f"tables: missing {missing or 'none'}, unknown {unknown or 'none'} (partial file?)")
    tables = {name: tables.get(name, []) for name in TABLES}  # an older version's file: its missing tables empty
    for name in TABLES:
        if not isinstance(tables[name], list):
            raise TransferError(f"tables.{name}: must be a list of rows")
    if sealed and (verify_checksum or "counts" in document):
        _check_counts(document, tables)
    result: dict[str, list[dict[str, Any]]] = {}
    # Before version 4 a stage change belonged to its act alone: the import gives it the act's first instrument.
    optional = {("stage_changes", "instrument_id")} if document["version"] < 4 else set()
    for name in TABLES:
        columns = {c.name: c for c in _table(name).columns}
        loaded = []
        for i, row in enumerate(tables[name]):
            if not isinstance(row, dict):
                raise TransferError(f"tables.{name}[{i}]: must be an object")
            where = f"tables.{name}[{i}]" + (f" (id {row['id']})" if type(row.get("id")) is int else "")
            extra = sorted(set(row) - set(columns))
            if extra:
                raise TransferError(f"{where}: unknown column(s) {', '.join(extra)}")
            absent = [c for c in columns if c not in row and (name, c) not in optional]
            if absent:
                raise TransferError(f"{where}: missing column(s) {', '.join(absent)}")
            values = {c: load_value(name, columns[c], row[c], where) for c in columns if c in row}
            check_periods(values, where)
            loaded.append(values)
        result[name] = loaded
    if sealed and verify_checksum:
        _check_checksums(document, tables)
    return document, result


def first_instruments(rows: dict[str, list[dict[str, Any]]]) -> None:
    """A file from before instruments: each act with a history or a named national instrument gets its first
    instrument (kind not known yet) and its history moves to it, as migration 0017 does for a database."""
    with_history = {change["regulation_id"] for change in rows["stage_changes"]}
    made: dict[int, int] = {}
    for reg in rows["regulations"]:
        if reg["id"] not in with_history and not reg.get("national_instrument"):
            continue
        made[reg["id"]] = instrument_id = len(made) + 1
        rows["instruments"].append({
            "id": instrument_id, "regulation_id": reg["id"], "kind": "unknown", "title": reg.get("national_instrument"),
            "title_en": None, "ministry": reg.get("lead_ministry"), "consultation_url": None, "council_case": None,
            "dossier": reg.get("bill_number"), "publication": None, "bwb_id": None, "planned_in_force_on": None,
            "planned_in_force_precision": "unknown", "in_force_on": None, "in_force_precision": "unknown",
            "current_stage": None, "stage_since_on": None, "stage_since_precision": "unknown", "source_ref": None,
            "source_quote": None, "certainty": None, "certainty_note": None, "certainty_note_en": None,
            "alternative": None, "alternative_en": None, "conflicts": None, "seed_key": None, "seed_hash": None,
            "created_at": reg["created_at"], "updated_at": reg["created_at"], "version": 1,
        })
        rows["instrument_acts"].append({"id": instrument_id, "instrument_id": instrument_id,
                                        "regulation_id": reg["id"], "required": True, "covers": None,
                                        "covers_en": None, "position": 0})
    for change in rows["stage_changes"]:
        change["instrument_id"] = made[change["regulation_id"]]


def _move_sequences(session: Session) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them so new rows do not collide."""
    for name in TABLES:
        pk = list(_table(name).primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement is not False:
            # The highest id as the last value given (the next is one more; none left at the type's maximum).
            key = pk[0].name
            sql = f"GREATEST(COALESCE(MAX({key}), 1), 1), COALESCE(MAX({key}), 0) >= 1) FROM {name}"
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', '{key}'), {sql}"))


@dataclass(frozen=True)
class Imported(PortfolioChanged):
    """An export loaded into an empty database."""

    rows: int = 0


def import_data(session: Session, raw: str, *, verify_checksum: bool = True) -> dict[str, int]:
    """Load an export into an empty database in the caller's transaction; return rows per table.

    `verify_checksum=False` is for a file edited by hand on purpose: its SHA-256 checksums are not compared, and a
    version 1 file (which has none) is read. Counts, when the file has them, and every field are still checked.
    """
    document, rows = parse_document(raw, verify_checksum=verify_checksum)
    schema, here = document.get("schema"), current_revision(cast(Engine, session.get_bind()))
    if schema != here:
        raise TransferError(
            f"the file has schema {schema!r} but the database is at {here!r}; "
            "run `tracker db upgrade` on both sides first"
        )
    for name in TABLES:
        if session.scalar(select(func.count()).select_from(_table(name))):
            raise TransferError(f"the database is not empty (table {name} has rows); import needs an empty one")
    for row in rows["regulations"]:
        # Derived from the history, not taken from the file: the history writer sets them below.
        row.update(current_stage=None, stage_since_on=None, stage_since_precision="unknown")
    if document["version"] < 4:
        first_instruments(rows)
    try:
        for name in TABLES:
            if rows[name]:
                session.execute(_table(name).insert(), rows[name])
        session.flush()
        history.remirror(session)
        if session.get_bind().dialect.name == "postgresql":
            _move_sequences(session)
    except Exception as exc:  # constraint violations: a reference to a missing row, a duplicate key, ...
        raise TransferError(f"the file is inconsistent: {str(exc).splitlines()[0]}") from None
    # Raw inserts pass no flush: one event for the whole load, so the revision moves (no cached feed survives it).
    publish(session, Imported(rows=sum(len(rows[name]) for name in TABLES)))
    return {name: len(rows[name]) for name in TABLES}
