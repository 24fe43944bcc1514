"""Operators see that it works: the scheduler's heartbeat, /readyz, the admin banner and /metrics."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from tests.conftest import NOW, SEED
from tracker import create_app, migrate
from tracker.clock import Clock, clock_of
from tracker.config import load_settings
from tracker.notify.models import OutboxMessage, OutboxStatus
from tracker.ops.models import Heartbeat
from tracker.scheduler import catch_up


def samples(app, **kwargs) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = app.test_client().get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def test_each_run_records_its_heartbeat_by_the_apps_clock(app, session):
    catch_up(app)
    rows = {h.job: h for h in session.scalars(select(Heartbeat))}
    assert set(rows) == {"reminders", "digests", "delivery"}
    assert all(h.ran_at == NOW and h.ok and h.duration_ms >= 0 and h.version for h in rows.values())
    assert ":" in rows["delivery"].host
    assert all(h.swept == h.queued == h.sent == 0 for h in rows.values())  # an empty database: nothing to do


def test_the_reminder_run_records_what_it_swept_and_queued(app, users, session):
    from sqlalchemy import func

    from tracker.notify.models import OutboxMessage
    from tracker.notify.reminders import due_items

    catch_up(app)
    row = session.get(Heartbeat, "reminders")
    window = due_items(session, NOW.date(), max(app.config["TRACKER"].reminder_days))
    reminders = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    assert len(window) > 0 and reminders > 0
    assert (row.swept, row.queued) == (len(window), reminders)


def test_a_stopped_scheduler_turns_readyz_to_503_and_shows_the_banner(app, login):
    client = app.test_client()
    never = client.get("/readyz")
    assert never.status_code == 503
    assert "has never run" in never.json["checks"]["scheduler"]

    catch_up(app)
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "scheduler": "ok"}}
    admin = login("admin@example.nl")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "laatst gedraaid 0 minuten geleden" in page and 'id="ops-warning"' not in page

    clock_of(app).advance(dt.timedelta(minutes=3))  # the scheduler was stopped: nothing ran since
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert "job delivery last ran 3 minutes ago" in stale.json["checks"]["scheduler"]
    assert stale.json["checks"]["database"] == "ok"
    for url in ("/admin/users", "/admin/outbox"):
        page = admin.get(url).get_data(as_text=True)
        assert "laatst gedraaid 3 minuten geleden" in page and 'id="ops-warning"' in page
        assert "job delivery last ran 3 minutes ago" in page
    assert 'id="ops-warning"' not in login("viewer@example.nl").get("/").get_data(as_text=True)


def test_failed_messages_waiting_show_the_banner_but_keep_readyz_ready(app, login, db):
    catch_up(app)
    with db.transaction() as s:
        s.add(OutboxMessage(key="k1", kind="reminder", recipient="a@example.nl", subject="s", body_text="b",
                            headers={}, status=OutboxStatus.FAILED, attempts=8, created_at=NOW, next_attempt_at=NOW))
    page = login("admin@example.nl").get("/admin/audit").get_data(as_text=True)
    assert 'id="ops-warning"' in page and "1 failed message(s)" in page
    assert app.test_client().get("/readyz").status_code == 200


def test_readyz_names_migrations_behind_head(database_url, settings):
    migrate.upgrade(database_url, "0006")
    application = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    try:
        response = application.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["migrations"].startswith("at 0006, not at head ")
        assert application.test_client().get("/healthz").status_code == 200  # liveness stays cheap
    finally:
        application.extensions["tracker.db"].dispose()


def test_readyz_names_an_unreachable_database(tmp_path):
    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "instance"), "SEED_PATH": str(SEED),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.sqlite3'}"})
    application = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    response = application.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "unreachable: OperationalError"}


def test_metrics_parse_and_move_when_a_sweep_runs(app, users, db):
    before = samples(app)
    assert before[("tracker_scheduler_stale", (("job", "reminders"),))] == 1.0
    assert ("tracker_scheduler_last_run_timestamp_seconds", (("job", "reminders"),)) not in before
    assert before[("tracker_outbox_messages", (("status", "sent"),))] == 0

    catch_up(app)  # the seeded portfolio has reminders due at NOW: queued, then delivered to files
    after = samples(app)
    with db.sessionmaker() as s:
        sent = s.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT))
    assert sent > 0
    assert after[("tracker_outbox_messages", (("status", "sent"),))] == sent
    assert after[("tracker_outbox_oldest_pending_age_seconds", ())] == 0
    assert after[("tracker_scheduler_last_run_timestamp_seconds", (("job", "reminders"),))] == NOW.timestamp()
    assert after[("tracker_scheduler_stale", (("job", "reminders"),))] == 0.0
    assert after[("tracker_scheduler_last_run_duration_seconds", (("job", "delivery"),))] >= 0
    route = (("method", "GET"), ("route", "/metrics"), ("status", "200"))
    assert after[("tracker_http_requests_total", route)] >= before.get(("tracker_http_requests_total", route), 0) + 1
    assert after[("tracker_http_request_duration_seconds_count", (("route", "/metrics"),))] >= 1

    clock_of(app).advance(dt.timedelta(minutes=40))
    later = samples(app)
    assert later[("tracker_scheduler_stale", (("job", "reminders"),))] == 1.0
    assert later[("tracker_scheduler_last_run_age_seconds", (("job", "reminders"),))] == 40 * 60


def test_login_failures_and_throttles_are_counted(app, users):
    from tests.conftest import csrf_from

    key = ("tracker_login_refused_total", (("reason", "failure"),))
    throttled = ("tracker_login_refused_total", (("reason", "throttled"),))
    before = samples(app)
    client = app.test_client()
    for _ in range(6):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"email": "viewer@example.nl", "password": "wrong password!", "csrf_token": token})
    after = samples(app)
    assert after[key] == before.get(key, 0) + 5
    assert after[throttled] == before.get(throttled, 0) + 1


def _app_with(tmp_path, database_url, **overrides):
    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED),
        **overrides})
    return create_app(settings=settings, clock=Clock(settings.tz, NOW))


@pytest.mark.usefixtures("app")
def test_metrics_ask_for_the_token_when_one_is_set(tmp_path, database_url):
    application = _app_with(tmp_path, database_url, METRICS_TOKEN="s3cret-metrics-token")
    try:
        client = application.test_client()
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token-here!!"}).status_code == 401
        ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
        assert ok.status_code == 200 and b"tracker_outbox_messages" in ok.data
    finally:
        application.extensions["tracker.db"].dispose()


@pytest.mark.usefixtures("app")
def test_metrics_without_a_token_answer_only_the_allowed_addresses(tmp_path, database_url):
    application = _app_with(tmp_path, database_url, METRICS_ALLOW="10.0.0.0/8")
    try:
        client = application.test_client()
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
        assert client.get("/metrics").status_code == 403  # loopback is no longer on the list
    finally:
        application.extensions["tracker.db"].dispose()


def test_a_job_that_raises_records_a_failed_run_shown_to_admins(app, login, session, monkeypatch):
    from tracker.notify import jobs

    def broken(app, *args, **kwargs):
        raise RuntimeError("the reminder sweep broke")

    monkeypatch.setattr(jobs, "sweep_reminders", broken)
    catch_up(app)
    assert session.get(Heartbeat, "reminders").ok is False
    page = login("admin@example.nl").get("/admin/users").get_data(as_text=True)
    assert "job reminders failed in its last run" in page
    assert app.test_client().get("/readyz").status_code == 200  # it runs: the workers stay in


def test_counters_of_other_processes_add_up(app):
    """gunicorn's workers are processes: a count made in another one shows in this one's scrape."""
    import os
    import subprocess
    import sys

    hits = ("tracker_feed_cache_total", (("result", "hit"),))
    before = samples(app).get(hits, 0)
    code = ("import os, pathlib; from tracker import metrics; "
            "metrics.use_directory(pathlib.Path(os.environ['PROMETHEUS_MULTIPROC_DIR'])); "
            "metrics.FEED_CACHE.labels('hit').inc(7)")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ), timeout=60)
    assert samples(app)[hits] == before + 7
