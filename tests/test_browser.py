"""Real Chromium (Debian's package) driven by Playwright against the app on a live server in a thread (the `browser`
and `live_url` fixtures are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Voortgang uitvoering")


def test_an_editor_moves_dsa_to_the_council_of_state_and_sees_it_everywhere(page: Page, live_url: str):
    log_in(page, live_url, "ezk.editor@example.nl")
    consultation = page.locator('section[data-stage="consultation"]')
    expect(consultation.locator('article[data-key="DSA"]')).to_be_visible()

    page.click('article[data-key="DSA"] a.key')
    expect(page.locator("h1")).to_contain_text("DSA")
    page.select_option("select[name=to_stage]", "council_of_state")
    page.fill("input[name=effective]", "2024-01-15")
    page.fill("textarea[name=note]", "Adviesaanvraag verstuurd")
    page.fill("input[name=reference]", "Kamerstuk 36 531")
    page.click("#move-submit")

    expect(page.locator(".flash")).to_contain_text("fase gewijzigd")
    latest = page.locator("#history tbody tr").first
    expect(latest).to_contain_text("Advisering Raad van State")
    expect(latest).to_contain_text("15 januari 2024")
    expect(latest).to_contain_text("ezk.editor")  # by name (the test users are named after their address)
    expect(page.locator("#audit tbody tr").first).to_contain_text("Fase gewijzigd")  # the change log in words

    page.click("nav >> text=Bord")
    expect(page.locator('section[data-stage="council_of_state"] article[data-key="DSA"]')).to_be_visible()
    expect(page.locator('section[data-stage="consultation"] article[data-key="DSA"]')).to_have_count(0)
    # The board as of end September 2023 still shows DSA where Figure 8 has it.
    page.fill("#as_of", "2023-09-30")
    page.click("#filters button[type=submit]")
    expect(page.locator('section[data-stage="consultation"] article[data-key="DSA"]')).to_be_visible()


def test_a_refused_move_shows_its_error_next_to_the_field(page: Page, live_url: str):
    log_in(page, live_url, "ezk.editor@example.nl")
    page.goto(f"{live_url}/regulations/DSA")
    page.select_option("select[name=to_stage]", "parliament")
    page.fill("input[name=effective]", "2024-01-15")
    page.click("#move-submit")
    expect(page.locator("#reason-error")).to_contain_text("geschreven reden")
    expect(page.locator("input[name=effective]")).to_have_value("2024-01-15")


def test_a_viewer_sees_no_move_button_is_refused_when_posting_anyway_and_logs_out(page: Page, live_url: str):
    log_in(page, live_url, "viewer@example.nl")
    page.goto(f"{live_url}/regulations/DSA")
    expect(page.locator("#move-form")).to_have_count(0)
    expect(page.locator("#edit-regulation")).to_have_count(0)
    # Post the move anyway, from the page itself, with a valid CSRF token taken from the logout form.
    status = page.evaluate(
        """async () => {
            const token = document.querySelector('input[name=csrf_token]').value;
            const body = new URLSearchParams({csrf_token: token, to_stage: 'council_of_state',
                                              effective: '2024-01-15', version: '1'});
            const r = await fetch('/regulations/DSA/stage', {method: 'POST', body});
            return r.status;
        }"""
    )
    assert status == 403
    page.click("#logout")
    expect(page.locator("h1")).to_contain_text("Inloggen")
    page.goto(f"{live_url}/regulations/DSA")
    expect(page).to_have_url(f"{live_url}/login?next=%2Fregulations%2FDSA")


def test_clicking_a_feed_link_selects_it_with_nothing_blocked_by_the_csp(page: Page, live_url: str) -> None:
    """The feed link fields select themselves on a click, from the static script the CSP allows."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, live_url, "viewer@example.nl")
    page.goto(f"{live_url}/calendar")
    page.locator("#make-link").click()  # GET /calendar writes nothing: the link is made by the page's button
    for path, field in (("/calendar", "#https-url"), ("/regulations/DSA", "input[data-select-on-click]")):
        page.goto(f"{live_url}{path}")
        box = page.locator(field)
        box.click()
        selected = page.evaluate(
            "() => { const f = document.activeElement; return f.value.substring(f.selectionStart, f.selectionEnd); }"
        )
        assert selected == box.input_value() and selected.startswith("http"), path
    assert blocked == []
