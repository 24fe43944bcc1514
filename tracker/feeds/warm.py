"""Pieces and feeds made before anyone asks for them.

`warm` renders every missing piece for the feeds in use (the link base, language and alarm options of the feeds
fetched in the last day, and always the plain Dutch feed) and assembles the feeds fetched in the last day (and the
full feed), so that the first request after a bulk load or a change finds everything rendered. `tracker seed`,
`tracker feeds warm` and the scheduler (every few minutes, when the portfolio changed) call it. `prune` drops
pieces no stored feed uses, feed files no stored feed points at, and feeds nobody fetched for a month.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from tracker.feeds import files, source, store
from tracker.feeds.models import FeedPiece, FeedRender
from tracker.feeds.pieces import OutOfTime, render_missing
from tracker.feeds.pieces import prune as prune_pieces
from tracker.feeds.queries import FeedFilter, FeedParamError, feed_meta, parse_filter
from tracker.regulations import revision

log = logging.getLogger("tracker.feeds")
IN_USE = dt.timedelta(days=1)  # a feed fetched within this long is kept rendered
FORGET = dt.timedelta(days=30)  # a feed not fetched for this long is dropped (its next fetch renders it again)
PIECES_KEPT = dt.timedelta(days=7)  # unused pieces younger than this stay (an undone change finds its pieces)


@dataclass(frozen=True)
class Warmed:
    pieces: int  # rendered now
    feeds: int  # assembled now
    complete: bool  # False when the budget ran out first (the next run continues)


def _filter(session: Session, query: str) -> FeedFilter | None:
    args = MultiDict(parse_qsl(query, keep_blank_values=True))
    if (args.get("kind") or "").strip() == "planning" or "forecast_day" in args:
        return None  # forecasts move with the day: rendered when asked for
    try:
        return parse_filter(session, args, args.to_dict(flat=False))
    except FeedParamError:
        return None


def _in_use(session: Session, now: dt.datetime, base_url: str) -> list[tuple[str, str]]:
    """(query, base URL) of the feeds fetched in the last day, and the full feed."""
    rows = session.execute(
        select(FeedRender.query, FeedRender.base_url).where(
            FeedRender.fetched_at >= now - IN_USE, FeedRender.query.is_not(None), FeedRender.base_url.is_not(None)
        )
    ).all()
    return sorted({("", base_url), *((q or "", b or base_url) for q, b in rows)})


def _feeds(session: Session, now: dt.datetime, base_url: str) -> list[tuple[str, str, FeedFilter]]:
    return [(q, b, f) for q, b in _in_use(session, now, base_url) if (f := _filter(session, q)) is not None]


def _contexts(feeds: list[tuple[str, str, FeedFilter]]) -> list[tuple[str, FeedFilter]]:
    """Pieces depend only on link base, language and alarms: each such set once, as an unfiltered feed."""
    found = {(base, f.language, f.alarm_days) for _, base, f in feeds}
    return [(base, FeedFilter(language=language, alarm_days=alarms)) for base, language, alarms in sorted(found)]


def render_acts(session: Session, ids: list[int], *, base_url: str, today: dt.date, now: dt.datetime) -> int:
    """Render the missing feed events of these acts for the feeds in use (after a write); how many."""
    made = 0
    for base, whole in _contexts(_feeds(session, now, base_url)):
        rows = source.read(session, whole, base_url=base, today=today, regulation_ids=ids)
        made += render_missing(session, rows.keys, rows.items, whole.alarm_days, now=now)
    return made


def warm(
    session: Session, folder: Path, *, base_url: str, today: dt.date, now: dt.datetime, budget: float | None = None
) -> Warmed:
    """Render the missing pieces of the feeds in use, then assemble those feeds. Within `budget` seconds if given
    (what is done is kept; the rest waits for the next run)."""
    deadline = None if budget is None else time.monotonic() + budget
    feeds = _feeds(session, now, base_url)
    assembled = 0
    before = _count(session)
    try:
        for base, whole in _contexts(feeds):
            rows = source.read(session, whole, base_url=base, today=today)
            render_missing(session, rows.keys, rows.items, whole.alarm_days, now=now, deadline=deadline)
        current = revision.current(session)
        feed_store = store.Store(session, folder)
        for query, base, f in feeds:
            key = store.feed_key(query, base_url=base)
            stored = session.execute(
                select(FeedRender.revision, FeedRender.etag).where(FeedRender.feed_key == key)
            ).first()
            if stored is not None and stored.revision == current and stored.etag:
                continue

            def build(f: FeedFilter = f, base: str = base) -> store.FeedContents:
                return store.contents(source.read(session, f, base_url=base, today=today), feed_meta(f, base_url=base))

            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            served = feed_store.serve(
                key, current, build, now=now, stored=store.Stored(*stored) if stored and stored.etag else None,
                about={"query": query, "base_url": base}, budget=left,
            )
            assembled += served.etag != (stored.etag if stored else None)
    except (OutOfTime, store.NotReady):
        session.rollback()
        return Warmed(_count(session) - before, assembled, complete=False)
    return Warmed(_count(session) - before, assembled, complete=True)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FeedPiece)) or 0


def prune(session: Session, folder: Path, *, now: dt.datetime) -> int:
    """Forget feeds not fetched for a month, then drop the pieces and files no stored feed uses; how many pieces."""
    forgotten = or_(
        FeedRender.fetched_at < now - FORGET,
        FeedRender.fetched_at.is_(None) & (FeedRender.rendered_at < now - FORGET),
    )
    session.execute(delete(FeedRender).where(forgotten))
    keep: set[str] = set()
    etags: set[str] = set()
    for etag, blob in session.execute(select(FeedRender.etag, FeedRender.piece_index)):
        etags.add(etag)
        keep.update(store.unindex_keys(blob))
    dropped = prune_pieces(session, before=now - PIECES_KEPT, keep=keep)
    session.commit()
    files.sweep(folder, etags)
    return dropped
