"""`tosmon export --format ics`: the effective dates and deadlines of current flags that are still ahead, as
an iCalendar (RFC 5545) file a calendar can import or subscribe to.

One all-day event per (document, clause, date); its UID is a hash of those, so re-exporting updates the same
events instead of adding copies. Lines end in CRLF and are folded at 75 octets, text values are escaped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from monitor.models import Change, DateRole, Flag
from monitor.timeutil import utc_now

PRODID = "-//tosmon//tosmon export//EN"
ROLES = {DateRole.EFFECTIVE: "takes effect", DateRole.DEADLINE: "deadline"}


def escape(text: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """A content line folded into CRLF-joined pieces of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not pieces else 74):   # continuation lines start with one space
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def to_ics(flags: Iterable[tuple[Change, Flag]], *, now: datetime | None = None) -> str:
    """The calendar of the dates ahead (today included) of these current (change, flag) pairs."""
    now = now or utc_now()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:tosmon: AI clauses, effective dates and deadlines"]
    seen: set[str] = set()
    for change, flag in flags:
        for d in flag.dates:
            if d.role not in ROLES or d.date < now.date():
                continue
            uid = hashlib.sha256(f"{change.document_id}|{flag.clause}|{d.date}|{d.role}".encode()).hexdigest()[:32]
            if uid in seen:
                continue
            seen.add(uid)
            summary = f"{change.service_name}: {flag.category} {ROLES[d.role]} ({d.text})"
            description = [flag.clause, ""]
            if flag.opt_out:
                description += [f"How to opt out: {flag.opt_out}", ""]
            description.append(f"Detected {change.detected_at.date()} in {change.document_id}; tosmon show {change.id}")
            lines += ["BEGIN:VEVENT", f"UID:{uid}@tosmon", f"DTSTAMP:{stamp}",
                      f"DTSTART;VALUE=DATE:{d.date:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{d.date + timedelta(days=1):%Y%m%d}",
                      f"SUMMARY:{escape(summary)}", f"DESCRIPTION:{escape(chr(10).join(description))}",
                      f"URL:{change.url}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
