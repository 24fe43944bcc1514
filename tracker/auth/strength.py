"""What a password must be (ASVS V6): long enough, not common or breached, not the owner's name or e-mail.

The common and breached passwords are zxcvbn's lists (the 30,000 most frequent passwords from leaked sets, with
English words, names and surnames), matched with its l33t, reversed, repeated and keyboard-pattern rules; the
owner's name and e-mail are given to it as extra words and also refused outright as parts of the password.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 1000
ZXCVBN_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide whether it is guessable
MIN_SCORE = 3  # zxcvbn's "safely unguessable" (more than 10^8 guesses) and up
PERSONAL_PART = 4  # name and e-mail parts this long or longer may not appear in the password


def personal_words(name: str, email: str) -> list[str]:
    email = (email or "").strip().lower()
    local = email.partition("@")[0]
    parts = re.split(r"[^0-9a-z\u00c0-\u024f]+", f"{(name or '').lower()} {local}")
    words = {p for p in parts if len(p) >= PERSONAL_PART}
    words.update(w for w in (email, local) if len(w) >= PERSONAL_PART)
    return sorted(words)


def password_problem(password: str | None, *, name: str = "", email: str = "") -> str | None:
    """Why `password` may not be used, or None. The message is for the person choosing it (a lazy translation,
    read in the reader's language where it is shown)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _l("Een wachtwoord heeft ten minste %(num)d tekens.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Een wachtwoord heeft ten hoogste %(num)d tekens.", num=MAX_LENGTH)
    if not password.strip():
        return _l("Een wachtwoord kan niet alleen uit spaties bestaan.")
    words = personal_words(name, email)
    folded = password.lower()
    if any(w in folded for w in words):
        return _l("Een wachtwoord mag uw naam of e-mailadres niet bevatten.")
    result = zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=words)
    if result["score"] < MIN_SCORE:
        # zxcvbn's own explanation is English only; the advice that helps is the same whatever the pattern was.
        return _l(
            "Dit wachtwoord is te makkelijk te raden: het is een veelgebruikt wachtwoord, woord of patroon. Een paar "
            "losse woorden achter elkaar werkt goed."
        )
    return None
