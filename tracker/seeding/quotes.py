"""The quote check: every quote in the seed must occur in the report's text that ships with it.

The text was extracted from the PDF, which lost some things the printed report shows: hyphens (including those that
broke a word at a line end: "Tele" / "com", "tussen" / "handel diensten"), line breaks inside a sentence, and the
distinction between a word and the footnote number stuck to it ("(NLF).53"). Both the quote and the text are
normalised the same way before the search: typographic quotes made plain, dashes dropped, a number glued to the word
or punctuation before it dropped, then all white space dropped (a lost hyphen may have joined two words or split
one). So a quote is written as the report prints it and is still found. Where the report's sentence is interrupted
in the text by a page's footnotes, or a quote leaves out words, it says so with "..." or "…"; each part must then
occur, in order.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

TEXT_FOLDER = "report-text"

_DASHES = re.compile(r"[-\u00ad\u2010-\u2015\u2212]")
# A footnote number sticks to the word or punctuation before it; a number after a space is part of the text.
# Applied to both sides, so a quote that keeps a number glued to a letter ("Q2") is still found.
_GLUED_DIGITS = re.compile(r"(?<=[^\W\d_]|[.,;:)\]’”\"'])\d+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _GLUED_DIGITS.sub("", _DASHES.sub("", text))
    return _SPACE.sub("", text).casefold()


class ReportText:
    """The report's text, normalised once; `contains` answers for one quote."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self._text = " ".join(normalise(p.read_text(encoding="utf-8")) for p in paths)

    @classmethod
    def of_seed(cls, folder: Path) -> ReportText | None:
        paths = sorted((folder / TEXT_FOLDER).glob("*.txt"))
        return cls(paths) if paths else None

    def contains(self, quote: str) -> bool:
        at = 0
        for part in _ELLIPSIS.split(quote):
            wanted = normalise(part)
            if not wanted:
                continue
            found = self._text.find(wanted, at)
            if found < 0:
                return False
            at = found + len(wanted)
        return True
