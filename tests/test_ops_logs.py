"""One log line per request and per job, as text or JSON lines; feed and unsubscribe tokens never appear."""

from __future__ import annotations

import json
import logging
import re

from tests.conftest import calendar_html
from tracker.ops.logs import JsonFormatter, TextFormatter, configure
from tracker.scheduler import catch_up


def test_request_lines_carry_id_user_route_status_and_duration_and_no_token(app, users, viewer, caplog):
    html = calendar_html(viewer)
    feed_path = re.search(r'id="https-url" readonly value="https?://[^/]+([^"?]+)', html).group(1)
    token = feed_path.rsplit("/", 1)[1].removesuffix(".ics")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tracker.access"):
        assert app.test_client().get(feed_path).status_code == 200
        app.test_client().get(f"/unsubscribe/{token}")
        viewer.get("/", headers={"X-Request-ID": "req-42"})
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "tracker.access"]
    texts = [TextFormatter("%(message)s").format(r) for r in caplog.records if r.name == "tracker.access"]
    assert len(lines) == 3
    assert all(token not in line for line in lines + texts)
    feed, unsubscribe, board = (json.loads(line) for line in lines)
    assert (feed["route"], feed["status"], feed["user_id"]) == ("/feeds/<token>.ics", 200, None)
    assert unsubscribe["route"] == "/unsubscribe/<token>"
    assert board["request_id"] == "req-42" and board["user_id"] == users["viewer@example.nl"]
    assert board["method"] == "GET" and board["status"] == 200 and board["duration_ms"] >= 0
    assert len(feed["request_id"]) == 32 and feed["request_id"] != unsubscribe["request_id"]
    assert "route=/ status=200" in texts[2]


def test_a_hostile_request_id_is_replaced(app):
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_each_job_logs_one_line_with_its_duration(app, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.scheduler"):
        catch_up(app)
    done = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.getMessage().startswith("job ")]
    assert [d["job"] for d in done] == ["reminders", "digests", "delivery"]
    assert all(d["ok"] is True and d["duration_ms"] >= 0 and d["failed"] == 0 for d in done)


def test_json_format_installs_one_handler_however_often_configured():
    root = logging.getLogger("tracker")
    try:
        configure("json")
        configure("json")
        ours = [h for h in root.handlers if type(h).__name__ == "_Handler"]
        assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
    finally:
        configure("text")
