"""One number that changes with every change to the portfolio: cheap ETags for feeds and pages.

Every unit of work that changed portfolio data (a `PortfolioChanged` event: a named one, or the `RowsWritten` that
rows of a `PortfolioRecord` model announce themselves) sets a new revision in the same transaction, before it
commits, so a cached rendering keyed by it can never be stale. The revision is a fresh random number rather than a
count, so a database restored from an older backup cannot reach a revision again with other contents.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import BigInteger, CursorResult, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base
from tracker.unit_of_work import Event, PortfolioChanged, subscribe

PORTFOLIO = "portfolio"


class Counter(Base):
    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def bump(session: Session) -> None:
    """Set a new portfolio revision in the caller's transaction (creating the row the first time)."""
    value = secrets.randbits(62)
    statement = update(Counter).where(Counter.name == PORTFOLIO).values(value=value)
    updated = cast(CursorResult[Any], session.execute(statement))
    if not updated.rowcount:
        session.execute(insert(Counter).values(name=PORTFOLIO, value=value))


def current(session: Session) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == PORTFOLIO)) or 0


def _new_revision(session: Session, events: Sequence[Event]) -> None:
    bump(session)  # once per transaction, however many events


subscribe(PortfolioChanged, _new_revision, phase="before_commit")
