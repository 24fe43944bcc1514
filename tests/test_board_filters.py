import datetime as dt

import pytest
from bs4 import BeautifulSoup

from tracker.regulations.queries import BoardFilter, board, deadline_badges


def keys(client, **params) -> set[str]:
    response = client.get("/", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {a["data-key"] for a in BeautifulSoup(response.get_data(as_text=True), "html.parser").select("article.card")}


def test_filters_narrow_the_board(viewer):
    everything = keys(viewer)
    assert {"DSA", "NIS2", "WOZT"} <= everything
    assert keys(viewer, pillar="5") == {"CRA", "CSA", "RED", "WBDWB"}
    assert keys(viewer, team="JENV") == {"NIS2", "CER"}
    assert keys(viewer, authority="AP") == {"DSA"}
    assert keys(viewer, kind="national_law") == {
        "WBDWB", "WIBON", "WOZT", "BARC", "NFP_35GHZ", "ONLINE_OPZEGGEN", "VEILING_35GHZ"
    }
    assert keys(viewer, kind="directive") == {"CER", "EECC", "NIS2", "RED"}
    assert keys(viewer, mine="1") == everything - {"NIS2", "CER"}  # the viewer is in team EZK
    assert keys(viewer, pillar="3", authority="ACM", as_of="2023-09-30") == {"DSA", "DMA", "DGA", "P2B"}


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("pillar", "7", "use 1 to 5"),
        ("team", "XYZ", "known: BZ"),
        ("authority", "FOO", "known: ACM"),
        ("kind", "treaty", "known: regulation"),
        ("mine", "yes", "mine: use 1"),
    ],
)
def test_unknown_filter_values_are_a_clear_400(viewer, param, value, message):
    response = viewer.get("/", query_string={param: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_filters_keep_the_as_of_date(viewer):
    html = viewer.get("/", query_string={"as_of": "2023-09-30", "pillar": "3"}).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#as_of")["value"] == "2023-09-30"
    assert soup.select_one("select[name=pillar] option[selected]")["value"] == "3"


def test_badges_count_overdue_and_soon_deadlines_as_of_the_date(seeded, session):
    # As of 1 Feb 2024: DSA's VLOP date (25 Aug 2023) is overdue; 17 Feb 2024 falls within 30 days (twice).
    badges = deadline_badges(session, dt.date(2024, 2, 1))
    dsa = next(c for c in board(session, dt.date(2024, 2, 1)).cards if c.regulation.key == "DSA")
    assert (dsa.overdue, dsa.due_soon) == badges[dsa.regulation.id]
    assert dsa.due_soon == 2 and dsa.overdue >= 1
    # Far in the past nothing is overdue yet.
    early = board(session, dt.date(2020, 1, 1), BoardFilter())
    assert all(c.overdue == 0 for c in early.cards)


def test_badges_show_on_the_card(viewer):
    html = viewer.get("/", query_string={"as_of": "2024-02-01"}).get_data(as_text=True)
    card = BeautifulSoup(html, "html.parser").select_one('article[data-key="DSA"]')
    assert "2 termijnen binnen 30 dagen" in card.select_one(".badge.soon").get_text()
    assert card.select_one(".badge.overdue")
