"""The base of every browser form: WTForms' own messages in the words government forms use.

WTForms brings its translations ("Dit veld is vereist."); a required field on a government form says "Dit veld is
verplicht." (English "This field is required."). Messages named here go through the app's own catalogue; every
other message stays WTForms'.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm

# WTForms' message (its msgid) -> ours, Dutch in the code, English in translations/en.
_OURS = {
    "This field is required.": lambda: gettext("Dit veld is verplicht."),
}


class _Messages:
    def __init__(self, theirs: Any) -> None:
        self.theirs = theirs

    def gettext(self, string: str) -> str:
        if string in _OURS:
            return _OURS[string]()
        return string if self.theirs is None else str(self.theirs.gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.theirs is None:
            return singular if n == 1 else plural
        return str(self.theirs.ngettext(singular, plural, n))


class TrackerForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            return _Messages(super().get_translations(form))
