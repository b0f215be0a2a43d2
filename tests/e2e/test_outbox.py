"""The daemon's continuous outbox against real loopback receivers: each target gets its deliveries oldest
first even when their retry times are shuffled (after an outage), a dead target does not hold up another,
and a huge Retry-After is clamped to the retry policy instead of a send every second."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from slow_servers import wait_until

from monitor.alerts.outbox import Outbox
from monitor.models import AlertConfig, Event, RetryPolicy, WebhookConfig
from monitor.store import Store
from monitor.timeutil import iso_z, utc_now


def test_deliveries_leave_oldest_first_per_target_and_a_dead_target_holds_up_no_other(tmp_path, make_receiver):
    up = make_receiver()
    dead = make_receiver()
    dead.stop()
    db = str(tmp_path / "m.db")
    store = Store(db)
    now = utc_now()
    with store.atomic():   # created in order; retry times shuffled, as an outage's backoffs leave them
        for i in range(12):
            for hook in ("up", "dead"):
                delivery_id = store.add_delivery(webhook=hook, event=Event.CHANGE_DETECTED,
                                                 payload={"change": {"n": i}}, now=now + timedelta(seconds=i))
                store.conn.execute("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?",
                                   [iso_z(now - timedelta(seconds=(i * 7) % 12)), delivery_id])
    alerts = AlertConfig(webhooks=(WebhookConfig(name="up", url=up.url, events=(Event.CHANGE_DETECTED,)),
                                   WebhookConfig(name="dead", url=dead.url, events=(Event.CHANGE_DETECTED,))),
                         retry=RetryPolicy(initial=timedelta(seconds=60), max_interval=timedelta(minutes=5)))
    stop = threading.Event()
    outbox = Outbox(db, alerts=lambda: alerts, stop=stop)
    try:
        outbox.poll(store)
        wait_until(lambda: len(up.requests) == 12, timeout=20)
    finally:
        stop.set()
        assert outbox.join(5)
    assert [json.loads(r.body)["change"]["n"] for r in up.requests] == list(range(12))
    dead_rows = store.conn.execute("SELECT attempts FROM deliveries WHERE webhook = 'dead' "
                                   "ORDER BY created_at").fetchall()
    assert dead_rows[0][0] == 1 and all(a == 0 for (a,) in dead_rows[1:])   # the head waits; no pile of attempts
    store.close()


def test_a_huge_retry_after_is_clamped_to_the_policy(tmp_path, make_receiver):
    receiver = make_receiver()
    receiver.script = [(429, {"Retry-After": "9" * 30})]
    db = str(tmp_path / "m.db")
    store = Store(db)
    with store.atomic():
        store.add_delivery(webhook="ops", event=Event.CHANGE_DETECTED, payload={"change": {}}, now=utc_now())
    policy = RetryPolicy(initial=timedelta(seconds=1), max_interval=timedelta(minutes=2))
    alerts = AlertConfig(webhooks=(WebhookConfig(name="ops", url=receiver.url, events=(Event.CHANGE_DETECTED,)),),
                         retry=policy)
    stop = threading.Event()
    outbox = Outbox(db, alerts=lambda: alerts, stop=stop)
    try:
        outbox.poll(store)
        wait_until(lambda: store.conn.execute("SELECT attempts FROM deliveries").fetchone()[0] == 1)
    finally:
        stop.set()
        assert outbox.join(5)
    [(status, due, error)] = store.conn.execute("SELECT status, next_attempt_at, last_error FROM deliveries")
    assert status == "pending" and "429" in error and len(receiver.requests) == 1
    from monitor.timeutil import from_iso
    wait = (from_iso(due) - utc_now()).total_seconds()
    assert 60 < wait <= 121
    store.close()
