"""The `tracker` command as a user runs it, with TRACKER_* variables: the first run (upgrade, seed twice, board) as a
real process of the installed command; the rest in-process through tracker.cli.main, what that command calls
(`tracker_here`, tests/conftest.py), since a process costs seconds to start and these tests are about what the
commands do.

Every run gets TRACKER_CLOCK, the moment the rest of the suite runs at, so "today" (the board's default day, what
counts as a future date) is the same whatever day the machine says it is.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CLOCK, SEED

EXE = Path(sys.executable).with_name("tracker")

# Figure 8 of the report: each act's stage on 30 September 2023 (None: no stage recorded).
FIGURE_8 = {
    "AIA": "eu_negotiation", "CRA": "eu_negotiation", "CSA": "eu_negotiation", "DA": "eu_negotiation",
    "DGA": "council_of_state", "DIGITAL_EUROPE": "in_force", "DMA": "council_of_state", "DSA": "consultation",
    "EECC": None, "EIDAS2": None, "EPRIVACY": None, "GIA": "eu_negotiation", "NIS2": "internal_prep",
    "P2B": "parliament", "RED": None, "WBDWB": "parliament", "WIBON": "in_force", "WOZT": "in_force",
    # Named in the report outside Figure 8 (issue 17):
    "BARC": "in_force", "CER": None, "NFP_35GHZ": "in_force", "NLF": None, "OIR": "in_force", "ONLINE_OPZEGGEN": None,
    "VEILING_35GHZ": "consultation",
}
SEED_SUMMARY = """authorities: 6 created, 0 updated, 0 unchanged
deadlines: 38 created, 0 updated, 0 unchanged
designations: 8 created, 0 updated, 0 unchanged
evaluations: 23 created, 0 updated, 0 unchanged
instruments: 22 created, 0 updated, 0 unchanged
regulations: 25 created, 0 updated, 0 unchanged
stage_changes: 21 created, 0 updated, 0 unchanged
teams: 10 created, 0 updated, 0 unchanged
seed loaded
"""


@pytest.fixture
def run(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_INSTANCE_PATH=str(tmp_path / "instance"), TRACKER_DATABASE_URL=database_url,
               TRACKER_CLOCK=CLOCK)

    def _run(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(EXE), *args], env={**env, **extra}, capture_output=True, text=True, timeout=120)

    return _run


def board(run, *args: str, **extra: str) -> dict:
    result = run("board", "--json", *args, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_upgrade_seed_twice_and_board(run):
    assert run("db", "upgrade").returncode == 0
    first = run("seed")
    assert first.returncode == 0, first.stderr
    assert first.stdout == SEED_SUMMARY
    second = run("seed")
    assert second.returncode == 0
    assert second.stdout.splitlines()[-1] == "seed already loaded: nothing changed"
    assert "regulations: 0 created, 0 updated, 25 unchanged" in second.stdout.splitlines()
    figure8 = board(run, "--as-of", "2023-09-30")
    assert figure8["as_of"] == "2023-09-30"
    assert {r["key"]: r["stage"] for r in figure8["regulations"]} == FIGURE_8


def test_the_board_defaults_to_the_clocks_today(tracker_here, seeded):  # seeded: a copy of the seeded template
    todays = board(tracker_here)
    assert todays["as_of"] == "2026-11-28"
    # Today is the day in Amsterdam: 23:30 UTC on 31 December is already 1 January there.
    assert board(tracker_here, TRACKER_CLOCK="2026-12-31T23:30Z")["as_of"] == "2027-01-01"
    assert board(tracker_here, TRACKER_CLOCK="2026-12-31T22:30Z")["as_of"] == "2026-12-31"
    # Today's board holds every act at its latest stage (the DGA has moved on since Figure 8).
    today = {r["key"]: r["stage"] for r in todays["regulations"]}
    assert today == {**FIGURE_8, "DGA": "parliament"}


def test_a_stage_move_dated_after_the_clocks_today_is_refused(tracker_here, seeded):
    run = tracker_here
    refused = run("stage", "move", "DSA", "--to", "council_of_state", "--effective", "2026-11-29")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "effective" in refused.stderr and "in de toekomst" in refused.stderr and "Traceback" not in refused.stderr
    assert {r["key"]: r["stage"] for r in board(run)["regulations"]}["DSA"] == "consultation"
    # Two days later by the clock, the same move is accepted.
    moved = run("stage", "move", "DSA", "--to", "council_of_state", "--effective", "2026-11-29",
                TRACKER_CLOCK="2026-11-30T12:00Z")
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout == ("DSA: Consultatie en toetsen → Advisering Raad van State per 29 november 2026 "
                            "(volgende fase)\n")
    assert {r["key"]: r["stage"] for r in board(run)["regulations"]}["DSA"] == "council_of_state"


def test_seed_with_a_broken_file_exits_1_naming_the_problem_and_loads_nothing(tracker_here, tmp_path):
    run = tracker_here
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
    assert board(run)["regulations"] == []


def test_seed_before_upgrade_says_what_to_do(tracker_here):
    run = tracker_here
    result = run("seed")
    assert result.returncode == 2
    assert "tracker db upgrade" in result.stderr


@pytest.mark.parametrize("args", [("outbox", "deliver"), ("reminders", "sweep"), ("users", "list")])
def test_a_command_before_upgrade_says_what_to_do_without_a_traceback(args, tracker_here):
    result = tracker_here(*args)
    assert result.returncode == 2
    assert "tracker db upgrade" in result.stderr and "Traceback" not in result.stderr
