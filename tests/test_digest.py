"""The weekly digest of a fixed week, text and HTML, once per week, with one-click unsubscribe."""

import datetime as dt
import email
import re
from email import policy

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from tests.conftest import csrf_from
from tracker.auth.models import User
from tracker.notify import digest, jobs
from tracker.notify.models import OutboxMessage

WEEK = (2026, 49)  # digest moment: Monday 30 November 2026, 08:00 Amsterdam
MOMENT = dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)  # 08:30 in Amsterdam


@pytest.fixture
def moved(login):
    """An editor moved DSA to the Council of State during the week before the digest."""
    editor = login("ezk.editor@example.nl")
    page = editor.get("/regulations/DSA").get_data(as_text=True)
    token = csrf_from(page)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    from tests.test_editing import reg_row  # noqa: F401

    response = editor.post("/regulations/DSA/stage", data={
        "csrf_token": token, "version": version, "to_stage": "council_of_state", "effective": "2026-11-27"})
    assert response.status_code == 302
    return editor


def test_send_moment_and_week_parsing(settings):
    assert digest.send_moment(WEEK, settings).isoformat() == "2026-11-30T08:00:00+01:00"
    assert digest.parse_week("2026-w49") == WEEK
    for bad in ("2026-49", "W49", "2026-W54", "next week"):
        with pytest.raises(digest.WeekError):
            digest.parse_week(bad)
    assert digest.current_week(dt.datetime(2026, 11, 30, 6, 59, tzinfo=dt.UTC), settings) is None
    assert digest.current_week(MOMENT, settings) == WEEK


def test_the_digest_of_a_fixed_week(mail_app, users, moved, smtp):
    handler, _ = smtp
    db = mail_app.extensions["tracker.db"]
    with mail_app.app_context(), db.sessionmaker() as s:
        user = s.scalars(select(User).where(User.email == "viewer@example.nl")).one()
        built = digest.build_digest(s, user, WEEK, mail_app.config["TRACKER"])
        assert [e.action for e, _ in built.changes] == ["stage.move"]
        assert built.scope == "teams EZK"
    assert jobs.run_digests(mail_app, MOMENT) == 4  # every active user with the digest on
    assert jobs.run_digests(mail_app, MOMENT + dt.timedelta(hours=3)) == 0  # the same week never twice
    jobs.run_delivery(mail_app, MOMENT)
    mails = {m["To"]: m for m in (email.message_from_bytes(b, policy=policy.default) for b in handler.messages)}
    mail = mails["viewer@example.nl"]
    # The digest of week 49 (sent Monday 30 November) covers the week before it, Monday to Sunday.
    assert mail["Subject"] == ("[EU tracker] Weekoverzicht 23 – 29 november 2026: 1 wijziging, "
                               "1 termijn in de komende 8 weken, 24 termijnen verlopen")
    assert mail["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_body(("plain",)).get_content()
    # The change in words: the action, the actor's name, the stages' names and the date in the reader's style.
    assert "Fase gewijzigd" in text and "- ezk.editor\n" in text.replace("\r\n", "\n")
    assert "Fase: Consultatie en toetsen -> Advisering Raad van State" in text
    assert "Datum: — -> 27 november 2026" in text
    for raw in ("stage.move", "council_of_state", "effective", "2026-11-27", "ezk.editor@example.nl -"):
        assert raw not in text, raw
    assert "http://127.0.0.1:5000/regulations/DSA" in text
    assert "Verlopen (24)" in text and "17 februari 2024" in text  # the DSA date in the seed lies in the past
    html = BeautifulSoup(mail.get_body(("html",)).get_content(), "html.parser")
    assert html.find("a", href="http://127.0.0.1:5000/regulations/DSA")
    # A JenV editor sees their own team's acts, where nothing moved.
    assert "Niets gewijzigd" in mails["jenv.editor@example.nl"].get_body(("plain",)).get_content()


def test_empty_weeks_send_nothing_or_one_line_as_the_user_chooses(mail_app, users, smtp):
    db = mail_app.extensions["tracker.db"]
    with db.transaction() as s:
        # An account following nothing in a team without acts: its digest is empty.
        from tracker.auth.models import Team

        team = Team(key="LEEG", name="Leeg team")
        s.add(team)
        s.flush()
        for email_, when_empty in (("skip@x.nl", "skip"), ("notice@x.nl", "notice")):
            s.add(User(email=email_, name=email_, role="viewer", active=True, created_at=MOMENT, teams=[team],
                       digest_when_empty=when_empty))
        s.execute(update(User).where(User.email.like("%@example.nl")).values(digest_enabled=False))
    far_week = (2040, 10)
    assert jobs.run_digests(mail_app, MOMENT, week=far_week) == 1
    with db.sessionmaker() as s:
        only = s.scalars(select(OutboxMessage)).one()
        assert only.recipient == "notice@x.nl"
        assert only.subject == "[EU tracker] Weekoverzicht 27 februari – 4 maart 2040: niets gewijzigd"
        assert only.body_text.count("\n") <= 3


def test_one_click_unsubscribe_works_without_logging_in(mail_app, users, smtp):
    jobs.run_digests(mail_app, MOMENT)
    db = mail_app.extensions["tracker.db"]
    with db.sessionmaker() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "viewer@example.nl")).one()
        link = row.headers["List-Unsubscribe"].strip("<>")
    client = mail_app.test_client()
    path = link.split("127.0.0.1:5000", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "viewer@example.nl ontvangt het weekoverzicht niet meer." in response.get_data(as_text=True)
    with db.sessionmaker() as s:
        assert s.scalars(select(User.digest_enabled).where(User.email == "viewer@example.nl")).one() is False
    assert client.post("/unsubscribe/forged-token").status_code == 404


def test_settings_page_and_follow_button(login, session):
    client = login("viewer@example.nl")
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    bad = client.post("/settings", data={"csrf_token": token, "reminder_days": "soon", "digest_when_empty": "skip"})
    assert bad.status_code == 400 and "Geef tot 8 hele aantallen dagen van 0 tot 730" in bad.get_data(as_text=True)
    ok = client.post("/settings", data={"csrf_token": token, "reminder_days": "7, 60", "digest_when_empty": "notice"})
    assert ok.status_code == 302
    user = session.scalars(select(User).where(User.email == "viewer@example.nl")).one()
    assert (user.reminder_days, user.digest_enabled, user.digest_when_empty) == ("60,7", False, "notice")
    assert client.post("/regulations/NIS2/follow", data={"csrf_token": token}).status_code == 302
    assert 'id="unfollow"' in client.get("/regulations/NIS2").get_data(as_text=True)
    assert "NIS2" in client.get("/settings").get_data(as_text=True)
    client.post("/regulations/NIS2/unfollow", data={"csrf_token": token})
    assert 'id="follow"' in client.get("/regulations/NIS2").get_data(as_text=True)


def test_cli_digest_preview_and_send(mail_app, users):
    from tracker.cli import cli

    runner = mail_app.test_cli_runner()
    result = runner.invoke(cli, ["digest", "preview", "viewer@example.nl", "--week", "2026-W49"])
    assert result.exit_code == 0 and "Subject: [EU tracker] Weekoverzicht 23 – 29 november 2026" in result.output
    assert runner.invoke(cli, ["digest", "preview", "ghost@example.nl"]).exit_code == 1
    bad = runner.invoke(cli, ["digest", "send", "--week", "49"])
    assert bad.exit_code == 2 and "ISO week" in bad.output
    sent = runner.invoke(cli, ["digest", "send", "--week", "2026-W49"])
    assert sent.exit_code == 0 and "4 digest(s) queued" in sent.output
    assert "0 digest(s) queued" in runner.invoke(cli, ["digest", "send", "--week", "2026-W49"]).output


def test_admin_outbox_page(mail_app, users):
    from tests.conftest import login_client

    jobs.run_digests(mail_app, MOMENT)
    admin = login_client(mail_app, "admin@example.nl")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Weekoverzicht 23 – 29 november 2026" in page and "wacht (4)" in page
    assert admin.get("/admin/outbox?status=bogus").status_code == 400
    assert login_client(mail_app, "viewer@example.nl").get("/admin/outbox").status_code == 403


def test_the_preview_links_to_the_configured_base_url(tracker_here, users):
    """`tracker digest preview` writes the links another mail would: to TRACKER_BASE_URL, whatever port a
    development server runs on."""
    shown = tracker_here("digest", "preview", "viewer@example.nl", "--week", "2026-W49",
                TRACKER_BASE_URL="https://tracker.test:8443")
    assert shown.returncode == 0, shown.stderr
    links = set(re.findall(r"https?://[^\s/]+", shown.stdout))
    assert links == {"https://tracker.test:8443"}, links
    assert "Weekoverzicht 23 – 29 november 2026" in shown.stdout
