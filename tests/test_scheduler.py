"""The one scheduler: its jobs and triggers in Europe/Amsterdam, coalescing, the misfire grace, failing jobs.

The triggers are checked by asking them for their next fire time from fixed moments; coalescing, the grace time and
failure isolation are checked by running a real APScheduler with the job functions replaced by recorders and the
jobs' next run moved into the past. APScheduler reads the machine's clock and takes no other, so here it reads the
app's fixed one instead: nothing in this file depends on the day the suite runs.
"""

import datetime as dt
import logging
import threading
import time
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import apscheduler.triggers.interval
import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.clock import clock_of
from tracker.notify import jobs
from tracker.scheduler import make_scheduler

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC


@pytest.fixture(autouse=True)
def scheduler_reads_the_app_clock(app, monkeypatch):
    """APScheduler's `datetime.now` (scheduler loop, misfire check, interval start) answers the app's clock."""
    clock = clock_of(app)

    class AppClockDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            moment = clock.now()
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    for module in (apscheduler.schedulers.base, apscheduler.executors.base, apscheduler.triggers.interval):
        monkeypatch.setattr(module, "datetime", AppClockDatetime)


def fire_after(job, moment: dt.datetime) -> dt.datetime:
    """The trigger's first fire time strictly after `moment` (an aware datetime)."""
    return job.trigger.get_next_fire_time(None, moment + dt.timedelta(microseconds=1))


@pytest.fixture
def scheduler(app):
    s = make_scheduler(app, background=True)
    s.start(paused=True)  # jobs get their defaults and run times, but nothing runs
    yield s
    s.shutdown(wait=True)


@pytest.fixture
def machine_zone_new_york():
    """The machine's own time zone set to one that is not Amsterdam, so a trigger that silently uses the machine's
    zone instead of the tracker's shows, on any machine."""
    import os

    import tzlocal

    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    tzlocal.reload_localzone()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    tzlocal.reload_localzone()


def test_the_four_jobs_and_their_intervals(scheduler):
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(by_id) == {"reminders", "digests", "digest-weekly", "delivery", "sessions", "feeds-warm", "feeds-prune"}
    reminders, delivery = by_id["reminders"], by_id["delivery"]
    assert isinstance(reminders.trigger, IntervalTrigger) and reminders.trigger.interval == dt.timedelta(minutes=15)
    assert isinstance(delivery.trigger, IntervalTrigger) and delivery.trigger.interval == dt.timedelta(minutes=1)
    assert isinstance(by_id["digest-weekly"].trigger, CronTrigger) and isinstance(by_id["digests"].trigger, CronTrigger)




def test_the_weekly_digest_goes_out_on_monday_at_0800_in_amsterdam(app, machine_zone_new_york):
    s = make_scheduler(app, background=True)
    s.start(paused=True)
    try:
        weekly, hourly = s.get_job("digest-weekly"), s.get_job("digests")
        # Saturday 28 November 2026, 12:00 UTC: the weekly digest next goes out on Monday at 08:00 in Amsterdam,
        # which is 07:00 UTC in winter ...
        saturday = dt.datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        assert fire_after(weekly, saturday).astimezone(UTC) == dt.datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
        # ... and 06:00 UTC in summer (the Monday after the clocks go forward on 28 March 2027).
        assert fire_after(weekly, dt.datetime(2027, 3, 27, 12, tzinfo=UTC)).astimezone(UTC) == dt.datetime(
            2027, 3, 29, 6, 0, tzinfo=UTC
        )
        # Exactly at 08:00 Amsterdam the next one is a week later.
        monday = dt.datetime(2026, 11, 30, 8, 0, tzinfo=AMS)
        assert fire_after(weekly, monday).astimezone(UTC) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
        # The hourly digest sweep runs at minute 00 of every hour.
        assert fire_after(hourly, saturday).astimezone(UTC) == dt.datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
        assert str(weekly.trigger.timezone) == "Europe/Amsterdam" == str(hourly.trigger.timezone)
    finally:
        s.shutdown(wait=True)


def test_every_job_coalesces_with_a_six_hour_grace_and_one_instance(scheduler):
    for job in scheduler.get_jobs():
        assert (job.coalesce, job.misfire_grace_time, job.max_instances) == (True, 6 * 3600, 1), job.id


def test_the_digest_moment_follows_the_settings(tmp_path, database_url, machine_zone_new_york):
    from tests.conftest import NOW, SEED
    from tracker import create_app
    from tracker.clock import Clock
    from tracker.config import load_settings

    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED),
        "DIGEST_DAY": "fri", "DIGEST_TIME": "16:30"})
    app = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    s = make_scheduler(app, background=True)
    s.start(paused=True)
    try:
        saturday = dt.datetime(2026, 11, 28, 12, tzinfo=UTC)
        # Friday 4 December 2026, 16:30 in Amsterdam = 15:30 UTC; the hourly sweep at minute 30.
        assert fire_after(s.get_job("digest-weekly"), saturday).astimezone(UTC) == dt.datetime(
            2026, 12, 4, 15, 30, tzinfo=UTC
        )
        assert fire_after(s.get_job("digests"), saturday).astimezone(UTC) == dt.datetime(
            2026, 11, 28, 12, 30, tzinfo=UTC
        )
    finally:
        s.shutdown(wait=True)
        app.extensions["tracker.db"].dispose()


class Recorder:
    """Stands in for the job functions: counts calls per job, optionally raising in one of them."""

    def __init__(self, failing: str | None = None) -> None:
        self.calls: dict[str, int] = {"reminders": 0, "digests": 0, "delivery": 0}
        self.failing = failing
        self.lock = threading.Lock()

    def make(self, name):
        def run(app, *args, **kwargs):
            with self.lock:
                self.calls[name] += 1
            if name == self.failing:
                raise RuntimeError(f"{name} exploded")
            return 0

        return run


@pytest.fixture
def recorder(monkeypatch):
    def install(failing=None):
        rec = Recorder(failing)
        # The functions the scheduler calls for each job.
        for name, function in (("reminders", "sweep_reminders"), ("digests", "run_digests"),
                               ("delivery", "run_delivery")):
            monkeypatch.setattr(jobs, function, rec.make(name))
        return rec

    return install


def run_overdue(app, overdue: dict[str, dt.timedelta]):
    """Start a real scheduler whose jobs were due `overdue[job_id]` ago (the others not for a while), let it
    process them once, and return (events by job id, the scheduler, now)."""
    s = make_scheduler(app, background=True)
    events: list[tuple[int, str]] = []
    done = threading.Event()
    s.add_listener(lambda e: (events.append((e.code, e.job_id)), done.set()),
                   EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    s.start(paused=True)
    now = clock_of(app).now().astimezone(AMS)  # the scheduler's clock too (scheduler_reads_the_app_clock)
    for job in s.get_jobs():
        later = now + dt.timedelta(hours=1)
        s.modify_job(job.id, next_run_time=now - overdue[job.id] if job.id in overdue else later)
    s.resume()
    deadline = time.monotonic() + 10
    while len(events) < len(overdue) and time.monotonic() < deadline:
        done.wait(0.1)
        done.clear()
    time.sleep(0.3)  # anything that would come on top of the expected events has had time to arrive
    return events, s, now


def test_missed_runs_are_coalesced_into_one(app, recorder):
    rec = recorder()
    # Three hours of downtime: twelve 15-minute reminder sweeps and 180 deliveries missed.
    events, s, _ = run_overdue(app, {"reminders": dt.timedelta(hours=3), "delivery": dt.timedelta(hours=3)})
    s.shutdown(wait=True)
    assert sorted(events) == sorted([(EVENT_JOB_EXECUTED, "reminders"), (EVENT_JOB_EXECUTED, "delivery")])
    assert rec.calls == {"reminders": 1, "digests": 0, "delivery": 1}


def test_a_run_within_six_hours_still_happens_and_an_older_one_is_missed(app, recorder):
    rec = recorder()
    events, s, _ = run_overdue(app, {"digest-weekly": dt.timedelta(hours=5, minutes=50)})
    s.shutdown(wait=True)
    assert events == [(EVENT_JOB_EXECUTED, "digest-weekly")] and rec.calls["digests"] == 1

    rec = recorder()
    events, s, _ = run_overdue(app, {"digest-weekly": dt.timedelta(hours=6, minutes=10)})
    s.shutdown(wait=True)
    assert events == [(EVENT_JOB_MISSED, "digest-weekly")] and rec.calls["digests"] == 0


def test_a_job_that_raises_is_logged_and_stops_neither_the_others_nor_itself(app, recorder, caplog):
    rec = recorder(failing="reminders")
    caplog.set_level(logging.ERROR, logger="tracker.scheduler")
    overdue = {"reminders": dt.timedelta(minutes=1), "digests": dt.timedelta(minutes=1),
               "delivery": dt.timedelta(minutes=1)}
    events, s, now = run_overdue(app, overdue)
    try:
        assert sorted(events) == sorted((EVENT_JOB_EXECUTED, job_id) for job_id in overdue)
        assert rec.calls == {"reminders": 1, "digests": 1, "delivery": 1}
        failures = [r for r in caplog.records if r.name == "tracker.scheduler"]
        assert [r.getMessage() for r in failures] == ["job reminders failed"]
        assert failures[0].exc_info[0] is RuntimeError
        # The failing job stays scheduled, at its next 15-minute slot; the scheduler still runs.
        assert s.running
        job = s.get_job("reminders")
        assert job.next_run_time == now - dt.timedelta(minutes=1) + dt.timedelta(minutes=15)
        # ... and when it is due again it runs again.
        s.modify_job("reminders", next_run_time=now)  # due at once: the scheduler's clock stands still
        deadline = time.monotonic() + 10
        while rec.calls["reminders"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rec.calls["reminders"] == 2
    finally:
        s.shutdown(wait=True)


def test_web_workers_never_start_a_scheduler(app):
    names = {t.name for t in threading.enumerate()}
    app.test_client().get("/login")
    assert {t.name for t in threading.enumerate()} == names
    assert not any("APScheduler" in n for n in names)
