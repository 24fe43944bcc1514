"""The planning on the seeded portfolio: as of the report (30 September 2023) and as of today's test clock, through
the queries, `tracker plan`, the board, the act page and "Confirm still current"."""

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import SEED, calendar_html, csrf_from
from tracker.audit.models import AuditEvent
from tracker.planning.models import Review
from tracker.planning.queries import load_plans
from tracker.regulations.models import Deadline, Regulation
from tracker.seeding.entry import SeedError
from tracker.seeding.planning import read_planning
from tracker.seeding.schema import read_seed

END_SEPT_2023 = dt.date(2023, 9, 30)
TODAY = dt.date(2026, 11, 28)  # tests.conftest.NOW

# Expected status of every seeded act as of 30 September 2023, and why. Durations are the seeded assumptions
# (preparation 180, consultation 120, Council of State 120, parliament 270, publication 30 days); the report's
# description of the portfolio counts as a review on 30 September 2023, so nothing is stalled on that day.
AS_OF_REPORT = {
    # Consultation since Q2 2023 (1 Apr - 30 Jun), its 120 days overrun: ends today (30 Sep). Council of State
    # planned "in het najaar" (H2 2023, from today to 31 Dec); + 120 days: parliament 28 Jan - 29 Apr 2024;
    # + 270: publication step 24 Oct 2024 - 24 Jan 2025; + 30: published 23 Nov 2024 - 23 Feb 2025; two months
    # later the next change date is 1 Jul 2025: 500 days after the target of 17 February 2024.
    "DSA": ("at_risk", -500),
    # Target 2 May 2023 (application of the DMA) has passed and the act is at the Council of State.
    "DMA": ("late", None),
    # Target 24 September 2023 has passed; the bill went to parliament only in October 2023.
    "DGA": ("late", None),
    # Target June 2020 (counts from 1 June 2020) has passed; the bill is in parliament since December 2022.
    "P2B": ("late", None),
    # In force (Figure 8 snapshot on 30 September 2023).
    "DIGITAL_EUROPE": ("done", None),
    "WOZT": ("done", None),
    "WIBON": ("done", None),
    # No target in seed/planning/targets.yaml (the header says why for each): unplanned.
    "AIA": ("unplanned", None),
    "DA": ("unplanned", None),
    "CRA": ("unplanned", None),
    "CSA": ("unplanned", None),
    "GIA": ("unplanned", None),
    "RED": ("unplanned", None),
    "EECC": ("unplanned", None),
    "EIDAS2": ("unplanned", None),
    "EPRIVACY": ("unplanned", None),
    "WBDWB": ("unplanned", None),
    # The acts the report names outside Figure 8 (seed/regulations/named_acts.yaml). In force before the report:
    # the Open Internet Regulation, the 3.5 GHz band plan and the Caribbean concession decree.
    "OIR": ("done", None),
    "NFP_35GHZ": ("done", None),
    "BARC": ("done", None),
    # Directives: their target is their transposition deadline, 17 October 2024 (EUR-Lex, certainty external).
    # NIS2's Cyberbeveiligingswet in internal preparation since 30 Sep 2023 is forecast in force on 1 Jan 2026
    # (tests/test_planning_instruments.py works it out): 441 days late. CER's wet has no stage: no forecast, and
    # a date to meet: at risk.
    "NIS2": ("at_risk", -441),
    "CER": ("at_risk", None),
    # No EU date to meet in the report: the NLF revision (not yet proposed), the announced bill on cancelling
    # online, and the 3.5 GHz auction rules (consulted in spring 2023).
    "NLF": ("unplanned", None),
    "ONLINE_OPZEGGEN": ("unplanned", None),
    "VEILING_35GHZ": ("unplanned", None),
}
LATE_SLACK = {"DMA": -610, "DGA": -465, "P2B": -1309}  # target minus forecast in force (1 Jan 2025, 2025, 2024)


def statuses(session, day):
    return {v.regulation.key: v.plan for v in load_plans(session, day).values()}

# DSA as of the report: consultation, forecast in force 1 Jul 2025, 500 days after its target (17 Feb 2024).
DSA_REASON = (
    "Inwerkingtreding voorspeld op 1 juli 2025, 500 dagen na de doeldatum 17 februari 2024 "
    "(Van toepassing op alle tussenhandeldiensten)."
)


def test_every_seeded_act_as_of_the_report(seeded, session):
    plans = statuses(session, END_SEPT_2023)
    assert {k: p.status.value for k, p in plans.items()} == {k: v[0] for k, v in AS_OF_REPORT.items()}
    dsa = plans["DSA"]
    assert (dsa.slack_days, dsa.forecast_in_force) == (-500, dt.date(2025, 7, 1))
    assert dsa.reason == DSA_REASON
    assert {k: plans[k].slack_days for k in LATE_SLACK} == LATE_SLACK
    # DMA: target 2 May 2023, forecast 1 Jan 2025: 610 days late.
    assert plans["DMA"].reason == (
        "De doeldatum 2 mei 2023 (Van toepassing in de EU) is verstreken en de regeling is niet in "
        "werking; inwerkingtreding voorspeld op 1 januari 2025, 610 dagen na de doeldatum."
    )


def test_a_reason_is_written_when_read_in_the_language_of_its_reader(app, seeded, session):
    dsa = statuses(session, END_SEPT_2023)["DSA"]
    with app.test_request_context(), force_locale("en"):
        english = dsa.reason
    assert "1 July 2025" in english and "17 February 2024" in english and "juli" not in english
    assert dsa.reason == DSA_REASON  # the same plan, read again outside that English moment


def test_as_of_today_every_act_the_report_described_is_stalled_until_confirmed(seeded, session):
    plans = statuses(session, TODAY)
    done = {"DIGITAL_EUROPE", "WOZT", "WIBON", "OIR", "NFP_35GHZ", "BARC"}
    assert {k for k, p in plans.items() if p.status.value == "stalled"} == set(AS_OF_REPORT) - done
    assert {k for k, p in plans.items() if p.status.value == "done"} == done
    # DGA's last move is its bill going to parliament in October 2023 (from 1 October): 1154 days before today.
    assert plans["DGA"].reason.startswith(
        "Geen faseovergang en geen bevestiging sinds 1 oktober 2023 (1154 dagen; de grens is 120 dagen): "
    )


def test_tracker_plan_json_as_of_the_report(seeded, tracker_here):
    result = tracker_here("plan", "--as-of", "2023-09-30", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    rows = {r["key"]: r for r in doc["acts"]}
    assert doc["as_of"] == "2023-09-30"
    assert {k: r["status"] for k, r in rows.items()} == {k: v[0] for k, v in AS_OF_REPORT.items()}
    assert rows["DSA"] == {
        "key": "DSA",
        "stage": "consultation",
        "target": "2024-02-17",
        "forecast_in_force": "2025-07-01",
        "slack_days": -500,
        "status": "at_risk",
        "reason": DSA_REASON,
    }
    assert rows["WOZT"]["forecast_in_force"] is None and rows["AIA"]["target"] is None


def test_a_target_naming_a_deadline_that_no_longer_exists_is_a_seed_error(tmp_path):
    folder = tmp_path / "planning"
    folder.mkdir()
    (folder / "targets.yaml").write_text(
        "targets:\n  - {id: target-DSA, regulation: DSA, deadline: DSA-gone}\n"
        "  - {id: target-X, regulation: NOPE, deadline: X}\n"
    )
    portfolio = read_seed(SEED, today=TODAY)
    with pytest.raises(SeedError) as caught:
        read_planning(folder, portfolio)
    assert caught.value.problems[0].startswith(
        "planning/targets.yaml: targets[0] (target-DSA): deadline: 'DSA-gone' is not a deadline id of DSA"
    )
    assert "regulation: 'NOPE' is not a regulation id" in caught.value.problems[1]
    assert read_planning(SEED / "planning", portfolio).entries["targets"]  # the shipped files are valid


# -- pages ------------------------------------------------------------------------------------------------
def cards(html):
    soup = BeautifulSoup(html, "html.parser")
    return {
        col["data-stage"]: [
            (c["data-key"], c.select_one(".plan-badge")["data-status"]) for c in col.select("article.card")
        ]
        for col in soup.select("section.column")
    }


def test_board_badges_late_and_at_risk_first_and_the_status_filter(viewer):
    columns = cards(viewer.get("/?as_of=2023-09-30").get_data(as_text=True))
    assert ("DSA", "at_risk") in columns["consultation"]
    # Within the parliament column the late P2B comes before the unplanned WBDWB, whatever their keys say.
    assert columns["parliament"] == [("P2B", "late"), ("WBDWB", "unplanned")]
    late = cards(viewer.get("/?as_of=2023-09-30&status=late").get_data(as_text=True))
    assert sorted(k for col in late.values() for k, _ in col) == ["DGA", "DMA", "P2B"]
    assert viewer.get("/?status=soon").status_code == 400


def test_act_page_timeline_and_confirm_still_current(login, seeded):
    editor = login("ezk.editor@example.nl")
    html = editor.get("/regulations/DSA").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#planning .plan-badge")["data-status"] == "stalled"
    svg = soup.select_one("#timeline svg")
    assert svg["role"] == "img" and svg.find("title").get_text() == "Tijdlijn van DSA"
    assert svg.find("desc").get_text().startswith("Stilgevallen: Geen faseovergang en geen bevestiging sinds ")
    scroll = soup.select_one("#timeline .timeline-scroll")
    assert (scroll["role"], scroll["tabindex"]) == ("region", "0")
    assert soup.find(id=scroll["aria-labelledby"]).get_text() == "Tijdlijn van DSA, schuift zijwaarts"
    assert svg.select(".bar-current") and svg.select(".bar-forecast") and svg.select(".marker-target")
    assert svg.select(".marker-today") and len(svg.select(".marker-deadline")) == 5  # DSA's five dated deadlines
    table = soup.select_one("#timeline-data")
    assert table.select_one('tr[data-step="council_of_state"]')["data-kind"] in ("planned", "forecast")
    assert table.select_one('tr[data-marker="target"]').get_text(" ", strip=True) == "doeldatum — 17 februari 2024"

    response = editor.post("/regulations/DSA/plan/review", data={"csrf_token": csrf_from(html), "note": "unchanged"})
    assert response.status_code == 302
    after = BeautifulSoup(editor.get("/regulations/DSA").get_data(as_text=True), "html.parser")
    # Reviewed today: no longer stalled, and the target of 17 Feb 2024 has long passed: late.
    assert after.select_one("#planning .plan-badge")["data-status"] == "late"
    with seeded.sessionmaker() as s:
        review = s.scalars(select(Review).where(Review.seed_key.is_(None))).one()
        assert (review.reviewed_on, review.actor, review.note) == (TODAY, "ezk.editor@example.nl", "unchanged")
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "plan.review")).one().target_label == "DSA"


def test_confirm_is_refused_to_a_viewer_and_changes_nothing(viewer, seeded):
    html = viewer.get("/regulations/DSA").get_data(as_text=True)
    assert "confirm-current" not in html
    response = viewer.post("/regulations/DSA/plan/review", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 403
    with seeded.sessionmaker() as s:
        assert s.scalars(select(Review).where(Review.seed_key.is_(None))).first() is None


def test_a_planned_date_at_quarter_precision_moves_the_forecast(login):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA").get_data(as_text=True))
    bad = editor.post("/regulations/DSA/plan/planned", data={"csrf_token": token, "step": "in_force", "date": "soon"})
    # The act page again, the error at the field (tests/test_date_style.py shows the input is kept).
    assert bad.status_code == 400 and "&#39;soon&#39; lezen wij niet als datum" in bad.get_data(as_text=True)
    ok = editor.post("/regulations/DSA/plan/planned", data={"csrf_token": token, "step": "in_force", "date": "2027-Q1"})
    assert ok.status_code == 302
    soup = BeautifulSoup(editor.get("/regulations/DSA").get_data(as_text=True), "html.parser")
    assert soup.select_one("#plan-in-force").get_text(" ", strip=True).startswith("1e kwartaal 2027 (gepland)")


def test_portfolio_page_sorted_by_slack(viewer):
    soup = BeautifulSoup(viewer.get("/plan?as_of=2023-09-30").get_data(as_text=True), "html.parser")
    keys = [tr["data-key"] for tr in soup.select("#plan-table tbody tr")]
    assert keys[:4] == ["P2B", "DMA", "DSA", "DGA"]  # slack -1309, -610, -500, -465
    assert soup.select_one("svg[role=img] title")
    only = BeautifulSoup(viewer.get("/plan?as_of=2023-09-30&status=at_risk").get_data(as_text=True), "html.parser")
    # Least slack first: DSA -500, NIS2 -441, then CER, which has no forecast to measure slack by.
    assert [tr["data-key"] for tr in only.select("#plan-table tbody tr")] == ["DSA", "NIS2", "CER"]


# -- API --------------------------------------------------------------------------------------------------
def test_api_plan_and_list_planning_fields_as_documented(app, users, db):
    import jsonschema_rs

    from tests.conftest import NOW
    from tracker.api.common import create_token
    from tracker.api.openapi import spec
    from tracker.audit.record import Actor
    from tracker.auth import service

    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "viewer@example.nl"), "t", actor=Actor("test"), now=NOW)
    client = app.test_client()

    def get(url):
        return client.get(url, headers={"Authorization": f"Bearer {token}"})

    doc = spec("http://tracker.test")

    def valid(component, data):
        jsonschema_rs.validator_for(
            {"$ref": f"#/components/schemas/{component}", "components": doc["components"]}
        ).validate(data)

    plan = get("/api/v1/regulations/DSA/plan?as_of=2023-09-30").get_json()
    valid("Plan", plan)
    assert (plan["status"], plan["target"], plan["forecast_in_force"], plan["slack_days"]) == (
        "at_risk",
        "2024-02-17",
        "2025-07-01",
        -500,
    )
    assert (plan["target_title"], plan["target_title_en"]) == (
        "Van toepassing op alle tussenhandeldiensten", "Application to all intermediary services")
    assert plan["planned"] == {"council_of_state": "2023-H2"}
    assert [s["step"] for s in plan["steps"]] == ["consultation", "council_of_state", "parliament", "publication"]
    assert plan["steps"][1] == {
        "step": "council_of_state",
        "kind": "planned",
        "start": "2023-H2",
        "end": "2024-01-28/2024-04-29",
        "latest_start": "2022-09-07",
    }
    assert plan["durations"]["parliament"] == {"days": 270, "scope": "default"}
    listed = get("/api/v1/regulations?as_of=2023-09-30&per_page=200").get_json()
    valid("RegulationList", listed)
    assert {i["key"]: i["plan"]["status"] for i in listed["items"]} == {k: v[0] for k, v in AS_OF_REPORT.items()}
    assert "/api/v1/regulations/{key}/plan" in doc["paths"]
    assert get("/api/v1/regulations/NOPE/plan").status_code == 404
    assert get("/api/v1/regulations/DSA/plan?as_of=soon").status_code == 400


# -- digest -----------------------------------------------------------------------------------------------
def test_the_digest_has_a_section_at_risk_late_and_stalled_for_the_readers_acts(app, users, db):
    from tracker.auth.models import User
    from tracker.notify import digest

    settings = app.config["TRACKER"]
    with app.app_context(), db.sessionmaker() as s:
        jenv = s.scalars(select(User).where(User.email == "jenv.editor@example.nl")).one()
        built = digest.build_digest(s, jenv, (2026, 49), settings)
        # JenV's acts are NIS2 and CER (its lead ministry inferred in the seed), both last described on
        # 30 September 2023: stalled.
        assert [(v.regulation.key, v.plan.status.value) for v in built.planning] == [
            ("NIS2", "stalled"), ("CER", "stalled")]
        message = digest.render(built, settings, app.config["SECRET_KEY"])
        assert "RISICO, TE LAAT EN STILGEVALLEN (2)" in message.body_text
        assert (
            "- NIS2 [Stilgevallen]: Geen faseovergang en geen bevestiging sinds 30 september 2023 ("
        ) in message.body_text
        html = BeautifulSoup(message.body_html, "html.parser")
        assert html.find("a", href="http://127.0.0.1:5000/regulations/NIS2#planning")


# -- feeds ------------------------------------------------------------------------------------------------
# A kind written with spaces is the same planning feed (its parameters are stripped), so it moves with the day too.
@pytest.mark.parametrize("kind", ["planning", " planning "])
def test_planning_feed_events_move_in_place_with_the_forecast(app, login, kind):
    import datetime as _dt
    import re

    import icalendar

    from tracker.clock import clock_of
    client = login("viewer@example.nl")
    html = calendar_html(client)
    url = re.search(r'id="https-url" readonly value="([^"]+)"', html).group(1).replace("&amp;", "&")
    path = url.split("127.0.0.1:5000", 1)[1]

    def events():
        response = app.test_client().get(path, query_string={"kind": kind, "regulation": "DSA"})
        assert response.status_code == 200
        cal = icalendar.Calendar.from_ical(response.data)
        return {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}, response.headers["ETag"]

    today, etag = events()
    # One event per step still ahead and one for entry into force, each UID "plan-<act id>-<step>".
    assert sorted(u.split("-", 2)[2] for u in today) == ["council_of_state", "in_force", "parliament", "publication"]
    assert len({u.split("-", 2)[1] for u in today}) == 1
    in_force = next(e for u, e in today.items() if u.endswith("-in_force"))
    # As of 28 Nov 2026: the stalled DSA's forecast entry into force is 1 Jul 2028 (see the act page).
    assert in_force.decoded("dtstart") == _dt.date(2028, 7, 1)
    assert str(in_force["summary"]) == "DSA - voorspeld: inwerkingtreding"  # the feed's language: Dutch unless lang=en
    clock = clock_of(app)
    clock.advance(_dt.timedelta(days=200))
    try:
        later, later_etag = events()
    finally:
        clock.advance(_dt.timedelta(days=-200))
    assert later_etag != etag  # the forecast moved with the day, so the feed is a new one
    moved = next(e for u, e in later.items() if u.endswith("-in_force"))
    assert moved["uid"] == in_force["uid"] and int(moved["sequence"]) == int(in_force["sequence"]) + 200
    assert moved.decoded("dtstart") > in_force.decoded("dtstart")


def test_tracker_plan_refuses_a_bad_date_and_prints_a_table(app, seeded):
    from tracker.cli import cli

    runner = app.test_cli_runner()
    bad = runner.invoke(cli, ["plan", "--as-of", "30-09-2023"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    table = runner.invoke(cli, ["plan", "--as-of", "2023-09-30"])
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0] == "Planning per 30 september 2023"  # one language: Dutch unless --lang en
    assert next(line for line in lines if line.split()[:1] == ["DSA"]).split()[:4] == [
        "DSA", "Risico", "2024-02-17", "2025-07-01"]
    assert "at_risk" not in table.output and "target" not in table.output
    english = runner.invoke(cli, ["plan", "--as-of", "2023-09-30", "--lang", "en"])
    assert english.exit_code == 0
    assert english.output.splitlines()[0] == "Plan as of 30 September 2023"
    assert next(line for line in english.output.splitlines() if line.split()[:1] == ["DSA"]).split()[:5] == [
        "DSA", "At", "risk", "2024-02-17", "2025-07-01"]
    assert "Risico" not in english.output


def test_durations_per_act_and_team_and_a_chosen_target_from_the_browser(login, seeded):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA").get_data(as_text=True))
    form = {"csrf_token": token, "step": "parliament", "days": "100", "scope": "act", "source": "team estimate"}
    assert editor.post("/regulations/DSA/plan/duration", data=form).status_code == 302
    form.update(step="publication", days="10", scope="team")
    assert editor.post("/regulations/DSA/plan/duration", data=form).status_code == 302
    assert editor.post("/regulations/DSA/plan/duration", data={**form, "days": "99999"}).status_code == 400
    with seeded.sessionmaker() as s:
        dsa = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        dma = s.scalars(select(Regulation).where(Regulation.key == "DMA")).one()
        plans = load_plans(s, TODAY, [dsa, dma])
        assert plans[dsa.id].durations["parliament"] == (100, "act")
        assert plans[dsa.id].durations["publication"] == (10, "team")  # EZK's figure
        assert plans[dma.id].durations["parliament"] == (270, "default")  # another act of the team: the default
        assert plans[dma.id].durations["publication"] == (10, "team")
        red_id = s.scalars(select(Regulation.id).where(Regulation.key == "RED")).one()
        red_deadline = s.scalars(select(Deadline.id).where(Deadline.seed_key == "RED-application")).one()
    jenv = login("jenv.editor@example.nl")
    jenv_token = csrf_from(jenv.get("/regulations/RED").get_data(as_text=True))
    refused = jenv.post(
        "/regulations/RED/plan/target", data={"csrf_token": jenv_token, "deadline_id": str(red_deadline)}
    )
    assert refused.status_code == 403  # RED belongs to EZK
    chosen = editor.post(
        "/regulations/RED/plan/target",
        data={"csrf_token": token, "deadline_id": str(red_deadline), "eu_exception": "1"},
    )
    assert chosen.status_code == 302
    with seeded.sessionmaker() as s:
        view = load_plans(s, END_SEPT_2023, [s.get(Regulation, red_id)])[red_id]
        assert (view.target.seed_key, view.eu_exception) == ("RED-application", True)
        # No stage recorded: no forecast is computed from nothing; with a date to meet the act is at risk.
        assert (view.plan.status.value, view.plan.forecast_in_force, view.plan.slack_days) == ("at_risk", None, None)
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "plan.target")).one().target_label == "RED"


def test_planning_adds_no_query_per_act(seeded, viewer):
    from tests.test_pages import add_regulations
    from tracker.db import QueryCounter

    def count(url):
        with QueryCounter(seeded.engine) as counter:
            assert viewer.get(url).status_code == 200
        return counter.count

    urls = ["/", "/?status=stalled", "/?as_of=2023-09-30&status=late", "/plan", "/plan?as_of=2023-09-30"]
    add_regulations(seeded, 2, 0)
    small = [count(u) for u in urls]
    add_regulations(seeded, 40, 2)
    assert [count(u) for u in urls] == small
