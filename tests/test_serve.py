"""`tracker serve --port P`, run as a newcomer runs it: links in feeds, CSV files, mails and the API point at the
port it listens on, unless TRACKER_BASE_URL names the public address."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("tracker")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path: Path, port: int, **extra: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_INSTANCE_PATH=str(tmp_path / "instance"), TRACKER_CLOCK="2026-11-28T12:00Z",
               TRACKER_ADMIN_PASSWORD="a long and unguessable first password", **extra)
    proc = subprocess.Popen([str(EXE), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"tracker serve stopped: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _servers(base: str) -> str:
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as response:
        return json.load(response)["servers"][0]["url"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    port = _free_port()
    for base in _serve(tmp_path, port):
        yield base, port


def test_links_use_the_port_the_server_listens_on(served):
    base, port = served
    assert _servers(base) == f"http://127.0.0.1:{port}"


def test_a_public_base_url_wins_over_the_port(tmp_path):
    port = _free_port()
    for base in _serve(tmp_path, port, TRACKER_BASE_URL="https://tracker.example.nl"):
        assert _servers(base) == "https://tracker.example.nl"
