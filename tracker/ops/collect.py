"""The Prometheus gauges read from the database at scrape time: the same numbers whichever worker answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tracker.notify.models import OutboxStatus
from tracker.ops.heartbeat import Status


class StatusCollector(Collector):
    def __init__(self, status: Status, now: dt.datetime) -> None:
        self.status, self.now = status, now

    def collect(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily("tracker_outbox_messages", "Outbox messages by status", labels=["status"])
        for s in OutboxStatus:
            outbox.add_metric([s.value], self.status.outbox.get(s.value, 0))
        yield outbox
        oldest = self.status.oldest_pending
        yield GaugeMetricFamily(
            "tracker_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox message (0 when none waits)",
            value=max(0.0, (self.now - oldest).total_seconds()) if oldest else 0.0,
        )
        last = GaugeMetricFamily(
            "tracker_scheduler_last_run_timestamp_seconds", "When each scheduler job last ran (Unix time)",
            labels=["job"],
        )
        duration = GaugeMetricFamily(
            "tracker_scheduler_last_run_duration_seconds", "How long each job's last run took", labels=["job"]
        )
        age = GaugeMetricFamily(
            "tracker_scheduler_last_run_age_seconds", "Seconds since each job last ran, by the app's clock",
            labels=["job"],
        )
        stale = GaugeMetricFamily(
            "tracker_scheduler_stale", "1 when a job has not run for twice its interval (or never)", labels=["job"]
        )
        for j in self.status.jobs:
            stale.add_metric([j.job], 1.0 if j.stale else 0.0)
            if j.ran_at is not None and j.age is not None:
                last.add_metric([j.job], j.ran_at.timestamp())
                duration.add_metric([j.job], (j.duration_ms or 0) / 1000)
                age.add_metric([j.job], j.age.total_seconds())
        yield from (last, duration, age, stale)
