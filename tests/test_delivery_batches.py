"""Delivery in batches: each message is built once, as bytes from a template, and sent or written as built; SMTP
records each outcome with one UPDATE and COMMIT (no lease renewal per message while the lease is fresh), the file
backend a whole batch with one. The reminder sweep reads its window through indexes on both ends of a date range.
Real SMTP on loopback, real databases; the email package's own parser reads what is built."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from sqlalchemy import event, text

from tests.conftest import NOW, loopback_smtp
from tests.test_delivery import BASE, SENDER, Server, add_rows, assert_each_row_once, counts, deliver
from tracker.notify import outbox
from tracker.notify.mail import FileBackend, SmtpBackend, build_message, email_package_message
from tracker.notify.models import OutboxMessage, OutboxStatus

LONG_URL = "<https://tracker.example/unsubscribe/" + "t" * 300 + ">"
ROWS = [  # what a row may hold: plain, a display name, non-ASCII, very long lines, empty, lone CRs, a dot line
    dict(recipient="r@example.nl", subject="[EU tracker] DSA: Designate - over 3 dagen", body_text="Herinnering\n",
         body_html="<p>Herinnering</p>\n", headers={"List-Unsubscribe": LONG_URL, "List-Id": "Digest <d.eu-tracker>"}),
    dict(recipient="Jan Jansen <jan@example.nl>", subject="Überprüfung é " + "lang " * 40,
         body_text="Beoordeling é\n.\nregel\r\noude mac\rregel", body_html="<p>" + "ë" * 1200 + "</p>", headers={}),
    dict(recipient='"Jansen, Jan" <jan@example.nl>', subject="", body_text="", body_html=None,
         headers={"X-Note": "looks like =?utf-8?q?an_encoded?= word", "X-Long": "w " * 600}),
    dict(recipient="a@example.nl", subject="plain", body_text="x" * 2500 + "\nend", body_html=None, headers={}),
]


def _parsed(raw: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    message = email.message_from_bytes(raw, policy=policy.default)
    skip = {"content-type", "content-transfer-encoding", "mime-version"}  # framing, compared through the parts
    headers = [(name, str(value)) for name, value in message.items() if name.lower() not in skip]
    parts = [(p.get_content_type(), p.get_content()) for p in message.walk() if not p.is_multipart()]
    return headers, parts


@pytest.mark.parametrize("sender", ["tracker@ministerie.example", "EU-tracker EZK \u2013 meldingen <t@min.example>"])
@pytest.mark.parametrize("row", ROWS, ids=["plain", "non-ascii", "empty", "long-lines"])
def test_the_template_message_reads_as_the_email_package_builds_it(row, sender):
    item = OutboxMessage(id=7, key="reminder:deadline:1:2:7:2027-06-01", **row)
    built = build_message(item, sender=sender, base_url=BASE, date=NOW)
    reference = email_package_message(item, sender=sender, base_url=BASE, date=NOW)
    assert _parsed(built.raw) == _parsed(bytes(reference))
    lines = built.raw.split(b"\r\n")
    assert max(map(len, lines)) <= 998 and all(b"\n" not in line and b"\r" not in line for line in lines)
    assert built.sender == sender.rsplit("<", 1)[-1].strip(">") and "@example.nl" in built.recipient
    assert built.international is None  # ASCII addresses: sent as built, no second rendering


def test_a_non_ascii_address_goes_through_the_email_package_for_smtputf8():
    item = OutboxMessage(id=1, key="k", recipient="jöhn@exämple.nl", subject="x", body_text="t", headers={})
    built = build_message(item, sender=SENDER, base_url=BASE, date=NOW)
    assert built.recipient == "jöhn@exämple.nl" and built.international is not None


def _outbox_updates(db, run):
    statements: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return result, statements


def test_smtp_sends_the_built_bytes_and_records_each_outcome_with_one_update(app):
    handler, db = Server(), app.extensions["tracker.db"]
    add_rows(db, 30)
    with loopback_smtp(handler) as port:
        report, updates = _outbox_updates(db, lambda: deliver(db, SmtpBackend("127.0.0.1", port, timeout=5),
                                                              lambda: NOW, limit=50))
    assert report.sent == 30
    renewals = [u for u in updates if re.search(r"SET claimed_at=[^,]* WHERE", u)]
    outcomes = [u for u in updates if "attempts" in u]
    assert len(outcomes) == 30 and renewals == []  # no lease renewal: the lease is fresh all batch long
    assert_each_row_once(handler, db, 30)
    with db.sessionmaker() as s:
        first = s.get(OutboxMessage, 1)
        # What the server received is what was built: the same bytes, not a second rendering.
        expected = build_message(first, sender=SENDER, base_url=BASE, date=NOW).raw
    got = next(content for _, content in handler.accepted if b"Message 0\r\n" in content)
    assert got == expected


def test_a_long_smtp_batch_renews_its_lease_once_a_third_has_passed(app):
    handler, db = Server(), app.extensions["tracker.db"]
    add_rows(db, 12)
    clock = {"now": NOW}
    handler.on_data = lambda: clock.update(now=clock["now"] + outbox.CLAIM_TTL / 8)
    with loopback_smtp(handler) as port:
        report, updates = _outbox_updates(db, lambda: deliver(db, SmtpBackend("127.0.0.1", port, timeout=5),
                                                              lambda: clock["now"], limit=50))
    renewals = [u for u in updates if re.search(r"SET claimed_at=[^,]* WHERE", u)]
    # 12 messages of an eighth of a lease each: renewed before the 4th, 7th and 10th (every third of a lease).
    assert report.sent == 12 and len(renewals) == 3
    assert_each_row_once(handler, db, 12)


def test_the_file_backend_writes_batches_of_its_own_size_with_one_outcome_update_each(app, tmp_path):
    db = app.extensions["tracker.db"]
    add_rows(db, 1100)
    backend = FileBackend(tmp_path / "mail")
    with db.sessionmaker() as s:
        report, updates = _outbox_updates(db, lambda: outbox.deliver(s, backend, now=lambda: NOW, sender=SENDER,
                                                                     base_url=BASE))
    assert report.sent == 1100 and len([u for u in updates if "attempts" in u]) == 3  # 500, 500 and 100
    assert counts(db) == {OutboxStatus.SENT: 1100}
    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 1100
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["From"] == SENDER and parsed.get_content().strip() == "text"


def test_the_reminder_sweep_reads_both_ends_of_a_range_through_an_index(session):
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table would rather be scanned
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    for table in ("deadlines", "evaluations"):
        sql = (f"SELECT id FROM {table} WHERE due_on BETWEEN '2027-01-01' AND '2027-04-01' "
               "OR due_until BETWEEN '2027-01-01' AND '2027-04-01'")
        plan = " ".join(str(row[-1]) for row in session.execute(text(explain + sql)))
        assert f"ix_{table}_due_on" in plan and f"ix_{table}_due_until" in plan, plan
    session.rollback()
