"""A feed's events as raw rows and piece keys, without building the events.

Turning 10,000 rows into typed values and feed items costs more than writing the whole feed as text, so a feed reads
its rows untyped (the driver's own values) and keys each event by a hash of that row and of everything else its
bytes depend on: the renderer's format, the link base, the language's words and the alarm options. An event's
piece is a pure function of these, so the key is content-addressed like before and a piece is never stale; only the
events whose pieces are missing are typed and built (`Source.items`). Planning events are computed, not read, so
they keep keys made from their items (`pieces.piece_key`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import babel
from flask_babel import force_locale
from sqlalchemy import Select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from tracker.feeds.ical import FeedItem, order
from tracker.feeds.pieces import PIECE_FORMAT, piece_key
from tracker.feeds.queries import (
    FeedFilter,
    Words,
    deadline_item,
    deadline_rows,
    evaluation_item,
    evaluation_rows,
    host_of,
    planning_items,
    words,
)
from tracker.regulations.queries import stage_rows_as_of

Build = Callable[[Sequence[Any], Words, str, str], FeedItem]


@functools.lru_cache(maxsize=8)
def language_print(language: str) -> str:
    """A fingerprint of every word a feed event can show in `language` (fixed texts, labels of coded values, the
    translation catalogue, Babel's date words): a changed translation changes every key, so no old text is kept."""
    from tracker.i18n import TRANSLATIONS
    from tracker.labels import LABELS

    digest = hashlib.sha256(f"{babel.__version__}\n{words(language)!r}\n".encode())
    with force_locale(language):
        for (kind, value), text in sorted(LABELS.items(), key=lambda pair: (pair[0][0].__name__, str(pair[0][1]))):
            digest.update(f"{kind.__name__}.{value}={text}\n".encode())
    catalogue = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    if catalogue.exists():
        digest.update(catalogue.read_bytes())
    return digest.hexdigest()


def _raw(statement: Select) -> Select:
    """The same query, its columns left as the driver returns them (no per-value conversion)."""
    return statement.with_only_columns(*[type_coerce(c, NullType()) for c in statement.selected_columns])


def _typers(session: Session, statement: Select) -> list[Callable[[Any], Any] | None]:
    dialect = session.get_bind().dialect
    return [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in statement.selected_columns]


@dataclass
class Part:
    """One query's rows (raw) and what turns one into its event."""

    statement: Select
    rows: Sequence[Sequence[Any]]
    build: Build


@dataclass
class Source:
    """A feed's events in feed order: their piece keys, and the events themselves on demand."""

    keys: list[str]
    _where: list[tuple[int, int]]  # per position: (part, row)
    _parts: list[Part]
    _items: list[FeedItem]
    _session: Session
    _context: tuple[Words, str, str]

    def items(self, positions: Sequence[int]) -> list[FeedItem]:
        """The events at these positions, typed and built only now."""
        w, host, base_url = self._context
        out = []
        typers: dict[int, list[Callable[[Any], Any] | None]] = {}
        for position in positions:
            part_no, row_no = self._where[position]
            if part_no < 0:
                out.append(self._items[row_no])
                continue
            part = self._parts[part_no]
            if part_no not in typers:
                typers[part_no] = _typers(self._session, part.statement)
            row = [v if f is None or v is None else f(v) for f, v in zip(typers[part_no], part.rows[row_no],
                                                                         strict=True)]
            out.append(part.build(row, w, host, base_url))
        return out


def read(session: Session, f: FeedFilter, *, base_url: str, today: dt.date, regulation_ids: Sequence[int] | None = None
         ) -> Source:
    """The feed's rows (one query per kind) and piece keys, in feed order (day, then UID)."""
    w = words(f.language)
    host = host_of(base_url)
    alarms = ",".join(map(str, sorted(set(f.alarm_days))))
    then = stage_rows_as_of(today)
    parts: list[Part] = []
    if f.kind in (None, "deadlines"):
        parts.append(Part(deadline_rows(f, then, regulation_ids), [], deadline_item))
    if f.kind in (None, "evaluations"):
        parts.append(Part(evaluation_rows(f, then, regulation_ids), [], evaluation_item))
    connection = session.connection()
    entries: list[tuple[Any, str, str, int, int]] = []
    for number, part in enumerate(parts):
        part.rows = connection.execute(_raw(part.statement)).all()
        kind = "deadline" if part.build is deadline_item else "evaluation"
        prefix = hashlib.sha256(f"{PIECE_FORMAT}\n{kind}\n{base_url}\n{language_print(f.language)}\n{alarms}\n"
                                .encode())
        for row_no, row in enumerate(part.rows):
            digest = prefix.copy()
            digest.update(repr(row).encode())  # a row's repr is its values' (a tuple's)
            # The raw due date sorts as the date does (ISO text on SQLite, a date on PostgreSQL); UIDs as text.
            entries.append((row[1], f"{kind}-{row[0]}@{host}", digest.hexdigest(), number, row_no))
    items: list[FeedItem] = []
    if f.kind == "planning":
        items = planning_items(session, f, base_url=base_url, today=today)
        entries += [(*order(item), piece_key(item, f.alarm_days), -1, n) for n, item in enumerate(items)]
    entries.sort(key=lambda e: (e[0], e[1]))
    return Source(
        keys=[e[2] for e in entries],
        _where=[(e[3], e[4]) for e in entries],
        _parts=parts,
        _items=items,
        _session=session,
        _context=(w, host, base_url),
    )
