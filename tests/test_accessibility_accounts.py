"""WCAG 2.1 AA for the account pages in a real browser: log in, change password, the reset link's page, sessions,
the admin's users page and the API tokens, each in its empty, refused and confirmation states (axe-core, unique ids,
no overflow at 390 and 320 px; the checks of tests/test_accessibility.py). One browser context and one login."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.test_accessibility import log_in, visit_all
from tracker.audit.record import Actor
from tracker.auth import passwords, service
from tracker.clock import clock_of

pytestmark = pytest.mark.markup_only  # what axe and the browser see: the same on both databases


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _reset_link(app: Flask, email: str) -> str:
    """A one-time reset link, as an admin's click would mail it (the mail itself is tested in test_passwords)."""
    with app.extensions["tracker.db"].sessionmaker() as db:
        user = service.find_user(db, email)
        _, token = passwords.create_reset(db, user, actor=Actor("test"), now=clock_of(app).now())
        db.commit()
    return f"/reset/{token}"


def test_account_pages_and_states_pass_axe_have_unique_ids_and_fit_a_phone(
    page: Page, live_url: str, app: Flask
):
    base = live_url
    reset = _reset_link(app, "viewer@example.nl")

    def goto(path: str) -> Callable[[], None]:
        return lambda: page.goto(base + path)

    def refused(path: str, fill: dict[str, str], button: str = "button[type=submit]") -> Callable[[], None]:
        """Fill and send a form that is refused: the page comes back with the error summary in focus."""

        def go() -> None:
            page.goto(base + path)
            for selector, value in fill.items():
                page.fill(selector, value)
            page.locator(f"main {button}").first.click()
            expect(page.locator("#error-summary")).to_be_focused()

        return go

    # Before logging in: the login page, empty and refused.
    problems = visit_all(page, [
        ("login", goto("/login")),
        ("login, refused", refused("/login", {"#email": "viewer@example.nl", "#password": "not the password"})),
    ])
    log_in(page, base, "admin@example.nl")

    def create_token() -> None:
        page.goto(base + "/settings/tokens")
        page.fill("#name", "dashboard")
        page.click("#token-form button[type=submit]")
        expect(page.locator("#new-token")).to_be_visible()

    def revoke_confirmation() -> None:
        page.goto(base + "/settings/tokens")
        page.locator("#tokens a[href$='/revoke']").first.click()
        expect(page.locator("#confirm")).to_be_visible()

    states = [
        ("change password", goto("/settings/password")),
        ("change password, errors", refused("/settings/password", {"#current": "wrong", "#new": "kort", "#repeat": "x"},
                                            "#password-form button[type=submit]")),
        ("reset link page", goto(reset)),
        ("sessions", goto("/settings/sessions")),
        ("end all other sessions?", goto("/settings/sessions/end-others")),
        ("users", goto("/admin/users")),
        ("users, refused create", refused("/admin/users", {"#email": "viewer@example.nl", "#name": "Dubbel"},
                                         "#new-user button[type=submit]")),
        ("tokens, none yet", goto("/settings/tokens")),
        ("tokens, one created", create_token),
        ("revoke token?", revoke_confirmation),
    ]
    problems += visit_all(page, states)
    assert not problems, "\n".join(problems)
