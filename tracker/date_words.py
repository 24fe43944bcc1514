"""A date as its reader writes it, also when it is a range or carries the report's own words: the written form of
mails, feeds and exports (pages use the `pdate` filter for plain dates)."""

from __future__ import annotations

from tracker.dates import PrecisionDate
from tracker.i18n import DEFAULT_LANGUAGE, format_pdate


def shown(value: PrecisionDate | None, language: str = DEFAULT_LANGUAGE) -> str:
    """'17 september 2025', '4e kwartaal 2023 – 2024', or the report's words ('najaar 2023') where the date has them
    (those are quoted as the report wrote them, in Dutch)."""
    if value is None:
        return ""
    if value.label:
        return value.label
    if value.is_range:
        return f"{format_pdate(value.single, language)} – {format_pdate(value.last, language)}"
    return format_pdate(value, language)
