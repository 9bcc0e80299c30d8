"""Prompts that fit the day: gentle invitations, grouped by where the client is in the course.

They invite impressions, images, feelings, insights, what shifted and what to bring to the next
integration session. They never diagnose and never promise an outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Prompt:
    id: str
    phase: str
    text: str
    asked_by: str | None = None  # a prompt a clinician wrote for this client (journal/asks): their name
    ask_id: uuid.UUID | None = None


_LIBRARY = {
    "preparation": (
        "What would you like to bring into your next session? Write it in your own words.",
        "What are you hoping for, and what are you a little afraid of?",
        "Who or what helps you feel safe? Write down a few of them.",
        "Is there a question you keep returning to lately? Write it down without answering it.",
        "How does your body feel today, from head to toe?",
        "What would you like to tell your therapist before the session?",
    ),
    "day0": (
        "What images, colours or sounds are still with you? A few words are enough.",
        "What did you feel most strongly? You can name more than one feeling.",
        "Is there a moment you want to remember? Describe it as if you were there.",
        "If the experience had a title, what would it be?",
        "What do you want to say to yourself right now?",
        "Write down anything that came up, in any order. You can make sense of it later.",
    ),
    "day1": (
        "Looking back after a night's rest, what stands out from the session?",
        "What felt different this morning, in your body or your mood?",
        "Did your intention show up during the session? How?",
        "Was there something difficult? What might it be asking of you?",
        "What would you like to remember a week from now?",
        "Is there anything you would like to rest, eat, or do gently today?",
    ),
    "days2-3": (
        "What has stayed with you from the session so far, and what has faded?",
        "Have you noticed any old habits or thoughts showing up differently?",
        "Is there someone you would like to talk to about what came up?",
        "What is one small thing you could do today that fits what you learned?",
        "How are you sleeping and eating? Anything you notice is worth writing down.",
        "Which feeling has visited you most in the last two days?",
    ),
    "days4-7": (
        "What has shifted since the session, even slightly?",
        "Where did you notice the old pattern this week, and what did you do?",
        "What would you like to bring to your next integration session?",
        "Is there something you understood differently than before?",
        "What are you grateful for this week, large or small?",
        "What is still unclear or unfinished? It can stay unfinished for now.",
    ),
    "days8-13": (
        "Looking back over the past week, what has changed, and what has stayed the same?",
        "Which insight from the session do you want to keep practising?",
        "How would you describe where you are now to someone who cares about you?",
        "What have you been doing that supports you? What gets in the way?",
        "What do you want to talk about in your next integration session?",
        "Is your intention still the same, or has it changed shape?",
    ),
    "before-next": (
        "What did you carry from the last session into your days?",
        "What would you like your next session to hold?",
        "Is there an intention you would like to set, keep or let go of?",
        "What is different about you now compared with before your last session?",
        "What do you need to feel ready for the next session?",
        "Is there anything you would like your therapist to know before the next session?",
    ),
}

PROMPTS: dict[str, Prompt] = {
    f"{phase}-{n}": Prompt(f"{phase}-{n}", phase, text)
    for phase, texts in _LIBRARY.items()
    for n, text in enumerate(texts, start=1)
}


def prompts_for(phase: str) -> list[Prompt]:
    return [prompt for prompt in PROMPTS.values() if prompt.phase == phase]


def prompt_of_the_day(
    phase: str, day: date, offset: int = 0, answered: Collection[str] = (), asked: Sequence[Prompt] = ()
) -> Prompt | None:
    """The same prompt all day until it is answered, then the next of the phase not answered today; "another
    prompt" moves on through those. None when the day's entries answer every prompt of the phase.

    Prompts a clinician wrote for the client, on the days they set (`asked`, not answered yet), come first."""
    choices = prompts_for(phase)
    start = day.toordinal() % len(choices)
    waiting = [*asked] + [prompt for prompt in choices[start:] + choices[:start] if prompt.id not in answered]
    return waiting[offset % len(waiting)] if waiting else None


def get_prompt(prompt_id: str | None) -> Prompt | None:
    return PROMPTS.get(prompt_id or "")
