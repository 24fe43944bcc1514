"""One log line per request and per job, as text or as JSON lines (TRACKER_LOG_FORMAT=json).

A request's line names its route pattern (`/feeds/<token>.ics`), never the path itself, so feed and unsubscribe
tokens cannot reach the log; the user is an id, never a token or a cookie.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request

from tracker import metrics

ACCESS = logging.getLogger("tracker.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The fields a line may carry besides its message; anything else passed in `extra` is not printed.
FIELDS = ("request_id", "user_id", "method", "route", "status", "duration_ms", "job", "ok", "queued", "sent", "failed")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS if hasattr(record, k))
        return f"{text} {extra}" if extra else text


class _Handler(logging.StreamHandler):
    """Ours, so configuring twice (two apps in one process) replaces it instead of printing every line twice."""


def configure(log_format: str) -> None:
    root = logging.getLogger("tracker")
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.formatter.converter = time.gmtime  # type: ignore[union-attr]  # UTC, as the "Z" says
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def register(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.request_started = time.perf_counter()  # a duration, not a moment
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _user_id() -> int | None:
    # Only a user already loaded for this request: looking one up here would add a query to every public page.
    user = g.get("_login_user") or g.get("api_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    metrics.LATENCY.labels(route).observe(duration)
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    ACCESS.info(
        "request",
        extra={
            "request_id": request_id,
            "user_id": _user_id(),
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 1),
        },
    )
    return response
