"""What README.md (and the seed loader's docstring) promise, each claim quoted and tested.

Claims already tested elsewhere are not repeated here: the permission matrix (test_permissions), CSRF on every form
(test_permissions), exactly-once delivery and backoff (test_reminders, test_outbox_processes), the scheduler
(test_scheduler), a byte-identical unchanged feed, the 304 without building the calendar, rotate/revoke answering
404 and the redacted access log (test_feeds), Figure 8 and TRACKER_CLOCK (test_cli).
"""

from __future__ import annotations

import datetime as dt
import email
import json
import re
import shutil
from email import policy
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from tests.conftest import NOW, PASSWORD, SEED, USERS, calendar_html, csrf_from, login_client
from tracker import create_app
from tracker.audit.record import Actor
from tracker.auth.models import Team
from tracker.cli import cli
from tracker.clock import Clock
from tracker.config import KNOWN, PROJECT_ROOT, load_settings
from tracker.db import QueryCounter
from tracker.notify import jobs, outbox
from tracker.notify.models import OutboxMessage, OutboxStatus
from tracker.regulations.commands import MoveStage
from tracker.regulations.models import Deadline, Regulation, RegulationKind, StageChange
from tracker.seeding.loader import load_seed
from tracker.unit_of_work import apply_in_transaction as apply_cmd

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def claim(text: str, source: str = README) -> None:
    """The README (or `source`) still says this, whitespace aside: when it no longer does, the test should go too."""
    assert " ".join(text.split()) in " ".join(source.split()), f"no longer claimed: {text}"


def feed_path(client) -> str:
    html = calendar_html(client)
    url = re.search(r'id="https-url" readonly value="([^"]+)"', html).group(1).replace("&amp;", "&")
    return url.split("127.0.0.1:5000", 1)[1]


def queries(db, call) -> tuple[object, int]:
    with QueryCounter(db.engine) as counter:
        response = call()
    return response, counter.count


# -- feeds: the ETag, the 304 and the cache --------------------------------------------------------------
def test_a_304_costs_one_query_and_builds_nothing(app, db, viewer, monkeypatch):
    claim("its 304 is one prebuilt query (token valid? which revision? which ETag?)")
    claim("`If-None-Match` answers `304` without building the calendar")
    path = feed_path(viewer)
    etag = app.test_client().get(path).headers["ETag"]

    def no_build(*args, **kwargs):
        raise AssertionError("the 304 path must not build the calendar")

    monkeypatch.setattr("tracker.feeds.store.pieces", no_build)
    monkeypatch.setattr("tracker.feeds.source.read", no_build)
    response, count = queries(db, lambda: app.test_client().get(path, headers={"If-None-Match": etag}))
    assert (response.status_code, response.data, count) == (304, b"", 1)


def test_the_etag_comes_from_one_query(app, db, viewer):
    claim("Responses carry a strong `ETag`, a hash of the feed's content, read in one query (the token joined with "
          "the portfolio's revision and the feed's shared copy)")
    path = feed_path(viewer)
    app.test_client().get(path)  # rendered and cached
    response, count = queries(db, lambda: app.test_client().get(path))
    assert response.status_code == 200 and count == 1
    etag = response.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)  # strong: no W/


def test_a_feed_is_assembled_from_event_pieces_rendered_once_and_a_change_renders_only_its_events(
        app, viewer, login, monkeypatch):
    claim("Each event is rendered once by the icalendar library and kept in the database, shared by workers and "
          "filters; a feed is assembled from these pieces")
    import tracker.feeds.pieces as pieces

    renders: list[str] = []
    real = pieces.render_event
    monkeypatch.setattr(pieces, "render_event", lambda item, alarms: renders.append(item.uid) or real(item, alarms))
    path = feed_path(viewer)
    client = app.test_client()
    bodies = [client.get(path).data for _ in range(3)]
    assert len(renders) == 52 and bodies[0] == bodies[1] == bodies[2]
    assert client.get(path, query_string={"team": "JENV"}).status_code == 200  # another filter: the same pieces
    assert len(renders) == 52
    # A change renders only the event it touched.
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA/deadlines/new").get_data(as_text=True))
    assert editor.post("/regulations/DSA/deadlines/new", data={
        "csrf_token": token, "version": "0", "kind": "other", "title": "New obligation", "due": "2027"}
    ).status_code == 302
    assert client.get(path).data != bodies[0]
    client.get(path)
    assert len(renders) == 53


def test_changing_the_secret_key_changes_every_unsubscribe_link(app, users, settings):
    claim("changing it changes every feed link and unsubscribe link")
    from tracker.notify.digest import unsubscribe_token

    user_id = users["viewer@example.nl"]
    old = f"/unsubscribe/{unsubscribe_token(app.config['SECRET_KEY'], user_id)}"
    assert app.test_client().get(old).status_code == 200
    other = app_with(settings, SECRET_KEY="another secret key of enough length")
    try:
        assert other.test_client().get(old).status_code == 404
        new = f"/unsubscribe/{unsubscribe_token(other.config['SECRET_KEY'], user_id)}"
        assert new != old and other.test_client().get(new).status_code == 200
    finally:
        other.extensions["tracker.db"].dispose()




def test_changing_the_secret_key_changes_every_feed_link(app, users, settings, viewer):
    claim("Changing `TRACKER_SECRET_KEY` changes every feed link.")
    old = feed_path(viewer)
    assert app.test_client().get(old).status_code == 200
    other = app_with(settings, SECRET_KEY="another secret key of enough length")
    try:
        new = feed_path(login_client(other, "viewer@example.nl"))
        assert new != old
        assert other.test_client().get(new).status_code == 200  # the link the page shows works
        assert other.test_client().get(old).status_code == 404  # the old one does not
    finally:
        other.extensions["tracker.db"].dispose()


def app_with(settings, **overrides):
    """Another app (another worker) on the same database, from explicit settings, on the tests' clock."""
    own = load_settings(environ={}, overrides={
        "DATABASE_URL": settings.database_url, "INSTANCE_PATH": str(settings.instance_path),
        "SEED_PATH": str(SEED), **overrides})
    return create_app(settings=own, clock=Clock(own.tz, NOW))


# -- queries per request -----------------------------------------------------------------------------
def add_acts(db, n: int, start: int) -> None:
    """n more acts at the consultation stage, each with a three-change history and two deadlines."""
    with db.transaction() as s:
        team = s.scalars(select(Team).where(Team.key == "EZK")).one()
        for i in range(start, start + n):
            s.add(Regulation(key=f"SYN{i}", title=f"Synthetic act {i}", kind=RegulationKind.DIRECTIVE,
                             team_id=team.id, created_at=NOW, updated_at=NOW))
            s.flush()
            for stage, day in (("eu_negotiation", "2021"), ("internal_prep", "2022"), ("consultation", "2023-Q1")):
                apply_cmd(s, MoveStage(f"SYN{i}", stage, day, "Synthetic"), Actor("test"), Clock(NOW.tzinfo, NOW))


@pytest.fixture
def api_token(app, users):
    result = app.test_cli_runner().invoke(cli, ["api-token", "create", "viewer@example.nl"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


PER_REQUEST = [  # README, "Queries per request": the same at every size
    ("board", "/", 21),
    ("regulation page", "/regulations/DSA", 16),
    ("API list", "/api/v1/regulations", 13),
]
# The benchmark's API client also carries a session cookie (two more queries); the README says so in words.
STATED = {"API list": "The API list is 13 queries with a token alone"}


@pytest.mark.parametrize(("name", "url", "count"), PER_REQUEST, ids=[p[0] for p in PER_REQUEST])
def test_queries_per_request_are_the_stated_number_at_every_size(app, db, viewer, api_token, name, url, count):
    claim(STATED.get(name, f"| {name} | {count} | {count} | {count} | met |"))
    headers = {"Authorization": f"Bearer {api_token}"} if url.startswith("/api/") else {}
    client = app.test_client() if headers else viewer

    def measure() -> int:
        response, n = queries(db, lambda: client.get(url, headers=headers))
        assert response.status_code == 200
        return n

    client.get(url, headers=headers)  # a token's (a session's) last use is written at most once a minute: not here
    sizes = [measure()]
    add_acts(db, 5, 0)
    sizes.append(measure())
    add_acts(db, 40, 5)
    sizes.append(measure())
    assert sizes == [count, count, count]


def test_the_full_feed_is_one_query_at_every_size(app, db, viewer):
    claim("| full feed | 1 | 1 | 1 | met |")
    path = feed_path(viewer)
    counts = []
    for start, n in ((0, 0), (0, 5), (5, 40)):
        add_acts(db, n, start)
        app.test_client().get(path)  # the render after the change
        response, count = queries(db, lambda: app.test_client().get(path))
        assert response.status_code == 200
        counts.append(count)
    assert counts == [1, 1, 1]


def test_the_board_is_a_fixed_number_of_queries(app, db, viewer):
    claim("today's board is 21 queries and a past day's 14, whatever the number of acts (tested)")
    assert queries(db, lambda: viewer.get("/"))[1] == 21
    assert queries(db, lambda: viewer.get("/?as_of=2023-09-30"))[1] == 14


@pytest.mark.parametrize("day", [dt.date(2023, 3, 31), dt.date(2023, 9, 30), dt.date(2026, 11, 28)])
def test_stages_as_of_a_day_is_one_query(seeded, session, day):
    claim("`stages_as_of(date)` gives every act's stage on any day in one query.")
    from tracker.regulations.queries import stages_as_of

    add_acts(seeded, 40, 0)
    with QueryCounter(seeded.engine) as counter:
        stages = stages_as_of(session, day)
    assert counter.count == 1
    expected = {dt.date(2023, 3, 31): 8, dt.date(2023, 9, 30): 18, dt.date(2026, 11, 28): 18}[day]
    assert len(stages) == expected + 40  # the seeded acts with a stage by then, and the 40 (since 2021)


def test_columns_show_at_most_30_cards_and_say_how_many_more(app, db, viewer):
    claim("a count per stage and at most 30 cards per column")
    claim("`nog N` (N more) opens a column on its own, 200 a page")
    add_acts(db, 45, 0)  # with the DSA and VEILING_35GHZ, 47 acts at consultation
    soup = BeautifulSoup(viewer.get("/").get_data(as_text=True), "html.parser")
    column = soup.select_one('section[data-stage="consultation"]')
    assert len(column.select("article[data-key]")) == 30
    more = column.select_one("a.more")
    assert more.get_text(" ", strip=True) == "nog 17"
    alone = BeautifulSoup(viewer.get(more["href"]).get_data(as_text=True), "html.parser")
    assert len(alone.select('section[data-stage="consultation"] article[data-key]')) == 47


# -- the seed: what a reload keeps ----------------------------------------------------------------
def edit_deadline_title(login, seed_key: str, title: str) -> None:
    editor = login("ezk.editor@example.nl")
    from sqlalchemy.orm import Session

    with Session(editor.application.extensions["tracker.db"].engine) as s:
        d = s.scalars(select(Deadline).where(Deadline.seed_key == seed_key)).one()
        url = f"/regulations/DSA/deadlines/{d.id}/edit"
    html = editor.get(url).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form.grid")
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]") if i.get("type") != "submit"}
    data.update({s["name"]: s.select_one("option[selected]")["value"] for s in form.select("select[name]")})
    data.update({t["name"]: t.get_text() for t in form.select("textarea[name]")})
    data["title"] = title
    assert editor.post(url, data=data).status_code == 302


def test_edits_made_in_the_tracker_survive_a_reload_until_their_seed_entry_changes(seeded, login, session, tmp_path):
    import tracker.seeding.loader

    claim("edits made in the tracker to rows whose seed entry did not change are kept", tracker.seeding.loader.__doc__)
    claim("an edit made in the tracker survives until its seed entry itself changes")
    edit_deadline_title(login, "DSA-application", "Edited in the tracker")
    edit_deadline_title(login, "DSA-designation-dsc", "Also edited in the tracker")

    def titles() -> dict[str, str]:
        session.expire_all()
        rows = session.execute(select(Deadline.seed_key, Deadline.title).where(Deadline.seed_key.in_(
            ["DSA-application", "DSA-designation-dsc"])))
        return dict(rows.all())

    with seeded.transaction() as s:
        report = load_seed(s, SEED, now=NOW)
    assert not report.changed
    assert titles() == {"DSA-application": "Edited in the tracker", "DSA-designation-dsc": "Also edited in the tracker"}

    # The seed entry of one of them changes: that row takes the seed's values; the other edit stays.
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    path = seed / "regulations" / "pillar3.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    dsa = next(r for r in data["regulations"] if r["id"] == "DSA")
    entry = next(d for d in dsa["deadlines"] if d["id"] == "DSA-application")
    entry["title"] = "Application to all intermediary services (corrected)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # The act's own title was edited in the tracker too: correcting one of its deadlines must not undo that.
    with seeded.transaction() as s:
        s.execute(update(Regulation).where(Regulation.key == "DSA").values(title="DSA, title edited in the tracker"))
    with seeded.transaction() as s:
        report = load_seed(s, seed, now=NOW)
    assert report.updated["deadlines"] == 1 and sum(report.created.values()) == 0
    assert report.updated["regulations"] == 0
    assert titles() == {"DSA-application": "Application to all intermediary services (corrected)",
                        "DSA-designation-dsc": "Also edited in the tracker"}
    session.expire_all()
    assert session.scalar(select(Regulation.title).where(Regulation.key == "DSA")) == "DSA, title edited in the tracker"


def test_a_stage_move_made_in_the_tracker_survives_a_reload(seeded, login, session, tmp_path):
    editor = login("ezk.editor@example.nl")
    page = editor.get("/regulations/DSA").get_data(as_text=True)
    version = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page).group(1)
    assert editor.post("/regulations/DSA/stage", data={
        "csrf_token": csrf_from(page), "version": version, "to_stage": "council_of_state", "effective": "2024-01-15",
    }).status_code == 302
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    path = seed / "regulations" / "pillar3.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(r for r in data["regulations"] if r["id"] == "DSA")["stages"][0]["note"] = "Corrected note"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for folder in (SEED, seed):  # unchanged, then with the DSA's seeded stage entry corrected
        with seeded.transaction() as s:
            load_seed(s, folder, now=NOW)
        session.expire_all()
        reg = session.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        moves = session.execute(select(StageChange.to_stage, StageChange.actor).where(
            StageChange.regulation_id == reg.id).order_by(StageChange.effective_on)).all()
        assert [(m.to_stage.value, m.actor) for m in moves] == [("consultation", "seed"),
                                                              ("council_of_state", "ezk.editor@example.nl")]
        assert reg.current_stage.value == "council_of_state"


# -- export, import, export ----------------------------------------------------------------------------

@pytest.mark.parametrize("hashes", [False, True], ids=["plain", "with-password-hashes"])
def test_export_import_export_gives_identical_files(login, app, settings, empty_db, tmp_path, hashes):
    claim("Export, import, export gives identical files.")
    editor = login("ezk.editor@example.nl")  # some history, a follow and audit rows besides the seed
    page = editor.get("/regulations/DSA").get_data(as_text=True)
    version = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page).group(1)
    assert editor.post("/regulations/DSA/stage", data={"csrf_token": csrf_from(page), "version": version,
                                                        "to_stage": "council_of_state", "effective": "2024-01"}
                       ).status_code == 302
    assert editor.post("/regulations/DSA/follow", data={"csrf_token": csrf_from(page)}).status_code == 302
    flag = ["--with-password-hashes"] if hashes else []
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert app.test_cli_runner().invoke(cli, ["export", str(first), *flag]).exit_code == 0
    other = app_with(settings, DATABASE_URL=empty_db.url)
    try:
        runner = other.test_cli_runner()
        result = runner.invoke(cli, ["import", str(first)])
        assert result.exit_code == 0, result.output
        result = runner.invoke(cli, ["export", str(second), *flag])
        assert result.exit_code == 0, result.output
    finally:
        other.extensions["tracker.db"].dispose()
    assert second.read_bytes() == first.read_bytes()
    tables = json.loads(first.read_text(encoding="utf-8"))["tables"]
    assert len(tables["users"]) == len(USERS)
    assert all((u["password_hash"] is not None) == hashes for u in tables["users"])
    assert all(u["password_hash"].startswith("$argon2id$") for u in tables["users"] if hashes)


def test_what_an_export_holds(seeded, session):
    claim("the planning inputs (targets, stage durations, planned dates, reviews) and the marks")
    claim("the export (format 4; files of versions 1 to 3 still import")
    claim("Sessions, login counters, reset links, feed links, API")
    from tracker.transfer import export_data

    tables = set(json.loads(export_data(session))["tables"])
    assert tables == {"regulations", "stage_changes", "deadlines", "designations", "evaluations", "teams", "users",
                      "user_teams", "follows", "audit_events", "authorities", "act_plans", "stage_durations",
                      "planned_dates", "plan_reviews", "notify_marks", "instruments", "instrument_acts"}


# -- logins ------------------------------------------------------------------------------------------
def post_login(app, email, password, address="10.0.0.1"):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_failed_logins_slow_down_per_account_without_a_lockout(app, users):
    claim("after 5 attempts on an account (20 from an address) within 15 minutes, each further attempt must wait "
          "twice as long as the one before, from 1 second up to 60 seconds")
    clock = app.extensions["tracker.clock"]
    for _ in range(4):
        assert post_login(app, "viewer@example.nl", "wrong password") == 401
    assert post_login(app, "viewer@example.nl", PASSWORD) == 302  # four failures: not yet slowed
    for _ in range(5):
        assert post_login(app, "admin@example.nl", "wrong password", address=f"10.0.1.{_}") == 401
    assert post_login(app, "admin@example.nl", PASSWORD, address="10.0.2.1") == 429  # five: wait, from any address
    clock.advance(dt.timedelta(seconds=1))
    assert post_login(app, "admin@example.nl", PASSWORD, address="10.0.2.1") == 302  # a second later: in


def test_failed_logins_are_limited_to_20_per_address(app, users):
    for i in range(19):
        assert post_login(app, f"nobody{i}@example.nl", "wrong password", address="10.9.8.7") == 401
    assert post_login(app, "viewer@example.nl", PASSWORD, address="10.9.8.7") == 302  # 19 failures: not yet
    assert post_login(app, "nobody19@example.nl", "wrong password", address="10.9.8.7") == 401
    assert post_login(app, "admin@example.nl", PASSWORD, address="10.9.8.7") == 429  # 20: this address is limited
    assert post_login(app, "admin@example.nl", PASSWORD, address="10.9.8.8") == 302


# -- mail ----------------------------------------------------------------------------------------------
def test_a_resent_message_carries_the_same_message_id_date_and_auto_submitted(app, seeded):
    claim("Messages carry `Date`, a `Message-ID` stable per row and `Auto-Submitted: auto-generated`")
    claim("the stable Message-ID lets receivers drop that duplicate")
    db = app.extensions["tracker.db"]
    with db.transaction() as s:
        outbox.enqueue(s, [outbox.NewMessage(key="k1", kind="reminder", user_id=None, recipient="a@example.nl",
                                             subject="Reminder", body_text="text")], now=NOW)
    mail = app.config["TRACKER"].mail_path

    def deliver_once():  # type: ignore[no-untyped-def]
        assert jobs.run_delivery(app).sent == 1
        (file,) = mail.glob("*.eml")
        message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
        file.unlink()
        return message

    first = deliver_once()
    # The process dies after the server accepted the message and before the row was marked: it goes out again.
    with db.transaction() as s:
        s.execute(OutboxMessage.__table__.update().values(status=OutboxStatus.PENDING.value, sent_at=None))
    app.extensions["tracker.clock"].advance(dt.timedelta(minutes=11))
    second = deliver_once()
    assert first["Message-ID"] == second["Message-ID"] and re.fullmatch(r"<[^@<>]+@[^@<>]+>", first["Message-ID"])
    assert first["Auto-Submitted"] == second["Auto-Submitted"] == "auto-generated"
    assert email.utils.parsedate_to_datetime(first["Date"]) == NOW
    assert email.utils.parsedate_to_datetime(second["Date"]) == NOW + dt.timedelta(minutes=11)


def test_reminders_count_from_the_first_day_of_the_dates_period(app, seeded, users):
    claim("counted from the first day of the date's period")
    db = app.extensions["tracker.db"]
    from tracker.dates import PrecisionDate
    from tracker.regulations.models import DeadlineKind

    with db.transaction() as s:
        reg = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        s.add(Deadline(regulation_id=reg.id, kind=DeadlineKind.OTHER, title="Quarterly obligation",
                       due=PrecisionDate.parse("2030-Q3"), created_at=NOW, updated_at=NOW))
    def quarterly() -> list[tuple[str, str]]:
        with db.sessionmaker() as s:
            rows = s.execute(select(OutboxMessage.recipient, OutboxMessage.subject)
                             .where(OutboxMessage.subject.contains("Quarterly")).order_by(OutboxMessage.id))
            return [tuple(r) for r in rows]

    # Q3 2030 falls due on 1 July 2030: on 24 June it is 7 days away, on 30 June tomorrow (the EZK team's two
    # members get each reminder).
    jobs.run_reminders(app, dt.datetime(2030, 6, 24, 9, tzinfo=dt.UTC))
    members = ["ezk.editor@example.nl", "viewer@example.nl"]
    assert sorted(r for r, _ in quarterly()) == members
    assert all("over 7 dagen" in subject for _, subject in quarterly())
    jobs.run_reminders(app, dt.datetime(2030, 6, 30, 9, tzinfo=dt.UTC))
    tomorrow = quarterly()[2:]
    assert sorted(r for r, _ in tomorrow) == members and all("morgen" in subject for _, subject in tomorrow)


# -- configuration ---------------------------------------------------------------------------------
def test_the_configuration_table_names_every_setting_and_only_those():
    claim("An unknown `TRACKER_*` variable or a malformed value stops the start with a message naming it.")
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`TRACKER_([A-Z_]+)`", section))
    documented |= {f"SMTP_{m}" for m in re.findall(r"`TRACKER_SMTP_[A-Z]+`/`_([A-Z]+)`", README)}
    assert documented == set(KNOWN)


def test_the_documented_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert (s.instance_path, s.base_url, s.timezone, s.seed_path) == (
        tmp_path / "instance", "http://127.0.0.1:5000", "Europe/Amsterdam", PROJECT_ROOT / "seed")
    assert (s.admin_email, s.mail_backend, s.mail_from) == ("admin@example.invalid", "file", "tracker@localhost")
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls, s.smtp_timeout) == ("localhost", 25, False, 30)
    assert (s.reminder_days, s.digest_day, s.digest_time, s.clock) == ((90, 30, 7, 1), "mon", (8, 0), None)
    assert s.mail_path == tmp_path / "instance" / "mail"
    assert Path(s.database_url.removeprefix("sqlite:///")) == tmp_path / "instance" / "tracker.sqlite3"
