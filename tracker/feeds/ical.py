"""A pure function from feed items to iCalendar bytes (RFC 5545, with RFC 7986 calendar properties).

Same items in, same bytes out: nothing here reads the clock, and items and properties come out in a fixed order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from icalendar import Alarm, Calendar, Event, vDuration

PRODID = "-//EU implementation tracker//NL"
REFRESH = dt.timedelta(hours=6)


@dataclass(frozen=True)
class FeedItem:
    uid: str
    day: dt.date  # the first day of the item's period (the project's one rule for coarse dates)
    summary: str
    description: str
    url: str
    categories: tuple[str, ...]
    last_modified: dt.datetime  # timezone-aware
    sequence: int


@dataclass(frozen=True)
class FeedMeta:
    name: str
    description: str
    url: str
    alarm_days: tuple[int, ...] = field(default_factory=tuple)


END = b"END:VCALENDAR\r\n"


def build_calendar(items: Iterable[FeedItem], meta: FeedMeta) -> bytes:
    """The whole calendar in one icalendar render: the reference the cached assembly (`assemble`) must equal."""
    cal = _calendar(meta)
    for item in sorted(items, key=order):
        cal.add_component(_event(item, meta.alarm_days))
    return cal.to_ical()


def order(item: FeedItem) -> tuple[dt.date, str]:
    return (item.day, item.uid)


def calendar_head(meta: FeedMeta) -> bytes:
    """The calendar's own lines, without END:VCALENDAR: events follow it."""
    body = _calendar(meta).to_ical()
    return body[: -len(END)]


def render_event(item: FeedItem, alarm_days: tuple[int, ...]) -> bytes:
    """One event's lines as the library writes them inside a calendar (a component's lines do not depend on its
    siblings or parent, so a calendar is its head, its events' pieces in order, and END:VCALENDAR)."""
    return _event(item, alarm_days).to_ical()


def assemble(head: bytes, pieces: Iterable[bytes]) -> bytes:
    return b"".join((head, *pieces, END))


def _calendar(meta: FeedMeta) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", meta.name)
    cal.add("x-wr-calname", meta.name)
    cal.add("description", meta.description)
    cal.add("x-wr-caldesc", meta.description)
    cal.add("url", meta.url)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = vDuration(REFRESH)
    return cal


def _event(item: FeedItem, alarm_days: tuple[int, ...]) -> Event:
    event = Event()
    event.add("uid", item.uid)
    stamp = item.last_modified.astimezone(dt.UTC).replace(microsecond=0)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", item.sequence)
    # All-day: DTSTART as a DATE, DTEND the exclusive next day.
    event.add("dtstart", item.day)
    event.add("dtend", item.day + dt.timedelta(days=1))
    event.add("summary", item.summary)
    event.add("description", item.description)
    event.add("url", item.url)
    event.add("categories", list(item.categories))
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    event.add("status", "CONFIRMED")
    for days in sorted(set(alarm_days)):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", -dt.timedelta(days=days))
        event.add_component(alarm)
    return event
