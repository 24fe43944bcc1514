"""The report on the page and from the terminal: the same content, filters, changes since the previous report,
the optional planning hook, a fixed number of queries, and clear errors for bad input (never a 500)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from tests.conftest import NOW
from tracker.audit.record import Actor
from tracker.cli import cli
from tracker.clock import Clock
from tracker.db import QueryCounter
from tracker.hooks import add_page_context
from tracker.regulations.commands import MoveStage, UpdateItem
from tracker.regulations.models import Deadline, Regulation
from tracker.report.build import PLANNING_HOOK, read
from tracker.report.options import parse_options
from tracker.unit_of_work import run_and_commit

CLOCK = Clock(ZoneInfo("Europe/Amsterdam"), NOW)

PILLAR_3 = {"DSA", "DMA", "DGA", "DA", "AIA", "P2B", "EIDAS2", "EPRIVACY", "NLF", "ONLINE_OPZEGGEN", "BARC"}


def soup_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_page_shows_the_report_with_a_download_per_format(viewer):
    soup = soup_of(viewer.get("/report", query_string={"as_of": "2023-09-30", "pillar": "3"}))
    assert [h.get_text() for h in soup.select("article.report h2")][1:] == [
        "1. Voortgang en status uitvoering van Europese verordeningen", "2. Voortgang per rechtshandeling",
        "3. Termijnen", "4. Wijzigingen sinds de vorige rapportage", "Bijlage 2: Evaluaties digitale economie"]
    acts = {a["data-key"] for a in soup.select("section.act")}
    assert acts == PILLAR_3
    figure = soup.select_one('figure.roadmap svg g.act[data-key="DMA"]')
    assert figure["data-stage"] == "council_of_state"
    assert soup.select_one("figure.roadmap svg title").get_text().startswith("Voortgang uitvoering (stand 30 september")
    assert "Onderhandelingen EU: AI Act" in soup.select_one("figure.roadmap svg desc").get_text()
    links = {a["id"]: a["href"] for a in soup.select("#downloads a")}
    assert set(links) == {"download-docx", "download-pdf", "download-html"}
    assert all("as_of=2023-09-30" in href and "pillar=3" in href for href in links.values())
    # Bijlage 2 for pillar 3: the five pillar-3 rows of the seed's table (DSA's two dates are two rows).
    rows = soup.select("table.evaluations tbody tr")
    assert {r.select("td")[0].get_text() for r in rows} >= {"Digital Markets Act", "Data Act", "AI Act"}
    dsa = soup.select_one('section.act[data-key="DSA"]').get_text(" ", strip=True)
    assert "Fase: Consultatie en toetsen, sinds 2e kwartaal 2023." in dsa
    assert "In werking getreden en per 17 februari 2024 van toepassing" in dsa
    assert "ACM: Digitaledienstencoördinator" in dsa
    # The planning feature's status and reason as of the report's date (tracker.planning: "report.planning").
    assert (
        "Planning: Risico: Inwerkingtreding voorspeld op 1 juli 2025, 500 dagen na de doeldatum 17 februari 2024 "
        "(Van toepassing op alle tussenhandeldiensten)."
    ) in dsa


def test_the_html_download_is_the_same_report_in_english(viewer):
    response = viewer.get("/report/download", query_string={"format": "html", "as_of": "2023-09-30", "lang": "en"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="progress-report-2023-09-30.html"'
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.select_one("h1").get_text() == "Progress report on the implementation of EU digital legislation"
    text = soup.get_text(" ", strip=True)
    assert "Annex 2: Evaluations of the digital economy" in text
    assert "Publication and entry into force to be determined" in text
    assert len(soup.select("table.evaluations tbody tr")) == 23


def test_the_page_speaks_the_readers_language_and_defaults_the_report_to_it(viewer):
    dutch = soup_of(viewer.get("/report", query_string={"as_of": "2023-09-30"}))
    assert dutch.select_one("select[name=lang] option[selected]")["value"] == "nl"
    assert dutch.select_one(".report-web")["lang"] == "nl"
    assert dutch.select_one("#downloads").get_text(" ", strip=True).startswith("Downloaden:")
    assert "lang=nl" in dutch.select_one("#download-docx")["href"]
    labels = [label.get_text(" ", strip=True).split(" ")[0] for label in dutch.select("#report-filters label")]
    assert labels[:3] == ["Stand", "Sinds", "Pijler"]
    assert [o.get_text() for o in dutch.select("select[name=lang] option")] == ["Nederlands", "English"]

    english = {"Accept-Language": "en-GB,en;q=0.9"}
    soup = soup_of(viewer.get("/report", query_string={"as_of": "2023-09-30"}, headers=english))
    assert soup.html["lang"] == "en"
    assert soup.select_one("select[name=lang] option[selected]")["value"] == "en"
    assert soup.select_one(".report-web")["lang"] == "en"
    assert soup.select_one("article.report h1").get_text() == (
        "Progress report on the implementation of EU digital legislation"
    )
    assert "lang=en" in soup.select_one("#download-pdf")["href"]
    # The planning line follows the report's language: its dates are English (1 July 2025, 17 February 2024).
    dsa = soup.select_one('section.act[data-key="DSA"]').get_text(" ", strip=True)
    assert "1 July 2025" in dsa and "17 February 2024" in dsa
    # An English reader may still ask for the Dutch report.
    chosen = soup_of(viewer.get("/report", query_string={"as_of": "2023-09-30", "lang": "nl"}, headers=english))
    assert chosen.select_one(".report-web")["lang"] == "nl"
    assert chosen.select_one("article.report h1").get_text() != soup.select_one("article.report h1").get_text()


@pytest.mark.parametrize(("query", "param"), [
    ({"as_of": "2023-13-01"}, "as_of"),
    ({"as_of": "30-09-2023"}, "as_of"),
    ({"since": "2024-01-01", "as_of": "2023-09-30"}, "since"),
    ({"lang": "fr"}, "lang"),
    ({"pillar": "9"}, "pillar"),
    ({"team": "NOPE"}, "team"),
    ({"authority": "NOPE"}, "authority"),
    ({"kind": "treaty"}, "kind"),
    ({"colour": "red"}, "colour"),
    ({"lang": ["nl", "en"]}, "lang"),
    ({"team": "A\x01B"}, "team"),
])
def test_bad_parameters_are_a_clear_400(viewer, query, param):
    for path, extra in (("/report", {}), ("/report/download", {"format": "docx"})):
        response = viewer.get(path, query_string={**query, **extra})
        assert response.status_code == 400, (path, response.status_code)
        assert f"{param}:" in response.get_data(as_text=True)


def test_my_teams_narrow_the_report_as_on_the_board(viewer):
    soup = soup_of(viewer.get("/report", query_string={"as_of": "2023-09-30", "mine": "1"}))
    assert "Team EZK" in soup.select_one(".title-page").get_text(" ", strip=True)
    assert "team=EZK" in soup.select_one("#download-pdf")["href"]
    assert "NIS2" not in {a["data-key"] for a in soup.select("section.act")}  # a JenV act
    assert viewer.get("/report", query_string={"mine": "yes"}).status_code == 400


def test_a_missing_or_unknown_format_is_a_400_and_the_page_needs_a_login(viewer, app):
    for query in ({}, {"format": "xls"}, {"format": ["pdf", "docx"]}):
        response = viewer.get("/report/download", query_string=query)
        assert response.status_code == 400 and "format:" in response.get_data(as_text=True)
    assert app.test_client().get("/report").status_code in (302, 401)


def test_changes_since_the_previous_report(seeded, app):
    actor = Actor("test")
    with seeded.transaction() as s:
        run_and_commit(s, MoveStage("DSA", "council_of_state", "2026-11-20", note="Adviesaanvraag verstuurd",
                         reference="Kamerstuk 36 531"), actor, CLOCK)
    with seeded.sessionmaker() as s:
        deadline = s.query(Deadline).join(Regulation).filter(
            Regulation.key == "DSA", Deadline.title.like("Gepland: uitvoeringswet aangeboden aan de Raad%")
        ).one()
        ident, version = deadline.id, deadline.version
    with seeded.transaction() as s:
        run_and_commit(s, UpdateItem("DSA", "deadlines", ident, {"due": "2024-H1"}, version), actor, CLOCK)
    with app.app_context(), seeded.sessionmaker() as s:
        report = read(s, parse_options(today=NOW.date()), today=NOW.date(), tz=CLOCK.tz)
    dsa = next(act for act in report.acts if act.key == "DSA")
    move = dsa.changes[0]
    assert move.text == "Naar fase Advisering Raad van State (20 november 2026)"
    assert (move.note, move.reference) == ("Adviesaanvraag verstuurd", "Kamerstuk 36 531")
    assert any(line.text.startswith("Termijn verschoven: Gepland: uitvoeringswet") for line in dsa.changes)
    assert ["DSA", "Consultatie en toetsen", "Advisering Raad van State", "20 november 2026"] in [
        row.cells for row in report.stage_changes]
    moved = [row.cells for row in report.moved_dates]
    # "in het najaar" is kept as the report's word, October to December 2023 (seed/README.md): from its first month.
    assert moved == [["DSA", "Gepland: uitvoeringswet aangeboden aan de Raad van State", "najaar 2023",
                      "1e helft 2024", "3 maanden later"]]


def test_the_planning_hook_adds_a_line_per_act_as_of_the_reports_date(seeded, app):
    # The app's own planning provider is registered already; a second one, registered after it, wins per act.
    asked: list[dt.date] = []
    add_page_context(app, PLANNING_HOOK, lambda subject: asked.append(subject[1]) or {
        r.id: "Op schema" for r in subject[0] if r.key == "DMA"})
    with app.app_context(), seeded.sessionmaker() as s:
        from tracker.report.build import planning_source

        report = read(s, parse_options(today=NOW.date(), as_of="2023-09-30"), today=NOW.date(), tz=CLOCK.tz)
        assert planning_source() is not None
    planning = {act.key: act.planning for act in report.acts if act.planning}
    assert asked == [dt.date(2023, 9, 30)] and planning["DMA"] == "Op schema"
    assert planning["DSA"].startswith("Risico: ") and planning["WIBON"].startswith("Gereed")


def test_the_report_reads_a_fixed_number_of_queries(seeded, app):
    from tests.test_pages import add_regulations

    def count() -> int:
        with app.app_context(), seeded.sessionmaker() as s, QueryCounter(seeded.engine) as counter:
            read(s, parse_options(today=NOW.date(), as_of="2023-09-30"), today=NOW.date(), tz=CLOCK.tz)
            filtered = read(s, parse_options(today=NOW.date(), as_of="2023-09-30", pillars=["3"], teams=["EZK"]),
                            today=NOW.date(), tz=CLOCK.tz)
            assert {a.key for a in filtered.acts} <= PILLAR_3
        return counter.count

    before = count()
    add_regulations(seeded, 40, 0)
    assert count() == before == 32  # 22 for the report (11 per read, its instruments among them), 10 for the planning


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "30-09-2023"], "YYYY-MM-DD"),
    (["--since", "2024-01-01", "--as-of", "2023-09-30"], "lies after the as-of date"),
    (["--team", "NOPE"], "not a team"),
    (["--pillar", "7"], "not a pillar"),
    (["--lang", "fr"], "not a language"),
    (["--format", "xls"], "xls"),
    (["-o", "/nonexistent-folder/report.docx"], "does not exist"),
])
def test_the_cli_refuses_bad_arguments_clearly(seeded, app, args, message):
    base = {"--format": "html", "-o": "-"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = ["report", *[x for pair in base.items() for x in pair]]
    result = app.test_cli_runner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_the_cli_writes_html_to_standard_output(seeded, app):
    result = app.test_cli_runner().invoke(cli, ["report", "--as-of", "2023-09-30", "--pillar", "3", "--format",
                                                "html", "-o", "-"])
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(result.output, "html.parser")
    assert {a["data-key"] for a in soup.select("section.act")} >= {"DSA", "DMA", "DGA", "DA", "AIA"}
    assert "Selectie Pijler 3" in soup.select_one(".title-page").get_text(" ", strip=True)


def test_a_machine_without_pango_gets_a_clear_503_naming_the_debian_packages(viewer, monkeypatch):
    """The README's run command installs only pip packages: without Pango the PDF must say what is missing. (The
    missing library cannot be uninstalled here, so WeasyPrint's own failure is raised in its place.)"""
    import tracker.report.pdf as pdf

    def no_pango(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(pdf, "write_pdf", no_pango)
    response = viewer.get("/report/download", query_string={"format": "pdf", "as_of": "2023-09-30"})
    assert response.status_code == 503
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in response.get_data(as_text=True)


def test_a_long_portfolio_sets_each_act_compactly_with_the_same_words(seeded, app):
    """From COMPACT_FROM acts on, each act is three flat paragraphs (fast to lay out in the PDF); what it says is what
    the full form says: the same lines, labelled, in the same order."""
    from flask import render_template

    from tracker.report.html import template_values

    with app.app_context(), seeded.sessionmaker() as s:
        report = read(s, parse_options(today=NOW.date(), as_of="2023-09-30"), today=NOW.date(), tz=CLOCK.tz)
        values = template_values(report)
        full = BeautifulSoup(render_template("report/document.html", **values), "html.parser")
        compact = BeautifulSoup(render_template("report/document.html", **{**values, "compact_from": 0}),
                                "html.parser")
    assert "compact" not in full.select_one("article.report")["class"]
    assert "compact" in compact.select_one("article.report")["class"]
    assert [s["data-key"] for s in compact.select("section.act")] == [s["data-key"] for s in full.select("section.act")]
    assert not compact.select("section.act ul")
    for key in ("DSA", "DMA", "WIBON"):
        long = full.select_one(f'section.act[data-key="{key}"]')
        short = compact.select_one(f'section.act[data-key="{key}"]').get_text(" ", strip=True)
        lines = [li.get_text(" ", strip=True) for li in long.select("li")]
        assert lines and all(f"• {line}" in short for line in lines)
        labels = [p.get_text(" ", strip=True) for p in long.select("p.sub")]
        assert [short.index(label + ":") for label in labels] == sorted(short.index(label + ":") for label in labels)
        for sentence in (long.select_one("p.stage"), long.select_one("p.status"), long.select_one("p.planning")):
            if sentence is not None:
                assert sentence.get_text(" ", strip=True) in short
    dsa = compact.select_one('section.act[data-key="DSA"]').get_text(" ", strip=True)
    assert "Volgende termijnen: •" in dsa and "Toezicht en aanwijzingen: • ACM: Digitaledienstencoördinator" in dsa
    # Fewer cells (fast in the PDF), the full form's words in order: the new acts a list, the deadlines a row per date,
    # the evaluations the same rows with two cells each.
    new_acts = [[td.get_text(strip=True) for td in tr.select("td")] for tr in full.select("table.new-acts tbody tr")]
    assert new_acts and not compact.select("table.new-acts")
    assert [li.get_text(strip=True) for li in compact.select("ul.new-acts > li")] == [
        f"{act}: {subject} ({stage})" for act, subject, stage in new_acts]
    tables = [table for table in full.select("table") if "new-acts" not in table["class"]]
    for long_table, short_table in zip(tables, compact.select("table"), strict=True):
        assert long_table["class"] == short_table["class"]
        assert short_table.select("thead th[scope=col]")
        long_rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in long_table.select("tbody tr")]
        short_rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in short_table.select("tbody tr")]
        assert long_rows
        if long_table["class"][0] in ("overdue", "upcoming"):
            dates = list(dict.fromkeys(date for _, _, date in long_rows))
            assert short_rows == [[date, "; ".join(f"{act}: {what}" for act, what, due in long_rows if due == date)]
                                  for date in dates]
            continue
        assert len(long_rows) == len(short_rows)
        if long_table["class"][0] == "evaluations":  # the long one
            assert len(short_rows[0]) == 2 < len(long_rows[0])
        for words, cells in zip(long_rows, short_rows, strict=True):
            text, at = " ".join(cells), 0
            for word in filter(None, words):  # each in turn, after the one before
                at = text.index(word, at) + len(word)
