"""The app's one clock: fixed by tests and TRACKER_CLOCK, read by pages, commands and jobs alike."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import NOW, SEED
from tracker import create_app
from tracker.clock import Clock, clock_of
from tracker.config import ConfigError, load_settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_today_is_the_date_in_the_configured_zone():
    clock = Clock(AMSTERDAM, dt.datetime(2026, 11, 29, 22, 59, tzinfo=dt.UTC))
    assert (clock.now().isoformat(), clock.today()) == ("2026-11-29T22:59:00+00:00", dt.date(2026, 11, 29))
    clock.advance(dt.timedelta(minutes=1))  # 00:00 in Amsterdam
    assert clock.today() == dt.date(2026, 11, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(dt.datetime(2026, 1, 1))


def test_tracker_clock_fixes_the_time_of_the_whole_app(tmp_path):
    settings = load_settings(environ={"TRACKER_CLOCK": "2023-09-30T12:00+02:00"}, overrides={
        "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SEED_PATH": str(SEED)})
    app = create_app(settings=settings)
    assert clock_of(app).now() == dt.datetime(2023, 9, 30, 10, 0, tzinfo=dt.UTC)
    assert clock_of(app).frozen
    app.extensions["tracker.db"].dispose()


@pytest.mark.parametrize("raw", ["tomorrow", "2023-13-01", "30-09-2023"])
def test_a_malformed_clock_stops_the_start(tmp_path, raw):
    with pytest.raises(ConfigError, match="TRACKER_CLOCK"):
        load_settings(environ={"TRACKER_CLOCK": raw}, overrides={"INSTANCE_PATH": str(tmp_path)})


def test_the_board_reads_the_app_clock(app, seeded, viewer):
    """Without as_of the board stands on the app's today; moved to the report's date it shows Figure 8."""
    from bs4 import BeautifulSoup

    def shown() -> str:
        page = BeautifulSoup(viewer.get("/").get_data(as_text=True), "html.parser")
        return page.select_one("p.asof strong time")["datetime"]

    assert shown() == NOW.date().isoformat()
    clock_of(app).set(dt.datetime(2023, 9, 30, 12, 0, tzinfo=dt.UTC))
    assert shown() == "2023-09-30"
    csv = viewer.get("/export/board.csv")
    assert csv.headers["Content-Disposition"].endswith('bord-2023-09-30.csv"')
