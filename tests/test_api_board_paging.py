"""`/api/v1/board` is paged like the list: each column shows a page of its acts (by key) and its total, and the
pages together hold every act once; its queries do not grow with the portfolio."""

from __future__ import annotations

import pytest

from tests.conftest import NOW
from tests.test_stages_as_of import _add_acts
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.db import QueryCounter


@pytest.fixture
def api_get(app, users, db):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "viewer@example.nl"), "t", actor=Actor("test"), now=NOW)
    client = app.test_client()
    return lambda url: client.get(url, headers={"Authorization": f"Bearer {token}"})


def _walk(api_get, as_of: str, per_page: int) -> dict[str | None, list[str]]:
    columns: dict[str | None, list[str]] = {}
    page: int | None = 1
    while page is not None:
        body = api_get(f"/api/v1/board?as_of={as_of}&per_page={per_page}&page={page}").get_json()
        assert body["page"] == page and body["per_page"] == per_page
        for column in body["columns"]:
            assert len(column["regulations"]) <= per_page
            columns.setdefault(column["stage"], []).extend(r["key"] for r in column["regulations"])
            assert column["total"] >= len(columns[column["stage"]])
        page = body["next_page"]
    return columns


@pytest.mark.parametrize("as_of", ["2023-09-30", "2026-11-28"])
def test_the_pages_of_the_board_hold_every_act_once(app, db, api_get, as_of):
    _add_acts(db, 7, 0)
    whole = api_get(f"/api/v1/board?as_of={as_of}&per_page=200").get_json()
    assert whole["next_page"] is None
    expected = {c["stage"]: [r["key"] for r in c["regulations"]] for c in whole["columns"]}
    assert all(c["total"] == len(c["regulations"]) for c in whole["columns"])
    assert max(len(keys) for keys in expected.values()) > 3  # so per_page=3 really pages
    assert _walk(api_get, as_of, 3) == expected
    assert all(keys == sorted(keys) for keys in expected.values())
    default = api_get(f"/api/v1/board?as_of={as_of}").get_json()
    assert default["per_page"] == 50 and default["page"] == 1


def test_bad_paging_is_a_400_and_queries_do_not_grow(app, db, api_get):
    for bad in ("page=0", "per_page=201", "per_page=x"):
        response = api_get(f"/api/v1/board?{bad}")
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == bad.split("=")[0]
    counts = []
    for start, n in ((0, 0), (0, 30)):
        _add_acts(db, n, start)
        for as_of in ("2023-09-30", "2026-11-28"):
            with QueryCounter(db.engine) as counter:
                assert api_get(f"/api/v1/board?as_of={as_of}&per_page=5").status_code == 200
            counts.append(counter.count)
    assert counts[:2] == counts[2:], counts
