"""How a fact stands to the report, in words a reader sees: a marker with its note, for pages, exports and feeds.

The data is on each row (`certainty`, `certainty_note`, `alternative`, `conflicts`, and a regulation's
`field_sources`); this module only words it, and finds the stage changes a board shows a marker for.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.content import text_in
from tracker.date_words import current_language
from tracker.labels import label
from tracker.regulations.models import Certainty, StageChange


def level_of(value: Any) -> Certainty | None:
    if value is None:
        return None
    return value if isinstance(value, Certainty) else Certainty(value)


def is_marked(row: Any) -> bool:
    """A reader should be told: the fact is a reading or an inference, or the report contradicts it elsewhere."""
    level = level_of(getattr(row, "certainty", None))
    return (level is not None and level is not Certainty.REPORT) or bool(getattr(row, "conflicts", None))


def marker_text(row: Any, language: str | None = None) -> str | None:
    """One plain-text line for exports, feed descriptions and the report; None for the report's own,
    uncontradicted words. In `language`, else the current one."""
    return source_marker(
        {
            "certainty": getattr(row, "certainty", None),
            "note": getattr(row, "certainty_note", None),
            "note_en": getattr(row, "certainty_note_en", None),
            "alternative": getattr(row, "alternative", None),
            "alternative_en": getattr(row, "alternative_en", None),
            "conflicts": getattr(row, "conflicts", None),
        },
        language,
    )


def source_marker(source: dict[str, Any], language: str | None = None) -> str | None:
    """The same line for one entry of a regulation's field_sources (or a row's columns gathered as one), with the
    certainty's one name (tracker.labels) and the words of the page's badge (templates/regulations/_certainty.html)."""
    level = level_of(source.get("certainty"))
    if not (level not in (None, Certainty.REPORT) or source.get("alternative") or source.get("conflicts")):
        return None
    with force_locale(language) if language else contextlib.nullcontext():
        shown_in = language or current_language()
        parts = []
        if level is not None and level is not Certainty.REPORT:
            note = text_in(source, "note", shown_in)
            parts.append(label(level).capitalize() + (f": {note.rstrip('.')}" if note else ""))
        if source.get("alternative"):
            parts.append(_("Andere interpretatie") + f": {text_in(source, 'alternative', shown_in)}")
        for c in source.get("conflicts") or []:
            parts.append(_("Het rapport zegt elders anders (%(ref)s)", ref=c.get("ref")) + f': "{c.get("quote")}"')
    # One full stop between the parts, also where a note ends in one ("... not stated. Andere interpretatie: ...").
    return "".join(part if i == 0 else (" " if parts[i - 1].endswith(".") else ". ") + part
                   for i, part in enumerate(parts)) or None


def stage_markers(session: Session, cards: list[Any]) -> dict[int, StageChange]:
    """For board cards (regulation, stage, since): the stage change behind each card that is a reading or an
    inference, so the board can show it and its alternative. One query for all cards."""
    wanted = {c.regulation.id: (c.stage, c.since) for c in cards if c.stage is not None}
    if not wanted:
        return {}
    rows = session.scalars(
        select(StageChange).where(
            StageChange.regulation_id.in_(list(wanted)),
            StageChange.certainty.in_([Certainty.READING, Certainty.INFERENCE]),
        )
    )
    found: dict[int, StageChange] = {}
    for change in rows:
        stage, since = wanted[change.regulation_id]
        if change.to_stage == stage and change.effective == since:
            found[change.regulation_id] = change
    return found


def marked_fields(field_sources: dict[str, Any] | None, language: str = "nl") -> dict[str, str]:
    """Per regulation-level field, the marker line, for the fields that need one."""
    return {name: text for name, src in (field_sources or {}).items() if (text := source_marker(src, language))}


__all__ = ["is_marked", "marked_fields", "marker_text", "source_marker", "stage_markers"]
