"""The outbox worker: send due deliveries, back off and retry, mark them delivered or failed.

At-least-once: each attempt's outcome is written in its own short transaction right after the attempt, so a
crash loses at most the record of one attempt and that delivery is sent again, with the same
`X-Tosmon-Delivery` id, for the receiver to deduplicate. A delivery is never deleted: when it cannot be sent
it ends `failed`, and `retry_deliveries` puts it back in the queue.

This module is the one place where httpx exceptions of the alert path are caught; they become a
`DeliveryError` (network errors and timeouts are retryable).
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from http import HTTPStatus

from monitor import __version__
from monitor.alerts.channels import channel_urls, send_channel
from monitor.alerts.formats import FORMATS
from monitor.alerts.signing import sign
from monitor.errors import Cancelled, DeliveryError, NotFound
from monitor.fetch.deadline import cancelled, deadline
from monitor.imports import without
from monitor.models import (
    AlertConfig,
    Change,
    ChannelConfig,
    Delivery,
    DeliveryStatus,
    Event,
    RetryPolicy,
    WebhookConfig,
)
from monitor.store import Store
from monitor.timeutil import utc_now

with without("pygments"):  # httpx imports its command-line client (rich, pygments: 8 MB) if it can
    import httpx

log = logging.getLogger(__name__)

#: Seconds allowed for one attempt, from connecting to the answer's headers (a deadline, not a per-read timeout).
TIMEOUT_SECONDS = 10.0
#: Backoff jitter: the delay is multiplied by a uniform factor in [1 - JITTER, 1 + JITTER].
JITTER = 0.2
RETRYABLE_STATUS = frozenset({408, 429})
RETRY_AFTER_STATUS = frozenset({429, 503})
USER_AGENT = f"tosmon/{__version__}"
_CHANGE_EVENTS = (Event.CHANGE_DETECTED, Event.CLAUSE_FLAGGED)
Target = WebhookConfig | ChannelConfig

#: How long one process may hold a target's lease (a pass over its due deliveries) before others may send.
TARGET_LEASE_SECONDS = 300.0


@dataclass(slots=True)
class SendReport:
    """What one `send_due` pass did: attempts by outcome, and deliveries held back behind a failing
    webhook."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    deferred: int = 0
    waiting: int = 0

    def __str__(self) -> str:
        text = f"delivered {self.delivered}, retrying {self.retrying}, failed {self.failed}"
        text += f", waiting {self.waiting}" if self.waiting else ""
        return text + (f", deferred {self.deferred}" if self.deferred else "")


# --- backoff -------------------------------------------------------------------------------------------


def backoff_delay(attempts: int, policy: RetryPolicy, *, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1-based): `initial * 2**(attempts-1)`, capped at
    `max_interval`, times a jitter factor in [0.8, 1.2], and never above `max_interval`."""
    exponent = min(max(attempts, 1) - 1, 62)
    base = min(policy.initial.total_seconds() * 2.0 ** exponent, policy.max_interval.total_seconds())
    factor = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return timedelta(seconds=min(base * factor, policy.max_interval.total_seconds()))


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date); None when absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value) if len(value) < 12 else float("inf")   # callers clamp to their retry policy
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP-dates are always GMT
        when = when.replace(tzinfo=now.tzinfo)
    return max((when - now).total_seconds(), 0.0)


def next_attempt_at(delivery: Delivery, policy: RetryPolicy, *, attempts: int, now: datetime,
                    retry_after: float | None = None, rng: random.Random | None = None) -> datetime | None:
    """When to try again after a retryable failure, or None to give up.

    The exponential backoff, pushed back to Retry-After when the receiver sent one, and never past the
    delivery's give-up time (`window_start + give_up_after`), where it gets its last attempt.
    """
    give_up = delivery.window_start + policy.give_up_after
    if now >= give_up:
        return None
    when = now + backoff_delay(attempts, policy, rng=rng)
    if retry_after is not None:   # clamped to the policy: a receiver cannot park (or overflow) the outbox
        retry_after = min(retry_after, policy.max_interval.total_seconds())
        when = max(when, now + timedelta(seconds=retry_after))
    if when.microsecond:  # the store keeps whole seconds: round up, never earlier than Retry-After says
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    return min(when, give_up)


# --- one attempt ---------------------------------------------------------------------------------------


@contextmanager
def _mapped_errors(url: str) -> Iterator[None]:
    """httpx exceptions -> DeliveryError; transport failures and timeouts are retryable."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"timed out after {TIMEOUT_SECONDS:g}s ({type(exc).__name__})",
                            retryable=True) from exc
    except httpx.UnsupportedProtocol as exc:
        raise DeliveryError(f"unsupported URL {url!r}: {exc}", retryable=False) from exc
    except httpx.TransportError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc or 'connection failed'}", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True) from exc
    except httpx.InvalidURL as exc:
        raise DeliveryError(f"invalid URL {url!r}: {exc}", retryable=False) from exc


def _status_error(response: httpx.Response, *, now: datetime) -> DeliveryError:
    code = response.status_code
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = response.reason_phrase or "Unknown"
    message = f"HTTP {code} {reason}"
    if 300 <= code < 400:
        return DeliveryError(f"{message} (redirects are not followed; Location: "
                             f"{response.headers.get('Location', '-')})", retryable=False)
    retryable = code in RETRYABLE_STATUS or code >= 500
    retry_after = None
    if code in RETRY_AFTER_STATUS:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        if retry_after is not None:
            message += f" (Retry-After {retry_after:g}s)"
    return DeliveryError(message, retryable=retryable, retry_after=retry_after)


def _render(store: Store, delivery: Delivery, webhook: WebhookConfig, *, now: datetime) -> bytes:
    renderer = FORMATS.get(webhook.format)
    if renderer is None:
        raise DeliveryError(f"webhook {webhook.name!r}: unknown format {webhook.format!r}", retryable=False)
    change: Change | None = None
    if delivery.change_id is not None and delivery.event in _CHANGE_EVENTS and webhook.format != "json":
        try:
            change = store.get_change(delivery.change_id)
        except NotFound:  # the frozen body still has every fact; only the diff excerpt is lost
            change = None
    return renderer(json.loads(delivery.payload), change, now=now)


def _headers(delivery: Delivery, webhook: WebhookConfig, body: bytes, *, at: datetime,
             environ: Mapping[str, str]) -> dict[str, str]:
    """The headers of one attempt; while a configured secret is not set the delivery waits, never unsigned."""
    timestamp = int(at.timestamp())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Tosmon-Event": str(delivery.event), "X-Tosmon-Delivery": delivery.id,
               "X-Tosmon-Timestamp": str(timestamp)}
    if webhook.secret_env:
        secret = environ.get(webhook.secret_env)
        if not secret:
            raise DeliveryError(f"waiting: webhook {webhook.name!r}: secret variable {webhook.secret_env} is not "
                                "set; not sending unsigned (set it, then `tosmon alerts retry`)", retryable=True,
                                waiting=True)
        headers["X-Tosmon-Signature"] = sign(secret, timestamp, body)
    return headers


def _post(webhook: WebhookConfig, body: bytes, headers: Mapping[str, str], *, client: httpx.Client,
          at: datetime) -> int:
    """One POST; returns the 2xx status or raises DeliveryError."""
    try:
        with _mapped_errors(webhook.url), deadline(TIMEOUT_SECONDS):
            request = client.build_request("POST", webhook.url, content=body, headers=headers,
                                           timeout=TIMEOUT_SECONDS)
            response = client.send(request, stream=True, follow_redirects=False)
            response.close()  # the answer's body is never read: a receiver cannot make us download anything
    except DeliveryError as exc:
        if cancelled():                   # the process is stopping: not the receiver's failure
            raise Cancelled("cancelled") from exc
        raise
    if 200 <= response.status_code < 300:
        return response.status_code
    raise _status_error(response, now=at)


def send_one(store: Store, delivery: Delivery, webhooks: Sequence[Target], policy: RetryPolicy, *,
             client: httpx.Client, now: Callable[[], datetime] = utc_now,
             environ: Mapping[str, str] | None = None, rng: random.Random | None = None) -> Delivery:
    """Make one attempt of `delivery` and record its outcome; returns the delivery as updated (its
    `status` is the new status). Never raises for a failed attempt: the failure is the outcome. `webhooks`:
    the targets, webhooks and apprise channels (`AlertConfig.targets`)."""
    at = now()
    environ = os.environ if environ is None else environ
    target = next((w for w in webhooks if w.name == delivery.webhook), None)
    attempts = delivery.attempts
    retry_after: float | None = None
    waiting = False
    try:
        if target is None:
            raise DeliveryError(f"target {delivery.webhook!r} is no longer configured", retryable=False)
        if isinstance(target, ChannelConfig):
            channel_urls(target, environ)   # waits, without counting an attempt, while its variable is unset
            attempts += 1
            send_channel(target, json.loads(delivery.payload), now=at, environ=environ)
            code = "sent"
        else:
            body = _render(store, delivery, target, now=at)
            headers = _headers(delivery, target, body, at=at, environ=environ)
            attempts += 1
            code = f"HTTP {_post(target, body, headers, client=client, at=at)}"
    except DeliveryError as exc:
        error, retryable, retry_after, waiting = str(exc), exc.retryable, exc.retry_after, exc.waiting
    except (sqlite3.Error, Cancelled):  # the database or a shutdown, not this delivery: leave the row as it is
        raise
    except Exception as exc:  # a bug must not wedge the outbox: record it on this delivery, log the traceback
        log.error("delivery %s (%s): internal error", delivery.id, delivery.webhook, exc_info=True)
        error, retryable = f"internal error: {type(exc).__name__}: {exc}", False
    else:
        done = now()
        updated = replace(delivery, status=DeliveryStatus.DELIVERED, attempts=attempts, next_attempt_at=None,
                          last_error=None, delivered_at=done)
        _save(store, updated)
        log.info("delivery %s to %s (%s): delivered, %s, attempt %d", delivery.id, delivery.webhook,
                 delivery.event, code, attempts)
        return updated
    done = now()
    if waiting:   # not an attempt: look again after the longest backoff, never give up
        when: datetime | None = done.replace(microsecond=0) + policy.max_interval
    else:
        when = next_attempt_at(delivery, policy, attempts=attempts, now=done, retry_after=retry_after,
                               rng=rng) if retryable else None
    if when is not None:
        status = DeliveryStatus.PENDING
        log.warning("delivery %s to %s (%s): %s; attempt %d, retrying at %s", delivery.id, delivery.webhook,
                    delivery.event, error, attempts, when.isoformat())
    else:
        status = DeliveryStatus.FAILED
        if retryable:
            error += f" (gave up after {attempts} attempts)"
        log.warning("delivery %s to %s (%s): failed: %s", delivery.id, delivery.webhook, delivery.event,
                    error)
    updated = replace(delivery, status=status, attempts=attempts, next_attempt_at=when, last_error=error,
                      delivered_at=None)
    _save(store, updated)
    return updated


def _save(store: Store, delivery: Delivery) -> None:
    with store.atomic():
        store.update_delivery(delivery.id, status=delivery.status, attempts=delivery.attempts,
                              next_attempt_at=delivery.next_attempt_at, last_error=delivery.last_error,
                              delivered_at=delivery.delivered_at)


# --- the outbox ----------------------------------------------------------------------------------------


def send_due(store: Store, webhooks: Sequence[Target], policy: RetryPolicy, *, client: httpx.Client,
             now: Callable[[], datetime] = utc_now, environ: Mapping[str, str] | None = None,
             limit: int = 100, rng: random.Random | None = None) -> SendReport:
    """Attempt up to `limit` due deliveries once each; returns the counts by outcome.

    Deliveries to one webhook go oldest first. When an attempt to a webhook fails and will be retried, its
    later deliveries in this pass are not attempted (no pile of timeouts against a receiver that is down):
    they are deferred to that retry's time, keeping their order, while other webhooks carry on.

        with httpx.Client() as client:
            report = send_due(store, watchlist.alerts.webhooks, watchlist.alerts.retry, client=client)
    """
    from monitor.store.leases import leased

    report = SendReport()
    targets = sorted({d.webhook for d in store.due_deliveries(now=now(), limit=limit)})
    for target in targets:   # one sender per target across processes (`check` beside `run`): sent once
        with leased(store, f"target:{target}", ttl=TARGET_LEASE_SECONDS, wait=False) as held:
            if held:
                _send_target(store, store.due_deliveries(now=now(), limit=limit, target=target), webhooks,
                             policy, report, client=client, now=now, environ=environ, rng=rng)
    return report


def flush(store: Store, alerts: AlertConfig) -> SendReport:
    """Queue the deadline reminders that have come, then send every delivery that is due, once (what
    `tosmon check` and `tosmon run --once` do after checking; the daemon's outbox sends continuously)."""
    from monitor.alerts.reminders import enqueue_due
    from monitor.fetch import make_client

    enqueue_due(store, alerts)
    with make_client() as client:
        return send_due(store, alerts.targets, alerts.retry, client=client)


def _send_target(store: Store, due: Sequence[Delivery], webhooks: Sequence[Target], policy: RetryPolicy,
                 report: SendReport, *, client: httpx.Client, now: Callable[[], datetime],
                 environ: Mapping[str, str] | None, rng: random.Random | None) -> None:
    """Send one target's due deliveries, oldest first; after a failure that will be retried, defer the rest."""
    blocked: datetime | None = None
    for delivery in sorted(due, key=lambda d: d.created_at):
        if blocked is not None:
            _defer(store, delivery, blocked, policy)
            report.deferred += 1
            continue
        result = send_one(store, delivery, webhooks, policy, client=client, now=now, environ=environ, rng=rng)
        if result.status is DeliveryStatus.DELIVERED:
            report.delivered += 1
        elif result.status is DeliveryStatus.FAILED:
            report.failed += 1
        else:
            if result.attempts == delivery.attempts:   # no attempt was made: it waits for the operator
                report.waiting += 1
            else:
                report.retrying += 1
            if result.next_attempt_at is not None:
                blocked = result.next_attempt_at


def _defer(store: Store, delivery: Delivery, until: datetime, policy: RetryPolicy) -> None:
    """Hold a delivery back until its webhook's next retry (not an attempt: attempts stay as they are)."""
    when = min(max(until, delivery.next_attempt_at or until), delivery.window_start + policy.give_up_after)
    _save(store, replace(delivery, next_attempt_at=when))


def retry_deliveries(store: Store, ids: Sequence[str] | None, *, now: datetime) -> int:
    """Put every failed and pending delivery (ids=None: "flush now"), or the ones named by id or unique id
    prefix (any status), back in the queue, due `now`. Returns how many were requeued; an unknown or
    ambiguous id raises NotFound."""
    if ids is None:
        targets = store.deliveries(status=DeliveryStatus.FAILED) + store.deliveries(status=DeliveryStatus.PENDING)
    else:
        targets = store.deliveries(ids=store.delivery_ids(ids)) if ids else []
    with store.atomic():
        for d in targets:
            store.update_delivery(d.id, status=DeliveryStatus.PENDING, attempts=d.attempts,
                                  next_attempt_at=now, last_error=d.last_error, delivered_at=None,
                                  retry_from=now)
    log.info("requeued %d deliveries", len(targets))
    return len(targets)
