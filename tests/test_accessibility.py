"""WCAG 2.1 AA in a real browser: axe-core (the copy bundled with axe-playwright-python) on every page and state, ids
unique on every page, no page wider than a phone's screen, and the tasks of the README done by keyboard alone.

Each state is visited once at 1280 px for axe, then at 390 and 320 px for the width; a failure names the page
and the rule, so the message says what to fix.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.notify import jobs
from tracker.notify.models import OutboxMessage

pytestmark = pytest.mark.markup_only  # what axe and the browser see: the same on both databases

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (390, 320)
SCREENSHOTS = Path(os.environ.get("TESTS_SCREENSHOTS") or Path(__file__).resolve().parents[1] / "build" / "screenshots")
AXE = Axe()

UNIQUE_IDS = """() => {
  const seen = {}; for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.entries(seen).filter(([, n]) => n > 1).map(([id]) => id);
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The outermost elements that stick out on the right, to say what makes a page too wide.
WIDE = """() => [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
    && el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 3)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''))"""


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_be_visible()


@pytest.fixture
def admin_page(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_url, "admin@example.nl")
    yield page
    context.close()


def queue_digests(app: Flask) -> int:
    """The weekly digests, queued as the scheduler does on a Monday morning: the id of the first."""
    assert jobs.run_digests(app, dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)) > 0
    with app.extensions["tracker.db"].sessionmaker() as s:
        return s.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).first()


def check(page: Page, name: str) -> list[str]:
    """Every problem on the page as it stands: axe violations, duplicate ids, and overflow at phone widths."""
    problems = []
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        targets = [" ".join(n["target"]) for n in violation["nodes"]][:3]
        problems.append(f"{name}: axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    for duplicate in page.evaluate(UNIQUE_IDS):
        problems.append(f"{name}: id {duplicate!r} is used more than once")
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            problems.append(f"{name}: {extra}px wider than a {width}px screen, by {page.evaluate(WIDE)}")
    page.set_viewport_size(size)
    return problems


def visit_all(page: Page, states: list[tuple[str, Callable[[], None]]]) -> list[str]:
    problems: list[str] = []
    for name, go in states:
        go()
        problems += check(page, name)
    return problems


def test_every_page_and_state_passes_axe_has_unique_ids_and_fits_a_phone(
    admin_page: Page, live_url: str, app: Flask
):
    page, base = admin_page, live_url

    def goto(path: str) -> Callable[[], None]:
        return lambda: page.goto(base + path)

    def submit(path: str, fill: dict[str, str], button: str = "button[type=submit]") -> Callable[[], None]:
        def go() -> None:
            page.goto(base + path)
            for selector, value in fill.items():
                page.fill(selector, value)
            page.locator(f"main {button}").last.click()
            page.wait_for_load_state()

        return go

    states = [
        ("board", goto("/")),
        ("board as of 2023-09-30", goto("/?as_of=2023-09-30")),
        ("board, nothing matches", goto("/?kind=decision&pillar=1")),
        ("board, bad date", goto("/?as_of=2023-13-45")),
        ("act page", goto("/regulations/DSA")),
        ("act page, refused move", submit("/regulations/DSA", {"input[name=effective]": "31-02-2024"}, "#move-submit")),
        ("edit act", goto("/regulations/DSA/edit")),
        ("edit act, errors", submit("/regulations/DSA/edit", {"#title": "", "#eu_published": "x"})),
        ("new act", goto("/regulations/new")),
        ("act with two instruments", goto("/regulations/VEILING_35GHZ")),
        ("instrument page", lambda: (page.goto(base + "/regulations/DSA"), page.click("#instruments tbody a"))),
        ("edit instrument", lambda: page.click("#edit-instrument")),
        ("new instrument", goto("/regulations/DSA/instruments/new")),
        ("new instrument, errors", submit("/regulations/DSA/instruments/new",
                                          {"#consultation_url": "javascript:x", "#title": "x" * 301})),
        ("new deadline", goto("/regulations/DSA/deadlines/new")),
        ("new deadline, errors", submit("/regulations/DSA/deadlines/new", {"input[name=due]": "Q5 2025"})),
        ("new designation", goto("/regulations/DSA/designations/new")),
        ("new evaluation", goto("/regulations/DSA/evaluations/new")),
        ("calendar without a link", goto("/calendar")),
        ("calendar", submit("/calendar", {}, "#make-link")),
        ("revoke feed link?", goto("/calendar/revoke")),
        ("notification settings", goto("/settings")),
        ("settings, errors", submit("/settings", {"input[name=reminder_days]": "soon"})),
        ("audit trail", goto("/admin/audit")),
        ("outbox, empty", goto("/admin/outbox")),
        ("outbox message (a digest)", lambda: page.goto(f"{base}/admin/outbox/{queue_digests(app)}")),
        ("outbox", goto("/admin/outbox")),
        ("not found", goto("/regulations/NOPE")),
        ("board in English", lambda: (page.goto(base + "/"), page.click("#language-switch button[value=en]"))),
        ("act page in English", goto("/regulations/DSA")),
        ("back to Dutch", lambda: page.click("#language-switch button[value=nl]")),
    ]
    problems = visit_all(page, states)
    assert not problems, "\n".join(problems)


def test_a_refused_form_starts_with_an_error_summary_that_has_the_focus_and_links_to_the_field(
    admin_page: Page, live_url: str
):
    page = admin_page
    page.goto(f"{live_url}/regulations/DSA/deadlines/new")
    page.fill("input[name=due]", "17-13-2025")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_title(re.compile(r"^Fout: "))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    link = summary.locator("a[href='#due']")
    expect(link).to_contain_text("is geen bestaande datum")
    link.click()
    expect(page.locator("#due")).to_be_focused()
    described = page.locator("#due").get_attribute("aria-describedby") or ""
    assert "due-hint" in described.split() and "due-error" in described.split()


def test_screenshots_of_board_act_page_and_form_at_desktop_and_phone_width(admin_page: Page, live_url: str):
    page = admin_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {"board": "/?as_of=2023-09-30", "act": "/regulations/DSA", "form": "/regulations/DSA/deadlines/new"}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in shots.items():
            page.goto(live_url + path)
            target = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(target), full_page=width == 390)
            assert target.stat().st_size > 5_000
            assert page.evaluate(OVERFLOW) <= 0, f"{name} overflows at {width}px"


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus: proof that the keyboard reaches it."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_the_readme_tasks_by_keyboard_alone(browser: Browser, live_url: str):
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # Log in (the address field has the focus when the page opens).
        page.goto(f"{live_url}/login")
        page.keyboard.type("ezk.editor@example.nl")
        tab_to(page, "input[name=password]")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("Voortgang uitvoering")
        # On every page the skip link comes first and takes the focus past the header to the content.
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        # Open an act from the board and follow it.
        tab_to(page, 'article[data-key="DSA"] a.key')
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("DSA")
        tab_to(page, "#follow")
        page.keyboard.press("Enter")
        expect(page.locator(".flash")).to_contain_text("U volgt nu DSA")
        # Move its stage.
        tab_to(page, "select[name=to_stage]")
        page.keyboard.press("End")  # the last stage; a skip, so the form asks for a reason
        tab_to(page, "input[name=effective]")
        page.keyboard.type("15-01-2024")
        tab_to(page, "#move-submit")
        page.keyboard.press("Enter")
        expect(page.locator("#error-summary")).to_be_focused()
        tab_to(page, "textarea[name=reason]")
        page.keyboard.type("Spoedwet")
        tab_to(page, "#move-submit")
        page.keyboard.press("Enter")
        expect(page.locator(".flash")).to_contain_text("fase gewijzigd")
        # Edit a deadline, then delete it after confirming.
        tab_to(page, "#deadlines .row-actions a")
        page.keyboard.press("Enter")
        tab_to(page, "input[name=title]")
        page.keyboard.press("End")
        page.keyboard.type(" (bijgewerkt)")
        tab_to(page, "main button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("#deadlines")).to_contain_text("(bijgewerkt)")
        tab_to(page, "#deadlines .delete-link")
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("verwijderen?")
        tab_to(page, "#confirm-delete")
        page.keyboard.press("Enter")
        expect(page.locator(".flash")).to_contain_text("Verwijderd")
    finally:
        context.close()
