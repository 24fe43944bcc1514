"""The words people read for the app's coded values (stages, kinds, statuses, roles), in the reader's language.

This is the one vocabulary (README, "Glossary"): each code has one Dutch name (the msgid) and one English name (its
translation), and pages, mails, feeds, the CLI, the API's labels and the report all read them here. Each feature
registers the words for its own enums (`register`, from its `words.py`, imported by the app factory); templates
write `{{ value|label }}`, CSV files and mails call `label()`, work in a chosen language (the report, the CLI, a
feed) calls `label_in()`. A value without words is a bug that `tests/test_i18n.py` finds: the page would show its
code ("national_law") instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import LazyString, force_locale

# Keyed by (enum, value): members of two StrEnums with the same value ("done") are equal and hash alike.
LABELS: dict[tuple[type[enum.Enum], object], LazyString] = {}
LABELLED: list[type[enum.Enum]] = []


def register(words: Iterable[tuple[enum.Enum, LazyString]]) -> None:
    """Add a feature's words as (member, words) pairs: not a dict, in which members of two StrEnums with the same
    value would be one key. Every member of each enum named must have them."""
    for member, text in words:
        LABELS[(type(member), member.value)] = text
        if type(member) not in LABELLED:
            LABELLED.append(type(member))


def label(value: enum.Enum | None) -> str:
    """The reader's word for a coded value; '' for None."""
    if value is None:
        return ""
    return str(LABELS[(type(value), value.value)])


def label_in(value: enum.Enum | None, language: str) -> str:
    """The word for a coded value in a given language ("nl" or "en"), whatever the request's language is."""
    if value is None:
        return ""
    with force_locale(language):
        return label(value)


def is_labelled(value: object) -> bool:
    return isinstance(value, enum.Enum) and (type(value), value.value) in LABELS


def words_of(value: enum.Enum) -> LazyString:
    """The words themselves, unrendered: for text built now and read later in the reader's language."""
    return LABELS[(type(value), value.value)]
