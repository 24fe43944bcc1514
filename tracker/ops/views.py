"""/readyz (is this instance fit to serve, and does the scheduler run?), /metrics (Prometheus) and the admin banner.

/healthz (tracker/web.py) stays the cheap liveness check; these read a little more of the database.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import json

from flask import Blueprint, Response, current_app, has_request_context, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import text

from tracker import metrics, migrate
from tracker.clock import get_clock
from tracker.config import Settings
from tracker.db import get_session
from tracker.ops import heartbeat
from tracker.ops.collect import StatusCollector

bp = Blueprint("ops", __name__)
# Pages where admins see the scheduler's state; elsewhere no query is spent on it.
ADMIN_ENDPOINTS = {"notify.outbox_page", "notify.outbox_message"}


@functools.lru_cache(maxsize=8)
def _heads(database_url: str) -> frozenset[str]:
    # Read once per process: the migration files do not change while it runs.
    return frozenset(migrate.heads(database_url))


def readiness() -> dict[str, str]:
    """Each check's verdict, "ok" or what is wrong; stops at an unreachable database."""
    settings: Settings = current_app.config["TRACKER"]
    checks: dict[str, str] = {}
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the same thing here: no database
        session.rollback()
        checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks
    checks["database"] = "ok"
    current = migrate.current_revision(session.connection().engine)
    heads = _heads(settings.database_url)
    checks["migrations"] = (
        "ok" if current in heads else f"at {current or 'base'}, not at head {', '.join(sorted(heads))}"
    )
    if checks["migrations"] != "ok":
        return checks  # the heartbeat table may not exist yet
    problems = [p for p in heartbeat.status(session, get_clock().now()).problems() if p.startswith("scheduler:")]
    checks["scheduler"] = "; ".join(p.removeprefix("scheduler: ") for p in problems) or "ok"
    return checks


@bp.get("/readyz")
def readyz() -> Response:
    checks = readiness()
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    response = Response(json.dumps(body, indent=1) + "\n", 200 if ready else 503, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_read_metrics(settings: Settings) -> Response | None:
    """None when the caller may read /metrics, else the refusal. A token, when set, is required: behind a proxy
    every caller would come from the proxy's (allowed) address."""
    if settings.metrics_token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), settings.metrics_token.encode()):
            return None
        return Response(
            "401 Unauthorized: send Authorization: Bearer <TRACKER_METRICS_TOKEN>\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"'},
            mimetype="text/plain",
        )
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        address = None
    if address is not None and any(address in network for network in settings.metrics_allow):
        return None
    return Response("403 Forbidden: this address may not read /metrics (TRACKER_METRICS_ALLOW)\n", 403,
                    mimetype="text/plain")


@bp.get("/metrics", endpoint="metrics")
def metrics_page() -> Response:
    settings: Settings = current_app.config["TRACKER"]
    refused = _may_read_metrics(settings)
    if refused is not None:
        return refused
    registry = CollectorRegistry()
    folder = metrics.directory()
    if folder is not None:
        multiprocess.MultiProcessCollector(registry, path=str(folder))
    now = get_clock().now()
    registry.register(StatusCollector(heartbeat.status(get_session(), now), now))
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def banner_context() -> dict[str, object]:
    """The scheduler's state for the admin pages' banner ("last run N minutes ago", and what is wrong)."""
    if not has_request_context():  # e-mails are rendered by jobs, outside any request
        return {}
    if not (request.blueprint == "admin" or request.endpoint in ADMIN_ENDPOINTS):
        return {}
    if not (current_user.is_authenticated and current_user.role.value == "admin"):
        return {}
    status = heartbeat.status(get_session(), get_clock().now())
    return {"ops_status": status, "ops_problems": status.problems()}
