"""The board as of 30 September 2023 must match Figure 8 of the report ("stand eind sept 2023")."""

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup

from tracker.cli import cli
from tracker.labels import label_in
from tracker.regulations.queries import board
from tracker.regulations.stages import Stage

FIGURE_8 = {
    "AIA": Stage.EU_NEGOTIATION,  # "In behandeling - triloog"
    "DA": Stage.EU_NEGOTIATION,  # "Trilogen afgerond, politiek akkoord op 28 juni 2023"
    "DSA": Stage.CONSULTATION,  # "Openbare consultatie in Q2 2023. Adviezen ... worden nu verwerkt"
    "DMA": Stage.COUNCIL_OF_STATE,  # "Adviesaanvraag aan RvS verstuurd in Q3 2023"
    "DGA": Stage.COUNCIL_OF_STATE,  # "Nader rapport opgesteld in Q3. Aanbieding TK in oktober 2023."
}
END_SEPT_2023 = dt.date(2023, 9, 30)


def test_board_as_of_end_september_2023_matches_figure_8(seeded, session):
    result = board(session, END_SEPT_2023)
    assert {key: result.stage_of(key) for key in FIGURE_8} == FIGURE_8


def test_the_board_moves_with_the_as_of_date(seeded, session):
    # The DGA bill went to parliament in October 2023 (month precision: from 1 October).
    assert board(session, dt.date(2023, 10, 1)).stage_of("DGA") is Stage.PARLIAMENT
    assert board(session, dt.date(2023, 6, 30)).stage_of("DMA") is Stage.CONSULTATION
    # Before anything the report dates, no stage is recorded.
    early = board(session, dt.date(2000, 1, 1))
    assert early.columns[None] and all(not cards for s, cards in early.columns.items() if s is not None)


def page_columns(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {
        card["data-key"]: column["data-stage"]
        for column in soup.select("section.column")
        for card in column.select("article.card")
    }


def test_board_page_as_of_matches_figure_8(viewer):
    response = viewer.get("/?as_of=2023-09-30")
    assert response.status_code == 200
    columns = page_columns(response.get_data(as_text=True))
    assert {key: columns[key] for key in FIGURE_8} == {k: v.value for k, v in FIGURE_8.items()}
    assert "2023-09-30" in response.get_data(as_text=True)


def test_board_card_shows_the_next_deadline_as_of_the_date(viewer):
    html = viewer.get("/?as_of=2023-09-30").get_data(as_text=True)
    card = BeautifulSoup(html, "html.parser").select_one('article[data-key="DSA"]')
    # On the report's date the DSA's step "in het najaar" (from October, see seed/README.md) is still to come.
    assert card.select_one(".deadline time")["datetime"] == "2023-10 .. 2023-12 (najaar 2023)"
    assert card.select_one(".deadline time").get_text() == "najaar 2023"
    assert "Gepland: uitvoeringswet aangeboden aan de Raad van State" in card.get_text()


@pytest.mark.parametrize(
    ("bad", "says"),
    [("2023-13-01", "geen bestaande datum"), ("yesterday", "lezen wij niet als datum"), ("2023-09", "Kies een dag"),
     ("2023-02-30", "geen bestaande datum"), ("x" * 5000, "te lang")],
)
def test_a_malformed_as_of_date_shows_todays_board_with_the_reason_at_the_date_field(viewer, bad, says):
    response = viewer.get("/", query_string={"as_of": bad})
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.title.get_text().startswith("Fout: ")
    summary = page.select_one("#error-summary a[href='#as_of']").get_text(" ")
    assert says in summary and len(summary) < 300
    assert page.select_one("#as_of")["value"] == "2026-11-28" and page.select(".board .column")


def test_the_board_takes_a_day_in_dutch_notation(viewer):
    html = viewer.get("/", query_string={"as_of": "30-09-2023"}).get_data(as_text=True)
    assert BeautifulSoup(html, "html.parser").select_one("#as_of")["value"] == "2023-09-30"


def test_cli_board_json_as_of_matches_figure_8(seeded, app):
    result = app.test_cli_runner().invoke(cli, ["board", "--as-of", "2023-09-30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    stages = {r["key"]: r["stage"] for r in data["regulations"]}
    assert {r["key"]: r["short_name"] for r in data["regulations"]}["VEILING_35GHZ"] == "Veiling 3,5 GHz"
    assert {k: stages[k] for k in FIGURE_8} == {k: v.value for k, v in FIGURE_8.items()}
    assert data["as_of"] == "2023-09-30"


def test_cli_board_text_lists_stages_in_order(seeded, app):
    result = app.test_cli_runner().invoke(cli, ["board", "--as-of", "2023-09-30"])
    assert result.exit_code == 0, result.output
    headings = re.findall(r"^(\S.*) \(\d+\)$", result.output, re.M)
    with app.app_context():
        assert headings[:6] == [f"{label_in(s, 'nl')} / {label_in(s, 'en')}" for s in Stage]
    section = result.output.split("Advisering Raad van State")[1].split("Parlementaire")[0]
    assert "DMA" in section and "DGA" in section


def test_cli_board_refuses_a_malformed_date(seeded, app):
    result = app.test_cli_runner().invoke(cli, ["board", "--as-of", "30-09-2023"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_a_long_column_shows_its_first_cards_and_how_many_more(seeded, viewer):
    from tests.test_pages import add_regulations
    from tracker.regulations.queries import COLUMN_LIMIT

    add_regulations(seeded, COLUMN_LIMIT + 5, 0)  # all at the Council of State
    soup = BeautifulSoup(viewer.get("/").get_data(as_text=True), "html.parser")
    column = soup.select_one('section[data-stage="council_of_state"]')
    total = int(column.select_one(".count").get_text().removeprefix("aantal:").strip())
    assert len(column.select("article.card")) == COLUMN_LIMIT and total == COLUMN_LIMIT + 5 + 1  # and DMA
    more = column.select_one("a.more")
    assert f"nog {total - COLUMN_LIMIT}" in more.get_text()
    page2 = BeautifulSoup(viewer.get(more["href"]).get_data(as_text=True), "html.parser")
    assert len(page2.select("section.column")) == 1
    assert len(page2.select("article.card")) == total  # the whole column, up to 200 a page
    assert not page2.select("a.more")
    assert viewer.get("/?stage=senate").status_code == 400 and viewer.get("/?page=0").status_code == 400


def test_the_board_of_today_and_of_a_past_day_agree(seeded, session):
    today = dt.date(2026, 11, 28)
    current = board(session, today, today=today, limit=None)
    replayed = board(session, today, today=today + dt.timedelta(days=1), limit=None)  # forces the history path
    assert {c.regulation.key: (c.stage, c.since) for c in current.cards} == {
        c.regulation.key: (c.stage, c.since) for c in replayed.cards}
    assert current.counts == replayed.counts
