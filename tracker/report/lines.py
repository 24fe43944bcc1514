"""The report's units of prose, shared by the data it gathers and the changes it words: a line (with a stage move's
note and reference) and a table row."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.regulations.certainty import marker_text


@dataclass
class Line:
    """One line of prose: text, and an optional note and reference (a stage move's)."""

    text: str
    note: str | None = None
    reference: str | None = None


@dataclass
class Row:
    cells: list[str]


def marked(text: str, row: object, lang: str) -> str:
    """A fact the seed read or inferred from the report, or that the report contradicts, says so (issue 17)."""
    marker = marker_text(row, lang)
    return f"{text} [{marker}]" if marker else text
