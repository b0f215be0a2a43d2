"""Deadlines, not timeouts: a page fetch and a webhook delivery end within their configured time even when the
server trickles its headers or body (each read alone would never time out), and cancel_all() ends them at once.
Real loopback servers (slow_servers.SlowServer)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slow_servers import SlowServer

from monitor.alerts import deliver
from monitor.errors import Cancelled, FetchTimeout
from monitor.fetch import deadline, fetch_document, make_client
from monitor.models import DeliveryStatus, Event, RetryPolicy, WebhookConfig
from monitor.store import Store
from monitor.timeutil import utc_now


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    server = SlowServer(body_gap=1.5)
    try:
        yield server
    finally:
        server.stop()
        deadline.reset()


@pytest.mark.parametrize("path", ["/headers", "/body"])
def test_a_trickling_server_is_cut_off_at_the_deadline(slow: SlowServer, path: str) -> None:
    started = time.monotonic()
    with make_client() as client, pytest.raises(FetchTimeout, match="no complete answer within 2s"):
        fetch_document(slow.url(path), client=client, timeout=2.0)
    elapsed = time.monotonic() - started
    assert 1.9 < elapsed < 3.0, elapsed   # before: /headers never ended; /body took one read per byte


def test_a_quick_page_still_arrives_and_the_connection_is_reused(slow: SlowServer) -> None:
    with make_client() as client:
        for _ in range(2):
            result = fetch_document(slow.url("/ok"), client=client, timeout=2.0)
            assert b"Quick page" in result.body


def test_cancel_all_ends_a_fetch_in_flight_at_once(slow: SlowServer) -> None:
    outcome: list[BaseException] = []

    def fetch() -> None:
        with make_client() as client:
            try:
                fetch_document(slow.url("/hang"), client=client, timeout=60.0)
            except BaseException as exc:  # recorded for the assertion below
                outcome.append(exc)

    thread = threading.Thread(target=fetch)
    thread.start()
    deadline_at = time.monotonic() + 10
    while slow.count("/hang") == 0 and time.monotonic() < deadline_at:
        time.sleep(0.02)
    started = time.monotonic()
    deadline.cancel_all()
    thread.join(timeout=5)
    assert not thread.is_alive() and time.monotonic() - started < 1.0
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)   # not a FetchError: nothing is recorded
    with make_client() as client, pytest.raises(Cancelled):               # and no new exchange starts
        fetch_document(slow.url("/ok"), client=client, timeout=2.0)


def test_a_webhook_trickling_its_answer_is_one_timed_out_attempt(slow: SlowServer, tmp_path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deliver, "TIMEOUT_SECONDS", 2.0)
    store = Store(tmp_path / "m.db")
    hook = WebhookConfig(name="slow", url=slow.url("/headers"), events=(Event.CHANGE_DETECTED,))
    policy = RetryPolicy(initial=timedelta(seconds=30), max_interval=timedelta(minutes=5),
                         give_up_after=timedelta(hours=1))
    with store.atomic():
        store.add_delivery(webhook="slow", event=Event.CHANGE_DETECTED, payload={"change": {}}, now=utc_now())
    [delivery] = store.due_deliveries(now=utc_now())
    started = time.monotonic()
    with make_client() as client:
        result = deliver.send_one(store, delivery, [hook], policy, client=client)
    assert time.monotonic() - started < 3.0
    assert result.status is DeliveryStatus.PENDING and "timed out after 2s" in (result.last_error or "")
    store.close()
