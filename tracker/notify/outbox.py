"""The outbox: queue messages exactly once by key, claim them for delivery, record the outcome.

Queueing is an INSERT .. ON CONFLICT (key) DO NOTHING in the caller's transaction, so a message exists once however
many sweeps run at the same time.

Delivery is exactly-once by construction, short of a process that stalls for longer than its lease:

- A claim takes at most `limit` rows whatever plan the database picks: on PostgreSQL the ids are read first (SELECT
  .. ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED) and then marked by that list in the same transaction; on SQLite,
  where one writer holds the database, a single UPDATE picks and marks them.
- A claim is a lease of CLAIM_TTL under a random token. Once a third of it has gone (by the deliverer's clock), one
  conditional UPDATE renews every row of the claim still unsent and says which are still its own; a row taken over
  by another process (only possible once the lease has lapsed) is skipped, not sent. So a batch may take as long as
  it needs while its process lives, without a statement per message to keep it.
- The outcome is written by an UPDATE that names the token, so a process whose claim was taken over changes nothing:
  per message for SMTP (a crash re-sends at most the message in flight), per batch for the file backend (writing a
  file again is harmless).
- A message that cannot be built (`InvalidMessage`, or any other error while building it) is marked failed with the
  reason, alone; an unexpected error while sending is retried like a 4xx. Neither holds the rest of the batch back.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, and_, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.notify.mail import Backend, PermanentError, TransientError, build_message, fit, one_line
from tracker.notify.models import OutboxMessage, OutboxStatus

log = logging.getLogger("tracker.outbox")

CLAIM_TTL = dt.timedelta(minutes=10)  # the lease; renewed before every message, which takes a few SMTP timeouts
MAX_ATTEMPTS = 8
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)  # seconds before attempt 2, 3, ...
SUBJECT_LENGTH: int = OutboxMessage.__table__.c.subject.type.length  # type: ignore[attr-defined]  # a String column has one


@dataclass(frozen=True)
class NewMessage:
    key: str
    kind: str
    user_id: int | None
    recipient: str
    subject: str
    body_text: str
    body_html: str | None = None
    headers: dict[str, str] | None = None


def enqueue(session: Session, messages: list[NewMessage], *, now: dt.datetime) -> int:
    """Insert the messages whose key is new; return how many were new."""
    if not messages:
        return 0
    rows = [
        dict(
            key=m.key,
            kind=m.kind,
            user_id=m.user_id,
            recipient=m.recipient,
            subject=fit(m.subject, SUBJECT_LENGTH),
            body_text=m.body_text,
            body_html=m.body_html,
            headers={name: one_line(value) for name, value in (m.headers or {}).items()},
            status=OutboxStatus.PENDING.value,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        for m in messages
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = 0
    for start in range(0, len(rows), 500):
        stmt = (
            insert(OutboxMessage)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OutboxMessage.id)
        )
        # RETURNING counts the rows really inserted; a multi-row rowcount is not reliable on every driver.
        added += len(session.execute(stmt).all())
    return added


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys[start : start + 500]))))
    return found


def _due(now: dt.datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - CLAIM_TTL),
    )


def claim(session: Session, *, now: dt.datetime, limit: int = 50) -> tuple[str, list[OutboxMessage]]:
    """Mark up to `limit` due messages as ours and commit; return our claim token and the rows.

    Never more than `limit`: on PostgreSQL the ids come first, as a list, so no plan can re-run the pick (a nested
    loop over `id IN (SELECT .. LIMIT n FOR UPDATE SKIP LOCKED)` with stale statistics claimed every due row). On
    SQLite the claim is one UPDATE, the first statement of its transaction: it takes the write lock at once (no
    read-then-write upgrade for two processes to deadlock on), and SQLite runs the uncorrelated subquery once.
    """
    session.commit()
    worker = secrets.token_hex(8)
    due = _due(now)
    pick = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    mark = update(OutboxMessage).values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(pick.with_for_update(skip_locked=True)))  # locked by us until the commit
        if ids:
            session.execute(
                mark.where(OutboxMessage.id.in_(ids), due), execution_options={"synchronize_session": False}
            )
    else:
        ids = list(
            session.scalars(
                mark.where(OutboxMessage.id.in_(pick.scalar_subquery()), due).returning(OutboxMessage.id),
                execution_options={"synchronize_session": False},
            )
        )
    if len(ids) > limit:  # cannot happen by the above; never let a claim grow past its batch unnoticed
        session.rollback()
        raise RuntimeError(f"a claim of {limit} marked {len(ids)} rows")
    session.commit()
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == OutboxStatus.SENDING)
            .order_by(OutboxMessage.id)
        )
    )
    session.commit()
    return worker, rows


def renew(session: Session, worker: str, *, now: dt.datetime) -> set[int]:
    """Renew our lease on every row of our claim not yet sent, and commit; return their ids. A row missing from the
    answer was taken over by another process (only possible once our lease had lapsed): it is not ours to send."""
    ours = session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == OutboxStatus.SENDING)
        .values(claimed_at=now)
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    ).all()
    session.commit()
    return set(ours)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by us, then taken over by another process: that one sends them

    def __str__(self) -> str:
        text = f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"
        return text + (f", {self.skipped} taken over by another process" if self.skipped else "")


def deliver(
    session: Session,
    backend: Backend,
    *,
    now: Callable[[], dt.datetime],
    sender: str,
    base_url: str,
    limit: int | None = None,
) -> DeliveryReport:
    """Send every due message once, in claims of `limit` (else the backend's batch size)."""
    report = DeliveryReport()
    limit = limit or cast(int, getattr(backend, "batch_size", 50))
    while True:
        worker, rows = claim(session, now=now(), limit=limit)
        if not rows:
            return report
        send_claimed(session, backend, worker, rows, now=now, sender=sender, base_url=base_url, report=report)


def send_claimed(
    session: Session,
    backend: Backend,
    worker: str,
    rows: list[OutboxMessage],
    *,
    now: Callable[[], dt.datetime],
    sender: str,
    base_url: str,
    report: DeliveryReport,
) -> None:
    """Send the rows of one claim, each only while it is still ours, over one connection (`backend.batch()`).

    A backend whose sending is idempotent (the file backend: a file named by the Message-ID, replaced atomically)
    has the whole batch's outcomes recorded by one UPDATE and one COMMIT: after a crash mid-batch, sending again
    writes the same files. Any other backend (SMTP) records each outcome as soon as it is known (one UPDATE and one
    COMMIT per message), so a crash re-sends at most the message in flight: an accepted message cannot be taken
    back, so recording a whole SMTP batch at once would send up to a batch twice after a crash.

    Ownership is confirmed before a message is sent: while less than a third of the lease has passed since the
    claim or its last renewal (by our clock), no other process can have taken a row over, whose clock would have to
    run two thirds of a lease ahead; after that one UPDATE renews every row of the claim and says which are ours."""
    if getattr(backend, "idempotent", False):
        _send_batch(session, backend, worker, rows, now=now, sender=sender, base_url=base_url, report=report)
        return
    ours = {row.id for row in rows}
    fresh_until = min((row.claimed_at for row in rows if row.claimed_at), default=now()) + CLAIM_TTL / 3
    with backend.batch():
        for row in rows:
            moment = now()
            if moment >= fresh_until:
                ours = renew(session, worker, now=moment)
                fresh_until = moment + CLAIM_TTL / 3
            if row.id not in ours:
                log.warning("outbox message %d was taken over by another process; not sending it", row.id)
                report.skipped += 1
                continue
            _finish(session, row, worker, _attempt(backend, row, now, sender, base_url, report))


def _send_batch(
    session: Session,
    backend: Backend,
    worker: str,
    rows: list[OutboxMessage],
    *,
    now: Callable[[], dt.datetime],
    sender: str,
    base_url: str,
    report: DeliveryReport,
) -> None:
    """Send a claim's rows (just claimed, so the lease is fresh) and record every outcome in one executemany UPDATE
    that names our token, so rows taken over meanwhile are not touched."""
    outcomes = []
    with backend.batch():
        for row in rows:
            values = _attempt(backend, row, now, sender, base_url, report)
            outcomes.append(
                {
                    "row_id": row.id,
                    "status": values["status"],
                    "attempts": values["attempts"],
                    "last_error": values.get("last_error"),
                    "sent_at": values.get("sent_at"),
                    "next_attempt_at": values.get("next_attempt_at", row.next_attempt_at),
                }
            )
    if not outcomes:
        return
    table = OutboxMessage.__table__
    result = session.connection().execute(
        table.update()
        .where(
            table.c.id == bindparam("row_id"),
            table.c.claimed_by == worker,
            table.c.status == OutboxStatus.SENDING.value,
        )
        .values(
            status=bindparam("status"),
            attempts=bindparam("attempts"),
            last_error=bindparam("last_error"),
            sent_at=bindparam("sent_at"),
            next_attempt_at=bindparam("next_attempt_at"),
            claimed_by=None,
            claimed_at=None,
        ),
        outcomes,
    )
    session.commit()
    if result.rowcount is not None and 0 <= result.rowcount < len(outcomes):
        log.warning("outbox: %d of %d outcomes not recorded (claims taken over)", len(outcomes) - result.rowcount,
                    len(outcomes))


def _attempt(
    backend: Backend,
    row: OutboxMessage,
    now: Callable[[], dt.datetime],
    sender: str,
    base_url: str,
    report: DeliveryReport,
) -> dict[str, Any]:
    """Build and send one message; return the row's new values."""
    attempts = row.attempts + 1
    try:
        message = build_message(row, sender=sender, base_url=base_url, date=now())
    except Exception as exc:  # a bad row fails alone; building it again would fail again
        log.warning("outbox message %d cannot be built: %r", row.id, exc)
        report.failed += 1
        return dict(status=OutboxStatus.FAILED, attempts=attempts, last_error=f"not sent, cannot build it: {exc}")
    try:
        backend.send(message)
    except PermanentError as exc:
        report.failed += 1
        return dict(status=OutboxStatus.FAILED, attempts=attempts, last_error=str(exc))
    except Exception as exc:  # TransientError, and anything unforeseen: try again later, within MAX_ATTEMPTS
        if not isinstance(exc, TransientError):
            log.exception("outbox message %d: unexpected error while sending", row.id)
        error = str(exc) if isinstance(exc, TransientError) else f"{type(exc).__name__}: {exc}"
        if attempts >= MAX_ATTEMPTS:
            report.failed += 1
            return dict(status=OutboxStatus.FAILED, attempts=attempts, last_error=error)
        report.retried += 1
        wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
        return dict(
            status=OutboxStatus.PENDING,
            attempts=attempts,
            last_error=error,
            next_attempt_at=now() + dt.timedelta(seconds=wait),
        )
    report.sent += 1
    return dict(status=OutboxStatus.SENT, attempts=attempts, sent_at=now(), last_error=None)


def _finish(session: Session, row: OutboxMessage, worker: str, values: dict[str, Any]) -> None:
    """Record the outcome, only while the claim is still ours (the token is in the statement)."""
    result = cast(CursorResult[Any], session.execute(  # an UPDATE's result: a CursorResult, with the row count
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker, OutboxMessage.status == OutboxStatus.SENDING
        )
        .values(claimed_by=None, claimed_at=None, **values),
        execution_options={"synchronize_session": False},
    ))
    session.commit()
    if not result.rowcount:
        log.warning(
            "outbox message %d: claim taken over while sending; outcome %s not recorded", row.id, values["status"]
        )


def retry(session: Session, message_id: int, *, now: dt.datetime) -> bool:
    """Put a failed message back in the queue (admin action)."""
    result = cast(CursorResult[Any], session.execute(  # an UPDATE's result: a CursorResult, with the row count
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, last_error=None)
    ))
    return bool(result.rowcount)
