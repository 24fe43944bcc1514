"""The smaller points of issue 31, each on its own: a 405 says what is allowed, a met date is a day (never a
number), a duration's source is refused when too long instead of cut, /healthz answers 503 when the database is
down."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import NOW
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.clock import Clock
from tracker.errors import InvalidFields
from tracker.planning.commands import SetDuration
from tracker.planning.models import StageDuration
from tracker.unit_of_work import run_and_commit


def test_a_405_names_the_methods_allowed(viewer, app):
    page = viewer.get("/calendar/rotate")
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    with app.extensions["tracker.db"].transaction() as s:
        _, token = create_token(s, service.find_user(s, "viewer@example.nl"), "t", actor=Actor("t"), now=NOW)
    api = app.test_client().put("/api/v1/regulations/DSA/stage", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 405 and "POST" in api.headers["Allow"] and api.mimetype == "application/problem+json"


DAY, YEARS = "een dag als JJJJ-MM-DD", "1900 tot en met 2200"


@pytest.mark.parametrize(("met_on", "why"), [(0, DAY), (1700000000, DAY), ("0001-01-01", YEARS), ("9999-12-31", YEARS)])
def test_a_met_date_is_a_day_of_the_years_every_date_allows(users, app, met_on, why):
    with app.extensions["tracker.db"].transaction() as s:
        _, token = create_token(s, service.find_user(s, "ezk.editor@example.nl"), "t", actor=Actor("t"), now=NOW)
    body = {"kind": "milestone", "title": "Gehaald", "due": "2026-11-01", "met_on": met_on}
    response = app.test_client().post("/api/v1/regulations/DSA/deadlines", json=body,
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == "met_on" and why in error["message"]


def test_a_too_long_source_of_a_duration_is_refused_not_cut(users, db):
    with db.sessionmaker() as s, pytest.raises(InvalidFields) as refused:
        run_and_commit(s, SetDuration("parliament", 100, key="DSA", source="x" * 2001), Actor("test"),
                       Clock(NOW.tzinfo, NOW))
    assert refused.value.errors[0][0] == "source"
    with db.sessionmaker() as s:
        assert s.scalars(select(StageDuration).where(StageDuration.days == 100)).first() is None


def test_healthz_is_503_when_the_database_is_down(app, tmp_path):
    from tracker import create_app
    from tracker.config import load_settings

    broken = create_app(settings=load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"}))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.mimetype == "text/plain"
