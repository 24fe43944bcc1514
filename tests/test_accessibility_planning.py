"""WCAG 2.1 AA for the planning pages and the report page, in the style of tests/test_accessibility.py (its helpers):
axe-core, unique ids and no overflow at 390 and 320 px on each state, one browser session and one login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

# admin_page is the one login (through log_in); visit_all runs check (axe, ids, widths) on each state.
from tests.test_accessibility import admin_page, check, log_in, visit_all  # noqa: F401

pytestmark = pytest.mark.markup_only  # what axe and the browser see: the same on both databases


def test_planning_and_report_pages_pass_axe_have_unique_ids_and_fit_a_phone(admin_page: Page, live_url: str):  # noqa: F811
    page, base = admin_page, live_url

    def goto(path: str) -> Callable[[], None]:
        return lambda: page.goto(base + path)

    def act_page_with_the_planning_forms() -> None:
        page.goto(base + "/regulations/DSA")
        page.locator("#planning details.plan-edit summary").click()  # the forms are checked open, not folded away
        expect(page.locator("#plan-date-form")).to_be_visible()
        expect(page.locator("#timeline .timeline-scroll[role=region][tabindex='0']")).to_be_visible()

    def refused_planned_date() -> None:
        act_page_with_the_planning_forms()
        page.fill("#plan-date", "soon")
        page.locator("#plan-date-form button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("'soon' lezen wij niet als datum")

    def in_english(path: str) -> Callable[[], None]:
        def go() -> None:
            page.goto(base + path)
            page.click("#language-switch button[value=en]")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("select[name=lang] option[selected]")).to_have_attribute("value", "en")

        return go

    def back_to_dutch() -> None:
        page.click("#language-switch button[value=nl]")
        expect(page.locator("html")).to_have_attribute("lang", "nl")

    states = [
        ("portfolio", goto("/plan")),
        ("portfolio, nothing matches", goto("/plan?status=done&pillar=5&kind=decision")),
        ("portfolio as of 2023-09-30", goto("/plan?as_of=2023-09-30")),
        ("act page with its plan and the planning forms", act_page_with_the_planning_forms),
        ("act page, refused planned date", refused_planned_date),
        ("board, at risk only", goto("/?as_of=2023-09-30&status=at_risk")),
        ("report", goto("/report")),
        ("report, filtered", goto("/report?as_of=2023-09-30&pillar=3&kind=regulation&since=2023-01-01")),
        ("report in English", in_english("/report?as_of=2023-09-30")),
        ("back to Dutch", back_to_dutch),
    ]
    problems = visit_all(page, states)
    assert not problems, "\n".join(problems)
    # The states were what they claim: the empty filter shows its sentence, and the at-risk board DSA, NIS2 and CER
    # (the directives against their transposition deadline).
    page.goto(base + "/plan?status=done&pillar=5&kind=decision")
    expect(page.locator("#plan-empty")).to_be_visible()
    page.goto(base + "/?as_of=2023-09-30&status=at_risk")
    expect(page.locator("article.card .plan-badge")).to_have_count(3)
    expect(page.locator('article.card[data-key="DSA"] .plan-badge')).to_have_text("Risico (-500 dagen)")
