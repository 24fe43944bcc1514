"""Markers keep the hourly sweeps cheap: a week's digest that was queued, or skipped as empty, is not built again,
and a reminder key is taken by one sweep only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from tracker.auth.models import Team, User
from tracker.notify import digest, jobs, marks
from tracker.notify.marks import NotifyMark
from tracker.notify.models import OutboxMessage

MOMENT = dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)  # Monday 08:30 in Amsterdam, after the digest moment


def test_a_weeks_digests_are_built_once_even_the_empty_ones(mail_app, users, smtp, monkeypatch):
    db = mail_app.extensions["tracker.db"]
    with db.transaction() as s:
        team = Team(key="LEEG", name="Leeg team")
        s.add(team)
        s.flush()
        s.add(User(email="skip@x.nl", name="skip", role="viewer", active=True, created_at=MOMENT, teams=[team],
                   digest_when_empty="skip"))
        subscribed = len(list(s.scalars(select(User).where(User.digest_enabled.is_(True), User.active.is_(True)))))
    built: list[str] = []
    real = digest.build_digest
    monkeypatch.setattr(digest, "build_digest", lambda s, user, *a: built.append(user.email) or real(s, user, *a))
    queued = jobs.run_digests(mail_app, MOMENT)
    assert len(built) == subscribed and "skip@x.nl" in built
    assert queued == subscribed - 1  # the empty one is skipped, as its owner chose
    for hour in range(1, 4):  # the hourly runs after it build nothing, not even the empty digest
        assert jobs.run_digests(mail_app, MOMENT + dt.timedelta(hours=hour)) == 0
    assert len(built) == subscribed
    with db.sessionmaker() as s:
        assert s.scalar(select(NotifyMark.key).where(NotifyMark.key.like("digest:%:2026-W49")).limit(1))
        assert len(list(s.scalars(select(OutboxMessage)))) == queued
        s.execute(update(User).where(User.email == "skip@x.nl").values(digest_when_empty="notice"))
        s.commit()
    # Next week is a new week: everyone is built again, and the empty one now gets its one-line notice.
    next_week = MOMENT + dt.timedelta(days=7)
    assert jobs.run_digests(mail_app, next_week) == subscribed
    assert len(built) == 2 * subscribed


def test_a_reminder_key_is_taken_by_one_transaction_only(db):
    now = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    with db.transaction() as s:
        assert marks.take(s, ["a", "b"], now=now) == {"a", "b"}
    with db.transaction() as s:
        assert marks.take(s, ["b", "c"], now=now) == {"c"}
        assert marks.take(s, [], now=now) == set()
    with db.sessionmaker() as s:
        assert sorted(s.scalars(select(NotifyMark.key))) == ["a", "b", "c"]
