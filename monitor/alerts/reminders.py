"""Deadline reminders: a `deadline.approaching` delivery for each current flag's effective date or deadline,
at each lead time of `alerts.reminders` (default 14, 3 and 1 days before).

Each (document, clause, date, lead time) is queued once: its key is written in the `reminders` table in the
same transaction as its deliveries, so a restart, a second daemon round or a `tosmon check` on the same day
queue nothing more. When rounds were missed (the daemon was down), only the nearest lead time that has come
is sent, late, never the ones it has passed. No reminder falls on or before the day the flag was detected:
that day's `clause.flagged` alert says it already.

    from monitor.alerts.reminders import enqueue_due
    enqueue_due(store, watchlist.alerts)          # the daemon's rounds and `tosmon check` call it
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.models import AlertConfig, Change, DateRole, Event, Flag, FlagDate
from monitor.store import Store
from monitor.timeutil import days_until, utc_now

log = logging.getLogger(__name__)

#: The dates reminders are about; `other` dates (a law's date, a version date) are not deadlines.
ROLES = (DateRole.EFFECTIVE, DateRole.DEADLINE)


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder that is due: a current flag's date, the lead time it is for and the days left."""

    change: Change
    flag: Flag
    date: FlagDate
    lead_days: int
    days_left: int

    @property
    def key(self) -> str:
        """What makes it unique: the same clause flagged twice (two categories) is reminded once."""
        clause = hashlib.sha256(self.flag.clause.encode("utf-8")).hexdigest()[:16]
        return f"{self.change.document_id}|{clause}|{self.date.date.isoformat()}|{self.lead_days}"

    def payload(self) -> dict[str, object]:
        """The design.md body (less event and delivery id): flag, date with days left, change without
        clauses."""
        return {"flag": self.flag.to_json(), "date": {**self.date.to_json(), "days_left": self.days_left},
                "change": self.change.to_json()}


def due_reminders(flags: Iterable[tuple[Change, Flag]], leads: Sequence[timedelta], *,
                  now: datetime) -> list[Reminder]:
    """The reminders due at `now` for these (change, flag) pairs: for each date ahead, the smallest lead
    time it is within, when that lead time's day comes after the day the flag was detected."""
    days = sorted({lead.days for lead in leads if lead.days > 0})
    due = []
    for change, flag in flags:
        for flag_date in flag.dates:
            if flag_date.role not in ROLES:
                continue
            left = days_until(flag_date.date, now=now)
            lead = next((d for d in days if 0 < left <= d), None)
            if lead is None:
                continue
            if flag_date.date - timedelta(days=lead) <= change.detected_at.date():
                continue   # its day was on or before the flag's own alert
            due.append(Reminder(change, flag, flag_date, lead, left))
    return due


def enqueue_due(store: Store, alerts: AlertConfig, now: datetime | None = None) -> int:
    """Queue the `deadline.approaching` deliveries that are due and were not queued before; returns how many
    reminders were queued (each to every target that wants the event)."""
    targets = alerts.subscribers(Event.DEADLINE_APPROACHING)
    if not targets or not alerts.reminders:
        return 0
    now = now or utc_now()
    today = now.date()
    horizon = today + timedelta(days=max(lead.days for lead in alerts.reminders))
    if not store.has_flag_dates(after=today, until=horizon):   # the usual case: one indexed query
        return 0
    queued = 0
    with store.atomic():
        for reminder in due_reminders(store.current_flags(), alerts.reminders, now=now):
            if not store.add_reminder(reminder.key, document_id=reminder.change.document_id,
                                      change_id=reminder.change.id, day=reminder.date.date,
                                      lead_days=reminder.lead_days, now=now):
                continue
            for name in targets:
                store.add_delivery(webhook=name, event=Event.DEADLINE_APPROACHING, payload=reminder.payload(),
                                   now=now, change_id=reminder.change.id, document_id=reminder.change.document_id)
            queued += 1
            log.info("%s: %s %s in %d days: reminder queued", reminder.change.document_id, reminder.date.role,
                     reminder.date.date, reminder.days_left)
    return queued
