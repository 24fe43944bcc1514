"""The report's files read back with independent tools: python-docx for the DOCX, poppler (pdftotext, pdftoppm,
pdfinfo) for the PDF, ElementTree for the figure's SVG. Each file is built once for the module, from a copy of the
seeded database with the app's clock fixed, so its text is compared with a stored expectation
(tests/test_report_expected_*.txt; after a deliberate change, rewrite them with REPORT_EXPECTATIONS=write)."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from docx import Document
from flask import Flask

from tests.conftest import NOW, SEED, SEEDED
from tracker import create_app
from tracker.cli import cli
from tracker.clock import Clock
from tracker.config import PROJECT_ROOT, load_settings
from tracker.labels import label_in
from tracker.regulations.queries import board
from tracker.regulations.stages import Stage
from tracker.report.build import read, render
from tracker.report.figure import figure_parts
from tracker.report.options import parse_options

HERE = Path(__file__).parent
# Where tests leave pictures for people to look at (CI keeps the folder as an artefact).
ARTEFACTS = Path(os.environ.get("TESTS_ARTEFACTS", PROJECT_ROOT / "test-artefacts"))
FIGURE_8 = {"AIA": Stage.EU_NEGOTIATION, "DA": Stage.EU_NEGOTIATION, "DSA": Stage.CONSULTATION,
            "DMA": Stage.COUNCIL_OF_STATE, "DGA": Stage.COUNCIL_OF_STATE}
SECTIONS_NL = ["1. Voortgang en status uitvoering van Europese verordeningen", "2. Voortgang per rechtshandeling",
               "3. Termijnen", "4. Wijzigingen sinds de vorige rapportage", "Bijlage 2: Evaluaties digitale economie"]
SEED_ENTRIES = [entry for path in sorted((SEED / "regulations").glob("*.yaml"))
          for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["regulations"]]
# The report names each act by its short name; its key is in anchors and data attributes only.
SHORT_NAMES = {entry["id"]: entry["short_name"] for entry in SEED_ENTRIES}
BIJLAGE_2 = [entry["subject"] for entry in yaml.safe_load((SEED / "evaluations.yaml").read_text())["evaluations"]]


@pytest.fixture(scope="module")
def report_app(_templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on its own copy of the seeded template, for the whole module."""
    folder = tmp_path_factory.mktemp("report")
    url = _templates.server.copy(_templates.url(SEEDED), folder / "tracker.sqlite3", "report_outputs")
    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": url, "SEED_PATH": str(SEED)})
    app = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    yield app
    app.extensions["tracker.db"].dispose()
    _templates.server.drop(url)


@pytest.fixture(scope="module")
def docx_file(report_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """As a coordinator makes it: `tracker report --as-of 2023-09-30 --format docx -o FILE`."""
    target = tmp_path_factory.mktemp("docx") / "report.docx"
    result = report_app.test_cli_runner().invoke(
        cli, ["report", "--as-of", "2023-09-30", "--format", "docx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def pdf_file(report_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pdf") / "report.pdf"
    result = report_app.test_cli_runner().invoke(
        cli, ["report", "--as-of", "2023-09-30", "--format", "pdf", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def docx_text(path: Path) -> str:
    document = Document(str(path))
    lines = [f"[{p.style.name}] {p.text}" for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines) + "\n"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def matches_expectation(name: str, text: str) -> bool:
    stored = HERE / f"test_report_expected_{name}.txt"
    if os.environ.get("REPORT_EXPECTATIONS") == "write":
        stored.write_text(text, encoding="utf-8")
    return stored.read_text(encoding="utf-8") == text


def evaluation_tables(document) -> list:  # type: ignore[no-untyped-def]
    """The tables after the Bijlage 2 heading, in document order."""
    body = document.element.body
    heading = next(p for p in document.paragraphs if p.text.startswith("Bijlage 2"))
    after = False
    tables = []
    by_element = {t._tbl: t for t in document.tables}
    for child in body.iterchildren():
        if child is heading._p:
            after = True
        elif after and child in by_element:
            tables.append(by_element[child])
    return tables


def test_the_docx_has_word_headings_in_the_reports_order(docx_file: Path):
    document = Document(str(docx_file))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS_NL
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [
        "Voortgangsrapportage uitvoering Europese digitale regelgeving"]
    acts = {p.text.split(":")[0] for p in document.paragraphs if p.style.name == "Heading 3"}
    assert acts == set(SHORT_NAMES.values())
    assert document.core_properties.created == dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def test_the_docx_has_bijlage_2_with_all_23_rows(docx_file: Path):
    tables = evaluation_tables(Document(str(docx_file)))
    rows = [row for table in tables for row in table.rows[1:]]
    assert len(rows) == 23
    assert sorted(row.cells[0].text for row in rows) == sorted(BIJLAGE_2)
    assert all(len(t.columns) == 4 for t in tables)
    assert [c.text for c in tables[0].rows[0].cells] == ["Onderwerp", "Termijn", "Uitvoerder", "Status"]


def test_the_docx_holds_the_figure_as_a_png_with_a_text_alternative(docx_file: Path):
    document = Document(str(docx_file))
    shapes = list(document.inline_shapes)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert len(shapes) == len(captions) >= 1
    for shape in shapes:
        blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        assert blob.startswith(b"\x89PNG")
        alt = shape._inline.docPr.get("descr")
        assert alt.startswith("Roadmap met een kolom per fase: Onderhandelingen EU: ")
    all_alt = " ".join(shape._inline.docPr.get("descr") for shape in shapes)
    assert all(SHORT_NAMES[key] in all_alt for key in FIGURE_8)
    assert captions[0].startswith("Figuur 8: voortgang en status uitvoering van Europese verordeningen")
    # Editable text, not pictures of text: every act's paragraph is a paragraph.
    assert any(p.text.startswith("Fase: Consultatie en toetsen") for p in document.paragraphs)


def test_the_docx_text_is_the_stored_expectation(docx_file: Path):
    assert matches_expectation("docx", docx_text(docx_file))


def test_pdftotext_finds_every_act_and_stage_label(pdf_file: Path):
    text = pdf_text(pdf_file)
    flat = " ".join(text.split())
    missing = [name for name in SHORT_NAMES.values() if " ".join(name.split()) not in flat]
    assert not missing
    assert all(" ".join(label_in(stage, "nl").split()) in flat for stage in Stage)
    assert "Bijlage 2: Evaluaties digitale economie" in flat
    assert "In werking getreden en per 17 februari 2024 van toepassing" in flat
    assert "Publicatie en inwerkingtreding n.t.b." in flat


def test_the_pdf_is_tagged_with_bookmarks_and_fixed_dates(pdf_file: Path):
    info = subprocess.run(["pdfinfo", str(pdf_file)], check=True, capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info
    assert "CreationDate:    Sat Nov 28 00:00:00 2026 UTC" in info
    # Bookmarks follow the headings (read with poppler's pdftohtml, which lists the outline).
    outline = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf_file)], check=True,
                             capture_output=True, text=True).stdout.split("<outline>", 1)[1]
    tree = ET.fromstring("<outline>" + outline.split("</pdf2xml>")[0])
    bookmarks = ["".join(item.itertext()).strip() for item in tree.iter("item")]
    assert all(section in bookmarks for section in SECTIONS_NL)
    assert "DSA: Digitaledienstenverordening" in bookmarks
    # The table of contents has page numbers (target-counter), so it names the Bijlage with a number.
    toc = pdf_text(pdf_file).split("Inhoud", 1)[1].split("\f", 1)[0]
    assert any(line.strip().startswith("Bijlage 2") and line.strip()[-1].isdigit() for line in toc.splitlines())


def test_the_pdf_text_is_the_stored_expectation(pdf_file: Path):
    assert matches_expectation("pdf", pdf_text(pdf_file))


def test_pdftoppm_renders_page_one_into_the_artefacts(pdf_file: Path):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTEFACTS / "report-2023-09-30-page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_file),
                    str(prefix)], check=True)
    png = prefix.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 2000


def test_the_figure_places_the_acts_in_the_columns_of_the_seeded_board(report_app: Flask):
    as_of = dt.date(2023, 9, 30)
    with report_app.app_context(), report_app.extensions["tracker.db"].sessionmaker() as session:
        seeded_board = board(session, as_of)
        report = read(session, parse_options(today=NOW.date(), as_of="2023-09-30"), today=NOW.date(),
                      tz=report_app.extensions["tracker.clock"].tz)
    placed: dict[str, str] = {}
    for part in figure_parts(report):
        svg = ET.fromstring(part.svg)
        ns = {"s": "http://www.w3.org/2000/svg"}
        columns = {}
        for column in svg.iterfind("s:g[@class='stage']", ns):
            rect = column.find("s:rect", ns)
            columns[column.get("data-stage")] = (float(rect.get("x")), float(rect.get("x")) + float(rect.get("width")))
        for act in svg.iterfind("s:g[@class='act']", ns):
            x = float(act.find("s:rect", ns).get("x"))
            placed[act.get("data-key")] = next(stage for stage, (lo, hi) in columns.items() if lo <= x < hi)
        assert list(columns) == [s.value for s in Stage]
    assert {key: placed[key] for key in FIGURE_8} == {key: seeded_board.stage_of(key).value for key in FIGURE_8}
    assert {key: placed[key] for key in FIGURE_8} == {key: stage.value for key, stage in FIGURE_8.items()}


def test_the_same_options_give_the_same_docx_text(report_app: Flask, docx_file: Path):
    with report_app.app_context(), report_app.extensions["tracker.db"].sessionmaker() as session:
        options = parse_options(today=NOW.date(), as_of="2023-09-30")
        again = render(read(session, options, today=NOW.date(), tz=report_app.extensions["tracker.clock"].tz),
                       "docx")
    second = docx_file.with_name("again.docx")
    second.write_bytes(again)
    assert docx_text(second) == docx_text(docx_file)
    assert Document(io.BytesIO(again)).core_properties.modified == dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
