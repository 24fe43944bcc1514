"""Issue 17: every quote occurs in the report's text; certainty, sources per field and date ranges, end to end."""

import csv
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import NOW, SEED
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.feeds.queries import FeedFilter, feed_items
from tracker.notify.reminders import lead_key
from tracker.regulations.models import Certainty, Deadline, Evaluation, Regulation, StageChange
from tracker.regulations.queries import deadline_badges
from tracker.seeding.checks import _sources, season_period
from tracker.seeding.planning import read_planning
from tracker.seeding.quotes import ReportText, normalise
from tracker.seeding.schema import REPORT_DATE, SeedError, read_seed

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def edit_entry(folder: Path, file: str, entry_id: str, change) -> None:
    path = folder / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = [e for section in data.values() for e in section]
    nested = [x for e in entries for k in ("stages", "deadlines", "designations") for x in e.get(k) or []]
    change(next(e for e in entries + nested if e["id"] == entry_id))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(folder: Path) -> str:
    with pytest.raises(SeedError) as info:
        read_seed(folder, TODAY)
    return "\n".join(info.value.problems)


# -- the quote check -----------------------------------------------------------------------------------------
def test_every_quote_of_the_shipped_seed_occurs_in_the_shipped_report_text():
    portfolio = read_seed(SEED, TODAY)  # raises on any quote not found
    text = ReportText.of_seed(SEED)
    sources = [source for _, _, source in _sources(portfolio)]
    quotes = [q for source in sources for q in source.quotes()]
    # Every `quote:` in the portfolio's files, counted independently of the reader: the check covers each one...
    files = [p for p in SEED.rglob("*.yaml") if p.parent.name != "planning"]
    written = sum(len(re.findall(r"\bquote: ", p.read_text(encoding="utf-8"))) for p in files)
    assert len(quotes) == written
    # ...but a fact from outside the report (certainty "external") quotes its own source, not the report.
    external = [q for source in sources if source.certainty == "external" for q in source.quotes()]
    assert 0 < len(external) < len(quotes)
    assert all(text.contains(q) for source in sources if source.certainty != "external" for q in source.quotes())
    assert not any(text.contains(q) for q in external)
    # The planning files' quotes too (tracker.seeding.planning checks them when it reads them).
    planning = [e["source"]["quote"] for entries in read_planning(SEED / "planning", portfolio).entries.values()
                for e in entries if isinstance(e.get("source"), dict) and e["source"].get("quote")]
    in_files = sum(len(re.findall(r"\bquote: ", p.read_text(encoding="utf-8")))
                   for p in (SEED / "planning").glob("*.yaml"))
    assert len(planning) == in_files > 0 and all(text.contains(q) for q in planning)


def test_a_planning_quote_the_report_does_not_contain_is_refused(tmp_path):
    shutil.copytree(SEED, tmp_path / "seed")
    targets = tmp_path / "seed" / "planning" / "targets.yaml"
    targets.write_text(targets.read_text(encoding="utf-8").replace(
        "De DMA is sinds 2 mei 2023 van toepassing in de EU.", "De DMA is sinds 3 mei 2023 van toepassing."),
        encoding="utf-8")
    portfolio = read_seed(tmp_path / "seed", TODAY)
    with pytest.raises(SeedError, match="quote not found in the report's text"):
        read_planning(tmp_path / "seed" / "planning", portfolio)


def test_the_check_forgives_what_the_extraction_lost_and_nothing_else(tmp_path):
    (tmp_path / "report-text").mkdir()
    (tmp_path / "report-text" / "r.txt").write_text(
        "Evaluatie Wet Ongewenste Zeggenschap Tele\ncom (WOZT)\n\nsysteem dat vastligt in het Nieuw Wetgevingskader"
        " (NLF).53 \n\nHet NLF omvat de\n\nstelsels. Vanaf 17 februari 2024 moeten alle tussen\n\nhandel diensten "
        "voldoen.40 De 3,5 GHz\nband per 17-2-2024.",
        encoding="utf-8",
    )
    text = ReportText.of_seed(tmp_path)
    assert text.contains("Evaluatie Wet Ongewenste Zeggenschap Telecom (WOZT)")  # hyphen lost at a line end
    assert text.contains("Nieuw Wetgevingskader (NLF). Het NLF omvat de stelsels.")  # footnote number and breaks
    assert text.contains("alle tussenhandeldiensten voldoen.")
    assert text.contains("De 3,5 GHz-band per 17-2-2024")
    assert text.contains("Het NLF … voldoen.")  # a gap, marked
    assert not text.contains("Het NLF omvat geen stelsels.")
    assert not text.contains("voldoen. Het NLF")  # parts in the wrong order
    assert normalise("‘digitaledienstencoördinator’") == normalise("'digitalediensten-\ncoördinator'")


def test_a_quote_the_report_does_not_contain_is_refused_by_name(seed_copy):
    edit_entry(seed_copy, "regulations/pillar3.yaml", "DSA-application",
               lambda e: e["source"].update(quote="Vanaf 17 februari 2025 moeten alle tussenhandeldiensten voldoen."))
    edit_entry(seed_copy, "evaluations.yaml", "eval-wibon",
               lambda e: e["source"]["conflicts"][0].update(quote="de evaluatie is nooit gestart"))
    problems = problems_of(seed_copy)
    assert "regulations/pillar3.yaml: deadline DSA-application: quote not found in the report's text" in problems
    assert "evaluations.yaml: evaluation eval-wibon: quote not found in the report's text: 'de evaluatie" in problems


def test_the_report_text_must_ship_with_the_seed(seed_copy):
    shutil.rmtree(seed_copy / "report-text")
    assert "report-text/*.txt not found" in problems_of(seed_copy)


def test_certainty_sources_and_season_words_are_checked(seed_copy):
    edit_entry(seed_copy, "regulations/pillar3.yaml", "DA-eu_negotiation-council", lambda e: e["source"].pop("note"))
    edit_entry(seed_copy, "regulations/pillar3.yaml", "DSA-application",
               lambda e: e["source"].update(certainty="maybe"))
    edit_entry(seed_copy, "regulations/pillar3.yaml", "AIA", lambda e: e["sources"].update(
        celex={"ref": "Figuur 8", "quote": "In behandeling – triloog"}))
    edit_entry(seed_copy, "regulations/pillar3.yaml", "DSA-planned-council-of-state",
               lambda e: e.update(due="2023-09 .. 2023-12 (najaar 2023)"))
    problems = problems_of(seed_copy)
    assert "DA-eu_negotiation-council): source: note: is required for a reading" in problems
    assert "DSA-application): source: certainty: 'maybe' is not one of: report, reading, inference" in problems
    assert "(AIA): sources: 'celex': a source for a field the entry does not set" in problems
    assert "DSA-planned-council-of-state: due: 'najaar 2023' is 2023-10 .. 2023-12 by the rule" in problems


def test_the_season_rule():
    assert season_period("najaar", 2023, REPORT_DATE).isoformat() == "2023-10 .. 2023-12"
    assert season_period("najaar", 2024, REPORT_DATE).isoformat() == "2024-09 .. 2024-12"
    assert season_period("voorjaar", 2024, REPORT_DATE).isoformat() == "2024-03 .. 2024-06"


# -- what the loaded seed holds ------------------------------------------------------------------------------
def test_readings_inferences_alternatives_and_contradictions_are_data(seeded, session):
    changes = {c.seed_key: c for c in session.scalars(select(StageChange).where(StageChange.seed_key.is_not(None)))}
    da = changes["DA-eu_negotiation-council"]
    assert da.certainty is Certainty.READING and "verkeerde volgorde" in da.certainty_note
    assert "out of order" in da.certainty_note_en
    assert da.alternative.startswith("Interne voorbereiding")
    dga = changes["DGA-council_of_state"]
    assert dga.certainty is Certainty.READING and "voorbereid" in dga.certainty_note
    assert "prepared" in dga.certainty_note_en
    assert changes["DMA-council_of_state"].certainty is Certainty.REPORT

    regs = {r.key: r for r in session.scalars(select(Regulation))}
    assert regs["NIS2"].field_sources["lead_ministry"]["certainty"] == "inference"
    for key in ("CSA", "RED", "EECC", "EIDAS2", "EPRIVACY"):
        assert regs[key].field_sources["lead_ministry"]["certainty"] == "inference", key
    assert regs["DSA"].field_sources["eu_published"] == {
        "ref": "Pijler 3, Voortgang, § Digital Services Act (DSA)",
        "quote": "De DSA is op 27 oktober 2022 gepubliceerd.",
        "certainty": "report",
    }
    # Every regulation-level fact a regulation sets has a source of its own.
    for reg in regs.values():
        for name in ("lead_ministry", "national_instrument", "bill_number", "eu_number", "celex", "eu_published"):
            value = getattr(reg, name)
            if value is not None and getattr(value, "known", True):
                assert name in (reg.field_sources or {}), (reg.key, name)

    # The Wibon contradiction is recorded on both facts, each with the other's quote.
    wibon_eval = session.scalar(select(Evaluation).where(Evaluation.seed_key == "eval-wibon"))
    wibon_stage = changes["WIBON-in-force"]
    assert "lopend onderzoek" in wibon_eval.source_quote and "na de afronding" in wibon_eval.conflicts[0]["quote"]
    assert "na de afronding" in wibon_stage.source_quote and "lopend onderzoek" in wibon_stage.conflicts[0]["quote"]


def test_dated_milestones_are_records_and_ranges_are_not_narrowed(seeded, session):
    deadlines = {d.seed_key: d for d in session.scalars(select(Deadline).where(Deadline.seed_key.is_not(None)))}
    agreement = deadlines["DA-political-agreement"]
    assert agreement.due.isoformat() == "2023-06-28" and agreement.met_on == dt.date(2023, 6, 28)
    assert deadlines["DGA-submission-parliament"].due.isoformat() == "2023-10"
    gia = deadlines["GIA-agreement"].due
    assert gia.isoformat() == "2023-Q4 .. 2024 (eind 2023 of in 2024)"
    assert (gia.first_day, gia.last_day, gia.display()) == (dt.date(2023, 10, 1), dt.date(2024, 12, 31),
                                                           "eind 2023 of in 2024")
    dsa = deadlines["DSA-planned-council-of-state"].due
    assert dsa.display() == "najaar 2023" and dsa.first_day > dt.date(2023, 9, 30)
    assert deadlines["ONLINE_OPZEGGEN-bill"].due.known is False  # "no date" stays unknown

    gia_reg = session.scalar(select(Regulation).where(Regulation.key == "GIA"))
    # Not overdue through 2024 ("eind 2023 of in 2024"); overdue from 2025.
    assert deadline_badges(session, dt.date(2024, 6, 30), [gia_reg.id]).get(gia_reg.id, (0, 0))[0] == 0
    assert deadline_badges(session, dt.date(2025, 1, 1), [gia_reg.id])[gia_reg.id][0] == 1
    dsa_reg = session.scalar(select(Regulation).where(Regulation.key == "DSA"))
    overdue_on_report_date = deadline_badges(session, dt.date(2023, 9, 30), [dsa_reg.id]).get(dsa_reg.id, (0, 0))[0]
    assert overdue_on_report_date == 0


def test_reminders_count_from_the_start_and_overdue_from_the_end():
    start, end = dt.date(2023, 10, 1), dt.date(2024, 12, 31)
    assert lead_key(start, dt.date(2023, 9, 24), (7,), end) == "7"
    assert lead_key(start, dt.date(2024, 6, 1), (7,), end) is None
    assert lead_key(start, dt.date(2025, 1, 3), (7,), end) == "overdue"
    assert lead_key(start, dt.date(2023, 10, 3), (7,)) == "overdue"  # a single date: from its first day


# -- what readers see ------------------------------------------------------------------------------------------
def test_the_act_page_marks_readings_and_inferences_with_their_note(viewer):
    soup = BeautifulSoup(viewer.get("/regulations/DA").get_data(as_text=True), "html.parser")
    history = soup.select_one("#history")
    assert history.select_one('[data-certainty="reading"]').get_text() == "interpretatie"
    assert "verkeerde volgorde" in history.select_one(".certainty-note").get_text()
    assert "Interne voorbereiding" in history.select_one(".alternative").get_text()
    lead = soup.select_one("#fact-lead_ministry")
    assert lead.select_one('[data-certainty="reading"]') and "EZK heeft actief bijgedragen" in lead.get_text()

    nis2 = BeautifulSoup(viewer.get("/regulations/NIS2").get_data(as_text=True), "html.parser")
    assert nis2.select_one('#fact-lead_ministry [data-certainty="inference"]') is not None
    wibon = BeautifulSoup(viewer.get("/regulations/WIBON").get_data(as_text=True), "html.parser")
    assert "lopend onderzoek" in wibon.select_one("#history .conflict").get_text()
    assert "lopend onderzoek" not in wibon.select_one("#evaluations .conflict").get_text()
    assert "na de afronding" in wibon.select_one("#evaluations .conflict").get_text()
    gia = BeautifulSoup(viewer.get("/regulations/GIA").get_data(as_text=True), "html.parser")
    assert "eind 2023 of in 2024" in gia.select_one("#deadlines").get_text()
    assert "(4e kwartaal 2023 – 2024)" in gia.select_one("#deadlines .period").get_text()


def test_the_board_shows_the_alternative_reading(viewer):
    soup = BeautifulSoup(viewer.get("/?as_of=2023-09-30").get_data(as_text=True), "html.parser")
    card = soup.select_one('article[data-key="DA"]')
    assert card.select_one('[data-certainty="reading"]') is not None
    assert "Interne voorbereiding" in card.select_one(".alternative").get_text()
    assert soup.select_one('article[data-key="DMA"] [data-certainty]') is None


def test_the_api_and_the_feed_carry_the_marker(app, users, db, session):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "viewer@example.nl"), "test", actor=Actor("test"), now=NOW)
    body = app.test_client().get("/api/v1/regulations/DA", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["field_sources"]["lead_ministry"]["certainty"]["level"] == "reading"
    assert body["certainty"] == {"level": "report", "note": None, "note_en": None, "alternative": None,
                                 "alternative_en": None, "conflicts": []}
    history = app.test_client().get("/api/v1/regulations/DA/history", headers={"Authorization": f"Bearer {token}"})
    change = history.get_json()["history"][0]
    assert change["certainty"]["level"] == "reading" and change["certainty"]["alternative"].startswith("Interne")
    items = feed_items(session, FeedFilter(), base_url="https://tracker.test", today=TODAY)
    wibon = next(i for i in items if "Start van het wetswijzigingstraject" in i.summary)
    assert "Het rapport zegt elders anders" in wibon.description and "lopend onderzoek" in wibon.description


def test_the_dates_export_carries_the_range_and_the_marker(viewer):
    raw = viewer.get("/export/dates.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    header = rows[0]
    gia = next(r for r in rows if r[2] == "Gepland: mogelijk akkoord op het voorstel")
    assert gia[header.index("Datum")] == "eind 2023 of in 2024"
    assert gia[header.index("Laatste dag (bereik)")] == "2024-12-31"
    wibon = next(r for r in rows if r[2].startswith("Evaluatie Wet informatie-uitwisseling"))
    assert "lopend" not in wibon[header.index("Zekerheid")]
    assert "na de afronding van de evaluatie" in wibon[header.index("Zekerheid")]
