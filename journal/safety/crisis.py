"""The crisis lines a person sees: their practices' after-hours lines first, then the deployment's.

One rule for every page that shows crisis lines (help, a questionnaire's result, the offline page).
The practice lines are public details a therapist chose to give their clients; a signed-in client's
page also carries them as data, so the phone can show them on the offline page (static/crisis-lines.js).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..models import User
from ..sharing.service import links_for_client
from . import practice_line
from .service import has_plan


@dataclass(frozen=True)
class CrisisLine:
    name: str
    action: str  # what the button says: "Call 988"
    href: str
    therapist: str | None = None  # "from Dr Rivera", for a practice's line
    hours: str | None = None


@dataclass(frozen=True)
class CrisisLines:
    region: str
    resources: list[CrisisLine]  # in the order shown: practice lines first
    practice: list[CrisisLine] = field(default_factory=list)
    personal: bool = False  # a signed-in client's: the page carries the practice lines for the phone
    has_plan: bool = False

    def for_device(self) -> list[dict[str, str]]:
        """The practice lines as the phone keeps them: public details only."""
        return [
            {
                "name": line.name,
                "action": line.action,
                "href": line.href,
                "therapist": line.therapist or "",
                "hours": line.hours or "",
            }
            for line in self.practice
        ]


def public_lines(config: Mapping[str, Any]) -> CrisisLines:
    """The deployment's lines only: for visitors, therapists and the offline pages (the same for everyone)."""
    resources = config["CRISIS_RESOURCES"]
    return CrisisLines(
        resources.get("region", ""),
        [CrisisLine(str(item["name"]), str(item["action"]), str(item["href"])) for item in resources["resources"]],
    )


def crisis_lines(db: Session | None, user: User | None, config: Mapping[str, Any]) -> CrisisLines:
    """For a client: each linked practice's after-hours line, then the deployment's; for anyone else, the latter."""
    public = public_lines(config)
    if user is None or user.role != "client" or db is None:
        return public
    practice = practice_lines(db, user)
    return CrisisLines(
        public.region, practice + public.resources, practice, personal=True, has_plan=has_plan(db, user.id)
    )


def practice_lines(db: Session, client: User) -> list[CrisisLine]:
    """One line per number, in the order the client linked; a number two clinicians share names both."""
    lines: dict[str, CrisisLine] = {}
    for link in links_for_client(db, client.id):
        line = practice_line.of(link.other)
        if line is None:
            continue
        known = lines.get(line.href)
        if known is not None:
            lines[line.href] = CrisisLine(
                known.name, known.action, known.href, f"{known.therapist} and {link.name}", known.hours
            )
        else:
            lines[line.href] = CrisisLine(line.name, f"Call {line.phone}", line.href, link.name, line.hours or None)
    return list(lines.values())
