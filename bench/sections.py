"""Benchmark sections added for issue 19: the feed after a change, past boards, the sweep alone and delivery.

Each section is a function (folder, quick) -> Markdown lines, listed in SECTIONS; `python -m bench` runs them
after its own tables, so a new benchmark is one more entry.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import update

from bench.http import http_pages
from bench.http_feed import http_feed

Section = Callable[[Path, bool], list[str]]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    raw = line.encode()
    if len(raw) <= 75:
        return line + "\r\n"
    out, start = [], 0
    while start < len(raw):
        end = min(start + (75 if start == 0 else 74), len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        out.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(out) + "\r\n"


def plain_text(items: list, alarm_days: tuple[int, ...] = ()) -> bytes:
    """The floor: the same events written directly as text, with escaping and folding (no icalendar)."""
    parts = ["BEGIN:VCALENDAR\r\n"]
    for i in sorted(items, key=lambda i: (i.day, i.uid)):
        stamp = i.last_modified.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        for line in (
            "BEGIN:VEVENT", f"SUMMARY:{_escape(i.summary)}", f"DTSTART;VALUE=DATE:{i.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{i.day + dt.timedelta(days=1):%Y%m%d}", f"DTSTAMP:{stamp}", f"UID:{i.uid}",
            f"SEQUENCE:{i.sequence}", f"CATEGORIES:{','.join(_escape(c) for c in i.categories)}",
            f"DESCRIPTION:{_escape(i.description)}", f"LAST-MODIFIED:{stamp}", "STATUS:CONFIRMED",
            "TRANSP:TRANSPARENT", f"URL:{i.url}", "END:VEVENT",
        ):
            parts.append(_fold(line))
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()


def feed_after_change(folder: Path, quick: bool) -> list[str]:
    from bench.__main__ import get, portfolio
    from tracker.feeds.queries import FeedFilter, feed_items
    from tracker.regulations.models import Deadline

    size = 300 if quick else 1000  # the first render of every event is slow (icalendar): quick stays quick
    app, client, feed = portfolio(folder, size, "feedchange")
    db = app.extensions["tracker.db"]
    start = time.perf_counter()
    # Nothing cached: every event rendered by icalendar, in 20-second steps answered 503 + Retry-After meanwhile.
    requests = 1
    while (response := client.get(feed)).status_code == 503:
        requests += 1
    body = response.data
    cold = time.perf_counter() - start
    with app.app_context(), db.sessionmaker() as s:
        items = feed_items(s, FeedFilter(), base_url=app.config["TRACKER"].base_url, today=dt.date(2026, 11, 28))
    samples = []
    for _ in range(3 if quick else 7):
        start = time.perf_counter()
        plain_text(items)
        samples.append(time.perf_counter() - start)
    floor = sorted(samples)[len(samples) // 2]
    changed = []
    for n in range(3 if quick else 7):  # one deadline changes, then the feed is fetched (by a fresh worker)
        with db.transaction() as s:
            s.execute(update(Deadline).where(Deadline.id == 1 + n).values(sequence=Deadline.sequence + 1))
            from tracker.regulations.revision import bump

            bump(s)
        start = time.perf_counter()
        get(app, client, feed)
        changed.append(time.perf_counter() - start)
    after = sorted(changed)[len(changed) // 2]
    warm = []
    for _ in range(10):
        start = time.perf_counter()
        get(app, client, feed)
        warm.append(time.perf_counter() - start)
    warm_t = sorted(warm)[len(warm) // 2]
    db.dispose()
    return [
        "", f"## Feed after a change ({size:,} acts, {len(items):,} events, {len(body) / 1024:.0f} KiB)", "",
        "| measure | time | against | ratio | target | verdict |", "| --- | --- | --- | --- | --- | --- |",
        f"| first feed after one change | {after * 1000:.0f} ms | plain-text floor {floor * 1000:.0f} ms | "
        f"{after / floor:.2f} | <= 2 | {verdict(after / floor <= 2)} |",
        f"| first feed after one change | {after * 1000:.0f} ms | one second | {after:.2f} | < 1 | "
        f"{verdict(after < 1)} |",
        f"| first feed after one change | {after * 1000:.0f} ms | warm feed {warm_t * 1000:.1f} ms | "
        f"{after / warm_t:.0f} | (information) | |",
        "", f"The very first feed, with no piece cached yet, took {cold:.2f} s in {requests} request(s) (every event "
        "rendered by icalendar, once; a request renders for at most 20 s and answers 503 with Retry-After; "
        "`tracker seed`, `tracker feeds warm` and the scheduler render them before anyone asks; later changes "
        "re-render only what they touch).",
    ]


def past_board(folder: Path, quick: bool) -> list[str]:
    from bench.__main__ import get, portfolio

    sizes = [100, 1000, 3000] if quick else [100, 1000, 10000]
    rows = []
    for size in sizes:
        app, client, _ = portfolio(folder, size, "pastboard")
        # The two boards take turns, so a burst of load from the other users of this machine falls on both alike.
        samples: dict[str, list[float]] = {"/": [], "/?as_of=2023-09-30": []}
        for turn in range(1 + (5 if quick else 11)):
            for url, times in samples.items():
                start = time.perf_counter()
                get(app, client, url)
                if turn:  # the first turn warms up
                    times.append(time.perf_counter() - start)
        today, past = (statistics.median(times) for times in samples.values())
        rows.append(f"| {size:,} | {today * 1000:.1f} ms | {past * 1000:.1f} ms | {past / today:.2f} | "
                    f"{verdict(past / today <= 1.5)} |")
        app.extensions["tracker.db"].dispose()
    return ["", "## Past board (2023-09-30) against today's board (target: at most 1.5 times)", "",
            "| acts | today | 2023-09-30 | ratio | verdict |", "| --- | --- | --- | --- | --- |", *rows]


def sweep_samples(folder: Path, sizes: Sequence[int], due: int, repeat: int, *,
                  deliver: bool) -> dict[int, tuple[float, float, int]]:
    """Per size: medians over `repeat` runs of one reminder sweep (plus delivery through the file backend if
    `deliver`) with `due` reminders among `size` open deadlines, and of the next sweep (nothing new); and how many
    were queued.

    Before each run the marks and the outbox are emptied, so every run does the same work on the same database, and
    the sizes take turns, so a burst of load on this shared machine falls on both: one run alone varies by a factor
    of two or three."""
    from sqlalchemy import delete

    from bench import synthetic
    from bench.__main__ import make_app
    from tracker.notify import jobs
    from tracker.notify.marks import NotifyMark
    from tracker.notify.models import OutboxMessage

    apps = {}
    for size in sizes:
        apps[size] = make_app(folder, f"sweep{'deliver' if deliver else 'only'}{size}")
        with apps[size].extensions["tracker.db"].transaction() as s:
            synthetic.build_sweep(s, size, due)
    first: dict[int, list[float]] = {size: [] for size in sizes}
    again: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(repeat):
        for size, app in apps.items():
            with app.extensions["tracker.db"].transaction() as s:
                s.execute(delete(NotifyMark))
                s.execute(delete(OutboxMessage))
            gc.collect()  # a collection of the earlier sections' garbage falls in no run (one such cost tens of ms)
            start = time.perf_counter()
            queued = jobs.run_reminders(app, synthetic.NOW)
            if deliver:
                report = jobs.run_delivery(app, synthetic.NOW)
                assert report.sent >= 1, report  # one mail per person lists their reminders
            first[size].append(time.perf_counter() - start)
            assert queued == due, queued
            start = time.perf_counter()
            assert jobs.run_reminders(app, synthetic.NOW) == 0  # the next hour's sweep: nothing new
            again[size].append(time.perf_counter() - start)
    for app in apps.values():
        app.extensions["tracker.db"].dispose()
    return {size: (statistics.median(first[size]), statistics.median(again[size]), due) for size in sizes}


def sweep_only(folder: Path, quick: bool) -> list[str]:
    sizes, due = ((2000, 20000), 200) if quick else ((10000, 100000), 1000)
    repeat = 3 if quick else 9
    samples = sweep_samples(folder, sizes, due, repeat, deliver=False)
    (a, a_next, _), (b, b_next, _) = (samples[size] for size in sizes)
    ratio = b / a
    return ["", f"## Reminder sweep alone, {due:,} due (target: at most 1.2 times; medians of {repeat} runs)", "",
            f"| {sizes[0]:,} open | {sizes[1]:,} open | ratio | verdict | next sweep ({sizes[0]:,} / {sizes[1]:,}) |",
            "| --- | --- | --- | --- | --- |",
            f"| {a * 1000:.0f} ms | {b * 1000:.0f} ms | {ratio:.2f} | {verdict(ratio <= 1.2)} | "
            f"{a_next * 1000:.0f} ms / {b_next * 1000:.0f} ms |"]


def delivery(folder: Path, quick: bool) -> list[str]:
    from aiosmtpd.controller import Controller
    from sqlalchemy import insert

    from bench.__main__ import make_app
    from bench.synthetic import NOW
    from tracker.notify import outbox
    from tracker.notify.mail import FileBackend, SmtpBackend
    from tracker.notify.models import OutboxMessage, OutboxStatus

    count = 1000 if quick else 5000
    results = {}

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "250 OK"

    for name in ("file", "smtp"):
        app = make_app(folder, f"delivery{name}")
        db = app.extensions["tracker.db"]
        with db.transaction() as s:
            s.execute(insert(OutboxMessage), [
                dict(key=f"k{i}", kind="reminder", recipient=f"r{i}@example.nl", subject=f"Reminder {i}",
                     body_text="Herinnering / reminder\n" * 10, headers={}, status=OutboxStatus.PENDING,
                     attempts=0, created_at=NOW, next_attempt_at=NOW) for i in range(count)])
        controller = None
        if name == "file":
            backend = FileBackend(folder / "mail")
        else:
            import socket

            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            controller = Controller(Sink(), hostname="127.0.0.1", port=port)
            controller.start()
            backend = SmtpBackend("127.0.0.1", port, timeout=10)
        rates = []
        for run in range(3 if name == "file" else 1):  # the file rate: the median of three runs (the disk is shared)
            if run:
                with db.transaction() as s:
                    s.execute(update(OutboxMessage).values(status=OutboxStatus.PENDING, attempts=0, sent_at=None))
            start = time.perf_counter()
            with db.sessionmaker() as s:
                report = outbox.deliver(s, backend, now=lambda: NOW, sender="b@bench.nl", base_url="http://b")
            rates.append(count / (time.perf_counter() - start))
            assert report.sent == count, report
        results[name] = statistics.median(rates)
        if controller is not None:
            controller.stop()
        db.dispose()
    return ["", f"## Delivery ({count:,} messages; claims of 500 to files, of 50 per SMTP connection)", "",
            "| backend | messages/s | target | verdict |", "| --- | --- | --- | --- |",
            f"| file | {results['file']:.0f} | >= 1000 | {verdict(results['file'] >= 1000)} |",
            f"| loopback SMTP (one connection per batch) | {results['smtp']:.0f} | (information) | |"]


SECTIONS: list[Section] = [feed_after_change, past_board, sweep_only, delivery]
SECTIONS += [http_pages, http_feed]  # bench/http.py, http_feed.py: gunicorn, nginx, Radicale, wrk

from bench.feeds_serving import feeds_serving  # noqa: E402  (a section in a file of its own)

SECTIONS.append(feeds_serving)
