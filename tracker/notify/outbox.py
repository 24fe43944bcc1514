"""The outbox: queue messages exactly once by key, claim them for delivery, record the outcome.

Queueing is an INSERT .. ON CONFLICT (key) DO NOTHING in the caller's transaction, so a message exists once however
many sweeps run at the same time. Delivery claims rows with a conditional UPDATE (and SKIP LOCKED on PostgreSQL), so
two delivery processes never send the same row; a claim left by a process that died is taken over after CLAIM_TTL.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.notify.mail import Backend, PermanentError, TransientError, build_message
from tracker.notify.models import OutboxMessage, OutboxStatus

CLAIM_TTL = dt.timedelta(minutes=10)  # far longer than one SMTP exchange (timeout 30 s)
MAX_ATTEMPTS = 8
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)  # seconds before attempt 2, 3, ...


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
            subject=m.subject,
            body_text=m.body_text,
            body_html=m.body_html,
            headers=m.headers or {},
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


def claim(session: Session, *, now: dt.datetime, limit: int = 50) -> tuple[str, list[OutboxMessage]]:
    """Mark up to `limit` due messages as ours and commit; return our claim id and the rows.

    The claim is one UPDATE and the first statement of its transaction: on SQLite it takes the write lock at once
    (no read-then-write upgrade for two processes to deadlock on); on PostgreSQL SKIP LOCKED lets two processes
    claim different rows.
    """
    session.commit()
    worker = secrets.token_hex(8)
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - CLAIM_TTL),
    )
    pick = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(pick.scalar_subquery()), due)
        .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now),
        execution_options={"synchronize_session": False},
    )
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


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"


def deliver(
    session: Session, backend: Backend, *, now: Callable[[], dt.datetime], sender: str, base_url: str, limit: int = 50
) -> DeliveryReport:
    """Send every due message once; each outcome is committed as soon as it is known."""
    report = DeliveryReport()
    while True:
        worker, rows = claim(session, now=now(), limit=limit)
        if not rows:
            return report
        for row in rows:
            _send_one(session, backend, row, worker, now, sender, base_url, report)
        if len(rows) < limit:
            return report


def _send_one(
    session: Session,
    backend: Backend,
    row: OutboxMessage,
    worker: str,
    now: Callable[[], dt.datetime],
    sender: str,
    base_url: str,
    report: DeliveryReport,
) -> None:
    message = build_message(row, sender=sender, base_url=base_url, date=now())
    values: dict[str, Any]
    try:
        backend.send(message)
    except TransientError as exc:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            values = dict(status=OutboxStatus.FAILED, attempts=attempts, last_error=str(exc))
            report.failed += 1
        else:
            wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            values = dict(
                status=OutboxStatus.PENDING,
                attempts=attempts,
                last_error=str(exc),
                next_attempt_at=now() + dt.timedelta(seconds=wait),
            )
            report.retried += 1
    except PermanentError as exc:
        values = dict(status=OutboxStatus.FAILED, attempts=row.attempts + 1, last_error=str(exc))
        report.failed += 1
    else:
        values = dict(status=OutboxStatus.SENT, attempts=row.attempts + 1, sent_at=now(), last_error=None)
        report.sent += 1
    # Only while the claim is still ours: a row taken over after CLAIM_TTL is the other process's now.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None, **values)
    )
    session.commit()


def retry(session: Session, message_id: int, *, now: dt.datetime) -> bool:
    """Put a failed message back in the queue (admin action)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, last_error=None)
    )
    return bool(result.rowcount)
