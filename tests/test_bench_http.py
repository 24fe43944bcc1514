"""The HTTP benchmark's reading of wrk's output (bench/http.py): a pure function, no server needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.http import parse_wrk

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:35543/healthz
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   121.06ms   73.37ms 533.19ms   85.37%
  698 requests in 5.08s, 343.55KB read
  Non-2xx or 3xx responses: 3
Requests/sec:    137.39
WRK-RESULT {"requests": 698, "duration_us": 5080364, "bytes": 351792, "p50_us": 100304, "p99_us": 415660, \
"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2}
"""


def test_parse_wrk_reads_the_done_line() -> None:
    load = parse_wrk(WRK_OUTPUT)
    assert load.requests == 698
    assert load.seconds == pytest.approx(5.080364)
    assert load.rate == pytest.approx(698 / 5.080364)
    assert (load.p50, load.p99) == (pytest.approx(0.100304), pytest.approx(0.41566))
    assert load.errors == 6  # read, status (non-2xx/3xx) and timeouts all count
    assert load.bytes == 351792


def test_parse_wrk_without_the_done_line_says_so() -> None:
    with pytest.raises(ValueError, match="no WRK-RESULT line"):
        parse_wrk("Running 3s test @ http://127.0.0.1:1/\nRequests/sec: 12.0\n")


def test_the_least_wsgi_app_sends_files_of_its_folder_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/static_wsgi.py, the feed benchmark's floor: the very bytes of a file in its folder, nothing outside."""
    from werkzeug.test import Client

    from bench import static_wsgi

    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "full.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    (tmp_path / "secret.ics").write_bytes(b"not served")
    monkeypatch.setattr(static_wsgi, "ROOT", tmp_path / "www")
    client = Client(static_wsgi.app)
    answer = client.get("/full.ics")
    assert (answer.status_code, answer.data) == (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert answer.headers["Content-Length"] == "32"
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    answer.close()
    for path in ("/../secret.ics", "/%2E%2E/secret.ics", "/missing.ics", "/full.txt"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        missing.close()
