"""The sender's decisions without a network: backoff, Retry-After, give-up, status mapping (MockTransport)."""

from __future__ import annotations

import inspect
import logging
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor.alerts import retry_deliveries, send_due, send_one, sign
from monitor.alerts.deliver import USER_AGENT, backoff_delay, next_attempt_at, parse_retry_after
from monitor.errors import NotFound
from monitor.models import Delivery, DeliveryStatus, Event, RetryPolicy, WebhookConfig
from monitor.store import Store

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(initial=timedelta(seconds=30), max_interval=timedelta(hours=1),
                     give_up_after=timedelta(days=3))
HOOK = WebhookConfig(name="ops", url="http://hooks.test/ops", secret_env="HOOK_SECRET")
ENV = {"HOOK_SECRET": "s3cret"}


def delivery(created_at: datetime = NOW) -> Delivery:
    return Delivery(id="d-1", webhook="ops", event=Event.CHANGE_DETECTED, status=DeliveryStatus.PENDING,
                    payload="{}", created_at=created_at)


# --- pure computation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("attempts,base", [(1, 30), (2, 60), (3, 120), (5, 480), (7, 1920), (8, 3600),
                                           (40, 3600), (10_000, 3600)])
def test_backoff_doubles_from_initial_with_jitter_and_is_capped(attempts: int, base: int) -> None:
    rng = random.Random(7)
    delays = [backoff_delay(attempts, POLICY, rng=rng).total_seconds() for _ in range(200)]
    assert all(0.8 * base <= d <= min(1.2 * base, 3600) for d in delays)
    assert len(set(delays)) > 100  # jittered, not constant


def test_backoff_extremes_of_jitter() -> None:
    class Fixed(random.Random):
        def __init__(self, value: float) -> None:
            super().__init__()
            self.value = value

        def uniform(self, a: float, b: float) -> float:
            return a if self.value < 0 else b

    assert backoff_delay(1, POLICY, rng=Fixed(-1)) == timedelta(seconds=24)
    assert backoff_delay(1, POLICY, rng=Fixed(1)) == timedelta(seconds=36)
    assert backoff_delay(9, POLICY, rng=Fixed(1)) == timedelta(hours=1)


@pytest.mark.parametrize("header,expected", [
    ("120", 120.0), (" 0 ", 0.0), ("Thu, 18 Sep 2025 10:02:00 GMT", 120.0),
    ("Thu, 18 Sep 2025 09:00:00 GMT", 0.0), ("-5", None), ("soon", None), ("", None), (None, None),
    ("1.5", None),
], ids=["seconds", "zero", "http-date", "past-date", "negative", "word", "empty", "absent", "fraction"])
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def test_next_attempt_honours_retry_after_but_not_past_the_give_up_time() -> None:
    rng = random.Random(1)
    assert next_attempt_at(delivery(), POLICY, attempts=1, now=NOW, retry_after=120, rng=rng) == \
        NOW + timedelta(seconds=120)
    # Retry-After shorter than the backoff: the backoff wins
    when = next_attempt_at(delivery(), POLICY, attempts=6, now=NOW, retry_after=1, rng=rng)
    assert when is not None and when >= NOW + timedelta(seconds=0.8 * 960)
    # a week's Retry-After: clamped to the policy's max_interval (1 h), and never past the give-up time
    created = NOW - timedelta(days=2)
    assert next_attempt_at(delivery(created), POLICY, attempts=3, now=NOW, retry_after=7 * 86400) == \
        NOW + POLICY.max_interval
    created = NOW - timedelta(days=3) + timedelta(minutes=10)
    assert next_attempt_at(delivery(created), POLICY, attempts=3, now=NOW, retry_after=7 * 86400) == \
        created + POLICY.give_up_after


def test_a_huge_retry_after_is_clamped_not_an_overflow() -> None:
    seconds = parse_retry_after("9" * 40, now=NOW)
    assert seconds is not None and seconds > 10**9
    assert next_attempt_at(delivery(), POLICY, attempts=1, now=NOW, retry_after=seconds) == \
        NOW + POLICY.max_interval


def test_next_attempt_rounds_up_to_whole_seconds() -> None:
    when = next_attempt_at(delivery(), POLICY, attempts=1, now=NOW + timedelta(microseconds=1),
                           retry_after=120)
    assert when == NOW + timedelta(seconds=121)


def test_give_up_once_the_window_has_passed() -> None:
    created = NOW - POLICY.give_up_after
    assert next_attempt_at(delivery(created), POLICY, attempts=50, now=NOW) is None
    assert next_attempt_at(delivery(created + timedelta(seconds=1)), POLICY, attempts=50, now=NOW) == NOW + \
        timedelta(seconds=1)


# --- one attempt against a MockTransport ---------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "unit.db")
    yield s
    s.close()


def queue(store: Store, *, webhook: str = "ops", at: datetime = NOW) -> Delivery:
    delivery_id = store.add_delivery(webhook=webhook, event=Event.CHANGE_DETECTED,
                                     payload={"change": {"id": 1}}, now=at)
    return store.deliveries(ids=[delivery_id])[0]


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def attempt(store: Store, handler: Callable[[httpx.Request], httpx.Response],
            hooks: tuple[WebhookConfig, ...] = (HOOK,), env: dict[str, str] = ENV) -> Delivery:
    with client_for(handler) as client:
        return send_one(store, queue(store), hooks, POLICY, client=client, now=lambda: NOW, environ=env,
                        rng=random.Random(0))


def test_headers_and_signed_body(store: Store) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    result = attempt(store, handler)
    assert result.status is DeliveryStatus.DELIVERED and result.delivered_at == NOW and result.attempts == 1
    [request] = seen
    ts = int(NOW.timestamp())
    assert request.method == "POST" and request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["x-tosmon-event"] == "change.detected"
    assert request.headers["x-tosmon-delivery"] == result.id
    assert request.headers["x-tosmon-timestamp"] == str(ts)
    assert request.headers["x-tosmon-signature"] == sign("s3cret", ts, request.content)
    assert request.content == result.payload.encode()
    assert store.deliveries(ids=[result.id])[0].status is DeliveryStatus.DELIVERED


@pytest.mark.parametrize("status,outcome", [
    (200, "delivered"), (202, "delivered"), (408, "pending"), (429, "pending"), (500, "pending"),
    (502, "pending"), (503, "pending"), (400, "failed"), (401, "failed"), (404, "failed"), (410, "failed"),
    (301, "failed"),
])
def test_status_mapping(store: Store, status: int, outcome: str) -> None:
    result = attempt(store, lambda request: httpx.Response(status, headers={"Location": "http://elsewhere.test/"}))
    assert str(result.status) == outcome
    stored = store.deliveries(ids=[result.id])[0]
    assert (stored.status, stored.attempts, stored.last_error) == (result.status, 1, result.last_error)
    if outcome != "delivered":
        assert stored.last_error is not None and stored.last_error.startswith(f"HTTP {status} ")
    if outcome == "pending":
        assert stored.next_attempt_at is not None and stored.next_attempt_at > NOW


def test_410_message_names_status_and_reason(store: Store) -> None:
    assert attempt(store, lambda request: httpx.Response(410)).last_error == "HTTP 410 Gone"


def _httpx_errors() -> list[type[httpx.HTTPError]]:
    return sorted((cls for _, cls in inspect.getmembers(httpx, inspect.isclass)
                   if issubclass(cls, httpx.HTTPError) and cls is not httpx.HTTPStatusError),
                  key=lambda cls: cls.__name__)


@pytest.mark.parametrize("exc_class", _httpx_errors(), ids=lambda cls: cls.__name__)
def test_every_httpx_error_becomes_a_recorded_outcome(store: Store, exc_class: type[httpx.HTTPError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_class("boom", request=request) if exc_class is not httpx.HTTPError else exc_class("boom")

    result = attempt(store, handler)
    expected = DeliveryStatus.FAILED if exc_class is httpx.UnsupportedProtocol else DeliveryStatus.PENDING
    assert result.status is expected and result.last_error and result.attempts == 1


def test_missing_secret_waits_without_sending_then_goes_once_set(store: Store) -> None:
    seen: list[httpx.Request] = []
    result = attempt(store, lambda request: seen.append(request) or httpx.Response(200), env={})
    assert result.status is DeliveryStatus.PENDING and not seen
    assert result.attempts == 0 and result.next_attempt_at == NOW + POLICY.max_interval   # no attempt, no give-up
    assert result.last_error == ("waiting: webhook 'ops': secret variable HOOK_SECRET is not set; not sending "
                                 "unsigned (set it, then `tosmon alerts retry`)")
    with client_for(lambda request: seen.append(request) or httpx.Response(200)) as client:
        report = send_due(store, [HOOK], POLICY, client=client, now=lambda: NOW + timedelta(days=30), environ={})
    assert (report.waiting, report.failed, str(report)) == (1, 0, "delivered 0, retrying 0, failed 0, waiting 1")
    assert retry_deliveries(store, None, now=NOW) == 1          # no ids: pending ones are sent now too
    with client_for(lambda request: seen.append(request) or httpx.Response(200)) as client:
        report = send_due(store, [HOOK], POLICY, client=client, now=lambda: NOW, environ=ENV)
    assert report.delivered == 1 and len(seen) == 1 and "X-Tosmon-Signature" in seen[0].headers


def test_unconfigured_webhook_fails_and_can_be_retried(store: Store) -> None:
    result = attempt(store, lambda request: httpx.Response(200), hooks=())
    assert result.status is DeliveryStatus.FAILED
    assert result.last_error == "target 'ops' is no longer configured"
    assert retry_deliveries(store, None, now=NOW) == 1
    with client_for(lambda request: httpx.Response(200)) as client:
        report = send_due(store, [HOOK], POLICY, client=client, now=lambda: NOW, environ=ENV)
    assert (report.delivered, report.failed) == (1, 0)


def test_retry_named_ids_and_unknown_ids(store: Store) -> None:
    d = queue(store)
    with pytest.raises(NotFound, match="no delivery nope"):
        retry_deliveries(store, [d.id, "nope"], now=NOW)
    assert retry_deliveries(store, [d.id], now=NOW + timedelta(hours=1)) == 1
    assert store.deliveries(ids=[d.id])[0].next_attempt_at == NOW + timedelta(hours=1)


def test_logs_never_carry_secret_signature_or_body(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor.alerts")
    for status in (200, 503, 410):
        attempt(store, lambda request, status=status: httpx.Response(status))
    text = caplog.text
    assert "s3cret" not in text and "sha256=" not in text and '"change"' not in text
    assert text.count("ops") == 3 and "delivered" in text and "HTTP 410 Gone" in text


def test_one_down_webhook_defers_its_queue_and_does_not_block_others(store: Store) -> None:
    other = WebhookConfig(name="chat", url="http://hooks.test/chat")
    ops = [queue(store, webhook="ops", at=NOW - timedelta(minutes=m)) for m in (3, 2, 1)]
    chat = [queue(store, webhook="chat", at=NOW - timedelta(minutes=m)) for m in (5, 1)]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["x-tosmon-delivery"])
        return httpx.Response(503 if request.url.path == "/ops" else 200)

    with client_for(handler) as client:
        report = send_due(store, [HOOK, other], POLICY, client=client, now=lambda: NOW, environ=ENV,
                          rng=random.Random(0))
    assert (report.delivered, report.retrying, report.deferred) == (2, 1, 2)
    assert calls == [chat[0].id, chat[1].id, ops[0].id]  # oldest first per webhook; ops tried once
    stored = {d.id: d for d in store.deliveries()}
    head = stored[ops[0].id]
    assert head.attempts == 1 and head.next_attempt_at is not None
    for later in ops[1:]:
        assert stored[later.id].attempts == 0 and stored[later.id].next_attempt_at == head.next_attempt_at
    # when the receiver is back, the whole queue goes out oldest first
    calls.clear()
    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["x-tosmon-delivery"])
        return httpx.Response(200)

    with client_for(record) as client:
        report = send_due(store, [HOOK, other], POLICY, client=client, now=lambda: NOW + timedelta(hours=1),
                          environ=ENV)
    assert report.delivered == 3 and calls == [d.id for d in ops]


def test_internal_error_is_recorded_not_raised(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    bad = store.add_delivery(webhook="ops", event=Event.CHANGE_DETECTED, payload={}, now=NOW)
    store.conn.execute("UPDATE deliveries SET payload = 'not json' WHERE id = ?", [bad])
    with client_for(lambda request: httpx.Response(200)) as client:
        report = send_due(store, [HOOK], POLICY, client=client, now=lambda: NOW, environ=ENV)
    assert report.failed == 1
    assert store.deliveries(ids=[bad])[0].last_error.startswith("internal error: JSONDecodeError")
    assert "internal error" in caplog.text and "Traceback" in caplog.text
