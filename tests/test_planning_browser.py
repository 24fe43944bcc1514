"""The plan in real Chromium at a desktop and a phone width: the timeline picture fits, the page never scrolls
sideways, and "Confirm still current" works without JavaScript of ours."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

WIDTHS = (1280, 390)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px viewport"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_timeline_reads_at_each_width_and_confirm_still_current(
    browser: Browser,
    live_url: str,
    width: int,
    tmp_path: Path,
):
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_url}/login")
        page.fill("input[name=email]", "ezk.editor@example.nl")
        page.fill("input[name=password]", "correct horse battery staple")
        page.click("main button[type=submit]")
        page.goto(f"{live_url}/regulations/DSA")
        svg = page.locator("#timeline svg")
        expect(svg).to_be_visible()
        box, frame = svg.bounding_box(), page.locator("#timeline .timeline-scroll").bounding_box()
        # The picture keeps a readable size (at least 720 px wide; on a phone its frame scrolls, not the page).
        assert box is not None and box["width"] >= min(720, width) and box["height"] >= 150
        assert frame is not None and frame["x"] + frame["width"] <= width
        expect(page.locator("#timeline-data")).to_contain_text("17 februari 2024")
        expect(page.locator("#planning .plan-badge")).to_have_attribute("data-status", "stalled")
        no_sideways_scroll(page)
        shot = page.locator("#planning").screenshot(path=str(tmp_path / f"timeline-{width}.png"))
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 5000

        page.click("#confirm-submit")
        expect(page.locator("#planning .plan-badge")).to_have_attribute("data-status", "late")
        page.goto(f"{live_url}/plan?as_of=2023-09-30")
        expect(page.locator("#plan-table tbody tr").first).to_have_attribute("data-key", "P2B")
        no_sideways_scroll(page)
        page.goto(f"{live_url}/?as_of=2023-09-30&status=at_risk")
        expect(page.locator('article[data-key="DSA"] .plan-badge')).to_be_visible()
        no_sideways_scroll(page)
    finally:
        context.close()
