"""The process's own Prometheus metrics (requests, feed cache, logins), kept in prometheus_client's multiprocess
files so that every gunicorn worker (and the scheduler) adds up in one scrape.

A leaf module: features count here without importing the ops package (which reads them back for /metrics).
Every metric has labels, so no value exists (and no file is opened) before `use_directory` has run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from prometheus_client import Counter, Histogram, values

from tracker.unit_of_work import Event, subscribe

REQUESTS = Counter("tracker_http_requests", "HTTP requests by route, method and status", ["route", "method", "status"])
LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "HTTP request duration by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
FEED_CACHE = Counter("tracker_feed_cache", "Rendered-feed cache lookups by result (hit or miss)", ["result"])
LOGINS_REFUSED = Counter("tracker_login_refused", "Refused log-ins by reason (failure or throttled)", ["reason"])

_directory: Path | None = None


def use_directory(default: Path) -> Path:
    """Keep this process's metric files in PROMETHEUS_MULTIPROC_DIR, or else `default` (under the instance path).
    Decided once per process: prometheus_client's files are process-wide, whatever the number of apps."""
    global _directory
    if _directory is None:
        path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or default)
        path.mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)  # read by prometheus_client when it opens a file
        if not getattr(values.ValueClass, "_multiprocess", False):
            values.ValueClass = values.MultiProcessValue()
        _directory = path
    return _directory


def directory() -> Path | None:
    return _directory


EVENTS = Counter("tracker_events", "Events published by committed units of work, by event", ["event"])


def _count(events: Sequence[Event], bind: object) -> None:
    if _directory is None:  # no metrics folder in this process (a script, a test without one): nothing to count in
        return
    for happened in events:
        EVENTS.labels(happened.name).inc()


subscribe(Event, _count, phase="after_commit")
