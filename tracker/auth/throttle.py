"""Login throttling that slows attackers without locking owners out.

Each attempt first takes a numbered slot on two counters, the client address's and the account's, in one atomic
upsert per counter (INSERT .. ON CONFLICT DO UPDATE .. WHERE not blocked .. RETURNING): parallel attempts get
distinct numbers, so exactly as many are checked as the rule allows, and two first attempts on a new key cannot
collide. The first ACCOUNT_FREE attempts on an account (ADDRESS_FREE on an address) within a window pass at once;
each later one must wait a delay that doubles from one second up to MAX_DELAY after the one before. An attempt made
while the counter is blocked is refused without counting, so hammering does not lengthen the owner's wait. A
successful login clears the account's counter and gives the address back its slot; WINDOW without attempts clears
both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import BindParameter, CursorResult, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.auth.models import LoginThrottle

ACCOUNT_FREE = 5
ADDRESS_FREE = 20
WINDOW = dt.timedelta(minutes=15)
MAX_DELAY = dt.timedelta(seconds=60)


def delay(attempt: int, free: int) -> dt.timedelta:
    """How long the attempt after number `attempt` must wait."""
    if attempt < free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(attempt - free, 20)), MAX_DELAY)


@dataclass(frozen=True)
class Blocked:
    key: str
    until: dt.datetime

    def wait_seconds(self, now: dt.datetime) -> int:
        return max(1, int((self.until - now).total_seconds() + 0.999))


def account_key(email: str) -> str:
    return f"account:{(email or '').strip().lower()[:250]}"


def current_password_key(user_id: int) -> str:
    """The counter of checks of a logged-in user's current password (the change page): a stolen session must not
    be a way to guess the password without the login's limits."""
    return f"current:{user_id}"


def forget(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    _forget_copies(session)


def address_key(address: str) -> str:
    return f"address:{address[:250]}"


def reserve(session: Session, key: str, free: int, now: dt.datetime) -> Blocked | None:
    """Take the next attempt on `key`, or say until when it is blocked. One statement; flushes nothing else."""
    table = LoginThrottle.__table__
    stamp = table.c.window_start.type

    def at(moment: dt.datetime) -> BindParameter[Any]:
        return literal(moment, stamp)

    expired = table.c.window_start <= now - WINDOW
    attempt = case((expired, 1), else_=table.c.failures + 1)
    # The wait after this attempt, as literals: the same SQL on SQLite and PostgreSQL, no power() needed.
    steps = [(attempt == n, at(now + delay(n, free))) for n in range(free, free + 7)]
    blocked_until = case((attempt < free, at(now)), *steps, else_=at(now + MAX_DELAY))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(key=key, failures=1, window_start=now, blocked_until=now + delay(1, free))
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": attempt, "window_start": at(now), "blocked_until": blocked_until},
            where=or_(table.c.blocked_until.is_(None), table.c.blocked_until <= at(now), expired),
        )
        .returning(table.c.failures)
    )
    taken = session.execute(statement).first()
    _forget_copies(session)
    if taken is not None:
        return None
    until = session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    return Blocked(key, until or now)


def succeeded(session: Session, email: str, address: str | None) -> None:
    """The owner got in: their account's counter goes, and the address gets its slot back."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
    if address:
        # The slot this login took is given back, and with it the wait it may have started.
        left = LoginThrottle.failures - 1
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == address_key(address), LoginThrottle.failures > 0)
            .values(failures=left, blocked_until=case((left < ADDRESS_FREE, None), else_=LoginThrottle.blocked_until))
        )
    _forget_copies(session)


def purge(session: Session, now: dt.datetime) -> int:
    """Counters quiet for a whole window and no longer blocking say nothing: remove them."""
    result = cast(CursorResult[Any], session.execute(  # a DELETE's result: a CursorResult, with the row count
        delete(LoginThrottle).where(
            LoginThrottle.window_start <= now - WINDOW,
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
        )
    ))
    return result.rowcount or 0


def _forget_copies(session: Session) -> None:
    for row in [o for o in session.identity_map.values() if isinstance(o, LoginThrottle)]:
        session.expire(row)  # the ORM's copy is stale after a statement that bypassed it



