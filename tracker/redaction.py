"""Secrets out of every log line: feed links (/feeds/<token>.ics), unsubscribe links (/unsubscribe/<token>) and
password-reset links (/reset/<token>) carry their secret in the address.

A line is percent-decoded (up to three times: %252F is a slash after two) and read without regard to case before
the secrets are taken out, so `/feeds%2F<token>.ics`, `/FEEDS/<token>.ics`, `/login?next=%2Freset%2F<token>` and a
Referer that carries any of them are redacted too. The logged text is the decoded one: a log is for people.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

SECRET_IN_PATH = re.compile(r"(/(?:feeds|unsubscribe|reset)/)[^/?&#\s\"']+", re.IGNORECASE)
ROUNDS = 3


def redact(text: str) -> str:
    decoded = text
    for _ in range(ROUNDS):
        once = unquote(decoded, errors="replace")
        if once == decoded:
            break
        decoded = once
    return SECRET_IN_PATH.sub(r"\1<redacted>", decoded)
