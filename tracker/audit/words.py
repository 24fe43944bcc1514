"""The change log in words: what was done, by whom, and each field's old and new value, in the reader's language.

The trail stores raw values (`changes` is `{field: [old, new]}` with codes, ISO dates, numbers: see
`tracker.audit.record.shown`) so that it reads the same in every language and never goes stale; this module words
them when they are shown, on the act page, on `/admin/audit` and in the digest. Each feature registers the words of
its own actions and fields from its `words.py`, as it registers the words of its codes in `tracker.labels`: an
action's name ("Termijn toegevoegd"), a field's label ("Datum") and how its values read (a stage's name, a date at its
precision, "ja"/"nee"). Processes read as words too ("seed (het rapport)", "opdrachtregel"), and people by their
name where the view knows it. An action or field without words shows its code: `tests/test_vocabulary.py` finds
every action the code records and fails on one without words.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.date_words import current_language, format_day, format_moment, format_pdate
from tracker.dates import DateError, PrecisionDate
from tracker.labels import is_labelled, label

EMPTY = "—"
Shown = Callable[[Any], str]  # a stored value (not None) -> its words in the current language


def text(value: Any) -> str:
    return str(value)


def code(enum_cls: type[enum.Enum]) -> Shown:
    """A stored code of `enum_cls` ("council_of_state") as its one name ("Advisering Raad van State")."""

    def shown(value: Any) -> str:
        try:
            member = enum_cls(value)
        except ValueError:
            return str(value)
        return label(member) if is_labelled(member) else str(value)

    return shown


def pdate(value: Any) -> str:
    """A precision date stored as text ("2025-Q3", "t.b.d.") as the reader writes it ("3e kwartaal 2025")."""
    try:
        return format_pdate(PrecisionDate.parse(str(value)), current_language())
    except (DateError, ValueError):
        return str(value)


def day(value: Any) -> str:
    try:
        return format_day(dt.date.fromisoformat(str(value)), current_language())
    except ValueError:
        return str(value)


def moment(value: Any) -> str:
    try:
        return format_moment(dt.datetime.fromisoformat(str(value)), current_language())
    except ValueError:
        return str(value)


def yes_no(value: Any) -> str:
    return _("ja") if value else _("nee")


def number(value: Any) -> str:
    return str(value)


def days(value: Any) -> str:
    """A number of days (30) or a list of them ("90,30,7"): "90, 30, 7 dagen"."""
    return _("%(days)s dagen", days=", ".join(str(value).split(",")))


def listing(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


@dataclass(frozen=True)
class Field:
    words: LazyString | str
    shown: Shown = text


ACTIONS: dict[str, LazyString] = {}
FIELDS: dict[str, Field] = {}
# (action, field) -> Field, for fields whose name is data (a planning step): asked before FIELDS.
RESOLVERS: list[Callable[[str, str], Field | None]] = []
PROCESSES: dict[str, LazyString] = {
    "seed": _l("seed (het rapport)"),
    "cli": _l("opdrachtregel"),
    "serve": _l("installatie (eerste beheerder)"),
    "reset-link": _l("herstellink"),
    "import": _l("import"),
}


def register_actions(words: Mapping[str, LazyString]) -> None:
    ACTIONS.update(words)


def register_fields(fields: Mapping[str, Field]) -> None:
    FIELDS.update(fields)


def register_resolver(resolver: Callable[[str, str], Field | None]) -> None:
    RESOLVERS.append(resolver)


def field_of(action: str, name: str) -> Field:
    for resolver in RESOLVERS:
        if (found := resolver(action, name)) is not None:
            return found
    if name in FIELDS:
        return FIELDS[name]
    if name.endswith("_en") and name[:-3] in FIELDS:  # the English kept beside a Dutch text (tracker/content.py)
        dutch = FIELDS[name[:-3]]
        return Field(_l("%(field)s (Engels)", field=dutch.words), dutch.shown)
    return Field(name)


def action_words(action: str) -> str:
    """ "deadline.create" -> "Termijn toegevoegd"; an action without words shows its code."""
    words = ACTIONS.get(action)
    return str(words) if words is not None else action


def value_words(field: Field, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dict):  # the seed's counts per kind: {"created": 3, "updated": 1}
        return ", ".join(f"{_count_words(k)} {v}" for k, v in value.items())
    return field.shown(value)


def _count_words(key: str) -> str:
    return {"created": _("nieuw"), "updated": _("bijgewerkt")}.get(key, key)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def changes_in_words(action: str, changes: Mapping[str, Any] | None) -> list[Change]:
    """Each stored change as (field label, old, new) in the current language: "Fase: Consultatie en toetsen →
    Advisering Raad van State"."""
    result = []
    for name, pair in (changes or {}).items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        field = field_of(action, name)
        result.append(Change(str(field.words), value_words(field, old), value_words(field, new)))
    return result


def actor_words(actor: str, names: Mapping[str, str] | None = None) -> str:
    """A person by name where known (`names`: e-mail -> name), a process in words ("cli:anna" -> "opdrachtregel
    (anna)"), anything else as recorded."""
    if names and actor in names:
        return names[actor]
    process, _sep, who = actor.partition(":")
    words = PROCESSES.get(process)
    if words is None:
        return actor
    return f"{words} ({who})" if who else str(words)


def target_words(action: str, target_label: str | None) -> str:
    """What the change was about. A stage move recorded before the stages were worded at display time named the
    stage in English after the act ("dsa: Council of State advice"): the act is enough, the stage is in the changes."""
    if not target_label:
        return ""
    if action == "stage.move":
        return target_label.split(":", 1)[0]
    return target_label


def actors_of(events: Iterable[Any]) -> set[str]:
    return {ev.actor for ev in events}
