"""What a password must be (ASVS V6): long enough, not common or breached, not the owner's name or e-mail.

The common and breached passwords are zxcvbn's lists (MIT licence: the 30,000 most frequent passwords from leaked
sets, with English words, names and surnames), matched with its l33t, reversed, repeated and keyboard-pattern rules.
zxcvbn knows English only, so `common_nl.txt` beside this file adds the Dutch and organisation-specific words people
build passwords from (months, seasons, days, places, the government's and this app's words: `Wachtwoord2024!`,
`Welkom2024!!`, `Rijksoverheid1`); the owner's name and e-mail are given to it as extra words and also refused
outright as parts of the password.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 1000
ZXCVBN_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide whether it is guessable
MIN_SCORE = 3  # zxcvbn's "safely unguessable" (more than 10^8 guesses) and up
PERSONAL_PART = 4  # name and e-mail parts this long or longer may not appear in the password
COMMON_NL = tuple(
    word
    for line in (Path(__file__).with_name("common_nl.txt")).read_text(encoding="utf-8").splitlines()
    if (word := line.strip()) and not word.startswith("#")
)


def personal_words(name: str, email: str) -> list[str]:
    email = (email or "").strip().lower()
    local = email.partition("@")[0]
    parts = re.split(r"[^0-9a-z\u00c0-\u024f]+", f"{(name or '').lower()} {local}")
    words = {p for p in parts if len(p) >= PERSONAL_PART}
    words.update(w for w in (email, local) if len(w) >= PERSONAL_PART)
    return sorted(words)


COMMON_SET = frozenset(COMMON_NL)
MAX_COMMON_PARTS = 3


def _only_common_words(folded: str) -> bool:
    """Whether the letters of the password, digits and symbols aside, are one to three words of the Dutch list
    ("Welkom2024!!", "Zomer2025zomer", "EZKwachtwoord1"): zxcvbn rates such a word plus a year too kindly."""
    letters = re.sub(r"[^a-z\u00c0-\u024f]", "", folded)
    if not letters:
        return False
    # parts[i]: the fewest list words that make up letters[:i] exactly (None: they cannot).
    parts: list[int | None] = [0] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 30), end):
            before = parts[start]
            if before is not None and letters[start:end] in COMMON_SET:
                parts[end] = before + 1 if parts[end] is None else min(cast(int, parts[end]), before + 1)
    return parts[-1] is not None and parts[-1] <= MAX_COMMON_PARTS


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
    result = zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=[*words, *COMMON_NL])
    if result["score"] < MIN_SCORE or _only_common_words(folded):
        # zxcvbn's own explanation is English only; the advice that helps is the same whatever the pattern was.
        return _l(
            "Dit wachtwoord is te makkelijk te raden: het is een veelgebruikt wachtwoord, woord of patroon. Een paar "
            "losse woorden achter elkaar werkt goed."
        )
    return None
