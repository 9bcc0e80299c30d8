"""The next integration session: the date (and time, when given) the client or their therapist noted.

Scheduling metadata, kept in clear on the link (and, for a client with no clinician, on their account), never
anything the client wrote. A day without a time stays a day, the same in every time zone; a time makes it an
instant, shown in each reader's own zone. A date that has passed is not shown; marking a session held clears
a date that has come.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..forms import parse_local
from ..models import Link, User

SOON_DAYS = 7  # within this many days Today says the weekday and offers to prepare
AHEAD_DAYS = 366  # a date further ahead is refused as a likely typo
HELD_NOTICE_DAYS = 7  # Today tells the client a session was marked held for this long
CLIENT, THERAPIST = "client", "therapist"


@dataclass(frozen=True)
class When:
    """A date as it was noted: a day, or an instant when a time was given."""

    on: date | None
    at: datetime | None

    def day(self, zone: str) -> date:
        if self.at is not None:
            return self.at.astimezone(ZoneInfo(zone)).date()
        if self.on is None:
            raise ValueError("a When holds a day or an instant")
        return self.on

    def clock(self, zone: str) -> time | None:
        return self.at.astimezone(ZoneInfo(zone)).time() if self.at is not None else None

    def instant(self, zone: str) -> datetime:
        """The time noted, or midday of the day noted in `zone` (UTC either way)."""
        if self.at is not None:
            return self.at
        return datetime.combine(self.day(zone), time(12), ZoneInfo(zone)).astimezone(UTC)

    def passed(self, zone: str, now: datetime) -> bool:
        """A time that has gone by, or a day before today in `zone` (a day without a time lasts all day)."""
        if self.at is not None:
            return self.at < now
        return self.day(zone) < now.astimezone(ZoneInfo(zone)).date()


@dataclass(frozen=True)
class Next:
    """An upcoming session as one reader sees it, in their zone."""

    day: date
    clock: time | None
    days_away: int
    set_by: str | None  # CLIENT or THERAPIST (None: the client's own note)
    clinician: str | None  # the clinician's name on the client's side (None: their own note, or on the desk)
    link_id: uuid.UUID | None

    @property
    def soon(self) -> bool:
        return self.days_away <= SOON_DAYS

    def words(self) -> str:
        """ "today, 14:00", "on Thursday, 10 Dec" (within a week), "on 24 Dec" (later), for a client."""
        if self.days_away == 0:
            day = "today"
        elif self.days_away == 1:
            day = "tomorrow"
        elif self.soon:
            day = f"on {self.day:%A}, {self.day.day} {self.day:%b}"
        else:
            day = f"on {self.day.day} {self.day:%b}"
        return day + (f", {self.clock:%H:%M}" if self.clock is not None else "")

    def desk_words(self) -> str:
        """ "Thu 10 Dec, 14:00", for the desk."""
        return f"{self.day:%a} {self.day.day} {self.day:%b}" + (f", {self.clock:%H:%M}" if self.clock else "")


@dataclass(frozen=True)
class Held:
    clinician: str
    day: date


@dataclass(frozen=True)
class ClientSessions:
    """What a client's pages say about integration sessions: the dates ahead, and sessions recently held."""

    upcoming: list[Next]
    held: list[Held]
    linked: bool

    def for_link(self, link_id: uuid.UUID) -> Next | None:
        return next((one for one in self.upcoming if one.link_id == link_id), None)


def parse_when(day_text: str | None, clock_text: str | None, zone: str, now: datetime) -> tuple[When | None, str]:
    """A date typed in `zone` (a time optional) as a When, or None with a message saying what to change."""
    try:
        day = date.fromisoformat((day_text or "").strip())
    except ValueError:
        return None, "Enter the date of the session."
    today = now.astimezone(ZoneInfo(zone)).date()
    if day < today:
        return None, "That date has passed. Enter the date of your next session."
    if day > today + timedelta(days=AHEAD_DAYS):
        return None, "Enter a date within the next year."
    if not (clock_text or "").strip():
        return When(day, None), ""
    at = parse_local(day.isoformat(), clock_text, zone)
    if at is None:
        return None, "Enter the time as hours and minutes, like 14:00, or leave it empty."
    if at < now:
        return None, "That time has passed today. Enter the time of your next session."
    return When(None, at), ""


def of_link(link: Link) -> When | None:
    if link.next_session_on is None and link.next_session_at is None:
        return None
    return When(link.next_session_on, link.next_session_at)


def of_user(user: User) -> When | None:
    if user.next_integration_on is None and user.next_integration_at is None:
        return None
    return When(user.next_integration_on, user.next_integration_at)


def set_on_link(link: Link, when: When | None, by: str) -> None:
    """Note (or, with None, clear) the next session on a link; `by` is who did."""
    link.next_session_on, link.next_session_at = (when.on, when.at) if when else (None, None)
    link.next_session_set_by = by if when else None


def set_on_user(user: User, when: When | None) -> None:
    """The client's own note, for when no clinician is linked."""
    user.next_integration_on, user.next_integration_at = (when.on, when.at) if when else (None, None)


def upcoming(when: When | None, zone: str, now: datetime, *, set_by=None, clinician=None, link_id=None) -> Next | None:
    """The session as a reader in `zone` sees it now; None when none is noted or it has passed."""
    if when is None or when.passed(zone, now):
        return None
    day = when.day(zone)
    days_away = (day - now.astimezone(ZoneInfo(zone)).date()).days
    return Next(day, when.clock(zone), days_away, set_by, clinician, link_id)


def for_client(user: User, links: Iterable, zone: str, now: datetime) -> ClientSessions:
    """Each linked clinician's next session with the client (LinkViews the page read already), or the client's own
    note when no link has one; and the sessions marked held in the last few days. Reads nothing more."""
    links = list(links)
    ahead = [
        found
        for linked in links
        if (
            found := upcoming(
                of_link(linked.link),
                zone,
                now,
                set_by=linked.link.next_session_set_by,
                clinician=linked.name,
                link_id=linked.link.id,
            )
        )
    ]
    if not ahead and (own := upcoming(of_user(user), zone, now)) is not None:
        ahead = [own]
    held = [
        Held(linked.name, linked.link.session_held_at.astimezone(ZoneInfo(zone)).date())
        for linked in links
        if linked.link.session_held_at is not None
        and now - linked.link.session_held_at <= timedelta(days=HELD_NOTICE_DAYS)
    ]
    return ClientSessions(sorted(ahead, key=lambda one: (one.day, one.clock or time())), held, bool(links))


def for_desk(link: Link, zone: str, now: datetime) -> Next | None:
    """The next session with this client, as the therapist sees it in their zone."""
    return upcoming(of_link(link), zone, now, set_by=link.next_session_set_by)


def clear_when_held(link: Link, zone: str, now: datetime) -> bool:
    """A session was marked held: a noted date that is today or past (in the therapist's zone) is cleared."""
    when = of_link(link)
    if when is None or when.day(zone) > now.astimezone(ZoneInfo(zone)).date():
        return False
    set_on_link(link, None, THERAPIST)
    return True
