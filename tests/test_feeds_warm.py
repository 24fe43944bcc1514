"""Feeds made before anyone asks (warm-up in the CLI and the scheduler), served as files per ETag, a change that
invalidates only the feeds holding its events, and pruning that keeps what stored feeds use."""

from __future__ import annotations

import datetime as dt
import gzip
import os

from sqlalchemy import func, select, update

from tests.conftest import NOW
from tests.test_feeds_pieces import edit_dsa_deadline, feed_path, parses, reference
from tests.test_feeds_pieces import renders as renders
from tracker.auth.models import Team
from tracker.cli import cli
from tracker.feeds import jobs, store
from tracker.feeds.models import FeedPiece, FeedRender
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation
from tracker.regulations.revision import bump

BASE = "http://127.0.0.1:5000"


def _events(session) -> int:
    """Dated deadlines and evaluations: the events of the full feed."""
    return sum(session.scalar(select(func.count()).select_from(model).where(model.due_on.is_not(None)))
               for model in (Deadline, Evaluation))


def test_warm_renders_every_event_so_the_first_request_renders_nothing(app, users, session, renders):
    result = app.test_cli_runner().invoke(cli, ["feeds", "warm"])
    assert result.exit_code == 0, result.output
    events = _events(session)
    assert result.output.strip() == f"{events} event(s) rendered, 1 feed(s) assembled" and len(renders) == events
    renders.clear()
    path = feed_path(app, session, "viewer@example.nl")
    first = app.test_client().get(path)
    assert first.status_code == 200 and renders == [] and first.data == reference(session, {})
    again = app.test_cli_runner().invoke(cli, ["feeds", "warm"])
    assert again.output.strip() == "0 event(s) rendered, 0 feed(s) assembled" and renders == []


def test_the_scheduler_job_renders_a_change_and_reassembles_fetched_feeds_before_anyone_asks(app, users, session,
                                                                                            login, renders):
    path = feed_path(app, session, "viewer@example.nl")
    client = app.test_client()
    before = client.get(path, query_string={"alarm": "7"})
    assert jobs.run_warm(app) > 0  # the plain Dutch feed's pieces (the alarm feed has its own)
    assert jobs.run_warm(app) == 0  # nothing changed since: nothing to do
    renders.clear()
    edit_dsa_deadline(login, "New obligation")
    assert len(renders) == 2  # rendered when written: the new deadline, with and without the alarm
    assert jobs.run_warm(app) == 0  # no event left to render, but the fetched feed is assembled:
    session.expire_all()
    key = store.feed_key("alarm=7", base_url=BASE)
    etag = session.scalar(select(FeedRender.etag).where(FeedRender.feed_key == key))
    assert etag != before.headers["ETag"].strip('"')
    renders.clear()
    after = client.get(path, query_string={"alarm": "7"})
    assert after.status_code == 200 and after.headers["ETag"] == f'"{etag}"' and renders == []
    assert after.data == reference(session, {"alarm": "7"})


def test_the_body_is_a_file_per_etag_and_a_machine_without_it_writes_it_from_the_database(app, users, session):
    path = feed_path(app, session, "viewer@example.nl")
    response = app.test_client().get(path)
    etag = response.headers["ETag"].strip('"')
    stored = app.config["TRACKER"].instance_path / "feeds" / f"{etag}.ics"
    assert stored.read_bytes() == response.data and parses(response.data) > 0
    assert response.headers["Content-Length"] == str(len(response.data))
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    stored.unlink()  # another machine: only the database's copy
    again = app.test_client().get(path)
    assert again.data == response.data and stored.read_bytes() == response.data


def test_a_change_invalidates_only_the_feeds_holding_its_events(app, users, session, login, renders):
    path = feed_path(app, session, "viewer@example.nl")
    dsa = session.scalar(select(Regulation).where(Regulation.key == "DSA"))
    other_team = session.scalar(select(func.min(Regulation.team_id)).where(Regulation.team_id != dsa.team_id))
    team_keys = dict(session.execute(select(Team.id, Team.key)).all())
    supervising = set(session.scalars(
        select(Authority.key).join(Designation).where(Designation.regulation_id == dsa.id)))
    elsewhere = sorted(set(session.scalars(select(Authority.key))) - supervising)
    holding = [{}, {"regulation": "DSA"}, {"team": team_keys[dsa.team_id]}, {"kind": "deadlines"},
               {"authority": sorted(supervising)[0]}]
    not_holding = [{"regulation": "DMA"}, {"team": team_keys[other_team]}, {"kind": "evaluations"},
                   {"authority": elsewhere[0]}]
    client = app.test_client()
    before = {str(p): client.get(path, query_string=p).headers["ETag"] for p in holding + not_holding}
    rendered_at = dict(session.execute(select(FeedRender.feed_key, FeedRender.rendered_at)).all())
    renders.clear()
    edit_dsa_deadline(login, "New obligation")
    for params in holding:
        response = client.get(path, query_string=params, headers={"If-None-Match": before[str(params)]})
        assert response.status_code == 200 and response.data == reference(session, params), params
    for params in not_holding:
        response = client.get(path, query_string=params, headers={"If-None-Match": before[str(params)]})
        assert response.status_code == 304, params
    session.expire_all()
    after = dict(session.execute(select(FeedRender.feed_key, FeedRender.rendered_at)).all())
    kept = [store.feed_key(store.canonical("&".join(f"{k}={v}" for k, v in p.items())), base_url=BASE)
            for p in not_holding]
    assert all(after[key] == rendered_at[key] for key in kept)  # not even rewritten
    assert len(set(renders)) == 1  # the new deadline, once for every feed holding it


def test_prune_keeps_what_stored_feeds_use_and_drops_the_rest(app, users, session):
    path = feed_path(app, session, "viewer@example.nl")
    app.test_client().get(path)
    used = session.scalar(select(func.count()).select_from(FeedPiece))
    session.execute(FeedPiece.__table__.insert().values(key="0" * 64, body=b"old", made_at=NOW))
    session.execute(update(FeedPiece).values(made_at=NOW - dt.timedelta(days=30)))
    folder = app.config["TRACKER"].instance_path / "feeds"
    stale = folder / f"{'1' * 40}.ics"
    stale.write_bytes(b"old")
    os.utime(stale, (0, 0))  # written in 1970: older than the prune's hour on any day
    session.commit()
    assert jobs.run_prune(app) == 1
    assert session.scalar(select(func.count()).select_from(FeedPiece)) == used and not stale.exists()
    assert len(list(folder.glob("*.ics"))) == 1


def test_scheduled_warm_continues_where_its_budget_ended(app, users, session, renders, monkeypatch):
    monkeypatch.setattr(jobs, "JOB_BUDGET", 0.0)
    monkeypatch.setattr("tracker.feeds.pieces.CHECK_EVERY", 10)
    with app.extensions["tracker.db"].transaction() as s:
        s.execute(update(Deadline).values(sequence=Deadline.sequence + 1))
        bump(s)
    first = jobs.run_warm(app)
    assert 0 < first < _events(session)  # cut short: what it made is kept
    monkeypatch.setattr(jobs, "JOB_BUDGET", 240.0)
    assert first + jobs.run_warm(app) == _events(session) and jobs.run_warm(app) == 0


def test_gzip_last_modified_and_ranges_come_from_the_files(app, users, session):
    path = feed_path(app, session, "viewer@example.nl")
    client = app.test_client()
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
                      ).status_code == 304
    assert client.get(path, headers={"If-None-Match": packed.headers["ETag"]}).status_code == 200  # other bytes
    rendered = session.scalar(select(FeedRender.rendered_at).where(FeedRender.feed_key == store.feed_key(
        "", base_url=BASE)))
    assert plain.last_modified == rendered.replace(microsecond=0)
    assert client.get(path, headers={"If-Modified-Since": plain.headers["Last-Modified"]}).status_code == 304
    part = client.get(path, headers={"Range": "bytes=0-14"})
    assert part.status_code == 206 and part.data == b"BEGIN:VCALENDAR"


def test_only_a_process_serving_feeds_renders_events_when_they_are_written(app, users, session, login, renders):
    edit_dsa_deadline(login, "Before any feed")  # no feed of this database served here: nothing rendered
    assert renders == []
    path = feed_path(app, session, "viewer@example.nl")
    app.test_client().get(path)
    renders.clear()
    edit_dsa_deadline(login, "After a feed")  # now its event is made at once, for the feeds in use
    assert renders == [f"deadline-{session.scalar(select(func.max(Deadline.id)))}@127.0.0.1"]
