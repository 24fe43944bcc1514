"""The HTTP benchmark's reading of wrk's output (bench/http.py): a pure function, no server needed."""

from __future__ import annotations

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
