"""Matching words in what a client wrote, and marking them: case and accents do not matter ("Café" finds "cafe",
"CAFÉ" and "café"), every word asked for must be in the record (in any of its fields, in any order).

Pure: strings in, strings and Markup out. The text is escaped piece by piece around the marks, so whatever a
client wrote (markup included) is shown as text and a <mark> never lands inside a tag.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

QUERY_MAX = 200  # characters of a query read; the rest is ignored
TERMS_MAX = 8  # words of a query used
SNIPPET = 160  # characters of text around the first word found


def fold_char(char: str) -> str:
    """One character as it is compared: decomposed, without its accents, case-folded ("É" -> "e", "ß" -> "ss")."""
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(part for part in decomposed if not unicodedata.combining(part)).casefold()


def fold(text: str) -> str:
    return "".join(fold_char(char) for char in text)


def _folded_with_places(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the character of `text` it came from."""
    pieces: list[str] = []
    places: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        places.extend([index] * len(folded))
    return "".join(pieces), places


def terms(query: str | None) -> tuple[str, ...]:
    """The words to look for, folded, each once, in the order asked; () when there is nothing to look for."""
    found: list[str] = []
    for word in fold((query or "")[:QUERY_MAX]).split():
        if word not in found:
            found.append(word)
    return tuple(found[:TERMS_MAX])


def matches(fields: Sequence[str], words: Sequence[str]) -> bool:
    """Whether every word is in one field or another (a word may be part of a longer one: "calm" finds "calmer")."""
    if not words:
        return False
    folded = "\n".join(fold(field) for field in fields if field)
    return all(word in folded for word in words)


def _spans(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the words are in `text`: (start, end) in the original's characters, in order, overlaps merged."""
    folded, places = _folded_with_places(text)
    found: list[tuple[int, int]] = []
    for word in words:
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            last = places[end - 1] + 1
            while last < len(text) and unicodedata.combining(text[last]):  # a letter's accents go with it
                last += 1
            found.append((places[start], last))
            start = folded.find(word, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, words: Sequence[str]) -> Markup:
    """The text, escaped, with each word found in a <mark>."""
    out = Markup()
    at = 0
    for start, end in _spans(text, words):
        out += escape(text[at:start]) + Markup("<mark>") + escape(text[start:end]) + Markup("</mark>")
        at = end
    return out + escape(text[at:])


@dataclass(frozen=True)
class Snippet:
    html: Markup  # the words around the first match, escaped, the matches marked
    cut_before: bool
    cut_after: bool


def snippet(fields: Sequence[str], words: Sequence[str], width: int = SNIPPET) -> Snippet | None:
    """Up to `width` characters of the first field holding a word, around its first match, on one line, marked.

    None when no field holds any of the words.
    """
    for field in fields:
        line = " ".join(field.split())
        spans = _spans(line, words)
        if not spans:
            continue
        first = spans[0][0]
        start = max(0, min(first - width // 3, len(line) - width))
        if start > 0:
            space = line.rfind(" ", 0, start + 1)  # begin on a word
            start = space + 1 if space != -1 and start - space < 20 else start
        end = min(len(line), start + width)
        if end < len(line):
            space = line.rfind(" ", start, end)
            end = space if space > first else end
        return Snippet(highlight(line[start:end], words), start > 0, end < len(line))
    return None
