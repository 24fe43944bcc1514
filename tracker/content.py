"""Content in the reader's language: a Dutch text, or the English kept beside it.

Texts a reader sees (titles, notes, reasons, roles, scopes, readings) are stored in Dutch in `<field>`, in the
report's words where it has them, and in English in `<field>_en` (seed/README.md, tracker/regulations/fields.py).
`text_in` picks the English for an English reader when there is one, else the Dutch; what a team typed without an
English beside it is shown as typed. Pure: rows, mappings (a regulation's field_sources) and named tuples alike.
"""

from __future__ import annotations

from typing import Any


def _get(row: Any, name: str) -> Any:
    if isinstance(row, dict):
        return row.get(name)
    return getattr(row, name, None)


def text_in(row: Any, field: str, language: str) -> Any:
    """`row`'s `field` in `language`: its `<field>_en` for English when set, else the field itself."""
    if language == "en":
        english = _get(row, f"{field}_en")
        if english:
            return english
    return _get(row, field)


def pick(dutch: Any, english: Any, language: str) -> Any:
    """The same choice for two loose values (a query's columns)."""
    return english if language == "en" and english else dutch


def short_name(reg: Any, language: str) -> str:
    """The name to show for an act: its short name in `language`, else its key (never shown otherwise)."""
    return text_in(reg, "short_name", language) or _get(reg, "key")


class Local:
    """A Dutch text with its English beside it, read in the language current when it is shown (a request's, or a
    mail's `force_locale`): for messages worded once and shown later, such as a plan's reason naming its target."""

    def __init__(self, dutch: str, english: str | None) -> None:
        self.dutch, self.english = dutch, english

    def __str__(self) -> str:
        from tracker.date_words import current_language  # Flask-Babel's locale: only when shown

        return str(pick(self.dutch, self.english, current_language()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Local) and (self.dutch, self.english) == (other.dutch, other.english)

    def __hash__(self) -> int:
        return hash((self.dutch, self.english))

