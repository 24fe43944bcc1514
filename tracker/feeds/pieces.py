"""Per-event pieces of a feed: each event's bytes are rendered once by the icalendar library and kept in the
database (`feed_pieces`), shared by every worker and every filter.

A piece's key is a hash of everything the event shows: its item's fields (the row's SEQUENCE and DTSTAMP among them,
so a new version of the row is a new key) and the alarm options, plus the library's version. Stored rows and derived
events (computed from other rows and today, such as forecasts) are therefore cached alike, and a piece is never
stale: whatever changes gets a new key, and what did not change is found again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, cast

import icalendar
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from tracker.feeds.ical import FeedItem, render_event
from tracker.feeds.models import FeedPiece

PIECE_FORMAT = f"1/icalendar-{icalendar.__version__}"  # bump when render_event changes
CHUNK = 2000  # keys per read and rows per write: far below SQLite's and PostgreSQL's bind-parameter limits
CHECK_EVERY = 100  # pieces rendered between looks at the clock


def piece_key(item: FeedItem, alarm_days: Sequence[int]) -> str:
    # Each field length-prefixed, so no two different items can write the same text.
    fields = (
        PIECE_FORMAT,
        item.uid,
        item.day.isoformat(),
        item.summary,
        item.description,
        item.url,
        *item.categories,
        item.last_modified.astimezone(dt.UTC).isoformat(),
        str(item.sequence),
        ",".join(map(str, sorted(set(alarm_days)))),
    )
    raw = "".join(f"{len(f)}:{f}" for f in fields) + f"|{len(item.categories)}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _insert(session: Session, rows: list[dict[str, object]]) -> None:
    """Add pieces; one another worker stored meanwhile is the same bytes, so a duplicate key is skipped."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # the same on_conflict_do_nothing
    session.execute(insert(FeedPiece).on_conflict_do_nothing(index_elements=["key"]), rows)


class OutOfTime(Exception):
    """The render budget ran out; the pieces made so far are stored and the next render continues from them."""


def pieces(
    session: Session,
    keys: Sequence[str],
    make: Callable[[Sequence[int]], list[FeedItem]],
    alarm_days: tuple[int, ...],
    *,
    now: dt.datetime,
    deadline: float | None = None,
    known: Mapping[str, bytes] | None = None,
) -> list[bytes]:
    """The pieces with these keys, in their order: taken from `known` (the feed's previous render), else read in
    chunks, else built (`make(positions)` gives the events), rendered and stored (the last few are committed by the
    caller, with the feed they belong to). Past `deadline` (time.monotonic()) the pieces rendered so far are
    committed and OutOfTime is raised."""
    found: dict[str, bytes] = {}
    if known:
        found.update((key, known[key]) for key in keys if key in known)
    for chunk in _chunks([key for key in dict.fromkeys(keys) if key not in found]):
        found.update((key, body) for key, body in session.execute(
            select(FeedPiece.key, FeedPiece.body).where(FeedPiece.key.in_(chunk))))
    _fill(session, keys, make, alarm_days, found, now=now, deadline=deadline, commit=False)
    return [found[key] for key in keys]


def render_missing(
    session: Session,
    keys: Sequence[str],
    make: Callable[[Sequence[int]], list[FeedItem]],
    alarm_days: tuple[int, ...],
    *,
    now: dt.datetime,
    deadline: float | None = None,
) -> int:
    """Render and store the pieces of these keys that do not exist yet (their bytes are not read); how many."""
    found: dict[str, bytes] = {}
    for chunk in _chunks(list(dict.fromkeys(keys))):
        found.update((key, b"") for key in session.scalars(select(FeedPiece.key).where(FeedPiece.key.in_(chunk))))
    before = len(found)
    _fill(session, keys, make, alarm_days, found, now=now, deadline=deadline)
    return len(found) - before


def _fill(
    session: Session,
    keys: Sequence[str],
    make: Callable[[Sequence[int]], list[FeedItem]],
    alarm_days: tuple[int, ...],
    found: dict[str, bytes],
    *,
    now: dt.datetime,
    deadline: float | None,
    commit: bool = True,
) -> None:
    missing = [n for n, key in enumerate(keys) if key not in found]
    fresh: list[dict[str, object]] = []
    for start in range(0, len(missing), CHECK_EVERY):
        positions = missing[start : start + CHECK_EVERY]
        for position, item in zip(positions, make(positions), strict=True):
            key = keys[position]
            if key not in found:
                found[key] = body = render_event(item, alarm_days)
                fresh.append({"key": key, "body": body, "made_at": now})
        out_of_time = deadline is not None and time.monotonic() > deadline
        if len(fresh) >= CHUNK or out_of_time:
            _insert(session, fresh)
            session.commit()  # a render cut short (a killed worker, the budget) keeps what it made
            fresh = []
            if out_of_time and start + CHECK_EVERY < len(missing):
                raise OutOfTime
    if fresh:
        _insert(session, fresh)
        if commit:
            session.commit()


def prune(session: Session, *, before: dt.datetime, keep: Collection[str] = ()) -> int:
    """Drop pieces made before `before`, except those in `keep` (the pieces of the stored feeds). Pieces are
    content-addressed, so this is always safe: a feed that still needs one renders it again (once)."""
    old = [key for key in session.scalars(select(FeedPiece.key).where(FeedPiece.made_at < before)) if key not in keep]
    dropped = 0
    for chunk in _chunks(old):
        deleted = cast(CursorResult[Any], session.execute(delete(FeedPiece).where(FeedPiece.key.in_(chunk))))
        dropped += deleted.rowcount or 0  # a DELETE's result: a CursorResult, with the row count
    return dropped
