"""The full feed of a 10,000-act portfolio (100,000 events, about 60 MB) served by a real gunicorn under the
README's command (`gunicorn -c gunicorn.conf.py -w 4`, the default 30-second worker timeout), first time and every
time: the portfolio is bulk-loaded, `tracker feeds warm`'s warm-up renders its events, then the first request,
four at once, a few more, and the first after one change are timed; every one must answer 200 within the timeout.

    python -m bench --only feeds_serving [--quick]   # --quick: 3,000 acts
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import update

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0  # gunicorn's default worker timeout, which the README's command keeps


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(port: int, path: str, **headers: str) -> tuple[int, float, int]:
    """(status, seconds, bytes) of one GET on a fresh connection, as a calendar client polls."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        size = len(response.read())
        return response.status, time.perf_counter() - start, size
    finally:
        connection.close()


def _start(folder: Path, name: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(folder / name),
           "TRACKER_DATABASE_URL": f"sqlite:///{folder / name}.sqlite3", "GUNICORN_ACCESS_LOG": "/dev/null"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "4", "-b", f"127.0.0.1:{port}",
         "tracker.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        try:
            if _fetch(port, "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start: " + server.stderr.read().decode()[-2000:])  # type: ignore[union-attr]


def feeds_serving(folder: Path, quick: bool) -> list[str]:
    from bench.__main__ import portfolio
    from tracker.feeds.jobs import warm_app
    from tracker.regulations.models import Deadline
    from tracker.regulations.revision import bump

    size = 3000 if quick else 10000
    name = "serving"
    app, _, feed = portfolio(folder, size, name)
    db = app.extensions["tracker.db"]
    start = time.perf_counter()
    warmed = warm_app(app)  # what `tracker feeds warm` does (and `tracker seed`, and the scheduler after changes)
    warm_seconds = time.perf_counter() - start
    port = _free_port()
    server = _start(folder, f"{name}{size}", port)
    rows: list[tuple[str, int, float, int]] = []
    try:
        status, seconds, size_bytes = _fetch(port, feed)
        rows.append(("first request", status, seconds, size_bytes))
        with ThreadPoolExecutor(4) as pool:
            for status, seconds, size_bytes in pool.map(lambda _: _fetch(port, feed), range(4)):
                rows.append(("four at once", status, seconds, size_bytes))
        for _ in range(3):
            rows.append(("again", *_fetch(port, feed)))
        with db.transaction() as s:  # one deadline changes: the next request renders only its event
            s.execute(update(Deadline).where(Deadline.id == 1).values(sequence=Deadline.sequence + 1))
            bump(s)
        rows.append(("first after one change", *_fetch(port, feed)))
        with ThreadPoolExecutor(4) as pool:
            for status, seconds, size_bytes in pool.map(lambda _: _fetch(port, feed), range(4)):
                rows.append(("four at once after it", status, seconds, size_bytes))
    finally:
        server.terminate()
        server.wait(timeout=30)
        db.dispose()
    worst = max(seconds for _, _, seconds, _ in rows)
    ok = all(status == 200 for _, status, _, _ in rows) and worst < TIMEOUT
    lines = ["", f"## The full feed under gunicorn -w 4 ({size:,} acts, {rows[0][3] / 1024 / 1024:.1f} MiB)", "",
             f"Warm-up before the first request (`tracker feeds warm`): {warmed.pieces:,} events rendered and "
             f"{warmed.feeds} feed(s) assembled in {warm_seconds:.0f} s.", "",
             "| request | status | time |", "| --- | --- | --- |"]
    lines += [f"| {what} | {status} | {seconds * 1000:.0f} ms |" for what, status, seconds, _ in rows]
    lines += ["", f"Every request 200 within the {TIMEOUT:.0f} s worker timeout: {'met' if ok else 'MISSED'} "
              f"(slowest {worst:.2f} s)."]
    return lines
