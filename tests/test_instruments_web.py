"""National instruments from the browser, the API and the CLI (issue 27): add one, move each on its own path,
read where each stands; bad input is refused with the field named and changes nothing."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.test_api import api, problem, tokens  # noqa: F401  (fixtures)
from tracker.cli import cli
from tracker.regulations.instruments.models import Instrument
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.stages import Stage


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _stage_of(session, key):
    session.expire_all()
    return session.scalars(select(Regulation.current_stage).where(Regulation.key == key)).one()


def test_an_editor_adds_a_second_instrument_and_moves_each_on_its_own_path(login, session):
    editor = login("ezk.editor@example.nl")
    page = _page(editor, "/regulations/DSA")
    rows = page.select("#instruments tbody tr")
    names = [r.select_one("td").get_text(" ", strip=True) for r in rows]
    assert names == ["Uitvoeringswet digitaledienstenverordening"]
    assert page.select_one("#move-form select[name=instrument]") is None  # one instrument: nothing to choose
    form = editor.get("/regulations/DSA/instruments/new").get_data(as_text=True)
    made = editor.post("/regulations/DSA/instruments/new", data={
        "csrf_token": csrf_from(form), "version": "0", "kind": "ministeriele_regeling",
        "title": "Regeling aanwijzing digitaledienstencoördinator", "ministry": "EZK", "required": "y",
        "covers": "de aanwijzing van de ACM"})
    assert made.status_code == 302, made.get_data(as_text=True)
    regeling = session.scalars(select(Instrument).where(Instrument.title.like("Regeling aanwijzing%"))).one()
    assert made.headers["Location"].endswith(f"/instruments/{regeling.id}")
    detail = _page(editor, f"/instruments/{regeling.id}")
    assert detail.select_one("#fact-kind").get_text(strip=True) == "ministeriële regeling"
    assert [li.get_text(" ", strip=True).split(" (")[0] for li in detail.select("#path li")] == [
        "Onderhandelingen EU", "Interne voorbereiding", "Consultatie en toetsen", "In werking"]
    # Two instruments now: the move form asks which one.
    page = _page(editor, "/regulations/DSA")
    options = [o["value"] for o in page.select("#move-form select[name=instrument] option")]
    assert str(regeling.id) in options and len(options) == 2
    version = page.select_one("#move-form input[name=version]")["value"]
    moved = editor.post("/regulations/DSA/stage", data={
        "csrf_token": csrf_from(str(page)), "version": version, "instrument": str(regeling.id),
        "to_stage": "internal_prep", "effective": "2023-10-02"})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    # The DSA now stands where its regulation stands (internal preparation), behind its act in consultation.
    assert _stage_of(session, "DSA") is Stage.INTERNAL_PREP
    page = _page(editor, "/regulations/DSA")
    history = [r.select_one("td[data-label=Instrument]").get_text(strip=True) for r in page.select("#history tbody tr")]
    assert history[0] == "Regeling aanwijzing digitaledienstencoördinator"
    cards = _page(editor, "/?as_of=2026-11-28").select('article.card[data-key="DSA"] ul.instruments li')
    assert [li.get_text(" ", strip=True) for li in cards] == [
        "wet: Consultatie en toetsen", "ministeriële regeling: Interne voorbereiding"]


def test_a_move_without_choosing_among_several_instruments_is_refused_on_the_field(login, session):
    editor = login("ezk.editor@example.nl")
    form = editor.get("/regulations/DSA/instruments/new").get_data(as_text=True)
    editor.post("/regulations/DSA/instruments/new", data={"csrf_token": csrf_from(form), "version": "0",
                                                          "kind": "amvb", "title": "Besluit DSA", "required": "y"})
    before = session.scalar(select(func.count()).select_from(StageChange))
    page = _page(editor, "/regulations/DSA")
    refused = editor.post("/regulations/DSA/stage", data={
        "csrf_token": csrf_from(str(page)), "version": page.select_one("#move-form input[name=version]")["value"],
        "instrument": "", "to_stage": "internal_prep", "effective": "2023-10-02"})
    assert refused.status_code == 400
    html = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert "kies welk instrument" in html.select_one("#error-summary").get_text()
    assert session.scalar(select(func.count()).select_from(StageChange)) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kind", "statute", "Ongeldige keuze"),
    ("consultation_url", "javascript:alert(1)", "https://"),
    ("title", "x" * 301, "300"),
    ("planned_in_force", "31-02-2025", ""),
])
def test_bad_instrument_input_is_refused_and_changes_nothing(login, session, field, value, message):
    editor = login("ezk.editor@example.nl")
    form = editor.get("/regulations/DSA/instruments/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "version": "0", "kind": "wet", "title": "Wet", field: value}
    refused = editor.post("/regulations/DSA/instruments/new", data=data)
    assert refused.status_code in (400, 422)
    html = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert html.select_one(f"#{field}")["aria-invalid"] == "true"
    assert message in html.select_one("#error-summary").get_text()
    assert session.scalar(select(func.count()).select_from(Instrument).where(Instrument.title == "Wet")) == 0


def test_a_viewer_sees_instruments_but_cannot_add_or_edit(viewer, session):
    dsa = session.scalars(select(Instrument).join(Regulation, Regulation.id == Instrument.regulation_id)
                          .where(Regulation.key == "DSA")).one()
    assert viewer.get(f"/instruments/{dsa.id}").status_code == 200
    assert viewer.get("/regulations/DSA/instruments/new").status_code == 403
    assert viewer.get(f"/instruments/{dsa.id}/edit").status_code == 403
    assert viewer.get("/instruments/999999").status_code == 404


def test_the_api_lists_creates_patches_and_moves_instruments(api, session):  # noqa: F811
    listed = api("GET", "/api/v1/regulations/NIS2/instruments")
    assert listed.status_code == 200
    (wet,) = listed.get_json()["instruments"]
    assert (wet["kind"], wet["title"], wet["dossier"]) == ("wet", "Cyberbeveiligingswet", "36764")
    assert wet["certainty"]["level"] == "external"
    made = api("POST", "/api/v1/regulations/NIS2/instruments", who="jenv.editor@example.nl",
               json={"kind": "amvb", "title": "Cyberbeveiligingsbesluit", "covers": "zorgplicht en meldplicht"})
    assert made.status_code == 201, made.get_data(as_text=True)
    amvb = made.get_json()
    assert amvb["acts"] == [{"key": "NIS2", "required": True, "covers": "zorgplicht en meldplicht",
                             "covers_en": None}]
    version = api("GET", "/api/v1/regulations/NIS2").get_json()["version"]
    body = {"to_stage": "parliament", "effective": "2023-10-02", "version": version}
    problem(api("POST", "/api/v1/regulations/NIS2/stage", who="jenv.editor@example.nl", json=body), 422)
    moved = api("POST", "/api/v1/regulations/NIS2/stage", who="jenv.editor@example.nl",
                json={**body, "to_stage": "internal_prep", "instrument_id": amvb["id"]})
    assert moved.status_code == 201, moved.get_data(as_text=True)
    detail = api("GET", f"/api/v1/instruments/{amvb['id']}").get_json()
    assert [c["to_stage"] for c in detail["history"]] == ["internal_prep"]
    patched = api("PATCH", f"/api/v1/instruments/{amvb['id']}", who="jenv.editor@example.nl",
                  json={"version": detail["version"], "kind": "ministeriele_regeling"})
    assert patched.status_code == 200 and patched.get_json()["kind"] == "ministeriele_regeling"
    stale = api("PATCH", f"/api/v1/instruments/{amvb['id']}", who="jenv.editor@example.nl",
                json={"version": detail["version"], "title": "Te laat"})
    problem(stale, 409)
    problem(api("PATCH", f"/api/v1/instruments/{amvb['id']}", json={"version": 9, "title": "x"}), 403)  # EZK
    problem(api("GET", "/api/v1/instruments/424242"), 404)


def test_the_cli_moves_the_instrument_it_is_given(app, seeded, session):
    runner = app.test_cli_runner()
    veiling = session.scalars(select(Instrument).join(Regulation, Regulation.id == Instrument.regulation_id)
                              .where(Regulation.key == "VEILING_35GHZ").order_by(Instrument.id)).all()
    regeling, _licences = veiling
    refused = runner.invoke(cli, ["stage", "move", "VEILING_35GHZ", "--to", "in_force", "--effective", "2024-02-02"])
    assert refused.exit_code == 1 and "kies welk instrument" in refused.output
    moved = runner.invoke(cli, ["stage", "move", "VEILING_35GHZ", "--to", "in_force", "--effective", "2024-02-02",
                                "--instrument", str(regeling.id)])
    assert moved.exit_code == 0, moved.output
    session.expire_all()
    assert session.get(Instrument, regeling.id).current_stage is Stage.IN_FORCE
    assert _stage_of(session, "VEILING_35GHZ") is Stage.CONSULTATION  # the licences are still being prepared
    assert runner.invoke(cli, ["stage", "move", "VEILING_35GHZ", "--to", "in_force", "--effective", "2024-03-01",
                               "--instrument", "0"]).exit_code == 2
