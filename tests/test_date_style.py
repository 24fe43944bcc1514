"""One date style per language, everywhere a person reads a date: the pages the accessibility tests visit, a digest
mail, a reminder mail, a calendar feed and the progress report, in Dutch and in English.

Dutch reads "17 september 2025", "september 2025", "3e kwartaal 2025", "2e helft 2025", "2025", "nog niet bepaald",
"oktober – december 2023"; English "17 September 2025", "Q3 2025", "H2 2025", "to be determined". Machine forms stay
where machines read them: `<time datetime>`, input values, iCalendar DTSTART. A form field shows a stored date in
the style it accepts, and saving it unchanged stores the same value.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, text, update

from tests.conftest import NOW, csrf_from
from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth.models import User
from tracker.dates import PrecisionDate
from tracker.notify import digest, jobs
from tracker.notify.models import OutboxMessage
from tracker.regulations.models import Deadline, Regulation

# Forms no one should meet in running text, in either language.
EVERYWHERE = {
    "an ISO day": r"\b\d{4}-\d{2}-\d{2}\b",
    "an ISO month": r"\b\d{4}-(0[1-9]|1[0-2])\b(?!-)",
    "an ISO quarter or half": r"\b\d{4}-[QH]\d\b",
    "an ISO week": r"-W\d\d\b",
    "t.b.d.": r"\bt\.b\.d\.",
    "a day in figures": r"\b\d{1,2}-\d{1,2}-\d{4}\b",
}
WRONG = {
    "nl": {
        **EVERYWHERE,
        "an English quarter or half": r"\b[QH][1-4] \d{4}\b",
        "an English month": r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\b(January|February|March|June|July"
                            r"|August|October)\b",
        "a month abbreviated": r"\b\d{0,2} ?(jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.? \d{4}\b",
    },
    "en": {
        **EVERYWHERE,
        "a Dutch month": r"\b(januari|februari|maart|mei|juni|juli|augustus|oktober)\b"
                         r"|\b\d{1,2} (april|september|november|december)\b",
        "Dutch period words": r"\b(kwartaal|helft|nog niet bepaald|n\.t\.b\.)",
        "a month abbreviated": r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b",
    },
}
PAGES = [
    "/",
    "/?as_of=2023-09-30",
    "/?kind=decision&pillar=1",
    "/?as_of=2023-13-45",
    "/regulations/DSA",
    "/regulations/DSA/edit",
    "/regulations/new",
    "/regulations/DSA/deadlines/new",
    "/regulations/DSA/designations/new",
    "/regulations/DSA/evaluations/new",
    "/calendar",
    "/settings",
    "/admin/audit",
    "/admin/outbox",
    "/plan",
    "/report?as_of=2023-09-30",
]


def visible_text(html: str) -> str:
    """The text a reader sees: no scripts, styles or attributes (so not `<time datetime>` nor input values).
    The change log's old and new values are left out: writing them in words is the `vocab` branch's work."""
    soup = BeautifulSoup(html, "html.parser")
    # Quotes of the report and other people's text (<bdi>) are their own words. Left out too: hints and error
    # messages, which show the notations a field accepts and quote what was typed.
    own_words = soup(["script", "style", "textarea", "q", "blockquote", "bdi", "code"])  # <code>: keys for machines
    for hidden in own_words + soup.select(".change, .hint, .error, .error-summary"):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


# Free text from the seed (notes, quotes, readings) is the report's and the seed's own wording, in either language:
# not what this test is about. It is blanked, so what is left is what the app writes.
FREE_TEXT = {
    "regulations": ("summary", "national_instrument", "source_ref", "source_quote", "certainty_note", "alternative"),
    "stage_changes": ("note", "reason", "reference", "source_ref", "source_quote", "certainty_note", "alternative"),
    "deadlines": ("legal_basis", "note", "source_ref", "source_quote", "certainty_note", "alternative"),
    "evaluations": ("due_note", "performer", "source_ref", "source_quote", "certainty_note", "alternative"),
    "designations": ("scope", "legal_basis", "source_ref", "source_quote", "certainty_note", "alternative"),
    "authorities": ("source_ref", "source_quote", "certainty_note", "alternative"),
    "teams": ("source_ref", "source_quote"),
    "plan_reviews": ("note",),
    "stage_durations": ("source",),
}
TITLES = {"deadlines": "title", "evaluations": "subject", "designations": "role"}


def blank_free_text(db) -> None:
    from tracker.db import Base

    with db.transaction() as s:
        for table, columns in FREE_TEXT.items():
            # With their English twins (seed-nl): English notes quote the report's Dutch words.
            known = Base.metadata.tables[table].columns
            blanked = [c for name in columns for c in (name, f"{name}_en") if c in known]
            s.execute(text(f"UPDATE {table} SET " + ", ".join(f"{c} = NULL" for c in blanked)))
        for table, column in TITLES.items():
            s.execute(text(f"UPDATE {table} SET {column} = 'Tekst'"))


def problems(where: str, text: str, language: str) -> list[str]:
    found = []
    for name, pattern in WRONG[language].items():
        for match in re.finditer(pattern, text):
            around = text[max(0, match.start() - 40): match.end() + 40]
            found.append(f"{where} ({language}): {name} {match.group(0)!r} in …{around}…")
    return found


def client_in(login, language: str):
    client = login("admin@example.nl")
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    client.post("/taal", data={"language": language, "csrf_token": token})
    return client


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pages_write_dates_in_the_readers_style(app, login, language):
    db = app.extensions["tracker.db"]
    blank_free_text(db)
    client = client_in(login, language)
    # The outbox with a digest and its page, as the accessibility tests see them.
    assert jobs.run_digests(app, dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)) > 0
    with db.sessionmaker() as s:
        # The reader's own digest: a mail is written in its recipient's language, not the reader's.
        digest_id = s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.kind == "digest", OutboxMessage.recipient == "admin@example.nl")).one()
    found: list[str] = []
    for path in [*PAGES, f"/admin/outbox/{digest_id}"]:
        response = client.get(path)
        assert response.status_code in (200, 400), (path, response.status_code)
        found += problems(path, visible_text(response.get_data(as_text=True)), language)
    assert not found, "\n".join(found[:40])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_mails_feed_and_report_write_dates_in_the_readers_style(app, login, language):
    db = app.extensions["tracker.db"]
    blank_free_text(db)
    with db.transaction() as s:
        s.execute(update(User).values(language=language, digest_when_empty="notice"))
    found: list[str] = []
    # A digest (of a week with a range and a labelled date among the deadlines) and reminders.
    with app.app_context(), db.sessionmaker() as s:
        user = s.scalars(select(User).where(User.email == "admin@example.nl")).one()
        built = digest.build_digest(s, user, (2026, 49), app.config["TRACKER"])
        message = digest.render(built, app.config["TRACKER"], app.config["SECRET_KEY"])
        assert message is not None
        found += problems("digest subject", message.subject, language)
        changes = re.compile(r"^    \S+: .* -> .*$", re.M)  # the change log's values (see visible_text)
        found += problems("digest text", changes.sub("", message.body_text), language)
        found += problems("digest html", visible_text(message.body_html or ""), language)
    assert jobs.run_reminders(app, dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)) >= 0
    with db.sessionmaker() as s:
        reminders = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
        assert reminders, "the seed has deadlines to remind of"
        for m in reminders[:5]:
            found += problems("reminder subject", m.subject, language)
            found += problems("reminder text", m.body_text, language)
            found += problems("reminder html", visible_text(m.body_html or ""), language)
    # The calendar feed: the text of its events (its DTSTART and DTSTAMP are for machines).
    client = client_in(login, language)
    page = client.get("/calendar").get_data(as_text=True)
    url = re.search(r'(/feeds/[A-Za-z0-9_-]+\.ics)', page)
    if url is None:
        client.post("/calendar/rotate", data={"csrf_token": csrf_from(page)})
        url = re.search(r'(/feeds/[A-Za-z0-9_-]+\.ics)', client.get("/calendar").get_data(as_text=True))
    assert url is not None
    query = {"lang": language} if language != "nl" else {}
    feed = app.test_client().get(url.group(1), query_string=query).get_data(as_text=True).replace("\r\n ", "")
    lines = [line.split(":", 1)[1] for line in feed.splitlines() if line.startswith(("SUMMARY", "DESCRIPTION"))]
    assert lines
    found += problems("feed", "\n".join(lines).replace("\\n", " ").replace("\\,", ","), language)
    # The report as HTML.
    report = client.get("/report/download", query_string={"format": "html", "as_of": "2023-09-30", "lang": language})
    assert report.status_code == 200
    found += problems("report", visible_text(report.get_data(as_text=True)), language)
    assert not found, "\n".join(found[:40])


def test_a_digest_week_runs_monday_to_sunday_without_overlap(settings):
    # Monday's digest reports on the week before it, Monday to Sunday, both days included.
    assert digest.period_words((2026, 49), settings, "nl") == "23 – 29 november 2026"
    assert digest.period_words((2026, 50), settings, "nl") == "30 november – 6 december 2026"
    assert digest.period_words((2027, 1), settings, "en") == "28 December 2026 – 3 January 2027"
    first, second = digest.covered((2026, 49), settings), digest.covered((2026, 50), settings)
    assert first[1] == second[0] and second[1] - second[0] == dt.timedelta(days=7)


# -- input: the report's period words, through the form, the API and the CLI -------------------------------
WORDS = {
    "najaar 2025": "2025-09 .. 2025-12 (najaar 2025)",
    "voorjaar 2024": "2024-03 .. 2024-06 (voorjaar 2024)",
    "eind 2023": "2023-Q4 (eind 2023)",
    "begin 2024": "2024-Q1 (begin 2024)",
}
# A field that takes one date reads the words as one period (seed/README.md).
ONE = {"najaar 2025": "2025-H2", "voorjaar 2024": "2024-H1", "eind 2023": "2023-Q4", "begin 2024": "2024-Q1"}


def _deadline(db, title: str) -> PrecisionDate:
    with db.sessionmaker() as s:
        return s.scalars(select(Deadline).where(Deadline.title == title)).one().due


@pytest.mark.parametrize("typed", list(WORDS))
def test_period_words_through_the_form(login, app, typed):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA/deadlines/new").get_data(as_text=True))
    response = editor.post("/regulations/DSA/deadlines/new", data={
        "csrf_token": token, "version": "0", "kind": "other", "title": f"form {typed}", "due": typed})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _deadline(app.extensions["tracker.db"], f"form {typed}").isoformat() == WORDS[typed]


@pytest.mark.parametrize("typed", list(WORDS))
def test_period_words_through_the_api(app, users, typed):
    db = app.extensions["tracker.db"]
    with db.transaction() as s:
        editor = s.scalars(select(User).where(User.email == "ezk.editor@example.nl")).one()
        _, secret = create_token(s, editor, "test", actor=Actor("test"), now=NOW)
    headers = {"Authorization": f"Bearer {secret}"}
    response = app.test_client().post("/api/v1/regulations/DSA/deadlines", headers=headers,
                                      json={"kind": "other", "title": f"api {typed}", "due": typed})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert _deadline(db, f"api {typed}").isoformat() == WORDS[typed]
    assert response.get_json()["due"]["value"] == WORDS[typed]


@pytest.mark.parametrize("typed", list(ONE))
def test_period_words_in_a_planned_start_give_one_period(login, app, typed):
    from tracker.planning.models import PlannedDate

    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA").get_data(as_text=True))
    response = editor.post("/regulations/DSA/plan/planned",
                           data={"csrf_token": token, "step": "publication", "date": typed})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.extensions["tracker.db"].sessionmaker() as s:
        dsa = s.scalars(select(Regulation.id).where(Regulation.key == "DSA")).one()
        row = s.scalars(select(PlannedDate).where(PlannedDate.step == "publication",
                                                  PlannedDate.regulation_id == dsa)).one()
        assert row.planned.isoformat() == ONE[typed]


CLI_WORDS = {"eind 2025": "4e kwartaal 2025", "begin 2026": "1e kwartaal 2026", "voorjaar 2026": "1e helft 2026",
             "najaar 2025": "2e helft 2025"}


@pytest.mark.parametrize("typed", list(CLI_WORDS))
def test_period_words_through_the_cli_give_one_period_for_a_stage_date(tracker_here, seeded, typed):
    moved = tracker_here("stage", "move", "DSA", "--to", "council_of_state", "--effective", typed)
    assert moved.returncode == 0, moved.stderr
    # The terminal speaks Dutch (tracker.regulations.cli), its dates too.
    assert moved.stdout == (f"DSA: Consultatie en toetsen → Advisering Raad van State per {CLI_WORDS[typed]} "
                            "(volgende fase)\n")


def test_a_stored_range_with_the_reports_words_round_trips_through_the_edit_form(login, app):
    db = app.extensions["tracker.db"]
    with db.sessionmaker() as s:
        row = s.scalars(select(Deadline).where(Deadline.due_label.is_not(None))).first()
        assert row is not None and row.due.is_range, "the seed has a labelled range (najaar 2023)"
        reg_key = s.get(Regulation, row.regulation_id).key
        item_id, stored = row.id, row.due
    admin = login("admin@example.nl")
    page = admin.get(f"/regulations/{reg_key}/deadlines/{item_id}/edit").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    shown = soup.find("input", attrs={"name": "due"})["value"]
    assert not re.search(r"\d{4}-\d{2}|\.\.", shown), shown  # the reader's style, not the stored form
    form = soup.find("input", attrs={"name": "due"}).find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    for select_ in form.find_all("select"):
        chosen = select_.find("option", selected=True) or select_.find("option")
        data[select_["name"]] = chosen["value"]
    for area in form.find_all("textarea"):
        data[area["name"]] = area.get_text()
    response = admin.post(f"/regulations/{reg_key}/deadlines/{item_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with db.sessionmaker() as s:
        assert s.get(Deadline, item_id).due == stored


def test_a_bad_planned_start_shows_the_act_page_again_with_the_error_and_the_input(login):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA").get_data(as_text=True))
    response = editor.post("/regulations/DSA/plan/planned",
                           data={"csrf_token": token, "step": "consultation", "date": "31-02-2025"})
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.title.get_text().startswith("Fout: ")
    field = soup.find("input", id="plan-date")
    assert field["value"] == "31-02-2025" and field["aria-invalid"] == "true"
    assert "geen bestaande datum" in soup.find(id="plan-date-error").get_text()
    assert soup.find(id="error-summary").find("a", href="#plan-date")
    assert soup.find("option", value="consultation", selected=True)


def test_a_required_field_says_verplicht(login):
    editor = login("ezk.editor@example.nl")
    token = csrf_from(editor.get("/regulations/DSA/deadlines/new").get_data(as_text=True))
    response = editor.post("/regulations/DSA/deadlines/new",
                           data={"csrf_token": token, "version": "0", "kind": "other", "title": "", "due": "2025"})
    text = response.get_data(as_text=True)
    assert "Dit veld is verplicht." in text and "vereist" not in text
