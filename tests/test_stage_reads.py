"""One writer of stage state, three reads: the board (the indexed column for today, a replay for past days), the
API list (a replay per day) and the act page (the ordered history). They agree for every act, at every date of the
seeded history, and still after moves through the browser, the API, the CLI's command and an import."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import NOW, TODAY
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.clock import Clock
from tracker.labels import label_in
from tracker.regulations.commands import MoveStage
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.queries import board, regulation_page
from tracker.regulations.stages import Stage
from tracker.unit_of_work import apply_in_transaction


@pytest.fixture
def api_get(app, users, db):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "viewer@example.nl"), "t", actor=Actor("test"), now=NOW)
    client = app.test_client()
    return lambda url: client.get(url, headers={"Authorization": f"Bearer {token}"})


def _history_dates(session) -> list[dt.date]:
    days = set(session.scalars(select(StageChange.effective_on)))
    return sorted(days | {d - dt.timedelta(days=1) for d in days} | {TODAY})


def _api_stages(api_get, day: dt.date) -> dict[str, str | None]:
    body = api_get(f"/api/v1/regulations?as_of={day.isoformat()}&per_page=200").get_json()
    assert body["total"] == len(body["items"])
    return {item["key"]: item["stage"] for item in body["items"]}


def _page_stage(page_history: list[StageChange], day: dt.date) -> str | None:
    history = [c for c in page_history if c.effective_on <= day]
    return history[-1].to_stage.value if history else None


def _board_stages(session, day: dt.date) -> dict[str, str | None]:
    result = board(session, day, today=TODAY, limit=None)
    return {card.regulation.key: card.stage.value if card.stage else None for card in result.cards}


def assert_reads_agree(session, api_get, viewer) -> int:
    keys = list(session.scalars(select(Regulation.key).order_by(Regulation.key)))
    # Each act page's history, read once: it is the same for every day (nothing is written during the comparison).
    page_histories = {key: regulation_page(session, key).history for key in keys}
    compared = 0
    for day in _history_dates(session):
        from_board, from_api = _board_stages(session, day), _api_stages(api_get, day)
        from_page = {key: _page_stage(page_histories[key], day) for key in keys}
        assert from_board == from_api == from_page, day
        compared += len(keys)
    # Today: the column the board reads, the act page as shown, and the page's "current stage" line.
    for key in keys:
        reg = session.scalars(select(Regulation).where(Regulation.key == key)).one()
        html = BeautifulSoup(viewer.get(f"/regulations/{key}").get_data(as_text=True), "html.parser")
        shown = html.select_one("dd.stage").get_text(" ", strip=True)
        expected = reg.current_stage
        assert shown.startswith(label_in(expected, "nl")) if expected else shown.startswith("niet vastgelegd"), key
    return compared


def test_the_reads_agree_on_the_seeded_history(seeded, session, api_get, viewer):
    compared = assert_reads_agree(session, api_get, viewer)
    assert compared == 25 * len(_history_dates(session))  # every act, each history date and the day before it


def test_the_reads_agree_after_moves_through_every_way_in(app, seeded, session, api_get, viewer, login):
    editor = login("ezk.editor@example.nl")
    dsa_version = session.scalars(select(Regulation.version).where(Regulation.key == "DSA")).one()
    from tests.conftest import csrf_from

    token = csrf_from(editor.get("/regulations/DSA").get_data(as_text=True))
    moved = editor.post(
        "/regulations/DSA/stage",
        data={"csrf_token": token, "version": str(dsa_version), "to_stage": "council_of_state", "effective": "2024-01"},
    )
    assert moved.status_code == 302
    with seeded.transaction() as s:
        apply_in_transaction(
            s, MoveStage("DMA", "parliament", "2024-Q2"), Actor("cli"), Clock(app.extensions["tracker.clock"].tz, NOW)
        )
    session.expire_all()
    assert (
        session.scalars(select(Regulation.current_stage).where(Regulation.key == "DSA")).one() is Stage.COUNCIL_OF_STATE
    )
    assert session.scalars(select(Regulation.current_stage).where(Regulation.key == "DMA")).one() is Stage.PARLIAMENT
    assert_reads_agree(session, api_get, viewer)
