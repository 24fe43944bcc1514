"""Record each scheduler run, and judge from the records whether the scheduler still runs.

Staleness is judged against the app's clock, so a test (or an operator rehearsing a date) moves time on instead of
waiting. A job is stale when its last run started more than twice its interval ago: one slow run is not an alarm,
a missed run is.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from importlib import metadata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.notify.models import OutboxMessage, OutboxStatus
from tracker.ops.models import Heartbeat

# How often the scheduler runs each job (tracker/scheduler.py reads these, so the two cannot drift apart).
INTERVALS = {
    "reminders": dt.timedelta(minutes=15),
    "digests": dt.timedelta(hours=1),
    "delivery": dt.timedelta(minutes=1),
}


def version() -> str:
    try:
        return metadata.version("eu-implementation-tracker")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


@dataclass(frozen=True)
class RunResult:
    swept: int = 0  # items a sweep looked at
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    ok: bool = True


def record(session: Session, job: str, *, ran_at: dt.datetime, duration: dt.timedelta, result: RunResult) -> None:
    """Overwrite the job's heartbeat row (one row per job: the table never grows). Flushes; the caller commits."""
    row = session.get(Heartbeat, job) or Heartbeat(job=job)
    row.ran_at = ran_at
    row.duration_ms = max(0, round(duration.total_seconds() * 1000))
    row.swept, row.queued, row.sent, row.retried, row.failed, row.ok = (
        result.swept, result.queued, result.sent, result.retried, result.failed, result.ok,
    )
    row.version = version()[:40]
    row.host = f"{socket.gethostname()}:{os.getpid()}"[:100]
    session.add(row)
    session.flush()


@dataclass(frozen=True)
class JobState:
    job: str
    ran_at: dt.datetime | None
    age: dt.timedelta | None
    interval: dt.timedelta
    duration_ms: int | None
    ok: bool

    @property
    def stale(self) -> bool:
        return self.age is None or self.age > 2 * self.interval

    @property
    def minutes_ago(self) -> int | None:
        return None if self.age is None else max(0, int(self.age.total_seconds() // 60))


@dataclass(frozen=True)
class Status:
    jobs: list[JobState]
    outbox: dict[str, int] = field(default_factory=dict)
    oldest_pending: dt.datetime | None = None

    @property
    def last_run(self) -> JobState | None:
        ran = [j for j in self.jobs if j.ran_at is not None]
        return max(ran, key=lambda j: j.ran_at) if ran else None  # type: ignore[arg-type, return-value]  # ran_at set (filtered above)

    def problems(self) -> list[str]:
        """What an operator must look at, one phrase each; empty when all is well."""
        out = []
        for j in self.jobs:
            if j.ran_at is None:
                out.append(f"scheduler: job {j.job} has never run (is `tracker scheduler` running?)")
            elif j.stale:
                out.append(
                    f"scheduler: job {j.job} last ran {j.minutes_ago} minutes ago, more than twice its interval "
                    f"of {int(j.interval.total_seconds() // 60)} minutes (is `tracker scheduler` running?)"
                )
            elif not j.ok:  # it runs, but fails: a warning for admins, not a reason to take workers out
                out.append(f"job {j.job} failed in its last run: see the scheduler's log")
        if failed := self.outbox.get(OutboxStatus.FAILED.value, 0):
            out.append(f"outbox: {failed} failed message(s) wait at /admin/outbox")
        return out


def status(session: Session, now: dt.datetime) -> Status:
    """Every job's last run and the outbox's counts: three queries."""
    rows = {h.job: h for h in session.scalars(select(Heartbeat))}
    jobs = []
    for job, interval in INTERVALS.items():
        h = rows.get(job)
        jobs.append(
            JobState(
                job=job,
                ran_at=h.ran_at if h else None,
                age=(now - h.ran_at) if h else None,
                interval=interval,
                duration_ms=h.duration_ms if h else None,
                ok=h.ok if h else True,
            )
        )
    counts = {
        (s.value if isinstance(s, OutboxStatus) else str(s)): n
        for s, n in session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    }
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return Status(jobs=jobs, outbox=counts, oldest_pending=oldest)
