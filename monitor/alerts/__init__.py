"""Alerts: body formats, HMAC signatures, apprise channels, deadline reminders and the outbox sender.

    from monitor.alerts import send_due
    report = send_due(store, watchlist.alerts.targets, watchlist.alerts.retry, client=client)
"""

from __future__ import annotations

from monitor.alerts.deliver import SendReport, flush, retry_deliveries, send_due, send_one
from monitor.alerts.formats import FORMATS
from monitor.alerts.reminders import enqueue_due
from monitor.alerts.signing import sign, verify

__all__ = [
    "FORMATS",
    "SendReport",
    "enqueue_due",
    "flush",
    "retry_deliveries",
    "send_due",
    "send_one",
    "sign",
    "verify",
]
