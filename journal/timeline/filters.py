"""The timeline's filters: by kind, by dosing session, by emotion word, as GET parameters (?kind=, ?session=,
?emotion=) that ride along with the keyset cursor (?before=). Values are names and numbers the app offers in its
own form (a kind's name, a session's number, a word of the check-in's list), never words a client wrote; an
unknown value is ignored. Pure: no database, no keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..records import kinds

BEFORE_FIRST = 0  # ?session=0: before the first dosing session


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    session: int | None = None  # BEFORE_FIRST, or a session's number
    emotion: str | None = None

    @property
    def active(self) -> bool:
        return self.kind is not None or self.session is not None or self.emotion is not None

    @property
    def args(self) -> dict[str, str]:
        """The filters as GET parameters, for the next page's link."""
        found = {
            "kind": self.kind,
            "session": None if self.session is None else str(self.session),
            "emotion": self.emotion,
        }
        return {name: value for name, value in found.items() if value is not None}

    def kinds(self) -> list[str]:
        """The kinds to read: the one asked for, or all on the timeline; only those carrying emotion words when a
        word is asked for."""
        names = [self.kind] if self.kind is not None else list(kinds.names(on_timeline=True))
        if self.emotion is not None:
            names = [name for name in names if kinds.kind(name).emotions is not None]
        return names


def emotion_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The words to filter by, in the groups the kinds that carry them offer."""
    return tuple(group for one in kinds.all_kinds() for group in one.emotion_groups)


def kind_choices() -> tuple[tuple[str, str], ...]:
    """(name, label) of each kind on the timeline."""
    return tuple((one.name, one.label) for one in kinds.all_kinds() if one.on_timeline)


def read(args: Mapping[str, str]) -> Filters:
    kind = args.get("kind") or None
    if kind not in kinds.names(on_timeline=True):
        kind = None
    raw = (args.get("session") or "").strip()
    session = int(raw) if raw.isdigit() and len(raw) < 5 else None
    emotion = args.get("emotion") or None
    if emotion not in {word for _label, words in emotion_groups() for word in words}:
        emotion = None
    return Filters(kind, session, emotion)
