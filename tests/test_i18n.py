"""Dutch first, English on request: every message has its English, the reader's choice sticks, dates read the
Dutch way, and what people type in Dutch notation is understood."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.conftest import csrf_from
from tracker.config import PROJECT_ROOT
from tracker.dates import DateError, PrecisionDate
from tracker.i18n import format_moment, format_pdate

PO = PROJECT_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PYBABEL = Path(sys.executable).with_name("pybabel")


def _catalog(path: Path, reader=read_po):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return reader(f)


def test_every_message_in_the_code_and_templates_has_its_english_and_the_compiled_catalogue_is_current(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(PYBABEL), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "Msg",
         "-k", "ngettext:1,2", "--no-location", "-o", str(pot), "."],
        cwd=PROJECT_ROOT, check=True,
    )
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(pot) if m.id}
    english = _catalog(PO)
    def translated(message) -> bool:  # type: ignore[no-untyped-def]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        return all(forms)

    missing = sorted(i for i in extracted if i not in english or not translated(english[i]))
    assert not missing, "no English for:\n" + "\n".join(missing)
    fuzzy = sorted(m.id for m in english if m.id and m.fuzzy)
    assert not fuzzy, f"fuzzy translations: {fuzzy}"
    def entries(catalog) -> dict:  # type: ignore[no-untyped-def, type-arg]
        # A plural entry's id and string are sequences: compare them as tuples.
        def flat(value):  # type: ignore[no-untyped-def]
            return value if isinstance(value, str) else tuple(value)

        return {flat(m.id): flat(m.string) for m in catalog if m.id and m.string}

    compiled, written = entries(_catalog(MO, read_mo)), entries(english)
    assert compiled == written, "translations/en/LC_MESSAGES/messages.mo is stale: run scripts/translations compile"


TEMPLATE_CODE = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}|<[^>]*>", re.S)
ALLOWED_WORDS = {"CELEX", "EU", "API"}


@pytest.mark.parametrize("template", sorted((PROJECT_ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_no_template_holds_text_outside_the_message_catalogue(template: Path):
    """Every word a reader sees goes through _() (so it has its English): no doubled "NL / EN" labels, no text
    that stays Dutch when the reader chose English."""
    text = TEMPLATE_CODE.sub(" ", template.read_text())
    words = {w for w in re.findall(r"[A-Za-zÀ-ÿ]{2,}", text) if w not in ALLOWED_WORDS}
    assert not words, f"{template.relative_to(PROJECT_ROOT)}: text outside _(): {sorted(words)}"


def test_the_language_follows_the_account_then_the_session_then_the_browser_then_dutch(app, users, login):
    anonymous = app.test_client()
    assert 'lang="nl"' in anonymous.get("/login").get_data(as_text=True)
    english = anonymous.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english
    assert 'lang="nl"' in anonymous.get("/login", headers={"Accept-Language": "fr, de"}).get_data(as_text=True)

    # A switch before logging in lives in the session, and beats the browser's preference.
    token = csrf_from(anonymous.get("/login").get_data(as_text=True))
    switched = anonymous.post("/taal", data={"language": "en", "next": "/login", "csrf_token": token})
    assert switched.status_code == 303 and switched.headers["Location"].endswith("/login")
    assert 'lang="en"' in anonymous.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)

    # Logged in, the choice is stored with the account (audited) and follows the person to another browser.
    editor = login("ezk.editor@example.nl")
    board = editor.get("/").get_data(as_text=True)
    assert 'lang="nl"' in board and "Voortgang uitvoering" in board
    response = editor.post("/taal", data={"language": "en", "next": "/", "csrf_token": csrf_from(board)})
    assert response.status_code == 303
    elsewhere = login("ezk.editor@example.nl")
    page = elsewhere.get("/", headers={"Accept-Language": "nl-NL"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Implementation progress" in page
    audit = login("admin@example.nl").get("/admin/audit").get_data(as_text=True)
    assert "Taal gewijzigd" in audit and "<strong>Taal</strong>: <bdi>—</bdi> → <bdi>English</bdi>" in audit


def test_a_language_that_is_not_offered_or_an_outside_next_changes_nothing(app, users, login):
    client = login("ezk.editor@example.nl")
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/taal", data={"language": "fr", "next": "//evil.example/", "csrf_token": token})
    assert response.status_code == 303 and "evil.example" not in response.headers["Location"]
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("written", "dutch", "english"),
    [
        ("2025-09-17", "17 september 2025", "17 September 2025"),
        ("2025-09", "september 2025", "September 2025"),
        ("2025-Q3", "3e kwartaal 2025", "Q3 2025"),
        ("2025-H2", "2e helft 2025", "H2 2025"),
        ("2025", "2025", "2025"),
        ("t.b.d.", "nog niet bepaald", "to be determined"),
    ],
)
def test_dates_read_as_people_write_them_in_each_language(app, written, dutch, english):
    value = PrecisionDate.parse(written)
    assert format_pdate(value, "nl") == dutch
    assert format_pdate(value, "en") == english


def test_moments_are_shown_in_amsterdam_time(app):
    winter = dt.datetime(2026, 1, 15, 12, 5, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 15, 12, 5, tzinfo=dt.UTC)
    with app.app_context():
        assert format_moment(winter, "nl") == "15 januari 2026 13:05"
        assert format_moment(summer, "nl") == "15 juli 2026 14:05"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("17-09-2025", "2025-09-17"),
        ("7-9-2025", "2025-09-07"),
        ("17 september 2025", "2025-09-17"),
        ("17 sep 2025", "2025-09-17"),
        ("September 2025", "2025-09"),
        ("3e kwartaal 2025", "2025-Q3"),
        ("Q3 2025", "2025-Q3"),
        ("2e helft 2025", "2025-H2"),
        ("nog niet bepaald", "t.b.d."),
        ("2025-Q3", "2025-Q3"),
    ],
)
def test_what_the_app_displays_and_dutch_notation_are_accepted_as_input(app, typed, stored):
    from tracker import date_input

    with app.test_request_context():
        assert date_input.parse(typed).isoformat() == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("٢٠٢٥-٠٩-١٧", "andere cijfers dan 0-9"),
        ("31-02-2025", "geen bestaande datum"),
        ("3e helft 2025", "twee helften"),
        ("x" * 100_000, "te lang"),
    ],
)
def test_a_date_that_cannot_be_read_is_explained_with_a_short_excerpt(app, typed, says):
    from tracker import date_input

    with app.test_request_context(), pytest.raises(DateError) as refused:
        date_input.parse(typed)
    message = str(refused.value)
    assert says in message and "17-09-2025" in message and len(message) < 300


def test_a_form_refuses_a_bad_date_in_the_readers_language(app, users, login):
    client = login("ezk.editor@example.nl")
    form = client.get("/regulations/DSA/deadlines/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "version": "0", "kind": "other", "title": "x", "due": "17-13-2025"}
    dutch = client.post("/regulations/DSA/deadlines/new", data=data)
    assert dutch.status_code == 400 and "is geen bestaande datum" in dutch.get_data(as_text=True)
    english = client.post("/regulations/DSA/deadlines/new", data=data, headers={"Accept-Language": "en"})
    assert "is not a date that exists" in english.get_data(as_text=True)


def test_every_coded_value_has_words_in_both_languages(app):
    from flask_babel import force_locale

    from tracker.labels import LABELLED, label

    with app.test_request_context():
        for enum_cls in LABELLED:
            for member in enum_cls:
                with force_locale("nl"):
                    dutch = label(member)
                with force_locale("en"):
                    english = label(member)
                assert dutch and english and "_" not in dutch + english, member


def test_the_board_and_an_act_page_in_english_show_no_dutch_labels(app, users, login):
    client = login("ezk.editor@example.nl")
    headers = {"Accept-Language": "en"}
    board = BeautifulSoup(client.get("/?as_of=2023-09-30", headers=headers).get_data(as_text=True), "html.parser")
    columns = [h.get_text(" ", strip=True) for h in board.select(".column h2")]
    assert columns[0].startswith("EU negotiation") and any(c.startswith("Council of State advice") for c in columns)
    act = BeautifulSoup(client.get("/regulations/DSA", headers=headers).get_data(as_text=True), "html.parser")
    deadlines = act.select_one("#deadlines").get_text(" ", strip=True)
    assert "17 February 2024" in deadlines and "Deadlines" in deadlines and "Termijnen" not in deadlines
