"""Strict reading of what comes in at the boundary: whole numbers and text.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or reads as another number; only ASCII digits count
here, with the range checked before anything is stored or compared. Text may not carry control characters (a line
break in a one-line field would end up in a mail header) nor lone surrogates (they cannot be encoded as UTF-8).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

DIGITS = re.compile(r"[0-9]{1,18}")
MAX_ID = 2**31 - 1  # ids are 32-bit in both databases; a larger number is simply not found
_ALLOWED_IN_MULTILINE = {"\n", "\r", "\t"}


def whole_number(raw: str, low: int, high: int) -> int:
    """`raw` as an int in [low, high]; ValueError with a message naming the range otherwise."""
    text = raw.strip()
    if not DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ValueError(f"a whole number from {low} to {high}")
    return int(text)


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` may not be stored as text, or None. Tabs and line breaks are allowed only in multi-line fields."""
    for char in value:
        if multiline and char in _ALLOWED_IN_MULTILINE:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            shown = {"\x00": "NUL", "\n": _("regeleinde"), "\r": _("regeleinde"), "\t": _("tab")}.get(
                char, f"U+{ord(char):04X}"
            )
            if multiline:
                return _("mag geen %(what)s bevatten", what=shown)
            return _("mag geen %(what)s bevatten (een veld van één regel)", what=shown)
        if category == "Cs":
            return _("mag geen los surrogaatteken bevatten (geen geldige Unicode)")
    return None
