"""Markers of what the notification sweeps have done, so a sweep reads only what is left to do.

A reminder marker is the key of one item's reminder (item + recipient + lead time + due date): once marked, that
reminder is in a mail, possibly together with others due for the same person. A digest marker (recipient + ISO week)
is written when the week's digest was queued or, being empty, skipped, so empty digests are not rebuilt every hour.
Markers are written in the same transaction as the mail they stand for.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base, UTCDateTime


class NotifyMark(Base):
    __tablename__ = "notify_marks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def take(session: Session, keys: list[str], *, now: dt.datetime) -> set[str]:
    """Mark `keys`; return those this transaction marked. A key another sweep marked first (even one running at the
    same time: PostgreSQL makes the INSERT wait for it) is left to that sweep, so no reminder goes out twice."""
    if not keys:
        return set()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    taken: set[str] = set()
    for start in range(0, len(keys), 500):
        rows = [{"key": key, "made_at": now} for key in keys[start : start + 500]]
        stmt = insert(NotifyMark).values(rows).on_conflict_do_nothing(index_elements=["key"])
        taken.update(session.scalars(stmt.returning(NotifyMark.key)))
    return taken
