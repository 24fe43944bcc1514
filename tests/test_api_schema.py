"""Schemathesis generates requests from the OpenAPI document and checks every answer against it: no 500, no
status, content type or body that the document does not describe.

Left alone, the generator invents short names and ids that do not exist, and every write ends in 404. So about
half the cases are aimed: the key of a seeded regulation, an item of that regulation, the version it has now, an
authority that exists, the path's {kind} matching the body. Each write operation must then be carried out (2xx)
at least once for the stage and for each kind of item, and the document's routes must be the app's routes."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests.conftest import NOW
from tracker.api.common import create_token
from tracker.api.openapi import spec
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.auth.models import Team
from tracker.regulations.fields import ITEM_FIELDS
from tracker.regulations.models import Authority, Regulation
from tracker.regulations.services import MODELS

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Every operation but the document itself, which schemathesis does not load as one (test_openapi.py checks it).
OPERATIONS = sorted(
    f"{method.upper()} {path}"
    for path, ops in spec("")["paths"].items()
    for method in ops
    if path != "/api/v1/openapi.json"
)
WRITES = {
    "POST /api/v1/regulations/{key}/stage": ("stage",),
    "POST /api/v1/regulations/{key}/{kind}": tuple(ITEM_FIELDS),
    "PATCH /api/v1/regulations/{key}/{kind}/{item_id}": tuple(ITEM_FIELDS),
    "DELETE /api/v1/regulations/{key}/{kind}/{item_id}": tuple(ITEM_FIELDS),
}


class Aim:
    """Real targets, read from the database just before each aimed request (earlier requests change them)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        with db.sessionmaker() as s:
            self.keys = list(s.scalars(select(Regulation.key).order_by(Regulation.key)))
            self.authorities = list(s.scalars(select(Authority.key).order_by(Authority.key)))
            self.teams = list(s.scalars(select(Team.key).order_by(Team.key)))

    def version(self, key: str) -> int:
        with self.db.sessionmaker() as s:
            return s.scalar(select(Regulation.version).where(Regulation.key == key))

    def items(self, kind: str) -> list[tuple[str, int, int]]:
        model = MODELS[kind]
        with self.db.sessionmaker() as s:
            rows = s.execute(
                select(Regulation.key, model.id, model.version)
                .join(Regulation, model.regulation_id == Regulation.id)
                .order_by(model.id)
            )
            return [tuple(row) for row in rows]

    def apply(self, case: Any, pick: int, turn: int) -> str | None:
        """Point the case at real records; return what it aims at (the stage, or a kind of item).

        `pick` chooses among keys, items and authorities; `turn` takes the kinds a body fits in turn."""
        params, body, query = case.path_parameters or {}, case.body, case.query
        for name, pool in (("team", self.teams), ("authority", self.authorities)):
            if isinstance(query, dict) and name in query:
                query[name] = pool[pick % len(pool)]
        if "key" in params:
            params["key"] = self.keys[pick % len(self.keys)]
        target = None
        if case.operation.path.endswith("/stage") and isinstance(body, dict):
            body.update(version=self.version(params["key"]), effective=NOW.date().isoformat())
            target = "stage"
        if "kind" in params:
            given = set(body) - {"version"} if isinstance(body, dict) else set()
            fitting = [k for k, model in ITEM_FIELDS.items() if given <= set(model.model_fields)] or list(ITEM_FIELDS)
            params["kind"] = target = fitting[turn % len(fitting)]
        if isinstance(body, dict) and "authority" in body:
            body["authority"] = self.authorities[pick % len(self.authorities)]
        if "item_id" in params and (items := self.items(params["kind"])):
            params["key"], params["item_id"], version = items[pick % len(items)]
            if isinstance(body, dict):
                body["version"] = version
            else:
                case.query = {**(query or {}), "version": version}
        return target


@pytest.fixture
def fuzz(app, users, db):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "admin@example.nl"), "fuzz", actor=Actor("test"), now=NOW)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), token, Aim(db)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_api_matches_its_openapi_document(fuzz, operation):
    schema, token, aim = fuzz
    method, path = operation.split(" ", 1)
    found = [r.ok() for r in schema.get_all_operations() if r.ok().method.upper() == method and r.ok().path == path]
    assert len(found) == 1, f"{operation} is not in the document"
    statuses: dict[str | None, list[int]] = defaultdict(list)

    # Two cases in three are aimed, in turn (the integer picks among the targets); the third goes out as generated.
    turns = itertools.count()

    @given(case=found[0].as_strategy(), pick=st.integers(min_value=0, max_value=999))
    # derandomize: the same generated requests on every run, so CI is repeatable; raise max_examples to explore.
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def check(case, pick):
        turn = next(turns)
        target = aim.apply(case, pick, turn // 3) if turn % 3 else None
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
        statuses[target].append(response.status_code)

    check()
    for target in WRITES.get(operation, ()):
        done = [code for code in statuses[target] if 200 <= code < 300]
        assert done, f"{operation} was never carried out for {target}: {sorted(set(statuses[target]))}"


def test_the_document_lists_every_api_route_and_no_other(app):
    body = app.test_client().get("/api/v1/openapi.json").get_json()
    assert body["openapi"] == "3.1.0"
    documented = {(method.upper(), path) for path, ops in body["paths"].items() for method in ops}
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
