"""The feed over HTTP (issue 19): the full feed and one team's feed under the README's gunicorn command, against
nginx serving the same bytes as a static file, against the least WSGI app that sends the same file under the same
gunicorn command (bench/static_wsgi.py: the worker model's own ceiling), and against Radicale serving the same
calendar. Servers and load generator come from bench/http.py.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from bench.http import (
    CLIENTS,
    HEADER,
    Load,
    fetch,
    get_ok,
    gunicorn,
    median_load,
    nginx,
    prepare,
    radicale,
    row,
    run_wrk,
    sequential,
)


def http_feed(folder: Path, quick: bool) -> list[str]:
    """The full feed and one team's feed under gunicorn, against nginx (the same bytes as a static file) and
    Radicale (the same events, PUT into a CalDAV collection, fetched with GET)."""
    size = 1000
    setup = prepare(folder, quick, size)
    wrk, nginx_bin, rounds, seconds = setup.wrk, setup.nginx, setup.rounds, setup.seconds
    p, script = setup.portfolio, setup.script
    feeds = {"full": p.feed, "team": f"{p.feed}?team=EZK"}
    www, nginx_tmp, radicale_tmp = folder / "www", folder / "nginx", folder / "radicale"
    for sub in (www, nginx_tmp, radicale_tmp):
        sub.mkdir(exist_ok=True)
    auth = {"Authorization": "Basic " + base64.b64encode(b"bench:bench").decode()}  # any password under auth none
    loads: dict[tuple[str, str], list[Load]] = {}
    alone: dict[tuple[str, str], float] = {}
    cold: dict[str, tuple[float, int]] = {}
    sizes: dict[tuple[str, str], int] = {}
    upload = {}

    def measure(key: tuple[str, str], port: int, path: str, headers: dict[str, str], pgid: int) -> None:
        loads.setdefault(key, []).append(run_wrk(wrk, script, port, path, seconds, headers, pgid))

    with gunicorn(folder, p, "feed") as (g_port, g_pgid), nginx(nginx_bin, nginx_tmp, www) as (n_port, n_pgid):
        for name, path in feeds.items():
            start = time.perf_counter()
            body, requests = get_ok(g_port, path)  # the first request renders (nothing cached yet)
            cold[name] = (time.perf_counter() - start, requests)
            body, _ = get_ok(g_port, path)
            (www / f"{name}.ics").write_bytes(body)
            sizes[(name, "gunicorn")] = len(body)
            assert get_ok(n_port, f"/{name}.ics")[0] == body, "nginx must serve the very bytes gunicorn served"
        with radicale(radicale_tmp) as (r_port, _):
            for name in feeds:
                body = (www / f"{name}.ics").read_bytes()
                start = time.perf_counter()
                status, answer = fetch(r_port, f"/bench/{name}/", {**auth, "Content-Type": "text/calendar"}, "PUT",
                                       body, timeout=1800)
                upload[name] = time.perf_counter() - start
                if status not in (200, 201, 204):
                    raise RuntimeError(f"Radicale refused the {name} feed ({status}): {answer[:500]!r}")
                r_body, _ = get_ok(r_port, f"/bench/{name}/", auth)
                if r_body.count(b"BEGIN:VEVENT") != body.count(b"BEGIN:VEVENT"):
                    raise RuntimeError(f"Radicale serves {r_body.count(b'BEGIN:VEVENT')} events of the {name} feed, "
                                       f"not {body.count(b'BEGIN:VEVENT')}")
                sizes[(name, "Radicale")] = len(r_body)
        # The least WSGI app sending the same file under the same gunicorn command: the worker model's ceiling.
        floor = gunicorn(folder, p, "feed", "bench.static_wsgi:app", "/full.ics", {"BENCH_STATIC_ROOT": str(www)})
        with floor as (f_port, f_pgid):
            for name, path in feeds.items():  # warm: every gunicorn worker, nginx's page cache
                run_wrk(wrk, script, g_port, path, 1, {}, g_pgid)
                run_wrk(wrk, script, n_port, f"/{name}.ics", 1, {}, n_pgid)
                alone[(name, "gunicorn")] = sequential(g_port, path, {})
                alone[(name, "nginx")] = sequential(n_port, f"/{name}.ics", {})
                run_wrk(wrk, script, f_port, f"/{name}.ics", 1, {}, f_pgid)
                assert get_ok(f_port, f"/{name}.ics")[0] == (www / f"{name}.ics").read_bytes()
            for _ in range(rounds):
                # gunicorn's own ceiling for the same worker model: what any request costs, whatever its body.
                measure(("healthz", "gunicorn"), g_port, "/healthz", {}, g_pgid)
                for name, path in feeds.items():
                    measure((name, "gunicorn"), g_port, path, {}, g_pgid)
                    measure((name, "nginx"), n_port, f"/{name}.ics", {}, n_pgid)
                    measure((name, "floor"), f_port, f"/{name}.ics", {}, f_pgid)
                    # Radicale serves a whole collection in seconds; stopping it after the run ends the requests wrk
                    # left in flight (instead of their minutes of CPU weighing on the next measurement).
                    with radicale(radicale_tmp) as (r_port, _):
                        if (name, "Radicale") not in alone:
                            alone[(name, "Radicale")] = sequential(r_port, f"/bench/{name}/", auth)
                        loads.setdefault((name, "Radicale"), []).append(
                            run_wrk(wrk, script, r_port, f"/bench/{name}/", seconds, auth))
    return feed_lines(size, seconds, rounds, loads, alone, cold, sizes, upload,
                      (www / "full.ics").read_bytes().count(b"BEGIN:VEVENT"))


def feed_lines(size: int, seconds: int, rounds: int, loads: dict[tuple[str, str], list[Load]],
               alone: dict[tuple[str, str], float], cold: dict[str, tuple[float, int]],
               sizes: dict[tuple[str, str], int], upload: dict[str, float], events: int) -> list[str]:
    lines = ["", f"## Feeds over HTTP: gunicorn -w 4 against nginx, the least WSGI app and Radicale, wrk {CLIENTS} "
             f"clients ({size:,} acts, {events:,} events in the full feed; {rounds} x {seconds} s per server, "
             "medians)", "", *HEADER]
    h_rate, _ = median_load(loads[("healthz", "gunicorn")])
    for name in ("full", "team"):
        label = "full feed" if name == "full" else "one team's feed"
        g_rate, g_p99 = median_load(loads[(name, "gunicorn")])
        n_rate, n_p99 = median_load(loads[(name, "nginx")])
        f_rate, _ = median_load(loads[(name, "floor")])
        r_rate, r_p99 = median_load(loads[(name, "Radicale")])
        lines += [
            row(f"{label}, gunicorn: requests/s", f"{g_rate:.1f}/s", f"nginx static file {n_rate:.1f}/s",
                g_rate / n_rate, ">= 0.9", g_rate / n_rate >= 0.9),
            row(f"{label}, gunicorn: p99", f"{g_p99 * 1000:.0f} ms", f"nginx {n_p99 * 1000:.0f} ms", g_p99 / n_p99),
            row(f"{label}, gunicorn: requests/s", f"{g_rate:.1f}/s", f"/healthz on the same gunicorn {h_rate:.0f}/s",
                g_rate / h_rate),
            row(f"{label}, gunicorn: requests/s", f"{g_rate:.1f}/s",
                f"the least WSGI app sending the file, same command {f_rate:.1f}/s", g_rate / f_rate),
            row(f"{label}, the least WSGI app: requests/s", f"{f_rate:.1f}/s", f"nginx static file {n_rate:.1f}/s",
                f_rate / n_rate),
        ]
        if r_rate:
            lines += [
                row(f"{label}, gunicorn: requests/s", f"{g_rate:.1f}/s", f"Radicale {r_rate:.2f}/s", g_rate / r_rate),
                row(f"{label}, gunicorn: p99", f"{g_p99 * 1000:.0f} ms", f"Radicale {r_p99 * 1000:.0f} ms",
                    g_p99 / r_p99),
            ]
        else:  # not one request done within the run: the honest figure is a bound
            lines.append(f"| {label}, gunicorn: requests/s | {g_rate:.1f}/s | Radicale: none of {CLIENTS} requests "
                         f"done in {seconds} s (< {1 / seconds:.2f}/s) | > {g_rate * seconds:.0f} | (information) | |")
        lines.append(row(f"{label}, one request alone: gunicorn", f"{alone[(name, 'gunicorn')] * 1000:.0f} ms",
                         f"Radicale {alone[(name, 'Radicale')] * 1000:.0f} ms",
                         alone[(name, "gunicorn")] / alone[(name, "Radicale")]))
        lines.append(row(f"{label}, one request alone: gunicorn", f"{alone[(name, 'gunicorn')] * 1000:.0f} ms",
                         f"nginx {alone[(name, 'nginx')] * 1000:.1f} ms",
                         alone[(name, "gunicorn")] / alone[(name, "nginx")]))
    lines += ["", "Bytes per response: " + "; ".join(
        f"{name} feed {sizes[(name, 'gunicorn')] / 1024:.0f} KiB (Radicale's GET {sizes[(name, 'Radicale')] / 1024:.0f}"
        f" KiB; its PUT took {upload[name]:.0f} s)" for name in ("full", "team")) +
        ". The first request under gunicorn, nothing rendered yet (measured before the warm figures above): "
        + "; ".join(f"{name} feed {t:.2f} s in {n} request(s)" for name, (t, n) in cold.items())
        + " (the team feed after the full one, whose events it reuses)."]
    return lines
