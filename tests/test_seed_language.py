"""Content in Dutch, English beside it (issue 26): every text a reader sees in the seed is Dutch, with its English in
`<field>_en`; every act has a short name, shown instead of its key; the act page reads in the reader's language."""

import re
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup

from tests.conftest import SEED

# Words that show a text is English, not Dutch. Not "of" or "is": Dutch has them too ("eind 2023 of in 2024").
ENGLISH = ("the", "and", "not", "report", "planned", "supervisor", "application", "with", "which", "from", "been",
           "between", "should", "designation", "submission", "agreement")
MARKER = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
# Per kind of entry, the texts a reader sees (a source's note, alternative and conflict notes: see `_sources`).
TEXTS = {
    "regulations": ("title", "summary"),
    "stages": ("note", "reason"),
    "deadlines": ("title", "note"),
    "designations": ("role", "scope"),
    "evaluations": ("subject", "due_note"),
    "durations": ("source",),
    "reviews": ("note",),
    "teams": ("name",),
}


def _files() -> list[Path]:
    return sorted([*SEED.glob("*.yaml"), *SEED.glob("regulations/*.yaml"), *SEED.glob("planning/*.yaml")])


def _sources(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry's sources, and their conflicts: each may hold a note and an alternative."""
    found = [entry["source"]] if isinstance(entry.get("source"), dict) else []
    found += list((entry.get("sources") or {}).values())
    return found + [c for s in list(found) for c in s.get("conflicts") or []]


def texts() -> list[tuple[str, str, str, str | None]]:
    """(where, field, Dutch, English) for every reader-visible text in the seed."""
    found = []

    def add(where: str, entry: dict[str, Any], names: tuple[str, ...]) -> None:
        for name in names:
            if entry.get(name) is not None:
                found.append((where, name, str(entry[name]), entry.get(f"{name}_en")))

    for path in _files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section, entries in doc.items():
            for entry in entries:
                where = f"{path.name}: {entry['id']}"
                add(where, entry, TEXTS.get(section, ()))
                for part in ("stages", "deadlines", "designations"):
                    for item in entry.get(part) or []:
                        add(f"{where}: {item['id']}", item, TEXTS[part])
                        for src in _sources(item):
                            add(f"{where}: {item['id']}: source", src, ("note", "alternative"))
                for src in _sources(entry):
                    add(f"{where}: source", src, ("note", "alternative"))
    return found


def test_every_seeded_text_is_dutch_with_its_english_beside_it():
    found = texts()
    assert len(found) > 200  # the seed's titles, notes, reasons, roles, scopes, readings, assumptions
    english = [f"{where}: {name}: {dutch!r}" for where, name, dutch, _ in found if MARKER.search(dutch)]
    assert english == [], "texts that read English:\n" + "\n".join(english)
    alone = [f"{where}: {name}" for where, name, _, en in found if not en]
    assert alone == [], "texts without their English (`<field>_en`):\n" + "\n".join(alone)
    # The English is English: most carry a marker word (names such as "Data Act" and dates need not).
    assert sum(1 for *_, en in found if en and MARKER.search(en)) > len(found) // 3


def test_every_act_has_a_short_name_that_reads_as_a_name():
    for path in SEED.glob("regulations/*.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["regulations"]:
            name = entry.get("short_name")
            assert name and "_" not in name and len(name) <= 60, f"{entry['id']}: short_name {name!r}"


def _visible(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one("main") or soup
    return main.get_text(" ")


def test_the_act_page_shows_the_dutch_names_to_a_dutch_reader_and_the_english_to_an_english_one(viewer):
    dutch = viewer.get("/regulations/VEILING_35GHZ", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    soup = BeautifulSoup(dutch, "html.parser")
    assert soup.select_one("h1").get_text(" ", strip=True) == (
        "Veiling 3,5 GHz Veilingregeling en vergunningen 3,5 GHz-band")
    assert "Gepland: veiling van de 3,5 GHz-band" in soup.select_one("#deadlines").get_text()
    assert "VEILING_35GHZ" not in _visible(dutch)  # the key is in links only

    # The viewer chose no language: the browser's decides.
    english = viewer.get("/regulations/VEILING_35GHZ", headers={"Accept-Language": "en"}).get_data(as_text=True)
    soup = BeautifulSoup(english, "html.parser")
    assert soup.select_one("html")["lang"] == "en"
    assert soup.select_one("h1").get_text(" ", strip=True) == (
        "3.5 GHz auction Auction regulation and licences for the 3.5 GHz band")
    assert "Planned: auction of the 3.5 GHz band" in soup.select_one("#deadlines").get_text()
    assert "Ministry of Economic Affairs and Climate Policy (EZK)" in soup.select_one("dl.facts").get_text()
    assert "VEILING_35GHZ" not in _visible(english)


def test_a_reading_shows_its_note_in_the_readers_language(viewer):
    dutch = BeautifulSoup(viewer.get("/regulations/DA").get_data(as_text=True), "html.parser")
    assert "verkeerde volgorde" in dutch.select_one("#history .certainty-note").get_text()
    assert "waar Figuur 8 het label DA plaatst" in dutch.select_one("#history .alternative").get_text()
    page = viewer.get("/regulations/DA", headers={"Accept-Language": "en"}).get_data(as_text=True)
    english = BeautifulSoup(page, "html.parser")
    assert "out of order" in english.select_one("#history .certainty-note").get_text()
    assert "where Figuur 8 places the DA label" in english.select_one("#history .alternative").get_text()


def test_the_plan_names_its_target_in_the_readers_language(viewer):
    dutch = BeautifulSoup(viewer.get("/regulations/DSA").get_data(as_text=True), "html.parser")
    assert "Van toepassing op alle tussenhandeldiensten" in dutch.select_one("#plan-target").get_text()
    page = viewer.get("/regulations/DSA", headers={"Accept-Language": "en"}).get_data(as_text=True)
    english = BeautifulSoup(page, "html.parser")
    assert "Application to all intermediary services" in english.select_one("#plan-target").get_text()


def test_calendar_events_read_dutch_and_english_with_lang_en(app, users, session):
    import datetime as dt

    from tracker.feeds.queries import FeedFilter, feed_items

    day, base = dt.date(2023, 9, 30), "https://t.test"
    with app.app_context():
        dutch = {i.summary for i in feed_items(session, FeedFilter(), base_url=base, today=day)}
        english = {i.summary for i in feed_items(session, FeedFilter(language="en"), base_url=base, today=day)}
        planning = {i.summary for i in feed_items(session, FeedFilter(kind="planning"), base_url=base, today=day)}
    assert any(s.startswith("Veiling 3,5 GHz - Gepland: veiling van de 3,5 GHz-band") for s in dutch)
    assert any(s.startswith("3.5 GHz auction - Planned: auction of the 3.5 GHz band") for s in english)
    assert not any("VEILING_35GHZ" in s for s in dutch | english)
    assert "DSA - voorspeld: inwerkingtreding" in planning


def test_the_board_shows_names_titles_and_status_lines_in_the_readers_language(viewer):
    dutch = BeautifulSoup(viewer.get("/?as_of=2023-09-30").get_data(as_text=True), "html.parser")
    card = dutch.select_one('article[data-key="VEILING_35GHZ"]')
    assert card.select_one("a.key").get_text() == "Veiling 3,5 GHz"
    assert "Ontwerp-uitvoeringswet" in dutch.select_one('article[data-key="DSA"] .status-line').get_text()
    page = viewer.get("/?as_of=2023-09-30", headers={"Accept-Language": "en"}).get_data(as_text=True)
    english = BeautifulSoup(page, "html.parser")
    assert english.select_one('article[data-key="VEILING_35GHZ"] a.key').get_text() == "3.5 GHz auction"
    assert "Draft implementation act" in english.select_one('article[data-key="DSA"] .status-line').get_text()
    assert english.select_one('article[data-key="DSA"] .title').get_text() == "Digital Services Act"
