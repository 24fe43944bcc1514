import base64
import datetime as dt
import logging
import re

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select, text

from tests.conftest import NOW, calendar_html, csrf_from
from tracker.audit.models import AuditEvent
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.cli import cli
from tracker.redaction import redact
from tracker.regulations.models import Deadline, Evaluation

# What the seeded portfolio's feeds hold, by seed entry id (counted from seed/: every deadline and evaluation with
# a known date; the four t.b.d. deadlines and four t.b.d. evaluations are left out).
DSA_ITEMS = {"DSA-application", "DSA-application-vlop", "DSA-designation-dsc", "DSA-planned-council-of-state",
             "DSA-vlop-designation-commission", "eval-dsa-art91-1", "eval-dsa-art91-2"}
JENV_ITEMS = {"NIS2-implementation-2024", "NIS2-transposition", "CER-transposition", "eval-nis2",
              "eval-nlcs-nulmeting", "eval-nlcs-tussentijds"}
EZK_ACM_EVALUATIONS = {"eval-dga", "eval-dma-art53", "eval-dsa-art91-1", "eval-dsa-art91-2"}
FEED_COUNTS = [  # (parameters, number of events)
    ({}, 52), ({"team": "EZK"}, 46), ({"regulation": "DSA"}, 7), ({"authority": "ACM"}, 18),
    ({"kind": "deadlines"}, 33), ({"kind": "evaluations"}, 19),
    ({"team": "EZK", "kind": "evaluations", "authority": "ACM"}, 4), ({"alarm": "7,1"}, 52),
]


@pytest.fixture
def feed_url(login, app):
    """The viewer's https feed URL, as the calendar page shows it."""
    client = login("viewer@example.nl")
    html = calendar_html(client)
    return re.search(r'id="https-url" readonly value="([^"]+)"', html).group(1).replace("&amp;", "&")


def path(url: str) -> str:
    return url.split("127.0.0.1:5000", 1)[1]


def fetch(app, url, **params):
    return app.test_client().get(path(url), query_string=params or None)


def parse_all(body: bytes):
    """Parse with three independent parsers; each must accept the feed."""
    cal = icalendar.Calendar.from_ical(body)
    IcsCalendarStream.calendar_from_ics(body.decode())
    vobject.readOne(body.decode())
    return cal, [c for c in cal.walk("VEVENT")]


def by_uid(events):
    return {str(e["UID"]): e for e in events}


def seed_keys(app, events) -> list[str]:
    """The seed entry id of each event's row, read back from its UID (deadline-<id>@host, evaluation-<id>@host)."""
    db = app.extensions["tracker.db"]
    keys = []
    with db.sessionmaker() as s:
        for e in events:
            kind, _, rest = str(e["UID"]).partition("-")
            row_id = int(rest.split("@")[0])
            keys.append(s.get({"deadline": Deadline, "evaluation": Evaluation}[kind], row_id).seed_key)
    return keys


@pytest.mark.parametrize(("params", "count"), FEED_COUNTS)
def test_every_kind_of_feed_parses_with_three_parsers(app, feed_url, params, count):
    response = fetch(app, feed_url, **params)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    _, events = parse_all(response.data)
    assert len(events) == count, params
    keys = seed_keys(app, events)
    assert len(set(keys)) == count  # one event per item, each with its own UID
    assert len({str(e["UID"]) for e in events}) == count
    body = response.data.decode()
    # All-day events, as the README says: DTSTART;VALUE=DATE and DTEND the next day, on every event.
    assert len(re.findall(r"^DTSTART;VALUE=DATE:\d{8}\r$", body, re.M)) == count
    assert len(re.findall(r"^DTEND;VALUE=DATE:\d{8}\r$", body, re.M)) == count
    for e in events:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert e.decoded("DTSTAMP") == e.decoded("LAST-MODIFIED")
        assert str(e["URL"]).startswith("http") and e["CATEGORIES"]
        lines = str(e["DESCRIPTION"]).splitlines()
        assert lines[0].startswith("Datum: ") and lines[1].startswith(("Huidige fase: ", "Fase niet vastgelegd"))
        assert any(line.startswith("Bron: ") for line in lines)
        assert bool(e.walk("VALARM")) == ("alarm" in params)


def test_calendar_properties(app, feed_url):
    body = fetch(app, feed_url, team="EZK").data.decode()
    assert "\r\nNAME:EU-implementatietracker - team EZK\r\n" in body
    assert "X-WR-CALNAME:EU-implementatietracker - team EZK" in body
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALDESC"]) == "Termijnen en evaluatiedata van de digitale EU-regelgeving in Nederland"
    assert str(calendar["DESCRIPTION"]) == str(calendar["X-WR-CALDESC"])
    assert re.search(r"^REFRESH-INTERVAL;VALUE=DURATION:PT\d+H\r?$", body, re.M)
    assert re.search(r"^X-PUBLISHED-TTL:PT\d+H\r?$", body, re.M)
    assert "PRODID:" in body and "VERSION:2.0" in body


def test_summaries_name_act_and_obligation_and_coarse_dates_say_their_precision(app, feed_url):
    _, events = parse_all(fetch(app, feed_url).data)
    summaries = {str(e["SUMMARY"]) for e in events}
    assert ("DSA - Lidstaten wijzen een coördinerend toezichthouder (digitaledienstencoördinator) en andere "
            "autoriteiten aan") in summaries
    assert "DA - evaluatie (2028)" in summaries
    da = next(e for e in events if str(e["SUMMARY"]) == "DA - evaluatie (2028)")
    assert da.decoded("DTSTART") == dt.date(2028, 1, 1)
    assert str(da["DESCRIPTION"]).startswith("Datum: 2028 (getoond op de eerste dag van de periode, de regel van de "
                                             "tracker voor data die geen dag zijn)\n")
    assert not any("t.b.d." in s for s in summaries)  # AIA's evaluation is n.t.b.: left out
    assert not any("AIA - evaluatie" in s for s in summaries)


def test_filters_select_the_right_items(app, feed_url):
    def keys(**params):
        _, events = parse_all(fetch(app, feed_url, **params).data)
        return {str(e["SUMMARY"]).split(" - ")[0] for e in events}, events

    dsa, events = keys(regulation="DSA")
    assert dsa == {"DSA"}
    assert sorted(seed_keys(app, events)) == sorted(DSA_ITEMS)
    _, only_evals = keys(regulation="DSA", kind="evaluations")
    assert sorted(seed_keys(app, only_evals)) == ["eval-dsa-art91-1", "eval-dsa-art91-2"]
    jenv, events = keys(team="JENV")
    assert sorted(seed_keys(app, events)) == sorted(JENV_ITEMS)
    assert jenv == {"NIS2", "CER", "Nulmeting Nederlandse Cybersecuritystrategie (NLCS, coördinatie JenV, WODC) – J&V",
                    "(Tussentijdse) Evaluatie Nederlandse Cybersecuritystrategie (NLCS, coördinatie JenV, WODC)"}
    ap, events = keys(authority="AP")
    assert ap == {"DSA"} and sorted(seed_keys(app, events)) == sorted(DSA_ITEMS)
    _, events = keys(team="EZK", kind="evaluations", authority="ACM")
    assert sorted(seed_keys(app, events)) == sorted(EZK_ACM_EVALUATIONS)


@pytest.mark.parametrize(("params", "message"), [
    ({"team": "NOPE"}, "team: 'NOPE' is not known"), ({"regulation": "XYZ"}, "regulation: 'XYZ' is not known"),
    ({"authority": "FBI"}, "authority: 'FBI' is not known"), ({"kind": "meetings"}, "kind: 'meetings'"),
    ({"colour": "red"}, "unknown parameter(s) colour"), ({"alarm": "soon"}, "alarm: give up to"),
    ({"alarm": "1,2,3,4,5,6"}, "alarm: give up to"), ({"alarm": "999"}, "alarm: give up to"),
    ({"lang": "fr"}, "lang: 'fr' is not a language of the feeds"),
])
def test_bad_parameters_are_a_clear_400(app, feed_url, params, message):
    response = fetch(app, feed_url, **params)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_repeated_parameter_is_a_400(app, feed_url):
    response = app.test_client().get(path(feed_url) + "?team=EZK&team=JENV")
    assert response.status_code == 400 and "more than once" in response.get_data(as_text=True)


def test_etag_304_and_byte_identical_fetches(app, feed_url, monkeypatch):
    first, second = fetch(app, feed_url), fetch(app, feed_url)
    assert first.data == second.data
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")

    def no_build(*args, **kwargs):
        raise AssertionError("the 304 path must not build the calendar")

    monkeypatch.setattr("tracker.feeds.store.pieces", no_build)
    monkeypatch.setattr("tracker.feeds.source.read", no_build)
    response = app.test_client().get(path(feed_url), headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b"" and response.headers["ETag"] == etag


def edit_deadline(login, seed_key, **changes):
    editor = login("ezk.editor@example.nl")
    from bs4 import BeautifulSoup

    page = editor.get("/regulations/DSA").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    link = next(a["href"] for a in soup.select("#deadlines a") if a["href"].endswith("/edit")
                and seed_key in a.find_parent("tr").get_text())
    form = BeautifulSoup(editor.get(link).get_data(as_text=True), "html.parser")
    data = {i["name"]: i.get("value", "") for i in form.select("form.grid input")}
    data.update({s["name"]: s.select_one("option[selected]")["value"] for s in form.select("form.grid select")})
    data.update({t["name"]: t.get_text() for t in form.select("form.grid textarea")})
    data.update(changes)
    assert editor.post(link, data=data).status_code == 302


def test_uids_stay_and_sequence_grows_when_date_or_title_change(app, feed_url, login):
    before = by_uid(parse_all(fetch(app, feed_url, regulation="DSA").data)[1])
    assert len(before) == len(DSA_ITEMS)
    app.extensions["tracker.clock"].advance(dt.timedelta(hours=1))  # the edit happens an hour later
    edit_deadline(login, "Van toepassing op alle tussenhandeldiensten", due="2024-02-19")
    after = by_uid(parse_all(fetch(app, feed_url, regulation="DSA").data)[1])
    assert set(after) == set(before)  # moved, not duplicated
    moved = [uid for uid in after if after[uid].decoded("DTSTART") != before[uid].decoded("DTSTART")]
    assert len(moved) == 1
    uid = moved[0]
    assert after[uid].decoded("DTSTART") == dt.date(2024, 2, 19)
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert before[uid].decoded("DTSTAMP") == NOW
    assert after[uid].decoded("DTSTAMP") == NOW + dt.timedelta(hours=1)
    unchanged = [u for u in after if u != uid]
    assert all(after[u].decoded("DTSTAMP") == NOW and after[u]["SEQUENCE"] == before[u]["SEQUENCE"] for u in unchanged)
    # A change of the note only does not bump SEQUENCE.
    edit_deadline(login, "Van toepassing op alle tussenhandeldiensten", note="only a note")
    again = by_uid(parse_all(fetch(app, feed_url, regulation="DSA").data)[1])
    assert int(again[uid]["SEQUENCE"]) == int(after[uid]["SEQUENCE"])


def test_a_change_gives_a_new_etag(app, feed_url, login):
    etag = fetch(app, feed_url).headers["ETag"]
    edit_deadline(login, "Van toepassing op alle tussenhandeldiensten", title="Renamed obligation")
    response = app.test_client().get(path(feed_url), headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_rotating_the_token_kills_the_old_url_at_once_and_is_audited(app, feed_url, login, session):
    assert fetch(app, feed_url).status_code == 200
    client = login("viewer@example.nl")
    token = csrf_from(client.get("/calendar").get_data(as_text=True))
    assert client.post("/calendar/rotate", data={"csrf_token": token}).status_code == 302
    assert fetch(app, feed_url).status_code == 404
    new = re.search(r'id="https-url" readonly value="([^"]+)"', client.get("/calendar").get_data(as_text=True)).group(1)
    assert new != feed_url and fetch(app, new).status_code == 200
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "feed.rotate")).one()


def test_unknown_tokens_are_404(app, feed_url):
    assert fetch(app, feed_url).status_code == 200
    assert app.test_client().get("/feeds/" + "A" * 43 + ".ics").status_code == 404
    assert app.test_client().get("/feeds/short.ics").status_code == 404


def test_a_revoked_token_is_404(app, feed_url, login, session):
    assert fetch(app, feed_url).status_code == 200
    client = login("viewer@example.nl")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/calendar/revoke", data={"csrf_token": token}).status_code == 302
    assert fetch(app, feed_url).status_code == 404
    assert session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "feed.revoke")).all() == [
        "viewer@example.nl"
    ]


def test_the_token_of_a_deactivated_user_is_404_and_works_again_after_reactivation(app, feed_url, session):
    etag = fetch(app, feed_url).headers["ETag"]
    user = service.find_user(session, "viewer@example.nl")
    service.deactivate(session, user, actor=Actor("test"), now=NOW)
    session.commit()
    assert fetch(app, feed_url).status_code == 404
    # Not even a 304 for a client that holds the ETag.
    assert app.test_client().get(path(feed_url), headers={"If-None-Match": etag}).status_code == 404
    user.active = True
    session.commit()
    assert fetch(app, feed_url).status_code == 200


def test_tokens_are_stored_only_hashed_and_have_enough_bits(app, feed_url, session):
    token = re.search(r"/feeds/([^.]+)\.ics", feed_url).group(1)
    assert len(token) == 43  # 256 bits in unpadded base64url
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    dump = " ".join(str(v) for row in session.execute(text("SELECT * FROM feed_tokens")) for v in row)
    assert token not in dump


def test_redact_replaces_the_token_and_keeps_the_rest():
    line = 'GET /feeds/abcDEF123_-xyz.ics?team=EZK HTTP/1.1" 200'
    assert redact(line) == 'GET /feeds/<redacted>?team=EZK HTTP/1.1" 200'


def test_the_development_servers_access_log_shows_feeds_redacted(app, feed_url, caplog, capfd):
    """The request handler `tracker serve` uses, in werkzeug's real server on a loopback port."""
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from tracker.cli import RedactingRequestHandler

    token = re.search(r"/feeds/([^.]+)\.ics", feed_url).group(1)
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with urllib.request.urlopen(f"{base}/feeds/{token}.ics?team=EZK", timeout=10) as response:
            assert response.status == 200 and b"BEGIN:VCALENDAR" in response.read()
        with urllib.request.urlopen(f"{base}/login", timeout=10) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        thread.join(10)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) == 2, lines
    assert '"GET /feeds/<redacted>?team=EZK HTTP/1.1" 200 -' in lines[0]
    assert '"GET /login HTTP/1.1" 200 -' in lines[1]
    assert token not in "\n".join(lines) + capfd.readouterr().err


def test_cli_feed_url_and_rotate(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["feeds", "url", "viewer@example.nl", "--team", "EZK", "--kind", "deadlines"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("http://127.0.0.1:5000/feeds/") and "team=EZK" in url and "kind=deadlines" in url
    assert fetch(app, url).status_code == 200
    webcal = runner.invoke(cli, ["feeds", "url", "viewer@example.nl", "--webcal"]).output.strip()
    assert webcal.startswith("webcal://127.0.0.1:5000/feeds/")
    bad = runner.invoke(cli, ["feeds", "url", "viewer@example.nl", "--team", "NOPE"])
    assert bad.exit_code == 1 and "team: 'NOPE' is not known" in bad.output
    assert runner.invoke(cli, ["feeds", "url", "ghost@example.nl"]).exit_code == 1
    rotated = runner.invoke(cli, ["feeds", "rotate", "viewer@example.nl"]).output.strip()
    assert fetch(app, url).status_code == 404 and fetch(app, rotated).status_code == 200


def test_regulation_page_shows_the_feed_link_once_the_user_has_one(app, login):
    client = login("viewer@example.nl")
    assert "Abonneer in uw agenda op de data van DSA" in client.get("/regulations/DSA").get_data(as_text=True)
    calendar_html(client)
    html = client.get("/regulations/DSA").get_data(as_text=True)
    assert re.search(r"/feeds/[^.]+\.ics\?regulation=DSA", html) and "webcal://" in html


def test_feed_dates_for_dtstamp_come_from_the_rows_not_the_clock(app, feed_url):
    _, events = parse_all(fetch(app, feed_url).data)
    assert {e.decoded("DTSTAMP") for e in events} == {NOW.replace(microsecond=0)}


def test_a_feed_speaks_dutch_unless_its_url_asks_for_english(app, feed_url):
    dutch, english = fetch(app, feed_url, team="EZK"), fetch(app, feed_url, team="EZK", lang="en")
    assert dutch.headers["ETag"] != english.headers["ETag"]  # two feeds: the query is part of the key
    # Each stays byte-identical when fetched again (the pieces, keyed by their content, keep the languages apart).
    assert fetch(app, feed_url, team="EZK").data == dutch.data
    assert fetch(app, feed_url, team="EZK", lang="en").data == english.data
    nl_events, en_events = by_uid(parse_all(dutch.data)[1]), by_uid(parse_all(english.data)[1])
    assert nl_events.keys() == en_events.keys()  # the same dates, in other words
    assert "NAME:EU implementation tracker - team EZK" in english.data.decode()
    summaries = {str(e["SUMMARY"]) for e in en_events.values()}
    assert "DA - evaluation (2028)" in summaries and "DA - evaluatie (2028)" not in summaries
    da = next(e for e in en_events.values() if str(e["SUMMARY"]) == "DA - evaluation (2028)")
    assert str(da["DESCRIPTION"]).startswith("Date: 2028 (")
    dsc = next(e for e in en_events.values() if str(e["SUMMARY"]).startswith("DSA - Member states designate"))
    lines = str(dsc["DESCRIPTION"]).splitlines()
    assert lines[0] == "Date: 17 February 2024" and lines[2] == "Type: designation of authority"
    assert lines[1] == "Current stage: Consultation and checks since Q2 2023"
    assert any(line.startswith("Source: ") for line in lines)
    nl_dsc = nl_events[str(dsc["UID"])]
    assert str(nl_dsc["DESCRIPTION"]).splitlines()[:3] == [
        "Datum: 17 februari 2024", "Huidige fase: Consultatie en toetsen sinds 2e kwartaal 2023",
        "Soort: aanwijzing toezichthouder"]


def test_the_calendar_page_gives_an_english_link_only_to_an_english_reader(app, login):
    client = login("viewer@example.nl")
    dutch = calendar_html(client)
    assert re.search(r'id="https-url" readonly value="[^"]+\.ics"', dutch)  # no lang: Dutch is the default
    english = calendar_html(client, "/calendar?team=EZK", headers={"Accept-Language": "en"})
    url = re.search(r'id="https-url" readonly value="([^"]+)"', english).group(1).replace("&amp;", "&")
    assert url.endswith(".ics?team=EZK&lang=en")
    assert "NAME:EU implementation tracker - team EZK" in fetch(app, url).data.decode()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /feeds%2Fabc123.ics HTTP/1.1", "GET /feeds/<redacted> HTTP/1.1"),
        ("GET /FEEDS/abc123.ics HTTP/1.1", "GET /FEEDS/<redacted> HTTP/1.1"),
        ("GET /login?next=%2Freset%2Fsecret-token HTTP/1.1", "GET /login?next=/reset/<redacted> HTTP/1.1"),
        ("https://x.example/login?next=%252Freset%252Fsecret-token", "https://x.example/login?next=/reset/<redacted>"),
        ("GET /Unsubscribe/tok.en HTTP/1.1", "GET /Unsubscribe/<redacted> HTTP/1.1"),
        ("GET /regulations/DSA HTTP/1.1", "GET /regulations/DSA HTTP/1.1"),
    ],
)
def test_redaction_after_percent_decoding_and_case_folding(line, expected):
    assert redact(line) == expected
