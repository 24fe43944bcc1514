"""Two editors move the same regulation at the same moment, through gunicorn with two worker processes:
one wins, the other gets the conflict message, and no change is lost or doubled.

The two posts of a round are released together by a barrier; a gunicorn config (hooks, not app code) logs, for
each tagged request, the worker's pid and when the worker started and finished it, so the test can show that
the two requests really were handled at the same time by different processes.
"""

import datetime as dt
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tracker.regulations.models import Regulation, StageChange

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
ROUNDS = 8

GUNICORN_HOOKS = '''
import os
import time

LOG = os.environ["TEST_REQUEST_LOG"]


def pre_request(worker, req):
    # Monotonic: a duration and an overlap between workers, comparable across processes, never a date.
    req.test_started = time.monotonic()


def post_request(worker, req, environ, resp):
    tag = dict(req.headers).get("X-TEST-REQUEST")
    if tag:
        line = f"{tag} {os.getpid()} {req.test_started:.6f} {time.monotonic():.6f} {resp.status_code}\\n"
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(fd, line.encode())
        os.close(fd)
'''


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def server(settings, users, tmp_path):
    hooks = tmp_path / "gunicorn_hooks.py"
    hooks.write_text(GUNICORN_HOOKS)
    request_log = tmp_path / "requests.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DATABASE_URL=settings.database_url, TRACKER_INSTANCE_PATH=str(settings.instance_path),
               TRACKER_CLOCK="2026-11-28T12:00Z", TEST_REQUEST_LOG=str(request_log))
    output = (tmp_path / "gunicorn.out").open("wb")
    proc = subprocess.Popen([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "-c", str(hooks), "tracker.wsgi:app"], env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2)
            break
        except OSError:
            assert proc.poll() is None, (tmp_path / "gunicorn.out").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield base, request_log
    proc.terminate()
    proc.wait(30)
    output.close()


def browser(base: str, email: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
    try:
        opener.open(f"{base}/login", data=data)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
    return opener


def post(opener, url, data, tag) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), headers={"X-Test-Request": tag})
    try:
        return opener.open(request, timeout=60).status
    except urllib.error.HTTPError as exc:
        return exc.code


def history_moves(db) -> int:
    with db.sessionmaker() as s:
        reg_id = s.scalar(select(Regulation.id).where(Regulation.key == "DSA"))
        return s.scalar(select(func.count()).where(StageChange.regulation_id == reg_id, StageChange.actor != "seed"))


def served(request_log: Path, round_: int) -> dict[str, tuple[int, float, float, int]]:
    """How the workers handled round `round_`'s two posts: {name: (pid, started, finished, status)}. A worker logs
    after it has sent its answer, so the lines may still be on their way."""
    deadline = time.monotonic() + 10
    while True:
        found = {}
        for line in request_log.read_text().splitlines():
            tag, pid, started, finished, status = line.split()
            number, name = tag.split("-")
            if int(number) == round_:
                found[name] = (int(pid), float(started), float(finished), int(status))
        if set(found) == {"a", "b"} or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_two_editors_moving_the_same_regulation_at_once(server, db):
    """Rounds go on until ROUNDS of them were real races (both posts inside two workers at the same time), at most
    3 * ROUNDS; in every round, raced or not, exactly one post wins and the history grows by exactly one."""
    base, request_log = server
    alice, bob = browser(base, "ezk.editor@example.nl"), browser(base, "admin@example.nl")
    assert history_moves(db) == 0
    raced, round_ = 0, 0
    stages = ["council_of_state", "parliament", "in_force"]
    while raced < ROUNDS and round_ < 3 * ROUNDS:
        stage = stages[round_] if round_ < 3 else ("parliament" if round_ % 2 else "in_force")
        day = (dt.date(2024, 1, 10) + dt.timedelta(days=7 * round_)).isoformat()
        forms = []
        for who in (alice, bob):
            page = who.open(f"{base}/regulations/DSA").read().decode()
            token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
            version = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page).group(1)
            forms.append({"csrf_token": token, "version": version,
                          "to_stage": stage, "effective": day, "reason": "Teruggestuurd door de Kamer"})
        assert forms[0]["version"] == forms[1]["version"]
        barrier, statuses = threading.Barrier(2), {}

        def go(name, who, form, round_=round_, barrier=barrier, statuses=statuses):
            barrier.wait()
            statuses[name] = post(who, f"{base}/regulations/DSA/stage", form, f"{round_}-{name}")

        threads = [threading.Thread(target=go, args=(n, w, f)) for n, w, f in (("a", alice, forms[0]),
                                                                               ("b", bob, forms[1]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(statuses.values()) == [302, 409], (round_, statuses)
        assert history_moves(db) == round_ + 1, round_

        posts = served(request_log, round_)
        assert set(posts) == {"a", "b"}, (round_, posts)
        assert {name: post_[3] for name, post_ in posts.items()} == statuses
        (pid_a, start_a, end_a, _), (pid_b, start_b, end_b, _) = posts["a"], posts["b"]
        overlap = min(end_a, end_b) - max(start_a, start_b)
        print(f"round {round_}: {stage} {day}, workers {pid_a}/{pid_b}, overlap {overlap * 1000:.1f} ms, "
              f"statuses {statuses['a']}/{statuses['b']}")
        raced += pid_a != pid_b and overlap > 0
        round_ += 1
    assert raced == ROUNDS, f"only {raced} of {round_} rounds had the two posts in two workers at the same time"
