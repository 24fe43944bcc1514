"""Delivery is exactly-once by construction: bounded claims, renewed leases, ownership checked before each send and
when marking it; a bad message fails alone. Real SMTP on loopback (aiosmtpd), real databases; the clock is the
suite's (or a simulated one that SMTP advances), never the day the tests run."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email
import threading
from collections.abc import Callable, Iterator
from email import policy

import pytest
from sqlalchemy import func, insert, select, text

from tests.conftest import NOW, PASSWORD, login_client, loopback_smtp
from tracker.audit.record import Actor
from tracker.auth.models import Team, User
from tracker.auth.service import create_user
from tracker.dates import PrecisionDate
from tracker.notify import jobs, outbox
from tracker.notify.mail import SmtpBackend
from tracker.notify.models import OutboxMessage, OutboxStatus
from tracker.regulations.models import Deadline, DeadlineKind, Regulation

SENDER, BASE = "tracker@ministerie.example", "http://tracker.example"
SMTP_TIMEOUT = dt.timedelta(seconds=30)  # what one slow message may take in production
DUE = dt.date(2027, 6, 1)
WHEN = dt.datetime(2027, 5, 29, 9, tzinfo=dt.UTC)  # three days before: the 7-day reminders are due


class Server:
    """An aiosmtpd handler: keeps what it accepts (envelope recipients and bytes). `replies` answers the next DATA
    commands before any is accepted (e.g. 421s); `quit_reply` answers QUIT; `delay` stalls each DATA (real seconds)
    and `on_data` runs for each (e.g. to advance a simulated clock)."""

    def __init__(self) -> None:
        self.accepted: list[tuple[list[str], bytes]] = []
        self.replies: list[str] = []
        self.quit_reply = "221 Bye"
        self.delay = 0.0
        self.on_data: Callable[[], None] | None = None
        self.connections: set[object] = set()  # the client address and port of each connection that sent DATA

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.connections.add(session.peer)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.on_data:
            self.on_data()
        if self.replies:
            return self.replies.pop(0)
        self.accepted.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # type: ignore[no-untyped-def]
        return self.quit_reply

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(content, policy=policy.default) for _, content in self.accepted]

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages()]


@pytest.fixture
def server() -> Iterator[tuple[Server, SmtpBackend]]:
    handler = Server()
    with loopback_smtp(handler) as port:
        yield handler, SmtpBackend("127.0.0.1", port, timeout=5)


class SimulatedClock:
    """Shared by the deliverers of a test; moves only when told (by the SMTP server, per message)."""

    def __init__(self, start: dt.datetime) -> None:
        self._now, self._lock = start, threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> None:
        with self._lock:
            self._now += delta


def add_rows(db, count: int, *, status: OutboxStatus = OutboxStatus.PENDING, first: int = 0) -> None:
    rows = [
        dict(key=f"k{i}", kind="reminder", recipient=f"r{i}@example.nl", subject=f"Message {i}", body_text="text",
             headers={}, status=status, attempts=0, created_at=NOW, next_attempt_at=NOW,
             sent_at=NOW if status is OutboxStatus.SENT else None)
        for i in range(first, first + count)
    ]
    with db.transaction() as s:
        s.execute(insert(OutboxMessage), rows)


def counts(db) -> dict[OutboxStatus, int]:
    with db.sessionmaker() as s:
        return dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def deliver(db, backend, now: Callable[[], dt.datetime], limit: int = 50) -> outbox.DeliveryReport:
    with db.sessionmaker() as s:
        return outbox.deliver(s, backend, now=now, sender=SENDER, base_url=BASE, limit=limit)


def assert_each_row_once(handler: Server, db, rows: int) -> None:
    ids = handler.message_ids()
    assert len(ids) == rows and len(set(ids)) == rows
    assert counts(db) == {OutboxStatus.SENT: rows}


def test_a_claim_takes_at_most_its_batch_even_with_stale_statistics(app):
    """With the statistics of a table of sent rows, PostgreSQL re-ran `id IN (SELECT .. LIMIT 50 FOR UPDATE SKIP
    LOCKED)` per row of a nested loop and one claim took all 300 due rows."""
    db = app.extensions["tracker.db"]
    add_rows(db, 1000, status=OutboxStatus.SENT)
    with db.transaction() as s:
        s.execute(text("ANALYZE outbox"))
    add_rows(db, 300, first=1000)
    with db.sessionmaker() as s:
        _, first = outbox.claim(s, now=NOW, limit=50)
        _, second = outbox.claim(s, now=NOW, limit=50)
    assert len(first) == 50 and len(second) == 50
    assert [r.id for r in first + second] == sorted({r.id for r in first + second})  # in id order, no overlap
    assert counts(db) == {OutboxStatus.SENT: 1000, OutboxStatus.SENDING: 100, OutboxStatus.PENDING: 200}


def test_a_batch_that_outlasts_the_lease_and_a_second_deliverer_send_each_row_once(app, server):
    """Each message takes 30 ms, and 30 s on the shared simulated clock: a batch of 50 spans far more than the
    10-minute lease. The first deliverer renews its lease as it goes, so the second never takes its rows over."""
    handler, backend = server
    db = app.extensions["tracker.db"]
    rows = 160
    add_rows(db, rows)
    clock = SimulatedClock(NOW)
    handler.delay, handler.on_data = 0.03, lambda: clock.advance(SMTP_TIMEOUT)
    reports: dict[str, outbox.DeliveryReport] = {}

    def run(name: str, limit: int) -> None:
        reports[name] = deliver(db, backend, clock.now, limit)

    threads = [threading.Thread(target=run, args=(name, limit)) for name, limit in (("first", 50), ("second", 10))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert set(reports) == {"first", "second"}
    assert clock.now() - NOW >= rows * SMTP_TIMEOUT > 4 * outbox.CLAIM_TTL
    assert reports["first"].sent > 0 and reports["second"].sent > 0
    assert reports["first"].sent + reports["second"].sent == rows
    assert_each_row_once(handler, db, rows)


def test_a_process_whose_lease_was_taken_over_does_not_send(app, server):
    handler, backend = server
    db = app.extensions["tracker.db"]
    add_rows(db, 3)
    later = NOW + outbox.CLAIM_TTL + dt.timedelta(seconds=1)
    report = outbox.DeliveryReport()
    with db.sessionmaker() as a, db.sessionmaker() as b:
        worker_a, rows_a = outbox.claim(a, now=NOW)
        outbox.send_claimed(a, backend, worker_a, rows_a[:1], now=lambda: NOW, sender=SENDER, base_url=BASE,
                            report=report)
        assert len(handler.accepted) == 1
        # A stalls past its lease between two messages; B takes over the two rows A has not sent yet.
        worker_b, rows_b = outbox.claim(b, now=later)
        assert [r.id for r in rows_b] == [r.id for r in rows_a[1:]]
        outbox.send_claimed(a, backend, worker_a, rows_a[1:], now=lambda: later, sender=SENDER, base_url=BASE,
                            report=report)
        assert (report.sent, report.skipped) == (1, 2)
        assert len(handler.accepted) == 1  # A sent nothing it no longer owned
        outbox.send_claimed(b, backend, worker_b, rows_b, now=lambda: later, sender=SENDER, base_url=BASE,
                            report=report)
    assert report.sent == 3
    assert_each_row_once(handler, db, 3)


@pytest.fixture
def team_with_deadlines(mail_app):
    """Three teams of one member each, and a deadline of each due in three days: one titled with a header injection,
    one as long as a title can be (300 characters), one ordinary. One reminder per person: three mails of one."""
    db = mail_app.extensions["tracker.db"]
    with db.transaction() as s:
        for key, title in (("EZK", "x\r\nBcc: a@b"), ("BZK", "L" * 300), ("JENV", "Ordinary")):
            team = Team(key=key, name=key)
            s.add(team)
            s.flush()
            s.add(User(email=f"m@{key.lower()}.nl", name="m", role="editor", active=True, created_at=NOW,
                       teams=[team]))
            reg = Regulation(key=f"A{key}", title="DSA", kind="regulation", team_id=team.id, created_at=NOW,
                             updated_at=NOW)
            s.add(reg)
            s.flush()
            s.add(Deadline(regulation_id=reg.id, kind=DeadlineKind.OTHER, title=title,
                           due=PrecisionDate.day(DUE), created_at=NOW, updated_at=NOW))
    return db


def test_a_poison_message_fails_alone_with_its_reason_and_the_rest_is_delivered(
    mail_app, team_with_deadlines, server, monkeypatch
):
    """The issue's case end to end: a title with CR/LF, the reminder sweep, then `jobs.run_delivery`."""
    handler, backend = server
    db = team_with_deadlines
    settings = mail_app.config["TRACKER"]
    monkeypatch.setitem(mail_app.config, "TRACKER", dataclasses.replace(settings, smtp_port=backend.port))
    # Rows that skipped enqueue's cleaning (queued by older code), ahead of the reminders in the same batch: a raw
    # CR/LF subject and header value are made one line; a recipient or a header name that cannot be made safe fails
    # that message alone.
    bad = [("bad-to", "a@ezk.nl\r\nBcc: c@d.nl", {}), ("bad-name", "b@ezk.nl", {"X-Bad Name": "v"}),
           ("raw", "r@ezk.nl", {"X-Note": "one\r\nBcc: c@d.nl"})]
    with db.transaction() as s:
        for key, recipient, headers in bad:
            s.add(OutboxMessage(key=key, kind="reminder", recipient=recipient, subject="Raw\r\nBcc: c@d.nl",
                                body_text="t", headers=headers, status=OutboxStatus.PENDING, attempts=0,
                                created_at=WHEN, next_attempt_at=WHEN))
    assert jobs.run_reminders(mail_app, WHEN) == 3
    report = jobs.run_delivery(mail_app, WHEN)
    assert (report.sent, report.retried, report.failed) == (4, 0, 2)
    received = handler.messages()
    assert sorted(m["To"] for m in received) == ["m@bzk.nl", "m@ezk.nl", "m@jenv.nl", "r@ezk.nl"]
    assert sorted(rcpts for rcpts, _ in handler.accepted) == [  # no Bcc got in
        ["m@bzk.nl"], ["m@ezk.nl"], ["m@jenv.nl"], ["r@ezk.nl"]]
    subjects = sorted(m["Subject"] for m in received)
    assert "[EU tracker] AEZK: x Bcc: a@b - over 3 dagen (1 juni 2027)" in subjects
    assert "Raw Bcc: c@d.nl" in subjects
    long_subject = next(s for s in subjects if "LLL" in s)
    assert len(long_subject) == outbox.SUBJECT_LENGTH and long_subject.endswith("\u2026")
    for m in received:
        assert m["Bcc"] is None and "\n" not in m["Subject"]
    assert next(m for m in received if m["To"] == "r@ezk.nl")["X-Note"] == "one Bcc: c@d.nl"
    with db.sessionmaker() as s:
        failed = {r.key: r for r in s.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED))}
    assert set(failed) == {"bad-to", "bad-name"} and all(r.attempts == 1 for r in failed.values())
    assert "is not one e-mail address" in failed["bad-to"].last_error
    assert "header name 'X-Bad Name' is not allowed" in failed["bad-name"].last_error
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(days=1)).sent == 0  # failed stays failed, no loop
    assert len(handler.accepted) == 4 and counts(db) == {OutboxStatus.SENT: 4, OutboxStatus.FAILED: 2}
    # The admin sees why, on the outbox page and the message's page.
    with db.transaction() as s:
        create_user(s, email="admin@example.nl", name="admin", role="admin", teams=[], password=PASSWORD,
                    actor=Actor("test"), now=NOW)
    client = login_client(mail_app, "admin@example.nl")
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "is not one e-mail address" in page and "is not allowed" in page
    detail = client.get(f"/admin/outbox/{failed['bad-name'].id}").get_data(as_text=True)
    assert "header name &#39;X-Bad Name&#39; is not allowed" in detail


def test_an_smtp_server_answering_421_then_250_delivers_every_row_once(app, server):
    handler, backend = server
    db = app.extensions["tracker.db"]
    add_rows(db, 6)
    handler.replies = ["421 4.3.2 service shutting down"] * 3
    report = deliver(db, backend, lambda: NOW)
    assert (report.sent, report.retried, report.failed) == (3, 3, 0)
    assert counts(db) == {OutboxStatus.SENT: 3, OutboxStatus.PENDING: 3}
    assert deliver(db, backend, lambda: NOW + dt.timedelta(seconds=59)).sent == 0  # backoff: a minute
    assert deliver(db, backend, lambda: NOW + dt.timedelta(minutes=1)).sent == 3
    assert deliver(db, backend, lambda: NOW + dt.timedelta(days=1)).sent == 0
    assert_each_row_once(handler, db, 6)


def test_a_message_accepted_before_a_failing_quit_is_not_sent_again(app, server):
    """smtplib's `with` raises when QUIT is not answered 221: an accepted message looked like a 4xx and went twice."""
    handler, backend = server
    db = app.extensions["tracker.db"]
    add_rows(db, 2)
    handler.quit_reply = "421 4.4.2 closing connection"
    assert deliver(db, backend, lambda: NOW).sent == 2
    assert deliver(db, backend, lambda: NOW + dt.timedelta(days=1)).sent == 0
    assert_each_row_once(handler, db, 2)


def test_one_smtp_connection_per_batch(app, server):
    handler, backend = server
    db = app.extensions["tracker.db"]
    add_rows(db, 120)
    assert deliver(db, backend, lambda: NOW, limit=50).sent == 120
    assert len(handler.connections) == 3  # batches of 50, 50 and 20
    assert_each_row_once(handler, db, 120)


def test_a_refused_message_in_a_batch_does_not_stop_the_rest_on_a_new_connection(app, server):
    handler, backend = server
    db = app.extensions["tracker.db"]
    add_rows(db, 5)
    handler.replies = ["550 5.1.1 no such user"]
    report = deliver(db, backend, lambda: NOW)
    assert (report.sent, report.failed) == (4, 1) and len(handler.accepted) == 4
    assert len(handler.connections) == 2  # after a failure the next message opens a fresh connection


def test_the_file_backend_records_a_batch_in_one_update_and_a_crash_mid_batch_writes_no_second_file(app, tmp_path):
    from sqlalchemy import event

    from tracker.notify.mail import FileBackend, build_message

    db = app.extensions["tracker.db"]
    backend = FileBackend(tmp_path / "mail")
    add_rows(db, 120)
    # A deliverer claims 50 rows, writes 20 files and dies before recording anything.
    with db.sessionmaker() as s:
        _, rows = outbox.claim(s, now=NOW, limit=50)
        for row in rows[:20]:
            backend.send(build_message(row, sender=SENDER, base_url=BASE, date=NOW))
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(" ".join(a[2].split())))
    report = deliver(db, backend, lambda: NOW)  # the other 70 rows: two batches
    outcomes = [s for s in statements if s.startswith("UPDATE") and "attempts" in s]
    assert report.sent == 70 and len(outcomes) == 2  # one UPDATE of the outcomes per batch
    later = NOW + outbox.CLAIM_TTL + dt.timedelta(seconds=1)
    assert deliver(db, backend, lambda: later).sent == 50  # the dead claim is taken over: its 20 files rewritten
    files = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert len(files) == 120 == len(set(files)) and not [f for f in files if f.endswith(".tmp")]
    assert counts(db) == {OutboxStatus.SENT: 120}
