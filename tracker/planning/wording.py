"""The planning's words for readers: step names, timeline texts and the status reasons, as lazy strings.

A reason is built once (by the pure planning rules) and read many times: on a page, in a digest mail, in the
API. Each reading renders it in the language of that moment (the request's, or the mail recipient's through
`force_locale`), dates included, so the same plan reads Dutch to one reader and English to another.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import LazyString, lazy_ngettext
from flask_babel import lazy_gettext as _l

import tracker.regulations.words  # noqa: F401  (registers the stages' words, which the steps are named by)
from tracker.date_words import current_language, format_day, format_days, format_pdate
from tracker.dates import PrecisionDate
from tracker.labels import words_of
from tracker.regulations.stages import Stage

# The steps' names are the stages' names (one vocabulary: tracker/regulations/words.py); `publication`, the time
# from the last vote to publication in the Staatsblad, is the one step that is not a stage.
PUBLICATION = _l("Bekrachtiging en publicatie")
STEP_NAMES: dict[str, LazyString] = {
    **{stage.value: words_of(stage) for stage in Stage if stage is not Stage.EU_NEGOTIATION},
    "publication": PUBLICATION,
}
STEP_KINDS: dict[str, LazyString] = {
    "done": _l("gedaan"),
    "current": _l("loopt"),
    "planned": _l("gepland"),
    "forecast": _l("voorspeld"),
}
DURATION_SOURCES: dict[str, LazyString] = {
    "fallback": _l("vaste aanname"),
    "default": _l("standaard"),
    "team": _l("van het team"),
    "act": _l("van deze regeling"),
}


class Shown:
    """A day, a precision date or a window (lo, hi[, written]) that writes itself in the current language."""

    def __init__(self, value: PrecisionDate | dt.date | tuple[dt.date, dt.date] | None) -> None:
        self.value = value

    def __str__(self) -> str:
        language, value = current_language(), self.value
        if value is None:
            return ""
        if isinstance(value, PrecisionDate):
            return format_pdate(value, language)
        if isinstance(value, dt.date):
            return format_day(value, language)
        lo, hi = value
        return format_days(lo, hi, language)

    def __html__(self) -> str:  # dates hold no markup; Jinja's escaping still applies to what it calls
        from markupsafe import escape

        return str(escape(str(self)))


def window(w: object) -> Shown:
    """A planning Window (tracker.planning.plan) as the team entered it, else as a day or a range of days."""
    written = getattr(w, "written", None)
    if written is not None:
        return Shown(written)
    return Shown((w.lo, w.hi))  # type: ignore[attr-defined]  # a Window has lo and hi


def days(n: int) -> LazyString:
    return lazy_ngettext("%(num)d dag", "%(num)d dagen", n)


def in_force_since(since: PrecisionDate | None) -> LazyString:
    if since is None or not since.known:
        return _l("In werking sinds een datum die niet is vastgelegd.")
    return _l("In werking sinds %(when)s.", when=Shown(since))


def no_stage() -> LazyString:
    return _l("Geen fase vastgelegd: zonder fase is er geen voorspelling. Leg de fase van de nationale uitvoering "
              "vast.")


def no_stage_target_passed(due: PrecisionDate, title: str) -> LazyString:
    return _l("De doeldatum %(due)s (%(title)s) is verstreken; er is geen fase vastgelegd, dus geen voorspelling.",
              due=Shown(due), title=title)


def no_stage_target_ahead(due: PrecisionDate, title: str) -> LazyString:
    return _l("Er is geen fase vastgelegd, dus geen voorspelling, en de doeldatum %(due)s (%(title)s) komt eraan: "
              "leg de fase vast.", due=Shown(due), title=title)


def of_instrument(name: str, reason: LazyString | str) -> LazyString:
    """An act's reason when it comes from one of its several instruments: which one."""
    return _l("%(instrument)s: %(reason)s", instrument=name, reason=reason)


def depends_on_adoption() -> LazyString:
    return _l("Hangt af van de vaststelling in de EU: er wordt nog onderhandeld. Vul de verwachte start van de "
              "interne voorbereiding in als geplande datum om een voorspelling te krijgen.")


def not_notified() -> LazyString:
    return _l("De nationale maatregelen zijn in werking, maar nog niet (volledig) genotificeerd aan de Europese "
              "Commissie: een richtlijn is pas omgezet na de notificatie.")


def no_measures() -> LazyString:
    return _l("Geen nationale maatregelen nodig.")


def no_target() -> LazyString:
    return _l("Markeer een van de termijnen van de regeling als de EU-datum die gehaald moet worden.")


def target_passed(due: PrecisionDate, title: str, planned: bool, in_force: Shown, late: int) -> LazyString:
    if planned:
        return _l(
            "De doeldatum %(due)s (%(title)s) is verstreken en de regeling is niet in werking; inwerkingtreding "
            "gepland op %(when)s, %(days)s na de doeldatum.",
            due=Shown(due), title=title, when=in_force, days=days(late),
        )
    return _l(
        "De doeldatum %(due)s (%(title)s) is verstreken en de regeling is niet in werking; inwerkingtreding "
        "voorspeld op %(when)s, %(days)s na de doeldatum.",
        due=Shown(due), title=title, when=in_force, days=days(late),
    )


def after_target(due: PrecisionDate, title: str, planned: bool, in_force: Shown, late: int) -> LazyString:
    if planned:
        return _l(
            "Inwerkingtreding gepland op %(when)s, %(days)s na de doeldatum %(due)s (%(title)s).",
            due=Shown(due), title=title, when=in_force, days=days(late),
        )
    return _l(
        "Inwerkingtreding voorspeld op %(when)s, %(days)s na de doeldatum %(due)s (%(title)s).",
        due=Shown(due), title=title, when=in_force, days=days(late),
    )


def within_margin(due: PrecisionDate, planned: bool, in_force: Shown, slack: int, margin: int) -> LazyString:
    if planned:
        return _l(
            "Inwerkingtreding gepland op %(when)s: slechts %(days)s voor de doeldatum %(due)s "
            "(de marge is %(margin)s).",
            due=Shown(due), when=in_force, days=days(slack), margin=days(margin),
        )
    return _l(
        "Inwerkingtreding voorspeld op %(when)s: slechts %(days)s voor de doeldatum %(due)s (de marge is %(margin)s).",
        due=Shown(due), when=in_force, days=days(slack), margin=days(margin),
    )


def before_target(due: PrecisionDate, planned: bool, in_force: Shown, slack: int) -> LazyString:
    if planned:
        return _l(
            "Inwerkingtreding gepland op %(when)s, %(days)s voor de doeldatum %(due)s.",
            due=Shown(due), when=in_force, days=days(slack),
        )
    return _l(
        "Inwerkingtreding voorspeld op %(when)s, %(days)s voor de doeldatum %(due)s.",
        due=Shown(due), when=in_force, days=days(slack),
    )


def stalled(last: dt.date | None, idle: int | None, limit: int, then: LazyString | None) -> LazyString:
    """No stage move and no review for too long; `then` is what the plan says if the stage is still right."""
    if last is None or idle is None:
        head = _l("Nooit een faseovergang of bevestiging: bevestig dat de planning nog actueel is.")
    else:
        head = _l(
            "Geen faseovergang en geen bevestiging sinds %(since)s (%(days)s; de grens is %(limit)s): bevestig dat "
            "de planning nog actueel is.",
            since=Shown(last), days=days(idle), limit=days(limit),
        )
    if then is None:
        return head
    return _l("%(stalled)s Als dat zo is: %(then)s", stalled=head, then=then)
