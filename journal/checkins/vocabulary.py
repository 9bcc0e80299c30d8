"""What a check-in asks: the scales with words at their ends, and the emotion words to pick from.

Pure data. The emotion words are grouped the way a mood meter groups them: pleasant or unpleasant,
with high or low energy. A word is stored as it is written here, and shown back the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    id: str  # the form field and the payload key
    label: str
    low: int
    high: int
    low_word: str
    high_word: str


# Every scale starts unset and may stay so: no value the person did not choose is stored.
MOOD = Scale("mood", "Mood", 0, 10, "Very low", "Very good")
ANXIETY = Scale("anxiety", "Anxiety", 0, 10, "Calm", "Very anxious")
ENERGY = Scale("energy", "Energy", 0, 10, "Drained", "Full of energy")
SCALES = (MOOD, ANXIETY, ENERGY)

SLEEP_HOURS_MAX = 24
# Half hours from 0 to 24, as the values the form offers: 0, 0.5, 1, ... 24.
SLEEP_HOURS = tuple(n / 2 for n in range(SLEEP_HOURS_MAX * 2 + 1))
SLEEP_QUALITY = {1: "Very poor", 2: "Poor", 3: "Fair", 4: "Good", 5: "Very good"}

NOTE_MAX = 2000
# Said by the server and, before sending, by checkins.js: the form keeps whatever was there.
NOTHING_ANSWERED = "Nothing to save yet: answer any one question, pick a word or write a note, then save."


@dataclass(frozen=True)
class EmotionGroup:
    id: str
    label: str
    words: tuple[str, ...]


EMOTION_GROUPS = (
    EmotionGroup(
        "pleasant-high",
        "Pleasant, with energy",
        (
            "excited",
            "joyful",
            "hopeful",
            "inspired",
            "curious",
            "playful",
            "proud",
            "energised",
            "amazed",
            "in awe",
            "expansive",
            "motivated",
        ),
    ),
    EmotionGroup(
        "pleasant-low",
        "Pleasant and quiet",
        (
            "calm",
            "content",
            "relaxed",
            "peaceful",
            "grateful",
            "safe",
            "connected",
            "tender",
            "loved",
            "grounded",
            "relieved",
            "spacious",
        ),
    ),
    EmotionGroup(
        "unpleasant-high",
        "Unpleasant, with energy",
        (
            "anxious",
            "angry",
            "frustrated",
            "restless",
            "overwhelmed",
            "scared",
            "irritable",
            "tense",
            "on edge",
            "panicky",
            "jittery",
            "stressed",
        ),
    ),
    EmotionGroup(
        "unpleasant-low",
        "Unpleasant and quiet",
        (
            "sad",
            "tired",
            "lonely",
            "numb",
            "hopeless",
            "disconnected",
            "empty",
            "ashamed",
            "discouraged",
            "foggy",
            "heavy",
            "grieving",
        ),
    ),
)

EMOTIONS: tuple[str, ...] = tuple(word for group in EMOTION_GROUPS for word in group.words)
_ORDER = {word: index for index, word in enumerate(EMOTIONS)}


def in_vocabulary_order(words: set[str]) -> list[str]:
    """Known words, in the order the form shows them."""
    return sorted((word for word in words if word in _ORDER), key=_ORDER.__getitem__)


def hours_text(hours: float) -> str:
    """7.0 -> "7", 7.5 -> "7.5"."""
    return f"{hours:g}"
