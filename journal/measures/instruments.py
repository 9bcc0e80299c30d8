"""PHQ-9, GAD-7 and PCL-5: the published items, answer options, time frames, scoring and bands.

Pure data and pure functions: no database, no Flask. The wording is the published wording; the
scoring is the published scoring (a plain sum of the item values), and the bands are the
published severity bands (PHQ-9, GAD-7) or the published provisional cut-point (PCL-5).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    id: str
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Cluster:
    id: str
    label: str
    first: int  # item numbers, from 1, inclusive
    last: int

    @property
    def items(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str  # as it is usually written: "PHQ-9"
    title: str  # the full published name
    about: str  # one plain line for the chooser
    instructions: str
    stem: str  # the time frame the items are answered for
    period: str  # the same, in a few words: "the last 2 weeks"
    items: tuple[str, ...]
    options: tuple[str, ...]  # the label for each value, from 0
    bands: tuple[Band, ...]
    clusters: tuple[Cluster, ...] = ()
    difficulty: str | None = None  # an optional question that is not scored
    difficulty_options: tuple[str, ...] = ()
    guidance: str | None = None  # the published reading of the total, where there is one
    crisis_item: int | None = None  # answering above 0 here shows the crisis resources at once

    @property
    def max_total(self) -> int:
        return len(self.items) * (len(self.options) - 1)

    @property
    def numbers(self) -> range:
        return range(1, len(self.items) + 1)


@dataclass(frozen=True)
class Score:
    total: int
    band: Band
    clusters: tuple[tuple[Cluster, int], ...]
    crisis: bool


FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")
DIFFICULTY = ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult")
BOTHERED = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")

PHQ9 = Instrument(
    id="phq9",
    name="PHQ-9",
    title="Patient Health Questionnaire (PHQ-9)",
    about="Nine questions about mood over the last two weeks.",
    instructions="Choose the answer that fits best for each question.",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    period="the last 2 weeks",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
        "fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    options=FREQUENCY,
    bands=(
        Band("minimal", 0, 4, "Minimal"),
        Band("mild", 5, 9, "Mild"),
        Band("moderate", 10, 14, "Moderate"),
        Band("moderately-severe", 15, 19, "Moderately severe"),
        Band("severe", 20, 27, "Severe"),
    ),
    difficulty=(
        "If you checked off any problems, how difficult have these problems made it for you to do "
        "your work, take care of things at home, or get along with other people?"
    ),
    difficulty_options=DIFFICULTY,
    crisis_item=9,
)

GAD7 = Instrument(
    id="gad7",
    name="GAD-7",
    title="Generalized Anxiety Disorder scale (GAD-7)",
    about="Seven questions about worry and anxiety over the last two weeks.",
    instructions="Choose the answer that fits best for each question.",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    period="the last 2 weeks",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    options=FREQUENCY,
    bands=(
        Band("minimal", 0, 4, "Minimal"),
        Band("mild", 5, 9, "Mild"),
        Band("moderate", 10, 14, "Moderate"),
        Band("severe", 15, 21, "Severe"),
    ),
)

PCL5 = Instrument(
    id="pcl5",
    name="PCL-5",
    title="PTSD Checklist for DSM-5 (PCL-5)",
    about="Twenty questions about how a very stressful experience has affected you in the past month.",
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then choose one answer to indicate "
        "how much you have been bothered by that problem in the past month."
    ),
    stem="In the past month, how much were you bothered by:",
    period="the past month",
    items=(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening again "
        "(as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful experience "
        "(for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, having "
        "thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, "
        "the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have "
        "loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    options=BOTHERED,
    # The published reading is one provisional cut-point range, 31-33, not severity bands.
    # (A no-break hyphen keeps "31-33" on one line on narrow screens.)
    bands=(
        Band("below-cutpoint", 0, 30, "Below the 31‑33 cut-point range"),
        Band("in-cutpoint", 31, 33, "Within the 31‑33 cut-point range"),
        Band("above-cutpoint", 34, 80, "Above the 31‑33 cut-point range"),
    ),
    clusters=(
        Cluster("B", "Intrusion (cluster B, items 1-5)", 1, 5),
        Cluster("C", "Avoidance (cluster C, items 6-7)", 6, 7),
        Cluster("D", "Negative changes in thoughts and mood (cluster D, items 8-14)", 8, 14),
        Cluster("E", "Changes in arousal and reactivity (cluster E, items 15-20)", 15, 20),
    ),
    guidance=(
        "Published guidance: a total of 31-33 or higher suggests probable PTSD. That range is a "
        "provisional cut-point for screening, not a diagnosis; only a clinical assessment can say more."
    ),
)

INSTRUMENTS: dict[str, Instrument] = {i.id: i for i in (PHQ9, GAD7, PCL5)}


def band_for(instrument: Instrument, total: int) -> Band:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"{instrument.name} total {total} is outside 0-{instrument.max_total}")


def unanswered(instrument: Instrument, answers: Mapping[int, int]) -> list[int]:
    """Item numbers (from 1) without a valid answer, in order."""
    return [n for n in instrument.numbers if not _valid(instrument, answers.get(n))]


def score(instrument: Instrument, answers: Mapping[int, int]) -> Score:
    """The published scoring: the sum of the item values; cluster sums; the band of the total.

    `answers` maps item number (from 1) to value (0 .. len(options) - 1); every item is needed.
    """
    missing = unanswered(instrument, answers)
    if missing:
        raise ValueError(f"{instrument.name}: items {missing} are unanswered")
    total = sum(answers[n] for n in instrument.numbers)
    clusters = tuple((cluster, sum(answers[n] for n in cluster.items)) for cluster in instrument.clusters)
    crisis = instrument.crisis_item is not None and answers[instrument.crisis_item] > 0
    return Score(total, band_for(instrument, total), clusters, crisis)


def parse_answers(instrument: Instrument, form: Mapping[str, str]) -> tuple[dict[int, int], int | None]:
    """Item answers from form fields q1..qN, and the optional difficulty; anything invalid is left out."""
    answers: dict[int, int] = {}
    for n in instrument.numbers:
        value = _as_int(form.get(f"q{n}"))
        if value is not None and _valid(instrument, value):
            answers[n] = value
    difficulty = _as_int(form.get("difficulty")) if instrument.difficulty else None
    if difficulty is not None and not 0 <= difficulty < len(instrument.difficulty_options):
        difficulty = None
    return answers, difficulty


def describe_missing(instrument: Instrument, missing: list[int]) -> str:
    """'Question 3 is not answered yet.' / 'Questions 2, 5 and 9 are not answered yet.'"""
    if len(missing) == 1:
        return f"Question {missing[0]} is not answered yet."
    names = ", ".join(str(n) for n in missing[:-1]) + f" and {missing[-1]}"
    return f"Questions {names} are not answered yet."


def _valid(instrument: Instrument, value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(instrument.options)


def _as_int(value: str | None) -> int | None:
    if value is None or not re.fullmatch(r"[0-9]{1,2}", value.strip()):
        return None
    return int(value.strip())
