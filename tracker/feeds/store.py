"""Assembled feeds, shared by workers through the database (`feed_renders`), one render at a time per feed.

A feed (a filter: query string and base URL) is checked again only when the portfolio revision moved. The check
reads its items (one query, no icalendar) and hashes their pieces' keys into the content ETag: when a change touched
none of its events the ETag and body stay and only the revision is noted. Otherwise one worker takes a lease and
assembles the new body from the cached pieces (rendering only the events that changed); the others meanwhile serve
the previous body, or, for a feed never rendered, wait for that one render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.feeds.cache import CACHE, FEED_FORMAT
from tracker.feeds.ical import FeedItem, FeedMeta, assemble, calendar_head, order
from tracker.feeds.models import FeedRender
from tracker.feeds.pieces import OutOfTime, piece_key, pieces

# Leases and waits measure elapsed real time between processes, not the app's (possibly fixed) clock.
LEASE_SECONDS = 120.0
WAIT_SECONDS = 20.0
RENDER_BUDGET = 20.0  # under gunicorn's default 30 s timeout; a longer render continues on the next request
POLL_SECONDS = 0.1


def feed_key(query_string: str, *, base_url: str) -> str:
    """The same parameters in another order are the same feed."""
    canonical = urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))
    return hashlib.sha256(f"{FEED_FORMAT}\n{base_url}\n{canonical}".encode()).hexdigest()


def content_etag(head: bytes, keys: list[str]) -> str:
    digest = hashlib.sha256(FEED_FORMAT.encode() + b"\n" + head)
    for key in keys:
        digest.update(key.encode())
    return digest.hexdigest()[:40]


class NotReady(Exception):
    """A feed never rendered is being rendered by another worker (or its render ran out of time): try again."""


@dataclass(frozen=True)
class Plan:
    """What a feed holds now: its events in order, their piece keys and the resulting ETag."""

    head: bytes
    items: list[FeedItem]
    keys: list[str]
    etag: str
    alarm_days: tuple[int, ...]


def plan(items: list[FeedItem], meta: FeedMeta) -> Plan:
    ordered = sorted(items, key=order)
    head = calendar_head(meta)
    keys = [piece_key(item, meta.alarm_days) for item in ordered]
    return Plan(head, ordered, keys, content_etag(head, keys), meta.alarm_days)


def _body(session: Session, key: str, etag: str) -> bytes | None:
    body = CACHE.get(etag)
    if body is None:
        body = session.scalar(select(FeedRender.body).where(FeedRender.feed_key == key, FeedRender.etag == etag))
        if body is not None:
            CACHE.put(etag, body)
    return body


def _claim(session: Session, key: str, exists: bool) -> bool:
    """Take the feed's lease (committed at once so other workers see it); False when another worker holds it."""
    wall = time.time()
    if exists:
        taken = session.execute(
            update(FeedRender)
            .where(FeedRender.feed_key == key, or_(FeedRender.lease_until.is_(None), FeedRender.lease_until < wall))
            .values(lease_until=wall + LEASE_SECONDS)
        ).rowcount
        session.commit()
        return bool(taken)
    try:
        session.execute(
            insert(FeedRender).values(
                feed_key=key, revision=0, etag="", body=b"", events=0,
                rendered_at=dt.datetime.fromtimestamp(wall, dt.UTC), lease_until=wall + LEASE_SECONDS,
            )
        )
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


@dataclass(frozen=True)
class Stored:
    revision: int
    etag: str


def serve(
    session: Session, key: str, revision: int, build: Callable[[], Plan], *, now: dt.datetime, stored: Stored | None
) -> tuple[str, bytes]:
    """The feed's (ETag, body) at `revision`, given what `feed_renders` held (read with the token, one query);
    raises NotReady when it cannot be had within the wait."""
    row = stored
    if row is not None and row.revision == revision and row.etag:
        body = _body(session, key, row.etag)
        if body is not None:
            return row.etag, body
    wanted = build()
    if row is not None and row.etag == wanted.etag:
        # The change touched none of this feed's events: same ETag, same body.
        session.execute(update(FeedRender).where(FeedRender.feed_key == key).values(revision=revision))
        session.commit()
        body = _body(session, key, wanted.etag)
        if body is not None:
            return wanted.etag, body
    give_up = time.monotonic() + WAIT_SECONDS
    while not _claim(session, key, exists=row is not None):
        if row is not None and row.etag:
            previous = _body(session, key, row.etag)
            if previous is not None:
                return row.etag, previous  # one render at a time: meanwhile the previous version
        if time.monotonic() > give_up:
            raise NotReady
        time.sleep(POLL_SECONDS)
        found = session.execute(select(FeedRender.revision, FeedRender.etag).where(FeedRender.feed_key == key)).first()
        row = Stored(*found) if found is not None else None
        if row is not None and row.etag == wanted.etag:
            body = _body(session, key, wanted.etag)
            if body is not None:
                return wanted.etag, body
    try:
        parts = pieces(
            session, wanted.items, wanted.keys, wanted.alarm_days, now=now,
            deadline=time.monotonic() + RENDER_BUDGET,
        )
    except OutOfTime:
        session.execute(update(FeedRender).where(FeedRender.feed_key == key).values(lease_until=None))
        session.commit()
        if row is not None and row.etag:
            previous = _body(session, key, row.etag)
            if previous is not None:
                return row.etag, previous
        raise NotReady from None
    body = assemble(wanted.head, parts)
    session.execute(
        update(FeedRender)
        .where(FeedRender.feed_key == key)
        .values(revision=revision, etag=wanted.etag, body=body, events=len(parts), rendered_at=now, lease_until=None)
    )
    session.commit()
    CACHE.put(wanted.etag, body)
    return wanted.etag, body
