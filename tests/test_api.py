import csv
import io
import json

import pytest
from sqlalchemy import select

from tests.conftest import NOW, csrf_from
from tracker.api.common import create_token
from tracker.audit.models import AuditEvent
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.cli import cli
from tracker.regulations.models import Deadline


@pytest.fixture
def tokens(users, db):
    out = {}
    with db.transaction() as s:
        for email in ("viewer@example.nl", "ezk.editor@example.nl", "jenv.editor@example.nl", "admin@example.nl"):
            _, out[email] = create_token(s, service.find_user(s, email), "test", actor=Actor("test"), now=NOW)
    return out


@pytest.fixture
def api(app, tokens):
    client = app.test_client()

    def call(method, url, who="ezk.editor@example.nl", **kw):
        headers = kw.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {tokens[who]}"
        return client.open(url, method=method, headers=headers, **kw)

    return call


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["detail"]
    return body


def test_tokens_are_required(api):
    problem(api("GET", "/api/v1/regulations", who=None), 401)
    problem(api("GET", "/api/v1/regulations", who=None, headers={"Authorization": "Bearer trk_nope"}), 401)
    assert api("GET", "/api/v1/openapi.json", who=None).status_code == 200


def test_list_paginates_filters_and_gives_the_stage_as_of_a_date(api):
    page1 = api("GET", "/api/v1/regulations", query_string={"per_page": 5, "as_of": "2023-09-30"}).get_json()
    assert len(page1["items"]) == 5 and page1["total"] == 25 and page1["next_page"] == 2
    everything = api("GET", "/api/v1/regulations", query_string={"per_page": 200, "as_of": "2023-09-30"}).get_json()
    stages = {r["key"]: r["stage"] for r in everything["items"]}
    assert stages["DSA"] == "consultation" and stages["DMA"] == "council_of_state" and stages["AIA"] == "eu_negotiation"
    assert everything["next_page"] is None
    jenv = api("GET", "/api/v1/regulations", query_string={"team": "JENV"}).get_json()
    assert [r["key"] for r in jenv["items"]] == ["CER", "NIS2"]
    body = problem(api("GET", "/api/v1/regulations", query_string={"team": "NOPE"}), 400)
    assert body["errors"][0]["field"] == "team"
    problem(api("GET", "/api/v1/regulations", query_string={"per_page": "0"}), 400)
    problem(api("GET", "/api/v1/regulations", query_string={"colour": "red"}), 400)


def test_etag_and_304(api):
    first = api("GET", "/api/v1/regulations/DSA")
    etag = first.headers["ETag"]
    again = api("GET", "/api/v1/regulations/DSA", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_detail_history_and_board(api):
    dsa = api("GET", "/api/v1/regulations/DSA").get_json()
    assert dsa["stage"] == "consultation" and dsa["designations"][0]["authority"] == "ACM"
    assert {"value": "2024-02-17", "precision": "day", "first_day": "2024-02-17", "display": "17 februari 2024",
            "last_day": None, "label": None} in [
        d["due"] for d in dsa["deadlines"]
    ]
    history = api("GET", "/api/v1/regulations/DSA/history").get_json()["history"]
    assert history[0]["to_stage"] == "consultation" and history[0]["effective"]["value"] == "2023-Q2"
    board = api("GET", "/api/v1/board", query_string={"as_of": "2023-09-30"}).get_json()
    column = next(c for c in board["columns"] if c["stage"] == "council_of_state")
    assert {r["key"] for r in column["regulations"]} >= {"DMA", "DGA"}
    problem(api("GET", "/api/v1/regulations/NOPE"), 404)


def test_move_stage_with_rules_permissions_conflict_and_audit(api, session):
    version = api("GET", "/api/v1/regulations/DSA").get_json()["version"]
    problem(
        api(
            "POST",
            "/api/v1/regulations/DSA/stage",
            who="viewer@example.nl",
            json={"to_stage": "council_of_state", "effective": "2024-01-15", "version": version},
        ),
        403,
    )
    problem(
        api(
            "POST",
            "/api/v1/regulations/DSA/stage",
            who="jenv.editor@example.nl",
            json={"to_stage": "council_of_state", "effective": "2024-01-15", "version": version},
        ),
        403,
    )
    body = problem(
        api(
            "POST",
            "/api/v1/regulations/DSA/stage",
            json={"to_stage": "parliament", "effective": "2024-01-15", "version": version},
        ),
        422,
    )
    assert "geschreven reden" in body["detail"]
    body = problem(
        api(
            "POST",
            "/api/v1/regulations/DSA/stage",
            json={"to_stage": "council_of_state", "effective": "2024-13", "version": version},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "effective"
    problem(api("POST", "/api/v1/regulations/DSA/stage", data="not json", content_type="application/json"), 400)
    moved = api(
        "POST",
        "/api/v1/regulations/DSA/stage",
        json={"to_stage": "council_of_state", "effective": "2024-01-15", "version": version},
    )
    assert moved.status_code == 201 and moved.get_json()["to_stage"] == "council_of_state"
    problem(
        api(
            "POST",
            "/api/v1/regulations/DSA/stage",
            json={"to_stage": "parliament", "effective": "2024-02-15", "version": version},
        ),
        409,
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.move")).one()
    assert event.actor == "ezk.editor@example.nl"


def test_create_update_delete_items(api, session):
    created = api(
        "POST",
        "/api/v1/regulations/DSA/deadlines",
        json={"kind": "designation", "title": "Designate", "due": "2025-Q3"},
    )
    assert created.status_code == 201
    item = created.get_json()
    assert item["due"]["display"] == "3e kwartaal 2025" and item["version"] == 1
    body = problem(
        api("POST", "/api/v1/regulations/DSA/deadlines", json={"kind": "x", "title": "", "due": "soon", "colour": 1}),
        422,
    )
    assert {e["field"] for e in body["errors"]} >= {"kind", "title", "due", "colour"}
    url = f"/api/v1/regulations/DSA/deadlines/{item['id']}"
    updated = api("PATCH", url, json={"due": "2025-10-01", "version": 1})
    assert updated.status_code == 200 and updated.get_json()["sequence"] == 1
    problem(api("PATCH", url, json={"title": "Stale", "version": 1}), 409)
    problem(api("PATCH", url, json={"title": "No version"}), 422)
    problem(api("DELETE", url, query_string={"version": 1}), 409)
    assert api("DELETE", url, query_string={"version": 2}).status_code == 204
    assert session.get(Deadline, item["id"]) is None
    designation = api(
        "POST",
        "/api/v1/regulations/DSA/designations",
        json={"authority": "AP", "role": "Toezicht", "status": "intended"},
    )
    assert designation.status_code == 201 and designation.get_json()["authority"] == "AP"
    des = designation.get_json()
    patched = api(
        "PATCH",
        f"/api/v1/regulations/DSA/designations/{des['id']}",
        json={"status": "designated", "version": des["version"]},
    )
    assert patched.status_code == 200 and patched.get_json()["status"] == "designated"
    problem(api("PATCH", f"/api/v1/regulations/DSA/designations/{des['id']}", json={"met_on": None, "version": 9}), 422)
    body = problem(
        api(
            "POST", "/api/v1/regulations/DSA/designations", json={"authority": "FBI", "role": "x", "status": "intended"}
        ),
        422,
    )
    assert "FBI" in json.dumps(body)
    evaluation = api(
        "POST",
        "/api/v1/regulations/DSA/evaluations",
        json={"subject": "Review", "level": "eu", "status": "announced", "due": "2028"},
    )
    assert evaluation.status_code == 201
    problem(api("POST", "/api/v1/regulations/DSA/meetings", json={}), 404)


def test_tokens_in_the_browser_and_cli(login, app, session):
    client = login("viewer@example.nl")
    token = csrf_from(client.get("/settings/tokens").get_data(as_text=True))
    page = client.post("/settings/tokens", data={"name": "dashboard", "csrf_token": token}).get_data(as_text=True)
    import re

    value = re.search(r"<code>(trk_[^<]+)</code>", page).group(1)
    api = app.test_client()
    assert api.get("/api/v1/regulations", headers={"Authorization": f"Bearer {value}"}).status_code == 200
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", page).group(1)
    client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert api.get("/api/v1/regulations", headers={"Authorization": f"Bearer {value}"}).status_code == 401
    result = app.test_cli_runner().invoke(cli, ["api-token", "create", "viewer@example.nl", "--name", "script"])
    assert result.exit_code == 0 and result.output.startswith("trk_")
    assert app.test_cli_runner().invoke(cli, ["api-token", "create", "ghost@example.nl"]).exit_code == 1


def read_csv(response):
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_exports_open_in_excel_with_dutch_characters(viewer):
    rows = read_csv(viewer.get("/export/board.csv?as_of=2023-09-30&pillar=3"))
    header, body = rows[0], rows[1:]
    assert header == ["Korte naam", "Titel", "Soort", "Pijler", "Team", "Fase", "Sinds", "Volgende termijn",
                      "Termijn", "Verlopen", "Binnen 30 dagen", "Stand op", "Link"]  # one stage column, in Dutch
    dsa = next(r for r in body if r[0] == "DSA")
    assert dsa[header.index("Fase")] == "Consultatie en toetsen" and dsa[header.index("Soort")] == "verordening"
    # An English reader gets English headers and words (Accept-Language, as a browser sends it).
    english = read_csv(viewer.get("/export/board.csv?as_of=2023-09-30&pillar=3", headers={"Accept-Language": "en"}))
    assert english[0][:5] == ["Short name", "Title", "Type", "Pillar", "Team"]
    en_dsa = next(r for r in english[1:] if r[0] == "DSA")
    assert en_dsa[header.index("Fase")] == "Consultation and checks" and en_dsa[header.index("Soort")] == "regulation"
    assert {r[0] for r in body} == {  # each act's short name; its key is in the link
        "DSA", "DMA", "DGA", "DA", "AI Act", "P2B", "eIDAS 2", "ePrivacy", "NLF", "Online opzeggen",
        "Besluit concessiehouders"
    }
    assert next(r for r in body if r[0] == "Online opzeggen")[-1].endswith("/regulations/ONLINE_OPZEGGEN")
    dates = read_csv(viewer.get("/export/dates.csv"))
    assert dates[0] == ["Soort", "Regeling", "Onderwerp", "Datum", "Precisie", "Eerste dag", "Status", "Toelichting",
                        "Bron", "Link", "Laatste dag (bereik)", "Zekerheid"]
    assert any("coördinatie" in cell for row in dates for cell in row)  # Dutch characters survive
    assert viewer.get("/export/board.csv?team=NOPE").status_code == 400
