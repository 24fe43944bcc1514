"""One number that changes with every change to the portfolio: cheap ETags for feeds and pages.

Every ORM flush that touches portfolio data sets a new revision in the same transaction, so a cached rendering
keyed by it can never be stale. Writes that bypass the ORM (the import) bump it themselves. The revision is a
fresh random number rather than a count, so a database restored from an older backup cannot reach a revision
again with other contents.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import BigInteger, String, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base

PORTFOLIO = "portfolio"


class Counter(Base):
    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def _tracked() -> tuple[type, ...]:
    from tracker.auth.models import Team
    from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, StageChange

    return (Regulation, StageChange, Deadline, Designation, Evaluation, Authority, Team)


def bump(session: Session) -> None:
    """Set a new portfolio revision in the caller's transaction (creating the row the first time)."""
    value = secrets.randbits(62)
    if not session.execute(update(Counter).where(Counter.name == PORTFOLIO).values(value=value)).rowcount:
        session.execute(insert(Counter).values(name=PORTFOLIO, value=value))


def current(session: Session) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == PORTFOLIO)) or 0


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    tracked = _tracked()
    if any(isinstance(obj, tracked) for obj in (*session.new, *session.dirty, *session.deleted)):
        bump(session)
