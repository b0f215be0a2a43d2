"""Webhook deliveries against a real loopback receiver, a real SQLite outbox and a fake clock.

The receiver is an `http.server.ThreadingHTTPServer` on 127.0.0.1 (port 0) that answers from a script and
records every request's headers and raw body. Time is a fake clock the tests advance to each
`next_attempt_at`: nothing sleeps, and every loop is bounded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor.alerts import SendReport, retry_deliveries, send_due, verify
from monitor.models import (
    Category,
    ClauseChange,
    ClauseDiff,
    ClauseKind,
    DateRole,
    Delivery,
    DeliveryStatus,
    Event,
    Flag,
    FlagDate,
    RetryPolicy,
    WebhookConfig,
)
from monitor.store import Store

START = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
SECRET = "correct horse battery staple"
ENV = {"TOSMON_WEBHOOK_SECRET": SECRET}
POLICY = RetryPolicy(initial=timedelta(seconds=30), max_interval=timedelta(hours=1),
                     give_up_after=timedelta(days=3))
DOC_ID = "linkedin/privacy-policy"
CHANGE_FIELDS = {"id", "document", "service", "url", "detected_at", "from_version", "to_version", "added",
                 "removed", "modified", "flags"}


class Clock:
    """A fake `now` the tests move forward."""

    def __init__(self, start: datetime) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance_to(self, when: datetime | None) -> None:
        assert when is not None
        self.t = max(self.t, when)


@pytest.fixture
def receiver(make_receiver):
    return make_receiver()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "outbox.db")
    yield s
    s.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False) as c:  # no proxy from the environment: loopback only
        yield c


def hook(url: str, fmt: str = "json") -> WebhookConfig:
    return WebhookConfig(name="ops", url=url, secret_env="TOSMON_WEBHOOK_SECRET",
                         events=(Event.CLAUSE_FLAGGED, Event.CHANGE_DETECTED), format=fmt)


def queue_change(store: Store, now: datetime) -> str:
    """What the pipeline does: a change with one flag and its outbox row, in one transaction."""
    diff = ClauseDiff(clauses=(
        ClauseChange(kind=ClauseKind.ADDED, old=None, new_index=4,
                     new="From 3 November 2025, we will use your data to train generative AI models."),
        ClauseChange(kind=ClauseKind.MODIFIED, old="We keep logs for 30 days.",
                     new="We keep logs for 90 days.", old_index=7, new_index=8,
                     segments=((0, "We keep logs for "), (-1, "30"), (1, "90"), (0, " days.")))))
    flag = Flag(category=Category.AI_TRAINING, score=0.93, language="en", clause=diff.clauses[0].text,
                dates=(FlagDate(text="3 November 2025", date=date(2025, 11, 3), role=DateRole.EFFECTIVE),),
                opt_out="Settings > Data privacy > Data for Generative AI Improvement")
    with store.atomic():
        store.ensure_document(id=DOC_ID, service_name="LinkedIn",
                              url="https://www.linkedin.com/legal/privacy-policy", now=now)
        change_id = store.add_change(DOC_ID, from_version=1, to_version=2, detected_at=now, diff=diff,
                                     flags=[flag])
        change = store.get_change(change_id)
        return store.add_delivery(webhook="ops", event=Event.CLAUSE_FLAGGED,
                                  payload={"change": change.to_json()}, change_id=change_id,
                                  document_id=DOC_ID, now=now)


def get(store: Store, delivery_id: str) -> Delivery:
    return store.deliveries(ids=[delivery_id])[0]


def send(store: Store, hooks: list[WebhookConfig], client: httpx.Client, clock: Clock,
         policy: RetryPolicy = POLICY) -> SendReport:
    return send_due(store, hooks, policy, client=client, now=clock, environ=ENV)


def test_signature_verifies_and_body_is_the_design_shape(store: Store, receiver,
                                                          client: httpx.Client) -> None:
    clock = Clock(START)
    delivery_id = queue_change(store, clock())
    report = send(store, [hook(receiver.url)], client, clock)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    [request] = receiver.requests
    ts = request.header("X-Tosmon-Timestamp")
    signature = request.header("X-Tosmon-Signature")
    assert ts == str(int(START.timestamp()))
    assert verify(SECRET, ts, request.body, signature, now=clock())
    assert not verify("another secret", ts, request.body, signature, now=clock())
    assert request.header("Content-Type") == "application/json"
    assert request.header("X-Tosmon-Event") == "clause.flagged"
    assert request.header("X-Tosmon-Delivery") == delivery_id
    assert request.header("User-Agent").startswith("tosmon/")
    body = json.loads(request.body)
    assert set(body) == {"event", "delivery_id", "change"}
    assert (body["event"], body["delivery_id"]) == ("clause.flagged", delivery_id)
    change = body["change"]
    assert CHANGE_FIELDS <= set(change)
    counts = (change["added"], change["removed"], change["modified"])
    assert (change["document"], change["service"], counts) == (DOC_ID, "LinkedIn", (1, 0, 1))
    assert change["flags"][0]["category"] == "ai_training"
    assert change["flags"][0]["dates"] == [
        {"text": "3 November 2025", "date": "2025-11-03", "role": "effective"}]
    assert request.body == get(store, delivery_id).payload.encode()  # json format: the stored bytes
    delivered = get(store, delivery_id)
    assert delivered.status is DeliveryStatus.DELIVERED and delivered.delivered_at == START


def test_503_503_200_delivers_on_the_third_attempt_with_one_delivery_id(tmp_path: Path, receiver,
                                                                        client: httpx.Client) -> None:
    clock = Clock(START)
    receiver.script = [(503, {}), (503, {})]
    db = tmp_path / "restart.db"
    store = Store(db)
    delivery_id = queue_change(store, clock())
    try:
        for attempt in range(1, 4):
            send(store, [hook(receiver.url)], client, clock)
            current = get(store, delivery_id)
            assert current.attempts == attempt
            if current.status is DeliveryStatus.DELIVERED:
                break
            assert current.status is DeliveryStatus.PENDING
            assert current.last_error == "HTTP 503 Service Unavailable"
            clock.advance_to(current.next_attempt_at)
            store.close()          # a restart between attempts: the outbox is all there is
            store = Store(db)
        assert get(store, delivery_id).status is DeliveryStatus.DELIVERED
    finally:
        store.close()
    assert len(receiver.requests) == 3
    assert {r.header("X-Tosmon-Delivery") for r in receiver.requests} == {delivery_id}
    stamps = [int(r.header("X-Tosmon-Timestamp")) for r in receiver.requests]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3      # each attempt has its own timestamp
    assert 24 <= stamps[1] - stamps[0] <= 37 and 48 <= stamps[2] - stamps[1] <= 73  # 30 s, then 60 s, ±20 %
    for r in receiver.requests:
        assert verify(SECRET, r.header("X-Tosmon-Timestamp"), r.body, r.header("X-Tosmon-Signature"),
                      now=datetime.fromtimestamp(int(r.header("X-Tosmon-Timestamp")), UTC))
    assert len({r.body for r in receiver.requests}) == 1            # the same frozen body every time


def test_410_fails_at_once_and_alerts_retry_sends_it_again(store: Store, receiver,
                                                           client: httpx.Client) -> None:
    clock = Clock(START)
    receiver.script = [(410, {})]
    delivery_id = queue_change(store, clock())
    report = send(store, [hook(receiver.url)], client, clock)
    assert (report.delivered, report.retrying, report.failed) == (0, 0, 1)
    failed = store.deliveries(status="failed")
    assert [d.id for d in failed] == [delivery_id]
    assert (failed[0].attempts, failed[0].last_error, failed[0].next_attempt_at) == (1, "HTTP 410 Gone", None)
    clock.advance_to(START + timedelta(days=1))
    assert send(store, [hook(receiver.url)], client, clock).delivered == 0   # failed stays failed
    assert retry_deliveries(store, None, now=clock()) == 1
    assert send(store, [hook(receiver.url)], client, clock).delivered == 1
    assert [r.header("X-Tosmon-Delivery") for r in receiver.requests] == [delivery_id, delivery_id]
    assert get(store, delivery_id).status is DeliveryStatus.DELIVERED


def test_429_retry_after_is_honoured(store: Store, receiver, client: httpx.Client) -> None:
    clock = Clock(START)
    receiver.script = [(429, {"Retry-After": "120"})]
    delivery_id = queue_change(store, clock())
    assert send(store, [hook(receiver.url)], client, clock).retrying == 1
    pending = get(store, delivery_id)
    assert pending.status is DeliveryStatus.PENDING and pending.next_attempt_at is not None
    assert pending.next_attempt_at >= START + timedelta(seconds=120)
    assert pending.last_error == "HTTP 429 Too Many Requests (Retry-After 120s)"
    clock.advance_to(START + timedelta(seconds=119))
    assert send(store, [hook(receiver.url)], client, clock) == SendReport()   # not due yet
    clock.advance_to(pending.next_attempt_at)
    assert send(store, [hook(receiver.url)], client, clock).delivered == 1
    assert len(receiver.requests) == 2


def test_receiver_down_then_back_delivers(store: Store, client: httpx.Client, make_receiver) -> None:
    clock = Clock(START)
    down = make_receiver()
    url, port = down.url, down.port
    down.stop()                                    # nothing listens on this port now
    delivery_id = queue_change(store, clock())
    for _ in range(3):
        assert send(store, [hook(url)], client, clock).retrying == 1
        pending = get(store, delivery_id)
        assert pending.status is DeliveryStatus.PENDING and pending.last_error
        assert "ConnectError" in pending.last_error
        clock.advance_to(pending.next_attempt_at)
    back = make_receiver(port=port)                # a new server on the same address
    assert send(store, [hook(url)], client, clock).delivered == 1
    assert [r.header("X-Tosmon-Delivery") for r in back.requests] == [delivery_id]
    assert get(store, delivery_id).attempts == 4


def test_give_up_after_marks_failed_and_keeps_the_row(store: Store, receiver,
                                                      client: httpx.Client) -> None:
    clock = Clock(START)
    policy = RetryPolicy(initial=timedelta(seconds=30), max_interval=timedelta(minutes=2),
                         give_up_after=timedelta(minutes=10))
    receiver.script = [(500, {})] * 100
    delivery_id = queue_change(store, clock())
    for _ in range(50):
        send(store, [hook(receiver.url)], client, clock, policy)
        current = get(store, delivery_id)
        if current.status is not DeliveryStatus.PENDING:
            break
        clock.advance_to(current.next_attempt_at)
    assert current.status is DeliveryStatus.FAILED
    assert current.last_error is not None and current.last_error.startswith("HTTP 500 Internal Server Error")
    assert "gave up" in current.last_error
    assert clock() == START + timedelta(minutes=10)                # the last attempt is at the give-up time
    assert current.attempts == len(receiver.requests) > 3
    assert [d.id for d in store.deliveries(status="failed")] == [delivery_id]

    # Requeued by hand, it gets a fresh give-up window: a retryable failure keeps it pending.
    clock.advance_to(clock() + timedelta(hours=1))
    assert retry_deliveries(store, None, now=clock()) == 1
    send(store, [hook(receiver.url)], client, clock, policy)
    again = get(store, delivery_id)
    assert again.status is DeliveryStatus.PENDING and again.retry_from == clock()
    assert again.next_attempt_at is not None and again.next_attempt_at > clock()


def test_slack_format_posts_signed_block_kit_json(store: Store, receiver,
                                                   client: httpx.Client) -> None:
    clock = Clock(START)
    delivery_id = queue_change(store, clock())
    assert send(store, [hook(receiver.url, fmt="slack")], client, clock).delivered == 1
    [request] = receiver.requests
    message = json.loads(request.body)
    assert isinstance(message["text"], str) and message["blocks"]
    text = json.dumps(message, ensure_ascii=False)
    for fact in ("LinkedIn", DOC_ID, "+1 -0 ~1", "ai_training", "2025-11-03", "in 46 days",
                 "Data for Generative AI Improvement", "We keep logs for 90 days"):
        assert fact in text, fact
    assert request.header("X-Tosmon-Delivery") == delivery_id
    assert verify(SECRET, request.header("X-Tosmon-Timestamp"), request.body,
                  request.header("X-Tosmon-Signature"), now=clock())
