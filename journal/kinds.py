"""Every record kind, imported once and listed in the order they are shown everywhere (journal/records/kinds.py).

Each kind's package registers it in its own `kind.py` as it is imported. A new kind is a package of its own:
import its `kind.py` here and put it in ORDER, and nothing else.
"""

from __future__ import annotations

from .art import kind as art
from .checkins import kind as checkin
from .dosing import kind as dose
from .entries import kind as entry
from .intentions import kind as intention
from .measures import kind as measure
from .safety import kind as safety_plan
from .voice import kind as voice

# The export page's counts, the brief's lines, the zip's members, the README: in this order.
ORDER = (
    entry.ENTRY,
    checkin.CHECKIN,
    measure.MEASURE,
    dose.DOSE,
    intention.INTENTION,
    art.ART,
    voice.VOICE,
    safety_plan.SAFETY_PLAN,
)

COMPLETE = True  # every kind above is registered (journal/records/kinds.py checks before any lookup)
