"""Messages that take the reader's language when they are read, for modules that must not know Flask.

`Msg("De regeling is al in de fase %(stage)s.", stage=Stage.PARLIAMENT)` keeps its Dutch text (the msgid, which
`scripts/translations` extracts) and its values; `str()` translates it with Flask-Babel when an app is there (the
web, the API and the CLI all read refusals inside one), and gives the Dutch text otherwise. A coded value with
words in `tracker.labels` (a Stage) is shown by those words, and a PrecisionDate as written ("17 september 2025"),
in the same language.
"""

from __future__ import annotations

from typing import Any


class Msg:
    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid, self.params = msgid, params

    def __str__(self) -> str:
        translated, language = self.msgid, "nl"
        try:
            from flask_babel import get_locale, gettext

            locale = get_locale()
            language = locale.language if locale is not None else "nl"
            translated = gettext(self.msgid)
        except (ImportError, RuntimeError):  # no application: the Dutch text
            pass
        values = {k: _shown(v, language) for k, v in self.params.items()}
        return translated % values if values else translated

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"


def _shown(value: Any, language: str) -> Any:
    from tracker.labels import is_labelled, label

    if is_labelled(value):
        return label(value)
    if hasattr(value, "precision") and callable(getattr(value, "display", None)):  # a PrecisionDate
        return value.display(language)
    return value
