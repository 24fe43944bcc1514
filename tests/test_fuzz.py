"""Hostile values against every route: forms, query parameters and JSON bodies, as a signed-in admin with a valid
CSRF token (so the values reach the views). No answer may be a 500 and no exception may reach the log.

Bounded and derandomized: the same requests every run, about a minute on each database, split over SHARDS tests
so that parallel workers share them. The count is printed.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, csrf_from
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service

EXAMPLES = 30  # per route and method
# The downloads that typeset a whole document (PDF, Word) cost a second each: fewer examples, the same parameters.
HEAVY = {"/report.pdf": 8, "/report.docx": 8}
SHARDS = 6  # the routes are split over several tests, so parallel workers share them
# Values that broke real parsers: non-ASCII digits, huge numbers, control characters, bidi, very long text.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "²",
        "٣",
        "1e309",
        "2147483648",
        "9" * 40,
        "NaN",
        "t.b.d.",
        "2025-Q5",
        "2025-13-40",
        "\x00",
        "a\r\nBcc: x@y.example",
        "\t",
        "\u202e",
        "\ufeff",
        "💥",
        "<script>x</script>",
        "' OR 1=1 --",
        "%00",
        "../../etc/passwd",
        "x" * 5000,
        "DSA",
        "admin",
        "consultation",
        "in_force",
        "on",
        "true",
        "null",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=40))
FORM_FIELDS = [
    "to_stage",
    "effective",
    "note",
    "reference",
    "reason",
    "version",
    "title",
    "title_en",
    "short_name",
    "short_name_en",
    "summary_en",
    "note_en",
    "role_en",
    "scope_en",
    "subject_en",
    "due_note_en",
    "kind",
    "eu_number",
    "celex",
    "pillar",
    "team_id",
    "lead_ministry",
    "national_instrument",
    "bill_number",
    "summary",
    "eu_published",
    "eu_in_force",
    "key",
    "due",
    "legal_basis",
    "met_on",
    "authority",
    "role",
    "scope",
    "status",
    "subject",
    "level",
    "due_note",
    "performer",
    "email",
    "name",
    "password",
    "teams",
    "active",
    "reminder_days",
    "digest_enabled",
    "digest_when_empty",
]
QUERY_FIELDS = [
    "as_of",
    "pillar",
    "team",
    "authority",
    "kind",
    "mine",
    "page",
    "per_page",
    "stage",
    "before",
    "status",
    "regulation",
    "alarm",
    "version",
    "next",
]
PATHS = {
    "key": st.sampled_from(["DSA", "DMA", "NOPE", "%E2%80%AE", "a" * 300]),
    "kind": st.sampled_from(["deadlines", "designations", "evaluations", "stage", "x"]),
    "item_id": st.sampled_from(["1", "2", "0", "2147483647"]),
    "instrument_id": st.sampled_from(["1", "2", "0", "2147483647"]),
    "message_id": st.sampled_from(["1", "2147483647"]),
    "user_id": st.sampled_from(["1", "2", "2147483647"]),
    "token_id": st.sampled_from(["1", "2147483647"]),
    "session_id": st.sampled_from(["0", "2147483647"]),  # never the session the fuzzing client uses
    "token": st.sampled_from(["x", "a" * 60, "%00"]),
}
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), TEXT),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


def _routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


def _fill(rule: str, data: st.DataObject) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: data.draw(PATHS[m.group(1)], label=m.group(1)), rule)


@pytest.fixture
def hostile(app, users, db):
    errors = _Errors()
    app.logger.addHandler(errors)
    admin = app.test_client()
    token = csrf_from(admin.get("/login").get_data(as_text=True))
    admin.post(
        "/login", data={"email": "admin@example.nl", "password": "correct horse battery staple", "csrf_token": token}
    )
    csrf = csrf_from(admin.get("/settings").get_data(as_text=True))
    with db.transaction() as s:
        _, bearer = create_token(s, service.find_user(s, "admin@example.nl"), "fuzz", actor=Actor("test"), now=NOW)
    yield admin, csrf, bearer, errors
    app.logger.removeHandler(errors)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_route_answers_500_to_hostile_values(app, hostile, capsys, shard):
    admin, csrf, bearer, errors = hostile
    sent: list[tuple[str, str, int]] = []

    def exercise(method: str, rule: str, data: st.DataObject) -> None:
        path = _fill(rule, data)
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_FIELDS), TEXT, max_size=3), label="query")
        kwargs: dict[str, Any] = {"query_string": query}
        if rule.startswith("/api/"):
            kwargs["headers"] = {"Authorization": f"Bearer {bearer}"}
            if method in ("POST", "PATCH"):
                keys = st.sampled_from(FORM_FIELDS) | TEXT
                kwargs["json"] = data.draw(st.dictionaries(keys, JSON_VALUE, max_size=6), label="body")
        elif method == "POST":
            form = data.draw(st.dictionaries(st.sampled_from(FORM_FIELDS), TEXT, max_size=8), label="form")
            kwargs["data"] = {**form, "csrf_token": csrf}
        response = admin.open(path, method=method, **kwargs)
        sent.append((method, rule, response.status_code))
        # /readyz answers 503 on purpose here: no scheduler has run against this database.
        expected_503 = rule == "/readyz" and response.status_code == 503 and "scheduler" in response.json["checks"]
        assert response.status_code < 500 or expected_503, (method, path, kwargs, response.get_data(as_text=True)[:500])

    def runner(method: str, rule: str):  # one bounded, derandomized hypothesis run per route and method
        @settings(
            max_examples=HEAVY.get(rule, EXAMPLES),
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            exercise(method, rule, data)

        return run

    # Logging out would end the session the rest use.
    routes = [(m, r) for m, r in _routes(app) if r != "/logout"][shard::SHARDS]
    for method, rule in routes:
        runner(method, rule)()
    with capsys.disabled():
        print(
            f"\nfuzz: {len(sent)} requests over {len(routes)} route methods, "
            f"{sum(1 for *_, code in sent if code >= 400)} refused with a 4xx, none a 500"
        )
    assert errors.records == []
    assert {(m, r) for m, r, _ in sent} == set(routes)
