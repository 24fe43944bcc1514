"""HTTP benchmarks (issue 19): the app under gunicorn with the README's production command, loaded by Debian's
`wrk` at 16 concurrent clients, and the feed against nginx and Radicale serving the same calendar.

Every server is started here on loopback on a free port, in the run's temporary folder, and stopped afterwards.
Each figure is a ratio of two measurements in the same run: pages against /healthz on the same gunicorn, the feed
against nginx serving its bytes as a static file and against Radicale (a CalDAV server) serving the same events.
"""

from __future__ import annotations

import getpass
import http.client
import importlib.util
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16

# wrk calls `done` once at the end; one machine-readable line is easier to trust than its human summary.
DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT {\\"requests\\": %d, \\"duration_us\\": %d, \\"bytes\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d, "
    .. "\\"connect\\": %d, \\"read\\": %d, \\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d}\\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


class MissingTool(RuntimeError):
    """A program the HTTP benchmark needs is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Load:
    """One wrk run: completed requests per second, latency percentiles, and errors of any kind."""

    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int
    bytes: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk(output: str) -> Load:
    """The figures of the `WRK-RESULT {json}` line that DONE_LUA writes at the end of a wrk run."""
    for line in output.splitlines():
        if line.startswith("WRK-RESULT "):
            data = json.loads(line.removeprefix("WRK-RESULT "))
            errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
            return Load(requests=data["requests"], seconds=data["duration_us"] / 1e6, p50=data["p50_us"] / 1e6,
                        p99=data["p99_us"] / 1e6, errors=errors, bytes=data["bytes"])
    raise ValueError(f"no WRK-RESULT line in wrk's output:\n{output[-2000:]}")


def require_tools() -> tuple[str, str]:
    """wrk and nginx from Debian, Radicale from PyPI; a clear message instead of a silent skip."""
    missing = []
    wrk, nginx = shutil.which("wrk"), shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if wrk is None:
        missing.append("wrk (Debian: apt-get install wrk)")
    if nginx is None:
        missing.append("nginx (Debian: apt-get install nginx)")
    if importlib.util.find_spec("radicale") is None:
        missing.append("radicale (PyPI: pip install -e '.[bench]')")
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None and shutil.which("gunicorn") is None:
        missing.append("gunicorn (PyPI: pip install -e .)")
    if missing:
        raise MissingTool(f"the HTTP benchmark needs {', '.join(missing)}: install as named, or run "
                          "scripts/bench, which installs them and runs the benchmark")
    return wrk, nginx  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET",
          body: bytes | None = None, timeout: float = 300) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(port: int, path: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; its log ({log}):\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            fetch(port, path, timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not ready after {timeout:.0f} s; log: {log}")


@contextmanager
def server(argv: list[str], port: int, ready_path: str, log: Path, env: dict[str, str] | None = None,
           cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """Start a server in its own process group, wait until it answers, and always stop the whole group."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                   start_new_session=True)
    try:
        wait_ready(port, ready_path, process, log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # gunicorn and nginx stop their workers on TERM/QUIT
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with suppress(ProcessLookupError):  # a worker that outlived its master (it should not) goes too
            os.killpg(process.pid, signal.SIGKILL)


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the processes of one process group (a server and its workers), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(pgid: int, limit: float = 60) -> None:
    """wrk stops at its deadline but a server still finishes the requests in flight: let it, before the next run."""
    deadline, before = time.monotonic() + limit, group_cpu(pgid)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = group_cpu(pgid)
        if now - before < 0.03:
            return
        before = now


def run_wrk(wrk: str, script: Path, port: int, path: str, seconds: int,
            headers: dict[str, str] | None = None, pgid: int | None = None) -> Load:
    argv = [wrk, "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "60s", "-s", str(script)]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run([*argv, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True,
                          timeout=seconds + 120)
    load = parse_wrk(done.stdout)
    if pgid is not None:
        wait_idle(pgid)
    if load.errors:
        raise RuntimeError(f"wrk saw {load.errors} errors (non-2xx/3xx, timeouts, socket) on {path}:\n{done.stdout}")
    return load


def nginx_conf(tmp: Path, port: int, root: Path) -> Path:
    """nginx as the current user, everything it writes inside tmp; the same sendfile setup as a production one."""
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / sub).mkdir(exist_ok=True)
    # As root the workers would switch to `nobody`, who cannot read a 0700 temporary folder: stay the current user.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(f"""{user}daemon off;
master_process on;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/calendar ics; text/plain txt; }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
""")
    return conf


def radicale_conf(tmp: Path, port: int) -> Path:
    conf = tmp / "radicale.conf"
    conf.write_text(f"""[server]
hosts = 127.0.0.1:{port}
max_content_length = 1000000000
[auth]
type = none
[storage]
filesystem_folder = {tmp}/collections
[web]
type = none
[logging]
level = warning
""")
    return conf


@dataclass(frozen=True)
class Portfolio:
    """A migrated SQLite portfolio in the run's folder, with what a client needs to read it over HTTP."""

    env: dict[str, str]
    cookie: str
    api_token: str
    feed: str


def build_portfolio(folder: Path, size: int) -> Portfolio:
    """Built once per run and size (both sections share it); the feed is never fetched here, so it starts cold."""
    saved = folder / f"http{size}.json"
    name = f"http{size}"
    if not saved.exists():
        from bench.__main__ import portfolio

        app, client, feed = portfolio(folder, size, "http")
        cookie = client.get_cookie("session")
        assert cookie is not None, "the benchmark's login set no session cookie"
        saved.write_text(json.dumps({"cookie": cookie.value, "api_token": app.config["BENCH_API_TOKEN"],
                                     "feed": feed}))
        app.extensions["tracker.db"].dispose()
    data = json.loads(saved.read_text())
    # The production entry point reads TRACKER_* from the environment: the same instance folder (so the same
    # generated secret key signs the session cookie and the feed token) and the same database file.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "GUNICORN_"))}
    env.update(TRACKER_INSTANCE_PATH=str(folder / name), TRACKER_DATABASE_URL=f"sqlite:///{folder / name}.sqlite3")
    return Portfolio(env=env, cookie=data["cookie"], api_token=data["api_token"], feed=data["feed"])


@contextmanager
def gunicorn(folder: Path, p: Portfolio, section: str, app: str = "tracker.wsgi:app", ready: str = "/healthz",
             env: dict[str, str] | None = None) -> Iterator[tuple[int, int]]:
    """The README's production command: `gunicorn -c gunicorn.conf.py -w 4 -b 127.0.0.1:PORT tracker.wsgi:app`
    (or another app under the very same command)."""
    port = free_port()
    exe = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    argv = [str(exe), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "4", "-b", f"127.0.0.1:{port}", app]
    log = folder / f"gunicorn-{section}-{app.split(':')[0]}.log"  # each section's servers their own log
    with server(argv, port, ready, log, env={**p.env, **(env or {})}, cwd=ROOT) as process:
        yield port, process.pid


@dataclass(frozen=True)
class Setup:
    """What both HTTP sections start from: the tools, the rounds, the portfolio and wrk's reporting script."""

    wrk: str
    nginx: str
    rounds: int
    seconds: int
    portfolio: Portfolio
    script: Path


def prepare(folder: Path, quick: bool, size: int) -> Setup:
    wrk, nginx_bin = require_tools()
    rounds, seconds = rounds_of(quick)
    script = folder / "wrk-done.lua"
    script.write_text(DONE_LUA)
    return Setup(wrk, nginx_bin, rounds, seconds, build_portfolio(folder, size), script)


def get_ok(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[bytes, int]:
    """GET until the answer is 200 (a feed's first render answers 503 with Retry-After meanwhile)."""
    requests = 0
    while True:
        requests += 1
        status, body = fetch(port, path, headers)
        if status == 200:
            return body, requests
        if status != 503:
            raise RuntimeError(f"GET {path}: {status} instead of 200:\n{body[:500]!r}")


def rounds_of(quick: bool) -> tuple[int, int]:
    """(rounds, seconds per wrk run): figures are medians over rounds, each round measuring every endpoint."""
    return (1, 3) if quick else (3, 10)


def median_load(loads: list[Load]) -> tuple[float, float]:
    return statistics.median(load.rate for load in loads), statistics.median(load.p99 for load in loads)


def row(measure: str, figure: str, against: str, ratio: float, target: str = "(information)",
        ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    shown = f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"
    return f"| {measure} | {figure} | {against} | {shown} | {target} | {verdict} |"


HEADER = ["| measure | figure | against | ratio | target | verdict |", "| --- | --- | --- | --- | --- | --- |"]


def http_pages(folder: Path, quick: bool) -> list[str]:
    """Board, act page and API list under gunicorn at 16 clients, against /healthz on the same server."""
    size = 1000
    setup = prepare(folder, quick, size)
    wrk, rounds, seconds, p, script = setup.wrk, setup.rounds, setup.seconds, setup.portfolio, setup.script
    targets = {
        "/healthz": ("/healthz", {}),
        "board": ("/", {"Cookie": f"session={p.cookie}"}),
        "act page": ("/regulations/R00042", {"Cookie": f"session={p.cookie}"}),
        "API list": ("/api/v1/regulations?per_page=50", {"Authorization": f"Bearer {p.api_token}"}),
    }
    loads: dict[str, list[Load]] = {name: [] for name in targets}
    with gunicorn(folder, p, "pages") as (port, pgid):
        for path, headers in targets.values():
            get_ok(port, path, headers)  # warm every worker's imports and caches a little, and check for a 200
            run_wrk(wrk, script, port, path, 1, headers, pgid)
        for _ in range(rounds):
            for name, (path, headers) in targets.items():
                loads[name].append(run_wrk(wrk, script, port, path, seconds, headers, pgid))
    base_rate, base_p99 = median_load(loads["/healthz"])
    lines = ["", f"## Pages over HTTP: gunicorn -w 4, wrk {CLIENTS} clients ({size:,} acts; "
             f"{rounds} x {seconds} s per endpoint, medians)", "", *HEADER]
    for name in ("board", "act page", "API list"):
        rate, p99 = median_load(loads[name])
        lines.append(row(f"{name}: requests/s", f"{rate:.0f}/s", f"/healthz {base_rate:.0f}/s", rate / base_rate))
        lines.append(row(f"{name}: p99", f"{p99 * 1000:.0f} ms", f"/healthz {base_p99 * 1000:.1f} ms",
                         p99 / base_p99))
    return lines


@contextmanager
def nginx(nginx_bin: str, tmp: Path, root: Path) -> Iterator[tuple[int, int]]:
    port = free_port()
    conf = nginx_conf(tmp, port, root)
    # -e: the error log from the very start (before the config is read) goes to tmp, not /var/log/nginx.
    with server([nginx_bin, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")], port, "/",
                tmp / "nginx.log") as process:
        yield port, process.pid


@contextmanager
def radicale(tmp: Path) -> Iterator[tuple[int, int]]:
    port = free_port()
    conf = radicale_conf(tmp, port)
    with server([sys.executable, "-m", "radicale", "--config", str(conf)], port, "/", tmp / "radicale.log") as process:
        yield port, process.pid


def sequential(port: int, path: str, headers: dict[str, str], times: int = 3) -> float:
    """Median seconds of one request alone (no concurrency)."""
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        get_ok(port, path, headers)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
