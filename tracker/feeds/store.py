"""Assembled feeds, shared by workers through the database (`feed_renders`), one render at a time per feed.

A feed (a filter: query string and base URL) is checked again only when the portfolio revision moved. The check
reads its rows (one query per kind, raw, no icalendar) and hashes their pieces' keys into the content ETag: when a
change touched none of its events the ETag and body stay and only the revision is noted. Otherwise one worker takes
a lease and assembles the new body: unchanged pieces are sliced from the previous body (its `piece_index`), the
others read from `feed_pieces` or rendered; the others meanwhile serve the previous body, or, for a feed never
rendered, wait for that one render. Each body is also a file per ETag in the instance folder (tracker.feeds.files).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import CursorResult, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.feeds import files
from tracker.feeds.ical import END, FeedItem, FeedMeta, assemble, calendar_head
from tracker.feeds.models import FeedRender
from tracker.feeds.pieces import OutOfTime, pieces
from tracker.feeds.source import Source

# Leases and waits measure elapsed real time between processes, not the app's (possibly fixed) clock.
FEED_FORMAT = "6"  # bump when the rendering changes, so every ETag changes with it
LEASE_SECONDS = 120.0
WAIT_SECONDS = 20.0
RENDER_BUDGET = 20.0  # under gunicorn's default 30 s timeout; a longer render continues on the next request
POLL_SECONDS = 0.1
ENTRY = struct.Struct(">32sI")  # a piece's key (SHA-256) and its length in the body


def canonical(query_string: str) -> str:
    return urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))


def feed_key(query_string: str, *, base_url: str) -> str:
    """The same parameters in another order are the same feed."""
    return hashlib.sha256(f"{FEED_FORMAT}\n{base_url}\n{canonical(query_string)}".encode()).hexdigest()


def content_etag(head: bytes, keys: list[str]) -> str:
    digest = hashlib.sha256(FEED_FORMAT.encode() + b"\n" + head)
    digest.update("".join(keys).encode())
    return digest.hexdigest()[:40]


def index(head: bytes, keys: Sequence[str], parts: Sequence[bytes]) -> bytes:
    return struct.pack(">I", len(head)) + b"".join(
        ENTRY.pack(bytes.fromhex(key), len(part)) for key, part in zip(keys, parts, strict=True)
    )


def unindex(blob: bytes | None, body: bytes | None) -> dict[str, bytes]:
    """The pieces of a stored body by key (views into the body, not copies), from its index."""
    if not blob or not body:
        return {}
    (offset,) = struct.unpack_from(">I", blob)
    found: dict[str, bytes] = {}
    view = memoryview(body)
    for digest, length in ENTRY.iter_unpack(memoryview(blob)[4:]):
        found[digest.hex()] = view[offset : offset + length]  # type: ignore[assignment]  # joined like bytes
        offset += length
    if offset != len(body) - len(END):  # not the body this index was made for: use nothing from it
        return {}
    return found


def unindex_keys(blob: bytes | None) -> list[str]:
    """The piece keys a stored body is made of."""
    return [digest.hex() for digest, _ in ENTRY.iter_unpack(memoryview(blob)[4:])] if blob else []


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Tens of thousands of short-lived tuples and strings, no cycles: without this, the collector's full passes
    over every object of the process cost more than the work."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class NotReady(Exception):
    """A feed never rendered is being rendered by another worker (or its render ran out of time): try again."""


@dataclass(frozen=True)
class FeedContents:
    """What a feed holds now: its events' piece keys in order, the resulting ETag, and the events on demand."""

    head: bytes
    keys: list[str]
    etag: str
    alarm_days: tuple[int, ...]
    make: Callable[[Sequence[int]], list[FeedItem]]


def contents(source: Source, meta: FeedMeta) -> FeedContents:
    head = calendar_head(meta)
    return FeedContents(head, source.keys, content_etag(head, source.keys), meta.alarm_days, source.items)


@dataclass(frozen=True)
class Stored:
    revision: int
    etag: str
    rendered_at: dt.datetime | None = None  # when this content was made (Last-Modified)


@dataclass(frozen=True)
class Served:
    etag: str
    path: Path
    rendered_at: dt.datetime | None


class Store:
    """The feeds of one app: the database session and the folder their files go to."""

    def __init__(self, session: Session, folder: Path) -> None:
        self.session = session
        self.folder = folder

    def file(self, key: str, etag: str) -> Path | None:
        """The body with this ETag as a file, written from the database when this machine has none yet."""
        found = files.find(self.folder, etag)
        if found is not None:
            return found
        stored = self.session.scalar(
            select(FeedRender.body).where(FeedRender.feed_key == key, FeedRender.etag == etag)
        )
        return files.write(self.folder, etag, zlib.decompress(stored), stored) if stored else None

    def _claim(self, key: str, exists: bool, about: dict[str, object]) -> bool:
        """Take the feed's lease (committed at once so other workers see it); False when another worker holds it."""
        session, wall = self.session, time.time()
        if exists:
            taken = cast(CursorResult[Any], session.execute(  # an UPDATE's result: a CursorResult, with the row count
                update(FeedRender)
                .where(FeedRender.feed_key == key, or_(FeedRender.lease_until.is_(None), FeedRender.lease_until < wall))
                .values(lease_until=wall + LEASE_SECONDS)
            )).rowcount
            session.commit()
            return bool(taken)
        try:
            session.execute(
                insert(FeedRender).values(
                    feed_key=key, revision=0, etag="", body=b"", events=0,
                    rendered_at=dt.datetime.fromtimestamp(wall, dt.UTC), lease_until=wall + LEASE_SECONDS, **about,
                )
            )
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
            return False

    def _previous(self, key: str) -> dict[str, bytes]:
        """The stored render's pieces by key: its index and ETag read together, its body from this machine's file
        (else the database)."""
        found = self.session.execute(
            select(FeedRender.etag, FeedRender.piece_index).where(FeedRender.feed_key == key)
        ).first()
        if found is None or not found.etag or not found.piece_index:
            return {}
        path = self.file(key, found.etag)
        try:
            return unindex(found.piece_index, path.read_bytes() if path is not None else None)
        except FileNotFoundError:  # removed meanwhile (tracker.feeds.files.sweep): pieces come from the database
            return {}

    def serve(
        self, key: str, revision: int, build: Callable[[], FeedContents], *, now: dt.datetime, stored: Stored | None,
        about: dict[str, object] | None = None, budget: float | None = RENDER_BUDGET,
    ) -> Served:
        """The feed's body at `revision` as a file, given what `feed_renders` held (read with the token, one query);
        raises NotReady when it cannot be had within the wait. `about` (query, base_url, fetched_at) is noted."""
        session, about = self.session, about or {}
        row = stored
        if row is not None and row.revision == revision and row.etag:
            path = self.file(key, row.etag)
            if path is not None:
                return Served(row.etag, path, row.rendered_at)
        with _no_collection():
            wanted = build()
        if row is not None and row.etag == wanted.etag:
            # The change touched none of this feed's events: same ETag, same body.
            session.execute(update(FeedRender).where(FeedRender.feed_key == key).values(revision=revision, **about))
            session.commit()
            path = self.file(key, wanted.etag)
            if path is not None:
                return Served(wanted.etag, path, row.rendered_at)
        give_up = time.monotonic() + WAIT_SECONDS
        while not self._claim(key, row is not None, about):
            if row is not None and row.etag:
                previous = self.file(key, row.etag)
                if previous is not None:
                    # one render at a time: meanwhile the previous version
                    return Served(row.etag, previous, row.rendered_at)
            if time.monotonic() > give_up:
                raise NotReady
            time.sleep(POLL_SECONDS)
            found = session.execute(
                select(FeedRender.revision, FeedRender.etag, FeedRender.rendered_at).where(FeedRender.feed_key == key)
            ).first()
            row = Stored(*found) if found is not None else None
            if row is not None and row.etag == wanted.etag:
                path = self.file(key, wanted.etag)
                if path is not None:
                    return Served(wanted.etag, path, row.rendered_at)
        try:
            with _no_collection():
                parts = pieces(
                    session, wanted.keys, wanted.make, wanted.alarm_days, now=now,
                    deadline=None if budget is None else time.monotonic() + budget,
                    known=self._previous(key),
                )
        except OutOfTime:
            session.execute(update(FeedRender).where(FeedRender.feed_key == key).values(lease_until=None))
            session.commit()
            if row is not None and row.etag:
                previous = self.file(key, row.etag)
                if previous is not None:
                    return Served(row.etag, previous, row.rendered_at)
            raise NotReady from None
        body = assemble(wanted.head, parts)
        compressed = zlib.compress(body, 1)
        path = files.write(self.folder, wanted.etag, body, compressed)
        # Stored compressed (level 1: fast, and a feed's repetitive text shrinks about tenfold): the database copy is
        # read only by a machine without the file, and a smaller write keeps the render short.
        session.execute(
            update(FeedRender)
            .where(FeedRender.feed_key == key)
            .values(revision=revision, etag=wanted.etag, body=compressed, events=len(parts),
                    rendered_at=now, lease_until=None, piece_index=index(wanted.head, wanted.keys, parts), **about)
        )
        session.commit()  # with it the pieces rendered for this feed
        files.sweep(self.folder, set(session.scalars(select(FeedRender.etag))))  # files no feed points at
        return Served(wanted.etag, path, now)
