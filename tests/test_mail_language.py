"""Mail speaks its recipient's language (their choice, else Dutch), and the digest's HTML passes axe in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser
from sqlalchemy import select, update

from tests.conftest import NOW
from tests.test_accessibility import AXE, AXE_TAGS
from tracker.auth.models import User
from tracker.dates import PrecisionDate
from tracker.notify import jobs
from tracker.notify.models import OutboxMessage
from tracker.regulations.models import Deadline, DeadlineKind, Regulation

WEEK = (2026, 49)
MOMENT = dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)  # after the digest moment of WEEK
DUE = dt.date(2041, 3, 4)  # far from every seeded date: the only reminder due around it is ours
ENGLISH, DUTCH = "viewer@example.nl", "ezk.editor@example.nl"  # both in team EZK, which owns DSA


@pytest.fixture
def outbox(mail_app, users):
    """The digests of WEEK and the overdue reminders of a DSA deadline, queued (not sent) for an English reader
    and a Dutch one (no language chosen)."""
    db = mail_app.extensions["tracker.db"]
    with db.transaction() as s:
        s.execute(update(User).where(User.email == ENGLISH).values(language="en"))
        s.execute(update(User).where(User.email == DUTCH).values(language=None))
        dsa = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        s.add(Deadline(regulation_id=dsa.id, kind=DeadlineKind.REPORT, title="Annual report",
                       due=PrecisionDate.day(DUE), created_at=NOW, updated_at=NOW))
    jobs.run_digests(mail_app, MOMENT)
    jobs.run_reminders(mail_app, dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC))
    with db.sessionmaker() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient.in_([ENGLISH, DUTCH])))
        return {(row.kind, row.recipient): row for row in rows}


def test_an_english_reader_gets_english_mail_and_a_dutch_one_dutch(outbox):
    english, dutch = outbox[("digest", ENGLISH)], outbox[("digest", DUTCH)]
    assert english.subject.endswith(", 24 deadlines overdue")
    assert dutch.subject.endswith(", 24 termijnen verlopen")
    assert "17 February 2024" in english.body_text and "17 februari 2024" not in english.body_text
    assert "17 februari 2024" in dutch.body_text and "17 February 2024" not in dutch.body_text
    assert "\nUnsubscribe: http://127.0.0.1:5000/unsubscribe/" in english.body_text
    assert "\nAfmelden: http://127.0.0.1:5000/unsubscribe/" in dutch.body_text
    assert BeautifulSoup(english.body_html, "html.parser").html["lang"] == "en"
    assert BeautifulSoup(dutch.body_html, "html.parser").html["lang"] == "nl"

    english, dutch = outbox[("reminder", ENGLISH)], outbox[("reminder", DUTCH)]
    assert english.subject == "[EU tracker] DSA: Annual report - overdue (4 March 2041)"
    assert dutch.subject == "[EU tracker] DSA: Annual report - verlopen (4 maart 2041)"
    assert "\nDate: 4 March 2041 (overdue)\n" in english.body_text
    assert "\nDatum: 4 maart 2041 (verlopen)\n" in dutch.body_text
    assert "U ontvangt dit omdat u lid bent" in dutch.body_text
    assert BeautifulSoup(english.body_html, "html.parser").html["lang"] == "en"


def test_the_digest_and_a_reminder_pass_axe_in_chromium(outbox, browser: Browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 720, "height": 900})
    page = context.new_page()
    problems = []
    for kind in ("digest", "reminder"):
        page.set_content(outbox[(kind, DUTCH)].body_html)
        results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                         "resultTypes": ["violations"]})
        problems += [f"{kind}: {v['id']}: {v['help']}" for v in results.response["violations"]]
    context.close()
    assert not problems, "\n".join(problems)


def test_the_password_reset_mail_speaks_the_users_language(mail_app):
    from tracker.auth.mail_hook import reset_mail

    expires = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)  # 11:00 in Amsterdam
    settings = mail_app.config["TRACKER"]
    with mail_app.app_context():
        dutch = reset_mail(User(id=1, email="a@x.nl", name="Ann", language=None), "tok", expires, settings)
        english = reset_mail(User(id=2, email="b@x.nl", name="Bo", language="en"), "tok", expires, settings)
    assert dutch.subject == "Nieuw wachtwoord kiezen"
    assert dutch.body_text.startswith("Beste Ann,\n\n") and "Dear" not in dutch.body_text  # no doubled text
    assert "tot 1 december 2026 11:00:\n\nhttp://127.0.0.1:5000/reset/tok\n" in dutch.body_text
    assert "1 December 2026 11:00" in english.body_text and "december" not in english.body_text
