"""Phone numbers: checking one typed into a form, and finding them, conservatively, in a line of writing."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_DIGITS = 6
MAX_DIGITS = 15  # E.164
TYPED_RE = re.compile(r"^\+?[0-9 ().-]+$")
# A run that may be a number in running text: digits with single spaces, hyphens or brackets between them.
CANDIDATE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()-]*\d\)?(?!\w)")
# Where a run is two things side by side ("9 - 5", "0151  234"), not one number.
BREAK_RE = re.compile(r"\s{2,}|\s-|-\s|--")
# Dates and year ranges look like numbers; they never become a call link.
NOT_A_NUMBER_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}|(19|20)\d{2}-(19|20)\d{2}")


@dataclass(frozen=True)
class Part:
    """A piece of a line: plain text, or a number with the link that calls it."""

    text: str
    href: str | None = None


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def tel_href(number: str) -> str:
    """tel: with the digits, and the + when the number was written with one."""
    return "tel:" + ("+" if number.strip().startswith("+") else "") + digits(number)


def problem_with(number: str) -> str | None:
    """Why a typed phone number cannot be used, in words; None when it can."""
    if not TYPED_RE.match(number) or "+" in number[1:]:
        return "Use digits only, with + at the start if you like, and spaces, brackets, dashes or dots between them."
    count = len(digits(number))
    if not MIN_DIGITS <= count <= MAX_DIGITS:
        return f"A phone number has {MIN_DIGITS} to {MAX_DIGITS} digits; this one has {count}."
    return None


def call_parts(line: str) -> list[Part]:
    """The line in pieces, each phone number (6 to 15 digits, not a date) with its tel: link."""
    parts: list[Part] = []
    at = 0
    for found in CANDIDATE_RE.finditer(line):
        for start, end in _pieces(found.group(), found.start()):
            number = line[start:end]
            if not _is_number(number):
                continue
            if start > at:
                parts.append(Part(line[at:start]))
            parts.append(Part(number, tel_href(number)))
            at = end
    if at < len(line):
        parts.append(Part(line[at:]))
    return parts


def _pieces(run: str, offset: int) -> list[tuple[int, int]]:
    """(start, end) in the line of each part of a run split where it is clearly two things."""
    found, start = [], 0
    for gap in BREAK_RE.finditer(run):
        found.append((start, gap.start()))
        start = gap.end()
    found.append((start, len(run)))
    spans = []
    for begin, end in found:
        piece = run[begin:end]
        # Brackets that do not pair up belong to the sentence, not to the number.
        while piece and piece[-1] in " )-" and piece.count(")") > piece.count("("):
            piece, end = piece[:-1], end - 1
        while piece and piece[0] in " (-" and piece.count("(") > piece.count(")"):
            piece, begin = piece[1:], begin + 1
        if piece.startswith("(") and piece.endswith(")") and piece.count("(") == 1:  # "(0151 234 5678)"
            piece, begin, end = piece[1:-1], begin + 1, end - 1
        if piece.strip():
            spans.append((offset + begin, offset + end))
    return spans


def _is_number(text: str) -> bool:
    stripped = text.strip()
    if stripped != text or NOT_A_NUMBER_RE.fullmatch(stripped):
        return False
    if stripped.count("(") != stripped.count(")") or stripped.count("(") > 1:
        return False
    return MIN_DIGITS <= len(digits(stripped)) <= MAX_DIGITS
