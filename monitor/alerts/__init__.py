"""Webhook alerts: body formats, HMAC signatures and the outbox sender.

    from monitor.alerts import send_due
    report = send_due(store, watchlist.alerts.webhooks, watchlist.alerts.retry, client=client)
"""

from __future__ import annotations

from monitor.alerts.deliver import SendReport, retry_deliveries, send_due, send_one
from monitor.alerts.formats import FORMATS
from monitor.alerts.signing import sign, verify

__all__ = ["FORMATS", "SendReport", "retry_deliveries", "send_due", "send_one", "sign", "verify"]
