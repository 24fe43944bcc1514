"""Tables that read at every width (issue 26), measured in real Chromium: at 1280, 390 and 320 px no table cell is
narrower than the longest word in it (a word is measured in its own font with the canvas's measureText, so a cell
squeezed to a few letters shows however the text inside it breaks), and no page is more than three times as tall at
390 px as at 1280 px. axe and the overflow checks of tests/test_accessibility.py see neither.

A word is what the browser may not break without `overflow-wrap`: a run of text between spaces, cut after a hyphen
or dash before a letter ("EU-" "nummer"). Text inside a `white-space: nowrap` element is one word. A link written
out ("https://...") is no word: it may break where it must rather than widen a phone's page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.test_accessibility import admin_page, queue_digests  # noqa: F401  (fixture)

pytestmark = pytest.mark.markup_only  # what the browser lays out: the same on both databases

WIDTHS = (1280, 390, 320)
TALLER = 3  # at most this many times as tall at 390 px as at 1280 px

# Every rendered cell: its content width, and its longest word with that word's width in its own font.
CELLS = r"""() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const clipped = el => { // inside a box of 1px that hides what overflows it (the .visually-hidden technique)
    for (; el; el = el.parentElement) {
      if (el.getBoundingClientRect().width <= 1 && getComputedStyle(el).overflow === 'hidden') return true;
    }
    return false;
  };
  const hidden = el => el.closest('.visually-hidden, select, textarea, script, style, template')
    || !el.getClientRects().length || clipped(el);
  const describe = cell => {
    const table = cell.closest('table');
    const region = table && (table.id || table.className || table.closest('section[id]')?.id || 'table');
    return `${region} ${cell.tagName.toLowerCase()}`;
  };
  const cells = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (hidden(cell)) continue;
    const box = getComputedStyle(cell);
    const width = cell.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight);
    let word = '', wordWidth = 0;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.data.trim() || hidden(parent)) continue;
      const style = getComputedStyle(parent);
      ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const words = /^(nowrap|pre)$/.test(style.whiteSpace) ? [node.data.trim()]
        : node.data.split(/\s+/).filter(w => !/[a-z]+:\/\//i.test(w))
          .flatMap(w => w.split(/(?<=[-\u2010\u2013\u2014](?=\p{L}))/u));
      for (const w of words) {
        const measured = ctx.measureText(w).width;
        if (measured > wordWidth) { word = w; wordWidth = measured; }
      }
    }
    if (word) cells.push({where: describe(cell), width, word, wordWidth});
  }
  return cells;
}"""
HEIGHT = "() => document.documentElement.scrollHeight"


def measure(page: Page, name: str) -> tuple[list[str], dict[int, int], list[str]]:
    """Problems (cells narrower than a word in them), the page's height per width, and one summary line per width."""
    problems, heights, summary = [], {}, []
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        cells = page.evaluate(CELLS)
        heights[width] = page.evaluate(HEIGHT)
        narrow = [c for c in cells if c["width"] + 1 < c["wordWidth"]]
        for c in narrow[:5]:
            problems.append(f"{name} at {width}px: a {c['where']} is {c['width']:.0f}px wide, "
                            f"its word {c['word']!r} {c['wordWidth']:.0f}px")
        if len(narrow) > 5:
            problems.append(f"{name} at {width}px: and {len(narrow) - 5} more cells narrower than a word in them")
        least = min(cells, key=lambda c: c["width"], default=None)
        summary.append(f"{name} at {width}px: {len(cells)} cells, {len(narrow)} narrower than a word"
                       + (f", narrowest {least['width']:.0f}px ({least['where']})" if least else "")
                       + f", page {heights[width]}px tall")
    page.set_viewport_size(size)
    if heights[390] > TALLER * heights[1280]:
        problems.append(f"{name}: {heights[390]}px tall at 390px, more than {TALLER} times {heights[1280]}px at 1280px")
    return problems, heights, summary


def test_no_table_cell_is_narrower_than_a_word_in_it_and_no_page_grows_tall_on_a_phone(
    admin_page: Page, live_url: str, app: Flask  # noqa: F811
):
    page, base = admin_page, live_url
    message = queue_digests(app)

    def goto(path: str) -> Callable[[], None]:
        return lambda: page.goto(base + path)

    def with_a_token() -> None:
        page.goto(base + "/settings/tokens")
        page.fill("#name", "dashboard van het directieoverleg")
        page.click("#token-form button[type=submit]")
        expect(page.locator("#new-token")).to_be_visible()

    states = [
        ("board", goto("/")),
        ("board as of 2023-09-30", goto("/?as_of=2023-09-30")),
        ("act page", goto("/regulations/DSA")),
        ("portfolio", goto("/plan")),
        ("report", goto("/report")),
        ("audit trail", goto("/admin/audit")),
        ("users", goto("/admin/users")),
        ("outbox", goto("/admin/outbox")),
        ("outbox message", goto(f"/admin/outbox/{message}")),
        ("calendar", goto("/calendar")),
        ("notification settings", goto("/settings")),
        ("API tokens", with_a_token),
        ("sessions", goto("/settings/sessions")),
        ("act page in English", lambda: (page.goto(base + "/regulations/DSA"),
                                         page.click("#language-switch button[value=en]"))),
    ]
    problems, lines = [], []
    for name, go in states:
        go()
        found, _, summary = measure(page, name)
        problems += found
        lines += summary
    print("\n".join(lines))  # the figures, for `pytest -s`
    assert not problems, "\n".join(problems)
