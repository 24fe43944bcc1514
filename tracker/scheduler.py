"""The one scheduler process: APScheduler in Europe/Amsterdam, running idempotent sweeps.

Web workers never start it (create_app does not); `tracker scheduler` runs it alone, `tracker serve` runs it beside
the development server. Missed runs are coalesced and still run within a generous grace time; since every job asks
"what is due and not yet done?", a run after downtime catches up and a second scheduler started by mistake sends
nothing twice (the outbox keys and claims see to that).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.auth.jobs import purge_sessions
from tracker.clock import clock_of
from tracker.config import Settings
from tracker.feeds import jobs as feed_jobs
from tracker.notify import jobs
from tracker.notify.outbox import DeliveryReport
from tracker.notify.reminders import SweepResult
from tracker.ops import heartbeat
from tracker.ops.heartbeat import INTERVALS, RunResult

log = logging.getLogger("tracker.scheduler")
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1}


def _safely(name: str, fn, app: Flask):
    def run() -> None:
        ran_at = clock_of(app).now()
        started = time.perf_counter()  # a duration, not a moment: the app's clock may be stopped
        try:
            result = _result(fn(app))
        except Exception:  # a failing run must not stop the scheduler; the next run tries again
            log.exception("job %s failed", name)
            result = RunResult(ok=False)
        duration = dt.timedelta(seconds=time.perf_counter() - started)
        log.info(
            "job %s done",
            name,
            extra={
                "job": name,
                "duration_ms": round(duration.total_seconds() * 1000),
                "ok": result.ok,
                "swept": result.swept,
                "queued": result.queued,
                "sent": result.sent,
                "failed": result.failed,
            },
        )
        try:
            jobs.retrying(
                app.extensions["tracker.db"],
                lambda s: heartbeat.record(s, name, ran_at=ran_at, duration=duration, result=result),
            )
        except Exception:  # the heartbeat is for operators; it must not stop the scheduler either
            log.exception("recording the heartbeat of job %s failed", name)

    return run


def _result(value: object) -> RunResult:
    if isinstance(value, DeliveryReport):
        return RunResult(sent=value.sent, retried=value.retried, failed=value.failed)
    if isinstance(value, SweepResult):
        return RunResult(swept=value.swept, queued=value.queued)
    return RunResult(queued=value if isinstance(value, int) else 0)


def _every(job: str) -> IntervalTrigger:
    return IntervalTrigger(seconds=int(INTERVALS[job].total_seconds()))


def configure(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    settings: Settings = app.config["TRACKER"]
    hour, minute = settings.digest_time
    scheduler.add_job(_safely("reminders", jobs.sweep_reminders, app), _every("reminders"), id="reminders")
    scheduler.add_job(
        _safely("digests", jobs.run_digests, app),
        CronTrigger(minute=f"{minute}", hour="*", timezone=settings.tz),
        id="digests",
    )
    # Also at the configured moment itself, so the digest does not wait for the hourly sweep.
    scheduler.add_job(
        _safely("digests", jobs.run_digests, app),
        CronTrigger(day_of_week=settings.digest_day, hour=hour, minute=minute, timezone=settings.tz),
        id="digest-weekly",
    )
    scheduler.add_job(_safely("delivery", jobs.run_delivery, app), _every("delivery"), id="delivery")
    scheduler.add_job(_safely("sessions", purge_sessions, app), IntervalTrigger(hours=1), id="sessions")
    scheduler.add_job(_safely("feeds-warm", feed_jobs.run_warm, app), IntervalTrigger(minutes=2), id="feeds-warm")
    scheduler.add_job(_safely("feeds-prune", feed_jobs.run_prune, app), IntervalTrigger(hours=24), id="feeds-prune")
    return scheduler


def make_scheduler(app: Flask, *, background: bool) -> BaseScheduler:
    settings: Settings = app.config["TRACKER"]
    cls = BackgroundScheduler if background else BlockingScheduler
    return configure(cls(timezone=settings.tz, job_defaults=JOB_DEFAULTS), app)


def catch_up(app: Flask) -> None:
    """Run every sweep once at start: whatever fell due while nothing ran goes out now."""
    for name, fn in (
        ("reminders", jobs.sweep_reminders),
        ("digests", jobs.run_digests),
        ("delivery", jobs.run_delivery),
    ):
        _safely(name, fn, app)()
