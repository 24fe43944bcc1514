import threading

from tracker.scheduler import JOB_DEFAULTS, make_scheduler


def test_the_scheduler_runs_sweeps_in_amsterdam_time_with_a_generous_grace(app):
    scheduler = make_scheduler(app, background=True)
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    assert {job.id for job in scheduler.get_jobs()} == {"reminders", "digests", "digest-weekly", "delivery"}
    assert JOB_DEFAULTS["coalesce"] is True and JOB_DEFAULTS["misfire_grace_time"] >= 3600
    weekly = next(job for job in scheduler.get_jobs() if job.id == "digest-weekly")
    assert "day_of_week='mon'" in str(weekly.trigger) and "hour='8'" in str(weekly.trigger)


def test_web_workers_never_start_a_scheduler(app):
    names = {t.name for t in threading.enumerate()}
    app.test_client().get("/login")
    assert {t.name for t in threading.enumerate()} == names
    assert not any("APScheduler" in n for n in names)
