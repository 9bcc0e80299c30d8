"""What a new password must be: long enough, not too long, not one everybody uses. No composition rules."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib.resources import files

MIN_CHARACTERS = 10
MAX_BYTES = 1024


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = files("journal.accounts").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """A sentence saying what is wrong with this new password, or None."""
    normalised = unicodedata.normalize("NFKC", password)
    if len(normalised) < MIN_CHARACTERS:
        return f"Use at least {MIN_CHARACTERS} characters. A few words together work well."
    if len(normalised.encode("utf-8")) > MAX_BYTES:
        return "That password is too long: up to 1,024 bytes."
    if normalised.casefold() in _common() or len(set(normalised)) == 1:
        return "That password is one of the most common, so it is easy to guess. Please choose another."
    return None
