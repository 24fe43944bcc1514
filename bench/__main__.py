"""Benchmarks of the tracker: what each request costs, and how it grows with the portfolio.

    python -m bench            # 100, 1,000 and 10,000 regulations; sweeps of 10,000 and 100,000 deadlines
    python -m bench --quick    # smaller sizes, within a minute
    python -m bench --out FILE # where the Markdown table goes (default bench/results.md)
    python -m bench --only past_board delivery   # only these sections of bench/sections.py, printed, not written

Every figure that matters is a ratio of two measurements taken in the same run, on fresh SQLite databases, with
the app driven in-process through Flask's test client (the same app, no network in between). Times are medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, send_file

from bench import report as bench_report
from bench import synthetic
from bench.sections import SECTIONS
from tracker import create_app, migrate
from tracker.config import load_settings
from tracker.db import QueryCounter

PASSWORD = "benchmark password 1"


def make_app(folder: Path, name: str) -> Flask:
    settings = load_settings(environ={}, overrides={"INSTANCE_PATH": str(folder / name),
                                                     "DATABASE_URL": f"sqlite:///{folder / name}.sqlite3"})
    migrate.upgrade(settings.database_url)
    app = create_app(settings=settings)
    # Thousands of requests: the tables are the output, not one access line per request on stderr.
    logging.getLogger("tracker.access").setLevel(logging.WARNING)
    return app


def timed(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def portfolio(folder: Path, size: int, name: str = "portfolio") -> tuple[Flask, Any, str]:
    """An app on a fresh database with `size` regulations, a logged-in client and a feed URL path."""
    from tracker.auth import service
    from tracker.auth.service import HASHER
    from tracker.feeds import tokens

    app = make_app(folder, f"{name}{size}")
    # The same bytes as a static file, served by the same app: the yardstick for the feed.
    app.add_url_rule("/bench/static.ics", "bench_static",
                     lambda: send_file(app.config["BENCH_STATIC"], mimetype="text/calendar", conditional=False))
    db = app.extensions["tracker.db"]
    with db.transaction() as s:
        synthetic.build(s, size, instruments_each=3)  # three national instruments per act (issue 27)
        user = service.find_user(s, "user0@bench.nl")
        user.password_hash = HASHER.hash(PASSWORD)
        token = tokens.ensure_token(s, user, app.config["SECRET_KEY"], now=synthetic.NOW)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "user0@bench.nl", "password": PASSWORD, "csrf_token": csrf})
    with app.app_context():
        from tracker.api.common import create_token

        with db.transaction() as s:
            _, api_token = create_token(s, service.find_user(s, "user0@bench.nl"), "bench",
                                        actor=service.Actor("bench"), now=synthetic.NOW)
    client.environ_base["HTTP_AUTHORIZATION"] = ""
    app.config["BENCH_API_TOKEN"] = api_token
    return app, client, f"/feeds/{token}.ics"


def get(app: Flask, client: Any, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    while response.status_code == 503:  # a feed's first render continues over several requests
        response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def api_headers(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.config['BENCH_API_TOKEN']}"}


PAGES = {
    "board": lambda app: ("/", {}),
    "regulation page": lambda app: ("/regulations/R00042", {}),
    "full feed": lambda app: (app.config["BENCH_FEED"], {}),
    "API list": lambda app: ("/api/v1/regulations?per_page=50", api_headers(app)),
}


def measure_pages(folder: Path, sizes: list[int], repeat: int) -> dict[int, dict[str, tuple[int, float, int]]]:
    """Per size and page: queries, median seconds and body bytes. The sizes take turns request by request, so a
    burst of load on this shared machine falls on all of them alike."""
    apps = {}
    for size in sizes:
        app, client, feed = portfolio(folder, size)
        app.config["BENCH_FEED"] = feed
        apps[size] = (app, client)
    out: dict[int, dict[str, tuple[int, float, int]]] = {size: {} for size in sizes}
    for name, target in PAGES.items():
        samples: dict[int, list[float]] = {size: [] for size in sizes}
        counts, sizes_in_bytes = {}, {}
        for size, (app, client) in apps.items():
            url, headers = target(app)
            get(app, client, url, **headers)  # warm up (the feed's file is written once per revision)
            with QueryCounter(app.extensions["tracker.db"].engine) as counter:
                sizes_in_bytes[size] = len(get(app, client, url, **headers).data)
            counts[size] = counter.count
        for _ in range(repeat):
            for size, (app, client) in apps.items():
                url, headers = target(app)
                start = time.perf_counter()
                get(app, client, url, **headers)
                samples[size].append(time.perf_counter() - start)
        for size in sizes:
            out[size][name] = (counts[size], statistics.median(samples[size]), sizes_in_bytes[size])
    for app, _client in apps.values():
        app.extensions["tracker.db"].dispose()
    return out


def measure_feed(folder: Path, size: int, repeat: int) -> dict[str, float]:
    """Requests per second: the full feed against the same bytes as a static file; 304 against /healthz."""
    app, client, feed = portfolio(folder, size, "feed")
    start = time.perf_counter()
    body = get(app, client, feed).data  # the first request renders the calendar; later ones reuse it
    cold = time.perf_counter() - start
    static = folder / f"feed{size}.ics"
    static.write_bytes(body)
    app.config["BENCH_STATIC"] = static
    etag = get(app, client, feed).headers["ETag"]

    def rate(url: str, **headers: str) -> float:
        return 1 / timed(lambda: get(app, client, url, **headers), repeat)

    result = {"feed bytes": float(len(body)), "cold": cold, "feed": rate(feed), "static": rate("/bench/static.ics"),
              "304": rate(feed, **{"If-None-Match": etag}), "healthz": rate("/healthz")}
    app.extensions["tracker.db"].dispose()
    return result


def measure_sweep(folder: Path, sizes: list[int], due: int) -> dict[int, tuple[float, int]]:
    """Seconds for one reminder sweep plus delivery (file backend) with `due` reminders, at each size: the median
    of five runs (three quick) on the same database, emptied of marks and mail before each, the sizes taking turns
    (bench/sections.py)."""
    from bench.sections import sweep_samples

    samples = sweep_samples(folder, sizes, due, 3 if due < 1000 else 5, deliver=True)
    return {size: (seconds, queued) for size, (seconds, _next, queued) in samples.items()}


def measure_digest(folder: Path, recipients: int) -> tuple[float, int]:
    from tracker.notify import digest

    app = make_app(folder, f"digest{recipients}")
    db = app.extensions["tracker.db"]
    with db.transaction() as s:
        synthetic.build(s, 200, users=recipients)
    start = time.perf_counter()
    with app.app_context(), db.transaction() as s:
        queued = digest.queue_digests(s, app.config["TRACKER"], app.config["SECRET_KEY"], now=synthetic.NOW,
                                      week=(2026, 49))
    seconds = time.perf_counter() - start
    db.dispose()
    return seconds, queued


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
            f"{platform.system()} {platform.release()}")


def isolated(section: str, folder: Path, quick: bool) -> list[str]:
    """One section of bench/sections.py in a fresh interpreter, as a worker or the scheduler would run it. What the
    earlier sections leave in memory weighs on later ones: after the report (some 200,000 live objects) an empty
    sweep took 160 ms instead of 103, and two full runs gave the sweep ratios of 1.48 and 1.23 where the section
    alone gave 0.89 to 1.06."""
    argv = [sys.executable, "-m", "bench", "--only", section, "--folder", str(folder), *(["--quick"] if quick else [])]
    done = subprocess.run(argv, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True,
                          check=True)
    return done.stdout.removesuffix("\n").split("\n")  # what `--only` printed: the section's lines, one newline


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes; finishes within a minute")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.md"))
    parser.add_argument("--only", nargs="+", metavar="SECTION", choices=[f.__name__ for f in SECTIONS],
                        help="run only these sections of bench/sections.py and print them (results.md is kept)")
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)  # a full run's folder, for its sections
    args = parser.parse_args(argv)
    if args.only:
        with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
            for section in SECTIONS:
                if section.__name__ in args.only:
                    print("\n".join(section(args.folder or Path(tmp), args.quick)), flush=True)
        return 0
    sizes = [100, 1000, 3000] if args.quick else [100, 1000, 10000]
    big, small = sizes[-1], sizes[-2]
    sweep_sizes = (2000, 20000) if args.quick else (10000, 100000)
    sweep_due = 200 if args.quick else 1000
    recipients = 100 if args.quick else 1000
    repeat = 5 if args.quick else 15
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        folder = Path(tmp)
        pages = measure_pages(folder, sizes, repeat)
        feed = measure_feed(folder, small, repeat * 4)
        sweep = measure_sweep(folder, list(sweep_sizes), sweep_due)
        digest_seconds, digests = measure_digest(folder, recipients)
        report = bench_report.measure_report(folder, 1000, make_app)
        extra = [line for section in SECTIONS for line in isolated(section.__name__, folder, args.quick)]
    lines = [f"# Benchmark results ({'quick' if args.quick else 'full'})", "",
             f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.", "",
             "## Queries per request (target: the same at every size)", "",
             "| request | " + " | ".join(f"{s:,} acts" for s in sizes) + " | verdict |",
             "| --- | " + " | ".join("---" for _ in sizes) + " | --- |"]
    for name in PAGES:
        counts = [pages[s][name][0] for s in sizes]
        lines.append(f"| {name} | " + " | ".join(map(str, counts)) + f" | {verdict(len(set(counts)) == 1)} |")
    lines += ["", f"## Time per request, {big:,} against {small:,} acts (target: at most 1.5 times)", "",
              f"| request | {small:,} acts | {big:,} acts | ratio | verdict |", "| --- | --- | --- | --- | --- |"]
    for name in ("board", "regulation page", "API list"):
        a, b = pages[small][name][1], pages[big][name][1]
        lines.append(f"| {name} | {a * 1000:.2f} ms | {b * 1000:.2f} ms | {b / a:.2f} | {verdict(b / a <= 1.5)} |")
    # The full feed holds every event: its body grows with the portfolio, so its cost is compared per MiB sent.
    (_, a, a_bytes), (_, b, b_bytes) = pages[small]["full feed"], pages[big]["full feed"]
    a_mib, b_mib = a_bytes / 2**20, b_bytes / 2**20
    per = (b / b_mib) / (a / a_mib)
    lines.append(f"| full feed, per MiB ({a_mib:.1f} / {b_mib:.1f} MiB) | {a / a_mib * 1000:.2f} ms | "
                 f"{b / b_mib * 1000:.2f} ms | {per:.2f} | {verdict(per <= 1.5)} |")
    lines += ["", f"## Feed serving ({small:,} acts, {feed['feed bytes'] / 1024:.0f} KiB)", "",
              "| measure | requests/s | against | ratio | target | verdict |", "| --- | --- | --- | --- | --- | --- |",
              f"| full feed | {feed['feed']:.0f} | static file {feed['static']:.0f}/s | "
              f"{feed['feed'] / feed['static']:.2f} | >= 0.5 | {verdict(feed['feed'] / feed['static'] >= 0.5)} |",
              f"| 304 Not Modified | {feed['304']:.0f} | /healthz {feed['healthz']:.0f}/s | "
              f"{feed['304'] / feed['healthz']:.2f} | >= 0.8 | {verdict(feed['304'] / feed['healthz'] >= 0.8)} |",
              "", f"The first request, with no event cached yet, renders every event ({feed['cold'] * 1000:.0f} ms for "
              f"{small:,} acts); later requests are served from the cache (after a change: see below)."]
    (n1, (t1, _)), (n2, (t2, _)) = sorted(sweep.items())
    lines += ["", f"## Reminder sweep and delivery, {sweep_due:,} due (target: at most 1.5 times)", "",
              f"| {n1:,} open deadlines | {n2:,} open deadlines | ratio | verdict |", "| --- | --- | --- | --- |",
              f"| {t1:.2f} s | {t2:.2f} s | {t2 / t1:.2f} | {verdict(t2 / t1 <= 1.5)} |",
              "", "## Weekly digest", "",
              f"{digests:,} digests built and queued in {digest_seconds:.2f} s: "
              f"{digest_seconds / max(digests, 1) * 1000:.1f} ms per recipient.", *extra, "",
              *bench_report.lines(report), "",
              f"Total benchmark time: {time.perf_counter() - started:.0f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text)
    print(f"(written to {args.out})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
