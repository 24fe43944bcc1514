"""Hostile values at every boundary get a clear 4xx naming what is wrong, and change nothing; never a 500."""

from __future__ import annotations

import io
import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_from
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.feeds import tokens as feed_tokens
from tracker.regulations.models import Deadline, Regulation

SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes, int() says no


@pytest.fixture
def api(app, users, db):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "admin@example.nl"), "t", actor=Actor("test"), now=NOW)
    client = app.test_client()

    def call(method: str, url: str, **kw):
        headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
        return client.open(url, method=method, headers=headers, **kw)

    return call


def _deadlines(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Deadline))


@pytest.mark.parametrize(
    "url",
    [
        f"/?page={SUPERSCRIPT_TWO}",
        f"/?stage=consultation&page={SUPERSCRIPT_TWO}",
        f"/admin/audit?before={SUPERSCRIPT_TWO}",
        "/admin/audit?before=2147483648",
        "/admin/audit?before=99999999999999999999999",
        f"/calendar?alarm={SUPERSCRIPT_TWO}",
        "/calendar?alarm=7,1,400",
    ],
)
def test_numbers_in_pages_are_read_strictly(login, url):
    response = login("admin@example.nl").get(url)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_numbers_in_the_feed_are_read_strictly(app, users, db):
    with db.transaction() as s:
        viewer = service.find_user(s, "viewer@example.nl")
        token = feed_tokens.ensure_token(s, viewer, app.config["SECRET_KEY"], now=NOW)
    response = app.test_client().get(f"/feeds/{token}.ics?alarm={SUPERSCRIPT_TWO}")
    assert (response.status_code, response.mimetype) == (400, "text/plain")
    assert response.get_data(as_text=True).startswith("400 Bad Request: alarm:")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/regulations?page={SUPERSCRIPT_TWO}", "page"),
        (f"/api/v1/regulations?per_page={SUPERSCRIPT_TWO}", "per_page"),
        ("/api/v1/regulations?per_page=201", "per_page"),
    ],
)
def test_numbers_in_api_parameters_are_read_strictly(api, url, field):
    response = api("GET", url)
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_a_version_that_is_not_a_number_deletes_nothing(api, session):
    item = session.scalars(select(Deadline).order_by(Deadline.id)).first()
    key = session.get(Regulation, item.regulation_id).key
    before = _deadlines(session)
    for raw in (SUPERSCRIPT_TWO, "-1", "1e3", "99999999999999", ""):
        response = api("DELETE", f"/api/v1/regulations/{key}/deadlines/{item.id}?version={raw}")
        assert response.status_code == 422
        assert [e["field"] for e in response.get_json()["errors"]] == ["version"]
    assert _deadlines(session) == before


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("x\r\nBcc: a@b.example", "mag geen regeleinde bevatten"),
        ("tab\there", "mag geen tab bevatten"),
        ("bell\x07", "mag geen U+0007 bevatten"),
        ("nul\x00", "mag geen NUL bevatten"),
    ],
)
def test_control_characters_in_a_one_line_field_are_refused_by_the_api(api, session, title, message):
    before = _deadlines(session)
    body = {"kind": "milestone", "title": title, "due": "2026-12-01"}
    response = api("POST", "/api/v1/regulations/DSA/deadlines", json=body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["title"] and errors[0]["message"].startswith(message)
    assert _deadlines(session) == before


def test_line_breaks_are_kept_in_a_multi_line_field(api, session):
    body = {"kind": "milestone", "title": "Two lines", "due": "2027", "note": "first line\r\nsecond line"}
    response = api("POST", "/api/v1/regulations/DSA/deadlines", json=body)
    assert response.status_code == 201
    assert session.get(Deadline, response.get_json()["id"]).note == "first line\r\nsecond line"


def test_a_line_break_in_a_browser_form_is_shown_on_its_field(login, session):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA/deadlines/new").get_data(as_text=True))
    before = _deadlines(session)
    response = editor.post(
        "/regulations/DSA/deadlines/new",
        data={
            "csrf_token": token,
            "version": "0",
            "kind": "milestone",
            "title": "a\r\nBcc: b@c.example",
            "due": "2027",
        },
    )
    assert response.status_code == 400
    box = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(id="title").find_parent(class_="field")
    assert "mag geen regeleinde bevatten" in box.get_text(" ")
    assert _deadlines(session) == before


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"kind": "milestone", "title": "\\ud800", "due": "2027"}', "lone surrogate"),
        (b'{"\\udfff": 1}', "lone surrogate"),
        (b"[" * 50_000 + b"]" * 50_000, "not valid JSON"),
        (json.dumps({"title": [[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]}).encode(), "nests deeper than 16"),
        (b"\xff\xfe not utf-8", "not valid JSON in UTF-8"),
        (b'"just a string"', "must be a JSON object"),
    ],
)
def test_bodies_that_are_not_plain_json_objects_are_a_400(api, session, raw, detail):
    before = _deadlines(session)
    response = api("POST", "/api/v1/regulations/DSA/deadlines", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert detail in response.get_json()["detail"]
    assert _deadlines(session) == before


def test_a_body_past_one_mebibyte_is_a_413(api):
    body = json.dumps({"kind": "milestone", "title": "x" * (1024 * 1024), "due": "2027"})
    response = api("POST", "/api/v1/regulations/DSA/deadlines", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_a_file_where_a_form_expects_text_is_a_400(login, session):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA/deadlines/new").get_data(as_text=True))
    response = editor.post(
        "/regulations/DSA/deadlines/new",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "version": "0",
            "kind": "milestone",
            "due": "2027",
            "title": (io.BytesIO(b"not a title"), "title.txt"),
        },
    )
    assert response.status_code == 400
    assert "title: dit formulier neemt geen bestanden aan." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "/%0a/x",
        "/%09/evil.example",
        "/%0d%0aSet-Cookie:x=y",
        "/ /evil.example",
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
    ],
)
def test_login_never_redirects_off_site_nor_fails(app, users, target):
    client = app.test_client()
    token = csrf_from(client.get(f"/login?next={target}").get_data(as_text=True))
    response = client.post(
        f"/login?next={target}",
        data={"email": "viewer@example.nl", "password": "correct horse battery staple", "csrf_token": token},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/")


def test_parallel_bad_logins_are_all_counted_and_none_fails(app, users, db):
    """Twelve wrong passwords for one account at once: each is refused (401, or 429 once the limit is reached),
    none is a 500 from two first failures inserting the same throttle row, and every 401 was counted."""
    import threading

    from tracker.auth import throttle
    from tracker.auth.models import LoginThrottle

    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_from(c.get("/login").get_data(as_text=True)) for c in clients]
    barrier, statuses = threading.Barrier(len(clients)), []

    def guess(client, token) -> None:
        barrier.wait()
        response = client.post(
            "/login", data={"email": "viewer@example.nl", "password": "wrong password!", "csrf_token": token}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(statuses) == 12 and set(statuses) <= {401, 429}
    with db.sessionmaker() as s:
        counted = s.get(LoginThrottle, "account:viewer@example.nl").failures
    # Each attempt takes its numbered slot before its password is checked: exactly the free ones are checked.
    assert counted == statuses.count(401) == throttle.ACCOUNT_FREE
