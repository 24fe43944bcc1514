import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import NOW
from tracker.audit.record import Actor
from tracker.auth.models import Team
from tracker.clock import Clock
from tracker.dates import PrecisionDate
from tracker.db import QueryCounter
from tracker.regulations.commands import MoveStage
from tracker.regulations.models import Deadline, DeadlineKind, Regulation, RegulationKind
from tracker.unit_of_work import apply_in_transaction


def test_regulation_page_shows_history_deadlines_designations_evaluations_and_sources(viewer):
    response = viewer.get("/regulations/DSA")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    history = soup.select_one("#history").get_text(" ", strip=True)
    assert "Consultatie en toetsen" in history and "2e kwartaal 2023" in history and "Figuur 8" in history
    deadlines = soup.select_one("#deadlines").get_text(" ", strip=True)
    assert "17 februari 2024" in deadlines and "Van toepassing op alle tussenhandeldiensten" in deadlines
    designations = soup.select_one("#designations").get_text(" ", strip=True)
    assert "ACM" in designations and "Autoriteit Consument en Markt" in designations
    evaluations = soup.select_one("#evaluations").get_text(" ", strip=True)
    assert "17 september 2025" in evaluations and "17 november 2027" in evaluations


def test_unknown_regulation_is_404_with_a_message(viewer):
    response = viewer.get("/regulations/NOPE")
    assert response.status_code == 404
    assert "NOPE" in response.get_data(as_text=True)


def test_pages_are_html_with_security_headers(viewer):
    response = viewer.get("/")
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def add_regulations(db, n: int, start: int) -> None:
    """Add n regulations, each with a history of three changes and two deadlines."""
    with db.transaction() as s:
        team = s.scalars(select(Team).where(Team.key == "EZK")).one()
        for i in range(start, start + n):
            reg = Regulation(
                key=f"SYN{i}",
                title=f"Synthetic act {i}",
                kind=RegulationKind.DIRECTIVE,
                team_id=team.id,
                created_at=NOW,
                updated_at=NOW,
            )
            s.add(reg)
            s.flush()
            for stage, date in [
                ("internal_prep", "2022"),
                ("consultation", "2023-Q1"),
                ("council_of_state", "2023-06"),
            ]:
                apply_in_transaction(s, MoveStage(reg.key, stage, date), Actor("bench"), Clock(ZoneInfo("UTC"), NOW))
            for due in ["2024-03", "2027"]:
                s.add(
                    Deadline(
                        regulation_id=reg.id,
                        kind=DeadlineKind.TRANSPOSITION,
                        title="Transpose",
                        due=PrecisionDate.parse(due),
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )


def queries_for(client, db, url: str) -> int:
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("url", ["/", "/?as_of=2023-09-30", "/regulations/DSA", "/regulations/SYN0"])
def test_queries_per_page_do_not_grow_with_the_portfolio(seeded, app, viewer, url):
    add_regulations(seeded, 1, 0)
    small = queries_for(viewer, seeded, url)
    add_regulations(seeded, 40, 1)
    assert queries_for(viewer, seeded, url) == small
    assert small <= 21  # README, Queries per request: the board is the most, 21


def test_stage_since_date_shows_on_the_board(seeded, viewer):
    add_regulations(seeded, 1, 0)
    html = viewer.get("/?as_of=" + dt.date(2023, 7, 1).isoformat()).get_data(as_text=True)
    card = BeautifulSoup(html, "html.parser").select_one('article[data-key="SYN0"]')
    assert card.find_parent("section")["data-stage"] == "council_of_state"
    assert "juni 2023" in card.get_text()


@pytest.mark.parametrize("url", ["/regulations/%00", "/?as_of=%00", "/?team=%00", "/?x%00=1"])
def test_nul_bytes_anywhere_are_a_400(viewer, url):
    response = viewer.get(url)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/regulations/DSA/deadlines/9223372036854775808/edit", "/admin/audit?before=99999999999999999999"]
)
def test_huge_numbers_in_urls_are_not_a_500(login, url):
    response = login("admin@example.nl").get(url)
    assert response.status_code in (400, 404)


def test_the_regulation_page_title_is_plain_text(viewer):
    soup = BeautifulSoup(viewer.get("/regulations/DSA").get_data(as_text=True), "html.parser")
    assert soup.title.get_text().startswith("DSA ·") and "<" not in soup.title.get_text()
    assert len(soup.select("#audit")) == 1
