"""The rule for a short name that goes into addresses and files: a regulation's key, a team's key.

One rule for every entry point: the browser's forms use the pattern and message (WTForms `Regexp`), the services
check with `key_problem`, so the API, the CLI, the seed and the import are refused with the same words.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

KEY_MAX = 40
KEY_PATTERN = rf"^[A-Za-z0-9_\-]{{1,{KEY_MAX}}}$"
KEY_MESSAGE = _l("1 tot 40 letters, cijfers, - of _ (de korte naam komt in het adres).")
NAME_MAX = 200
NAME_MESSAGE = _l("Vul een naam van 1 tot 200 tekens in.")


def key_problem(value: object) -> str | None:
    """Why `value` is no key, or None when it is one."""
    if not isinstance(value, str) or not re.fullmatch(KEY_PATTERN, value):
        return str(KEY_MESSAGE)
    return None


def name_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_MAX:
        return str(NAME_MESSAGE)
    return None
