"""Export the whole database as JSON, and import such a file into an empty database.

The file is deterministic (tables in dependency order, rows by primary key, keys sorted, no timestamp of its own),
so export, import, export gives the same bytes. Import validates the whole file before writing anything and runs
in one transaction: a malformed or partial file changes nothing and the error says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Integer, String, Table, Text, func, select, text
from sqlalchemy.orm import Session

import tracker.models  # noqa: F401  (every table on the metadata)
from tracker.db import Base, UTCDateTime
from tracker.migrate import current_revision
from tracker.regulations import history
from tracker.regulations.revision import bump

FORMAT = "eu-implementation-tracker-export"
VERSION = 1
# Dependency order; operational tables (sessions, login counters, feed tokens, outbox) are not exported.
TABLES = (
    "teams",
    "authorities",
    "users",
    "user_teams",
    "regulations",
    "stage_changes",
    "deadlines",
    "designations",
    "evaluations",
    "audit_events",
    "follows",
)
SECRET_COLUMNS = {("users", "password_hash")}


class TransferError(ValueError):
    pass


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


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
        "schema": current_revision(session.get_bind()),
        "password_hashes": with_password_hashes,
        "tables": tables,
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _load_value(table: str, column: Any, value: Any, where: str) -> Any:
    if value is None:
        if not column.nullable and column.server_default is None and column.default is None:
            raise TransferError(f"{where}: {column.name} may not be empty")
        return None
    kind = column.type
    try:
        if isinstance(kind, UTCDateTime | DateTime):
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("no time zone")
            return moment
        if isinstance(kind, Date):
            return dt.date.fromisoformat(value)
        if isinstance(kind, Enum):
            if value not in kind.enums:
                raise ValueError(f"not one of {', '.join(kind.enums)}")
            return value
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError("not true or false")
            return value
        if isinstance(kind, Integer):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("not a whole number")
            return value
        if isinstance(kind, String | Text):
            if not isinstance(value, str):
                raise ValueError("not text")
            if getattr(kind, "length", None) and len(value) > kind.length:
                raise ValueError(f"longer than {kind.length} characters")
            if "\x00" in value:
                raise ValueError("contains a NUL character")
            return value
        if isinstance(kind, JSON):
            return value
    except (TypeError, ValueError) as exc:
        raise TransferError(f"{where}: {column.name}: {value!r} is {exc}") from None
    raise TransferError(f"{where}: {column.name}: unsupported column type {kind}")


def parse_document(raw: str) -> dict[str, list[dict[str, Any]]]:
    """Validate a whole export file; return the rows ready to insert, or raise TransferError."""
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TransferError(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError(f"not an export of this tracker (format must be {FORMAT!r})")
    if document.get("version") != VERSION:
        raise TransferError(f"export version {document.get('version')!r} is not supported (expected {VERSION})")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise TransferError("tables: missing or not an object")
    missing = [t for t in TABLES if t not in tables]
    unknown = sorted(set(tables) - set(TABLES))
    if missing or unknown:
        raise TransferError(f"tables: missing {missing or 'none'}, unknown {unknown or 'none'} (partial file?)")
    result: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        table, rows = _table(name), tables[name]
        if not isinstance(rows, list):
            raise TransferError(f"tables.{name}: must be a list of rows")
        columns = {c.name: c for c in table.columns}
        loaded = []
        for i, row in enumerate(rows):
            where = f"tables.{name}[{i}]"
            if not isinstance(row, dict):
                raise TransferError(f"{where}: must be an object")
            extra = sorted(set(row) - set(columns))
            if extra:
                raise TransferError(f"{where}: unknown column(s) {', '.join(extra)}")
            absent = [c for c in columns if c not in row]
            if absent:
                raise TransferError(f"{where}: missing column(s) {', '.join(absent)}")
            loaded.append({c: _load_value(name, columns[c], row[c], where) for c in columns})
        result[name] = loaded
    return result


def import_data(session: Session, raw: str) -> dict[str, int]:
    """Load an export into an empty database in the caller's transaction; return rows per table."""
    rows = parse_document(raw)
    schema, here = json.loads(raw).get("schema"), current_revision(session.get_bind())
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
    try:
        for name in TABLES:
            if rows[name]:
                session.execute(_table(name).insert(), rows[name])
        session.flush()
        history.remirror(session)
    except Exception as exc:  # constraint violations: a reference to a missing row, a duplicate key, ...
        raise TransferError(f"the file is inconsistent: {str(exc).splitlines()[0]}") from None
    bump(session)  # cached renderings (feeds) keyed by the revision must not survive an import
    if session.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            table = _table(name)
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement is not False:
                # Explicit ids were inserted: move the sequence past them so new rows do not collide.
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
                        f"COALESCE((SELECT MAX({pk[0].name}) FROM {name}), 0) + 1, false)"
                    )
                )
    return {name: len(rows[name]) for name in TABLES}
