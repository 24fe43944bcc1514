"""Reminders and delivery against a real SMTP server on loopback."""

import datetime as dt
import email
from email import policy

import pytest
from sqlalchemy import select, update

from tests.conftest import NOW
from tracker.auth.models import Team, User
from tracker.dates import PrecisionDate
from tracker.notify import jobs, outbox
from tracker.notify.models import Follow, OutboxMessage, OutboxStatus
from tracker.notify.reminders import lead_key
from tracker.regulations.models import Deadline, DeadlineKind, Regulation

DUE = dt.date(2027, 6, 1)
WHEN = dt.datetime(2027, 5, 31, 9, tzinfo=dt.UTC)  # the day before DUE


@pytest.fixture
def world(mail_app):
    """A team with two members, an outsider who follows, an outsider who does not, and one deadline."""
    db = mail_app.extensions["tracker.db"]
    with db.transaction() as s:
        team = Team(key="EZK", name="EZK")
        other = Team(key="BZK", name="BZK")
        s.add_all([team, other])
        s.flush()
        users = {}
        for email_, teams in (("a@ezk.nl", [team]), ("b@ezk.nl", [team]), ("f@bzk.nl", [other]),
                              ("x@bzk.nl", [other])):
            users[email_] = User(email=email_, name=email_, role="editor", active=True, created_at=NOW, teams=teams)
            s.add(users[email_])
        reg = Regulation(key="DSA", title="Digital Services Act", kind="regulation", team_id=team.id,
                         created_at=NOW, updated_at=NOW)
        s.add(reg)
        s.flush()
        s.add(Follow(user_id=users["f@bzk.nl"].id, regulation_id=reg.id, created_at=NOW))
        deadline = Deadline(regulation_id=reg.id, kind=DeadlineKind.DESIGNATION, title="Designate the DSC",
                            due=PrecisionDate.day(DUE), created_at=NOW, updated_at=NOW)
        s.add(deadline)
        s.flush()
        return {"deadline_id": deadline.id, "db": db}


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def run_day(app, day):
    jobs.run_reminders(app, at(day))
    return jobs.run_delivery(app, at(day))


def received(smtp_handler):
    return [email.message_from_bytes(m, policy=policy.default) for m in smtp_handler.messages]


def test_lead_key_rules():
    leads = (90, 30, 7, 1)
    assert lead_key(DUE, DUE - dt.timedelta(days=91), leads) is None
    assert lead_key(DUE, DUE - dt.timedelta(days=90), leads) == "90"
    assert lead_key(DUE, DUE - dt.timedelta(days=29), leads) == "30"
    assert lead_key(DUE, DUE - dt.timedelta(days=5), leads) == "7"  # after downtime: only the relevant one
    assert lead_key(DUE, DUE, leads) == "1"
    assert lead_key(DUE, DUE + dt.timedelta(days=1), leads) == "overdue"
    assert lead_key(DUE, DUE + dt.timedelta(days=15), leads) is None


def test_each_lead_time_exactly_once_to_members_and_followers(mail_app, world, smtp):
    handler, _ = smtp
    days = [DUE - dt.timedelta(days=n) for n in (100, 90, 89, 31, 30, 8, 7, 6, 1)] + [DUE, DUE + dt.timedelta(days=1),
                                                                                    DUE + dt.timedelta(days=2)]
    for day in days:
        run_day(mail_app, day)
        run_day(mail_app, day)  # a second sweep and delivery the same day sends nothing more
    messages = received(handler)
    by_person: dict[str, list[str]] = {}
    for m in messages:
        by_person.setdefault(m["To"], []).append(m["Subject"])
    assert set(by_person) == {"a@ezk.nl", "b@ezk.nl", "f@bzk.nl"}  # members and the follower, not x@bzk.nl
    for subjects in by_person.values():
        assert len(subjects) == 5  # 90, 30, 7, 1 days and overdue, each once
        assert any("over 90 dagen" in s for s in subjects) and any("verlopen" in s for s in subjects)
        assert any("morgen" in s for s in subjects)
    first = messages[0]
    assert first["Auto-Submitted"] == "auto-generated" and first["Message-ID"] and first["Date"]
    assert first["From"] == "tracker@ministerie.example"
    assert "http://127.0.0.1:5000/regulations/DSA" in first.get_body(("plain",)).get_content()
    assert first.get_body(("html",)) is not None


def test_a_moved_deadline_gets_reminders_for_its_new_date_and_a_met_one_stops(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    run_day(mail_app, DUE - dt.timedelta(days=7))
    assert len(handler.messages) == 3
    new_due = DUE + dt.timedelta(days=30)
    with db.transaction() as s:
        s.execute(update(Deadline).where(Deadline.id == world["deadline_id"]).values(due_on=new_due))
    run_day(mail_app, DUE - dt.timedelta(days=6))  # now 36 days before the new date: its 90-day reminder
    assert len(handler.messages) == 6
    assert all("over 36 dagen" in m["Subject"] for m in received(handler)[3:])
    with db.transaction() as s:
        s.execute(update(Deadline).where(Deadline.id == world["deadline_id"]).values(met_on=DUE))
    run_day(mail_app, new_due - dt.timedelta(days=7))
    run_day(mail_app, new_due + dt.timedelta(days=1))
    assert len(handler.messages) == 6


def test_user_and_team_lead_times(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    with db.transaction() as s:
        s.execute(update(Team).where(Team.key == "EZK").values(reminder_days="14"))
        s.execute(update(User).where(User.email == "a@ezk.nl").values(reminder_days="60,3"))
    run_day(mail_app, DUE - dt.timedelta(days=60))
    # a has 60 of its own; b uses its team's 14 (not reached); f follows from BZK, which has none: the default's 90.
    assert sorted(m["To"] for m in received(handler)) == ["a@ezk.nl", "f@bzk.nl"]
    run_day(mail_app, DUE - dt.timedelta(days=14))
    assert sorted(m["To"] for m in received(handler)[2:]) == ["b@ezk.nl", "f@bzk.nl"]  # EZK's 14; the default's 30
    with db.transaction() as s:
        s.execute(update(Team).where(Team.key == "BZK").values(reminder_days="5"))
    run_day(mail_app, DUE - dt.timedelta(days=7))
    assert len(received(handler)) == 4  # the follower's own team says 5 days, not the owning team's or the default
    run_day(mail_app, DUE - dt.timedelta(days=5))
    assert [m["To"] for m in received(handler)[4:]] == ["f@bzk.nl"]


def statuses(db) -> list[tuple[str, OutboxStatus, int]]:
    with db.sessionmaker() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
        return [(r.recipient, r.status, r.attempts) for r in rows]


def message_ids(handler) -> list[str]:
    return [m["Message-ID"] for m in received(handler)]


RECIPIENTS = ["a@ezk.nl", "b@ezk.nl", "f@bzk.nl"]


def test_an_smtp_server_that_is_down_means_later_delivery_and_nothing_lost(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    assert jobs.run_reminders(mail_app, WHEN) == 3
    handler.reply = "451 4.3.0 try again later"
    report = jobs.run_delivery(mail_app, WHEN)
    assert (report.sent, report.retried, report.failed) == (0, 3, 0)
    assert handler.messages == []
    # Nothing is lost: every message is still pending, once, for its retry a minute later.
    assert statuses(db) == [(r, OutboxStatus.PENDING, 1) for r in RECIPIENTS]
    with db.sessionmaker() as s:
        assert {r.next_attempt_at for r in s.scalars(select(OutboxMessage))} == {WHEN + dt.timedelta(minutes=1)}
    handler.reply = None
    # Before the backoff has passed nothing is sent; once it has, each message goes out exactly once.
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(seconds=59)).sent == 0
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(minutes=1)).sent == 3
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(days=1)).sent == 0
    assert sorted(m["To"] for m in received(handler)) == RECIPIENTS
    assert len(set(message_ids(handler))) == 3
    assert statuses(db) == [(r, OutboxStatus.SENT, 2) for r in RECIPIENTS]


def test_a_closed_port_is_retried_not_lost(mail_app, world, smtp, monkeypatch):
    handler, _ = smtp
    db = world["db"]
    jobs.run_reminders(mail_app, WHEN)
    import dataclasses

    settings = mail_app.config["TRACKER"]
    monkeypatch.setitem(mail_app.config, "TRACKER", dataclasses.replace(settings, smtp_port=1))  # nothing listens
    report = jobs.run_delivery(mail_app, WHEN)
    assert (report.sent, report.retried, report.failed) == (0, 3, 0)
    assert statuses(db) == [(r, OutboxStatus.PENDING, 1) for r in RECIPIENTS]
    monkeypatch.setitem(mail_app.config, "TRACKER", settings)  # the server is reachable again
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(minutes=1)).sent == 3
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(days=1)).sent == 0
    assert sorted(m["To"] for m in received(handler)) == RECIPIENTS
    assert statuses(db) == [(r, OutboxStatus.SENT, 2) for r in RECIPIENTS]


def test_a_4xx_is_retried_with_growing_backoff_then_fails_after_eight_attempts(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    with db.transaction() as s:  # one recipient keeps this short: only a@ezk.nl is a team member now
        s.execute(update(User).where(User.email != "a@ezk.nl").values(active=False))
    assert jobs.run_reminders(mail_app, WHEN) == 1
    handler.reply = "452 4.3.1 insufficient storage"
    waits = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1),
             dt.timedelta(hours=3), dt.timedelta(hours=6), dt.timedelta(hours=6)]
    moment = WHEN
    for attempt, wait in enumerate(waits, start=1):
        report = jobs.run_delivery(mail_app, moment)
        assert (report.sent, report.retried, report.failed) == (0, 1, 0), attempt
        with db.sessionmaker() as s:
            row = s.scalars(select(OutboxMessage)).one()
            assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, attempt, moment + wait)
            assert "452" in row.last_error
        assert jobs.run_delivery(mail_app, moment + wait - dt.timedelta(seconds=1)).retried == 0  # not yet
        moment += wait
    report = jobs.run_delivery(mail_app, moment)  # the eighth attempt
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    assert statuses(db) == [("a@ezk.nl", OutboxStatus.FAILED, 8)]
    handler.reply = None
    assert jobs.run_delivery(mail_app, moment + dt.timedelta(days=1)).sent == 0  # failed stays failed
    assert handler.messages == []


def test_a_5xx_reply_fails_the_message_and_an_admin_can_retry_it(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    jobs.run_reminders(mail_app, WHEN)
    handler.reply = "550 5.1.1 no such user"
    report = jobs.run_delivery(mail_app, WHEN)
    assert (report.sent, report.retried, report.failed) == (0, 0, 3)
    with db.transaction() as s:
        failed = s.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
        assert all(r.status is OutboxStatus.FAILED and r.attempts == 1 and "550" in r.last_error for r in failed)
        assert outbox.retry(s, failed[0].id, now=WHEN)
        assert not outbox.retry(s, failed[0].id, now=WHEN)  # pending now: not failed, so not retried again
    handler.reply = None
    assert jobs.run_delivery(mail_app, WHEN).sent == 1
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(days=1)).sent == 0
    assert [m["To"] for m in received(handler)] == ["a@ezk.nl"]
    assert statuses(db) == [("a@ezk.nl", OutboxStatus.SENT, 1), ("b@ezk.nl", OutboxStatus.FAILED, 1),
                            ("f@bzk.nl", OutboxStatus.FAILED, 1)]


def test_a_claim_left_by_a_dead_process_is_taken_over_and_sent_once(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    jobs.run_reminders(mail_app, WHEN)
    with db.sessionmaker() as s:  # a delivery process claims the rows, then dies before sending
        _, rows = outbox.claim(s, now=WHEN)
        assert len(rows) == 3
    assert statuses(db) == [(r, OutboxStatus.SENDING, 0) for r in RECIPIENTS]  # still there, not lost
    # The claim is fresh for ten minutes: not ours to send.
    assert jobs.run_delivery(mail_app, WHEN).sent == 0
    assert jobs.run_delivery(mail_app, WHEN + outbox.CLAIM_TTL - dt.timedelta(seconds=1)).sent == 0
    assert handler.messages == []
    # Once the claim is older than ten minutes, it is taken over and each message sent exactly once.
    assert jobs.run_delivery(mail_app, WHEN + outbox.CLAIM_TTL + dt.timedelta(seconds=1)).sent == 3
    assert jobs.run_delivery(mail_app, WHEN + dt.timedelta(days=1)).sent == 0
    assert sorted(m["To"] for m in received(handler)) == RECIPIENTS
    assert len(set(message_ids(handler))) == 3
    assert statuses(db) == [(r, OutboxStatus.SENT, 1) for r in RECIPIENTS]
    assert dt.timedelta(minutes=10) == outbox.CLAIM_TTL


def test_the_file_backend_writes_eml_files(app, seeded, users, tmp_path):
    db = app.extensions["tracker.db"]
    with db.transaction() as s:
        outbox.enqueue(s, [outbox.NewMessage(key="k1", kind="reminder", user_id=None, recipient="a@b.nl",
                                             subject="Hallo één", body_text="tekst")], now=NOW)
    assert jobs.run_delivery(app).sent == 1
    files = list((app.config["TRACKER"].mail_path).glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Hallo één" and parsed["Auto-Submitted"] == "auto-generated"


def test_cli_sweep_refuses_a_malformed_moment(app, seeded):
    from tracker.cli import cli

    result = app.test_cli_runner().invoke(cli, ["reminders", "sweep", "--now", "next tuesday"])
    assert result.exit_code == 2 and "is not a date-time" in result.output
    ok = app.test_cli_runner().invoke(cli, ["reminders", "sweep", "--now", "2026-11-30T08:00"])
    assert ok.exit_code == 0 and "reminder(s) queued" in ok.output




def test_several_reminders_due_for_one_person_go_out_as_one_mail_listing_them(mail_app, world, smtp):
    handler, _ = smtp
    db = world["db"]
    with db.transaction() as s:
        reg = s.scalars(select(Regulation)).one()
        s.add(Deadline(regulation_id=reg.id, kind=DeadlineKind.OTHER, title="Report to the Commission",
                       due=PrecisionDate.day(DUE + dt.timedelta(days=3)), created_at=NOW, updated_at=NOW))
    day = DUE - dt.timedelta(days=7)
    assert jobs.sweep_reminders(mail_app, at(day)).queued == 6  # two reminders for each of three people
    assert jobs.run_delivery(mail_app, at(day)).sent == 3  # one mail each
    run_day(mail_app, day)  # a second sweep the same day: nothing more
    mails = received(handler)
    assert sorted(m["To"] for m in mails) == ["a@ezk.nl", "b@ezk.nl", "f@bzk.nl"]
    for mail in mails:
        assert mail["Subject"] == "[EU tracker] 2 data om op te letten"
        text = mail.get_body(("plain",)).get_content()
        assert text.index("DSA - Designate the DSC") < text.index("DSA - Report to the Commission")  # by date
        assert "1 juni 2027" in text and "4 juni 2027" in text and "over 7 dagen" in text and "over 10 dagen" in text
        assert "Report to the Commission" in mail.get_body(("html",)).get_content()
    # The next lead time of each comes later, once, again in one mail per person.
    run_day(mail_app, DUE - dt.timedelta(days=1))
    run_day(mail_app, DUE - dt.timedelta(days=1))
    assert len(handler.messages) == 6


def test_the_sweep_reads_the_same_queries_whatever_the_number_of_open_items(mail_app, world):
    from tracker.db import QueryCounter
    from tracker.notify import reminders

    db = world["db"]
    settings = mail_app.config["TRACKER"]
    counts = []
    for far in (0, 300):  # open deadlines far beyond any lead time do not cost a query, or a row read
        with db.transaction() as s:
            reg = s.scalars(select(Regulation)).one()
            for i in range(far):
                s.add(Deadline(regulation_id=reg.id, kind=DeadlineKind.OTHER, title=f"Far {i}",
                               due=PrecisionDate.day(DUE + dt.timedelta(days=400 + i)), created_at=NOW,
                               updated_at=NOW))
        with mail_app.app_context(), db.sessionmaker() as s, QueryCounter(db.engine) as counter:
            result = reminders.sweep(s, settings, now=at(DUE - dt.timedelta(days=7)))
            s.rollback()
        counts.append((counter.count, result.swept))
    assert counts[0] == counts[1] and counts[0][1] == 1, counts
