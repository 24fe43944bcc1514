"""Two editors move the same regulation at the same moment, through gunicorn with two worker processes:
one wins, the other gets the conflict message, and no change is lost or doubled."""

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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def server(settings, users):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DATABASE_URL=settings.database_url, TRACKER_INSTANCE_PATH=str(settings.instance_path))
    proc = subprocess.Popen([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "tracker.wsgi:app"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2)
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)


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


def post(opener, url, data) -> int:
    try:
        return opener.open(url, data=urllib.parse.urlencode(data).encode()).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_two_editors_moving_the_same_regulation_at_once(server, db):
    alice, bob = browser(server, "ezk.editor@example.nl"), browser(server, "admin@example.nl")
    rounds = [("council_of_state", "2024-01-10"), ("parliament", "2024-03-01"), ("in_force", "2024-06-01")]
    rounds += [("parliament" if i % 2 == 0 else "in_force", f"2024-{7 + i:02d}-01") for i in range(5)]
    for round_, (stage, day) in enumerate(rounds):
        forms = []
        for who in (alice, bob):
            page = who.open(f"{server}/regulations/DSA").read().decode()
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            version = re.search(r'name="version" type="hidden" value="(\d+)"|name="version" value="(\d+)"', page)
            forms.append({"csrf_token": token, "version": version.group(1) or version.group(2),
                          "to_stage": stage, "effective": day, "reason": "Teruggestuurd door de Kamer"})
        assert forms[0]["version"] == forms[1]["version"]
        barrier, statuses = threading.Barrier(2), {}

        def go(name, who, form, barrier=barrier, statuses=statuses):
            barrier.wait()
            statuses[name] = post(who, f"{server}/regulations/DSA/stage", form)

        threads = [threading.Thread(target=go, args=(n, w, f)) for n, w, f in (("a", alice, forms[0]),
                                                                               ("b", bob, forms[1]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(statuses.values()) == [302, 409], (round_, statuses)
        with db.sessionmaker() as s:
            reg_id = s.scalar(select(Regulation.id).where(Regulation.key == "DSA"))
            moves = s.scalar(select(func.count()).where(StageChange.regulation_id == reg_id,
                                                        StageChange.actor != "seed"))
            assert moves == round_ + 1
