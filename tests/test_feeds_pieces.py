"""Feeds assembled from cached per-event pieces: byte-identical to one whole icalendar render of the same rows (the
renderer before pieces, kept below as the reference), shared by workers through the database, re-rendering only
the events a change touched, one render at a time per feed."""

from __future__ import annotations

import datetime as dt
import threading
import time
from urllib.parse import urlsplit

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import func, select, update

from bench import synthetic
from tests.conftest import NOW, TODAY, csrf_from
from tracker.auth import service
from tracker.dates import Precision
from tracker.db import QueryCounter
from tracker.feeds import pieces as pieces_module
from tracker.feeds import tokens
from tracker.feeds.ical import FeedItem, build_calendar
from tracker.feeds.models import FeedPiece, FeedRender
from tracker.feeds.queries import FeedFilter, feed_meta, parse_filter
from tracker.i18n import format_day, format_pdate
from tracker.labels import label
from tracker.regulations.certainty import marker_text
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation
from tracker.regulations.queries import stages_as_of

BASE = "http://127.0.0.1:5000"
PARAMS = [{}, {"team": "EZK"}, {"regulation": "DSA"}, {"authority": "ACM"}, {"kind": "evaluations"},
          {"alarm": "7,1"}, {"team": "JENV", "kind": "deadlines", "alarm": "30"}]


# Leases are wall-clock seconds: one that ends in 2100 is held, one that ended in 1970 is free.
LEASE_HELD = dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp()
LEASE_ENDED = 0.0


def reference_items(session, f: FeedFilter, today: dt.date) -> list[FeedItem]:
    """The feed's items as the tracker built them before pieces (ORM rows; the Dutch text of every line)."""
    host = urlsplit(BASE).hostname
    stages = stages_as_of(session, today)

    def when(due):
        if due.precision is Precision.DAY:
            return "", f"Datum: {format_pdate(due)}"
        shown = format_pdate(due)
        return f" ({shown})", (f"Datum: {shown} (getoond op de eerste dag van de periode, de regel van de "
                               "tracker voor data die geen dag zijn)")

    def stage_line(reg):
        change = stages.get(reg.id) if reg else None
        if change is None:
            return "Fase niet vastgelegd"
        return f"Huidige fase: {label(change.to_stage)} sinds {format_pdate(change.effective)}"

    def source_line(row):
        quote = f' - "{row.source_quote}"' if row.source_quote else ""
        marker = f"\n{marker_text(row)}" if marker_text(row) else ""  # a reading, inference or contradiction
        return f"Bron: {row.source_ref}{quote}{marker}" if row.source_ref else "Bron: ingevoerd in de tracker"

    def scoped(rows, team_of):
        for row, reg in rows:
            if f.regulation is not None and (reg is None or reg.id != f.regulation.id):
                continue
            if f.team is not None and team_of(row, reg) != f.team.id:
                continue
            if f.authority is not None and (reg is None or f.authority.id not in set(session.scalars(
                    select(Designation.authority_id).where(Designation.regulation_id == reg.id)))):
                continue
            yield row, reg

    items = []
    regs = {r.id: r for r in session.scalars(select(Regulation))}
    if f.kind in (None, "deadlines"):
        dated = session.scalars(select(Deadline).where(Deadline.due_on.is_not(None)))
        rows = [(d, regs[d.regulation_id]) for d in dated]
        for d, reg in scoped(rows, lambda row, reg: reg.team_id):
            suffix, date_line = when(d.due)
            url = f"{BASE}/regulations/{reg.key}"
            lines = [date_line, stage_line(reg), f"Soort: {label(d.kind)}"]
            lines += [f"Gehaald op: {format_day(d.met_on)}"] if d.met_on else []
            lines += [d.note] if d.note else []
            lines += [source_line(d), url]
            name = reg.short_name or reg.key  # the act's name (Dutch); its key is in the link
            items.append(FeedItem(f"deadline-{d.id}@{host}", d.due_on, f"{name} - {d.title}{suffix}",
                                  "\n".join(lines), url, (name, "deadline", d.kind.value), d.updated_at,
                                  d.sequence))
    if f.kind in (None, "evaluations"):
        rows = [(e, regs.get(e.regulation_id))
                for e in session.scalars(select(Evaluation).where(Evaluation.due_on.is_not(None)))]
        for e, reg in scoped(rows, lambda row, reg: reg.team_id if reg else row.team_id):
            suffix, date_line = when(e.due)
            name = (reg.short_name or reg.key) if reg else e.subject
            names = (reg.title, reg.title_en, reg.key, reg.short_name, reg.short_name_en) if reg else ()
            about = "" if reg is None or e.subject in names else f": {e.subject}"
            url = f"{BASE}/regulations/{reg.key}#evaluations" if reg else f"{BASE}/"
            lines = [date_line, stage_line(reg), f"Evaluatie ({label(e.level)}, {label(e.status)})"]
            lines += [e.due_note] if e.due_note else []
            lines += [source_line(e), url]
            items.append(FeedItem(f"evaluation-{e.id}@{host}", e.due_on, f"{name} - evaluatie{about}{suffix}",
                                  "\n".join(lines), url, (name, "evaluation", e.level.value), e.updated_at,
                                  e.sequence))
    return items


def reference(session, params: dict[str, str]) -> bytes:
    f = parse_filter(session, params, {k: [v] for k, v in params.items()})
    return build_calendar(reference_items(session, f, TODAY), feed_meta(f, base_url=BASE))


def feed_path(app, session, email: str) -> str:
    token = tokens.ensure_token(session, service.find_user(session, email), app.config["SECRET_KEY"], now=NOW)
    session.commit()
    return f"/feeds/{token}.ics"


def parses(body: bytes) -> int:
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    IcsCalendarStream.calendar_from_ics(body.decode())
    vobject.readOne(body.decode())
    return len(events)


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The UIDs of the events the icalendar library renders (each render of a piece)."""
    made: list[str] = []
    real = pieces_module.render_event
    monkeypatch.setattr(pieces_module, "render_event", lambda item, alarms: made.append(item.uid) or real(item, alarms))
    return made


@pytest.fixture
def seeded_feed(app, users, session) -> str:
    return feed_path(app, session, "viewer@example.nl")


def test_seeded_feeds_are_byte_identical_to_one_whole_render(app, seeded_feed, session):
    for params in PARAMS:
        body = app.test_client().get(seeded_feed, query_string=params).data
        assert body == reference(session, params), params
        assert parses(body) == body.count(b"BEGIN:VEVENT\r\n") > 0


def test_a_synthetic_portfolio_is_byte_identical_and_the_feed_costs_the_same_queries_at_two_sizes(app, db):
    with db.transaction() as s:
        synthetic.build(s, 60)
    with db.sessionmaker() as s:
        path = feed_path(app, s, "user0@bench.nl")
        for params in ({}, {"team": "BZK", "alarm": "1"}, {"authority": "RDI", "kind": "deadlines"}):
            body = app.test_client().get(path, query_string=params).data
            assert body == reference(s, params), params
            assert parses(body) == body.count(b"BEGIN:VEVENT\r\n") > 0
    counts = []
    for extra in (0, 40):  # 60 then 100 acts: after a change that touches every event, a cold and a warm fetch
        with db.transaction() as s:
            s.execute(update(Deadline).values(sequence=Deadline.sequence + 1))
            s.execute(update(Evaluation).values(sequence=Evaluation.sequence + 1))
            _more(s, extra)
        with QueryCounter(db.engine) as cold:
            assert app.test_client().get(path).status_code == 200
        with QueryCounter(db.engine) as warm:
            assert app.test_client().get(path).status_code == 200
        counts.append((cold.count, warm.count))
    assert counts[0] == counts[1] and counts[0][1] <= 2, counts


def test_a_current_filtered_feed_is_one_query_and_a_renamed_team_is_refused(app, db):
    """A filtered feed whose stored render is current answers from the token query alone (its parameters are parsed
    only to render); renaming the team it names sets a new revision, so the old key is parsed again and refused."""
    from tracker.auth.models import Team

    with db.transaction() as s:
        synthetic.build(s, 20)
    with db.sessionmaker() as s:
        path = feed_path(app, s, "user0@bench.nl")
    client = app.test_client()

    def status(query: dict[str, str]) -> int:
        with client.get(path, query_string=query) as answer:  # closed: a 200 holds the feed's file open
            return answer.status_code

    params = {"team": "BZK", "authority": "RDI", "alarm": "7,1"}
    assert status(params) == 200  # renders, and notes the fetch
    with QueryCounter(db.engine) as warm:
        assert status(params) == 200
    assert warm.count == 1, warm.count
    with db.transaction() as s:
        s.scalars(select(Team).where(Team.key == "BZK")).one().key = "BZK2"
    refused = client.get(path, query_string=params)
    assert refused.status_code == 400
    assert "team: 'BZK' is not known" in refused.get_data(as_text=True)
    assert status({**params, "team": "BZK2"}) == 200


def _more(session, n: int) -> None:
    """`n` more acts with deadlines, as the synthetic builder writes them (ids after the existing ones)."""
    from sqlalchemy import insert

    from tracker.regulations.revision import bump

    if not n:
        return bump(session)
    first = session.scalar(select(func.max(Regulation.id))) + 1
    session.execute(insert(Regulation), [
        {"id": i, "key": f"X{i:05d}", "title": f"More {i}", "kind": "directive", "team_id": 1, "links": [],
         "created_at": NOW, "updated_at": NOW, "version": 1, "eu_published_precision": "unknown",
         "eu_in_force_precision": "unknown", "stage_since_precision": "unknown"} for i in range(first, first + n)])
    session.execute(insert(Deadline), [
        {"regulation_id": i, "kind": "transposition", "title": "More", "due_on": dt.date(2027, 1, 1 + k),
         "due_precision": "day", "created_at": NOW, "updated_at": NOW, "version": 1, "sequence": 0}
        for i in range(first, first + n) for k in range(6)])
    bump(session)


def edit_dsa_deadline(login, title: str) -> None:
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA/deadlines/new").get_data(as_text=True))
    assert editor.post("/regulations/DSA/deadlines/new", data={
        "csrf_token": token, "version": "0", "kind": "other", "title": title, "due": "2027-03-01"}
    ).status_code == 302


def test_a_change_renders_only_its_events_and_keeps_untouched_feeds(app, seeded_feed, login, session, renders):
    client = app.test_client()
    full = client.get(seeded_feed)
    jenv = client.get(seeded_feed, query_string={"team": "JENV"})
    assert len(renders) == 52  # the JENV events were rendered for the full feed already: no second render
    renders.clear()
    edit_dsa_deadline(login, "New obligation")  # its event is rendered when it is written (tracker.feeds.written)
    assert renders == [f"deadline-{_newest_deadline(session)}@127.0.0.1"]
    after = client.get(seeded_feed, headers={"If-None-Match": full.headers["ETag"]})
    assert after.status_code == 200 and len(renders) == 1
    assert after.data == reference(session, {})
    # The JENV feed holds none of DSA's events: its ETag stays, so its subscribers get a 304, and nothing renders.
    again = client.get(seeded_feed, query_string={"team": "JENV"}, headers={"If-None-Match": jenv.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == jenv.headers["ETag"] and len(renders) == 1


def _newest_deadline(session) -> int:
    session.expire_all()
    return session.scalar(select(func.max(Deadline.id)))


def test_workers_share_pieces_and_feeds_through_the_database(app, seeded_feed, settings, session, renders):
    from tracker import create_app
    from tracker.clock import Clock

    first = app.test_client().get(seeded_feed).data
    assert len(renders) == 52
    assert session.scalar(select(func.count()).select_from(FeedPiece)) == 52
    other = create_app(settings=settings, clock=Clock(settings.tz, NOW))  # another worker: its own memory
    try:
        assert other.test_client().get(seeded_feed).data == first
        assert other.test_client().get(seeded_feed, query_string={"kind": "deadlines"}).status_code == 200
    finally:
        other.extensions["tracker.db"].dispose()
    assert len(renders) == 52  # the second worker and the second filter rendered nothing


def test_one_render_at_a_time_others_get_the_previous_version(app, seeded_feed, login, session, renders,
                                                              monkeypatch):
    client = app.test_client()
    before = client.get(seeded_feed)
    edit_dsa_deadline(login, "New obligation")
    # Another worker holds the lease: this request is served the previous version and renders nothing. A lease is a
    # lock between processes on the machine's wall clock (tracker/feeds/store.py), so the test sets it to moments
    # that clock is past or short of on any day.
    session.execute(update(FeedRender).values(lease_until=LEASE_HELD))
    session.commit()
    renders.clear()
    stale = client.get(seeded_feed)
    assert (stale.data, stale.headers["ETag"], renders) == (before.data, before.headers["ETag"], [])
    # The lease ends (its holder died): the next request renders the new version.
    session.execute(update(FeedRender).values(lease_until=LEASE_ENDED))
    session.commit()
    fresh = client.get(seeded_feed)
    assert fresh.data == reference(session, {}) and renders == []  # its new event was rendered when written


def test_a_feed_never_rendered_waits_for_the_one_render(app, seeded_feed, session, renders, monkeypatch):
    from tracker.feeds import store

    monkeypatch.setattr(store, "WAIT_SECONDS", 0.3)
    session.execute(FeedRender.__table__.insert().values(
        feed_key=store.feed_key("", base_url=BASE), revision=0, etag="", body=b"", events=0, rendered_at=NOW,
        lease_until=LEASE_HELD))
    session.commit()
    waiting = app.test_client().get(seeded_feed)
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "10" and renders == []
    results: list[bytes] = []
    worker = threading.Thread(target=lambda: results.append(app.test_client().get(seeded_feed).data))
    monkeypatch.setattr(store, "WAIT_SECONDS", 30)
    worker.start()
    time.sleep(0.2)
    session.execute(update(FeedRender).values(lease_until=None))  # the render it waited for is given up
    session.commit()
    worker.join(timeout=30)
    assert results == [reference(session, {})]
