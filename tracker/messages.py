"""Messages that take the reader's language when they are read, for modules that must not know Flask.

`Msg("De regeling is al in de fase %(stage)s.", stage=Stage.PARLIAMENT)` keeps its Dutch text (the msgid, which
`scripts/translations` extracts) and its values; `str()` translates it with Flask-Babel when an app is there (the
web, the API and the CLI all read refusals inside one), and gives the Dutch text otherwise. A coded value with
words in `tracker.labels` (a Stage) is shown by those words, in the same language.
"""

from __future__ import annotations

from typing import Any


class Msg:
    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid, self.params = msgid, params

    def __str__(self) -> str:
        translated = self.msgid
        try:
            from flask_babel import gettext

            translated = gettext(self.msgid)
        except (ImportError, RuntimeError):  # no application: the Dutch text
            pass
        values = {k: _shown(v) for k, v in self.params.items()}
        return translated % values if values else translated

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"


def _shown(value: Any) -> Any:
    from tracker.labels import is_labelled, label

    return label(value) if is_labelled(value) else value
