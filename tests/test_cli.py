"""The installed `tracker` command, run as a user runs it: a real process with TRACKER_* variables."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED

EXE = Path(sys.executable).with_name("tracker")


@pytest.fixture
def run(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_INSTANCE_PATH=str(tmp_path / "instance"), TRACKER_DATABASE_URL=database_url)

    def _run(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(EXE), *args], env={**env, **extra}, capture_output=True, text=True, timeout=120)

    return _run


def test_upgrade_seed_twice_and_board(run):
    assert run("db", "upgrade").returncode == 0
    first = run("seed")
    assert first.returncode == 0, first.stderr
    assert "seed loaded" in first.stdout and "regulations: 18 created" in first.stdout
    second = run("seed")
    assert second.returncode == 0 and "nothing changed" in second.stdout
    board = json.loads(run("board", "--as-of", "2023-09-30", "--json").stdout)
    assert {
        k: v
        for k, v in next(r for r in board["regulations"] if r["short_name"] == "DMA").items()
        if k in ("short_name", "stage")
    } == {"short_name": "DMA", "stage": "council_of_state"}


def test_seed_with_a_broken_file_exits_1_naming_the_problem_and_loads_nothing(run, tmp_path):
    broken = tmp_path / "seed"
    shutil.copytree(SEED, broken)
    path = broken / "regulations" / "pillar3.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('due: "2024-02-17"', 'due: "2024-02-31"', 1), encoding="utf-8"
    )
    assert run("db", "upgrade").returncode == 0
    result = run("seed", TRACKER_SEED_PATH=str(broken))
    assert result.returncode == 1
    assert "Nothing was loaded" in result.stderr
    assert "regulations/pillar3.yaml" in result.stderr and "due" in result.stderr and "2024-02-31" in result.stderr
    assert "Traceback" not in result.stderr
    board = json.loads(run("board", "--json").stdout)
    assert board["regulations"] == []


def test_seed_before_upgrade_says_what_to_do(run):
    result = run("seed")
    assert result.returncode == 2
    assert "tracker db upgrade" in result.stderr
