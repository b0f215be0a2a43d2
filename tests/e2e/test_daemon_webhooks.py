"""At-least-once across crashes: the receiver is down when a change is detected, the daemon is killed with
SIGKILL, the receiver comes back, the daemon restarts, and the delivery arrives with its original id."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path


def outbox(db: Path) -> list[tuple[str, str, int, str | None]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT id, status, attempts, last_error FROM deliveries").fetchall()
    except sqlite3.OperationalError:
        return []


def daemon(tmp_path: Path, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml"),
           "HOOK_SECRET": "s3cret"}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


PAGE = "<html><body><main><h1>Terms</h1><p>{}</p><p>We may update these terms from time to time.</p></main></body></html>"


def test_delivery_survives_receiver_outage_and_sigkill(tmp_path, db_path, page_server, make_receiver, wait_for,
                                                      count_rows):
    receiver = make_receiver()
    port = receiver.port
    receiver.stop()  # down while the change is detected
    page_server.set("/t", PAGE.format("These terms apply to every user of the service."))
    (tmp_path / "watchlist.yaml").write_text(
        "defaults:\n  interval: 1s\n"
        "alerts:\n  retry: {initial: 1s, max_interval: 2s, give_up_after: 1h}\n"
        f"  webhooks:\n    - name: ops\n      url: http://127.0.0.1:{port}/hook\n      secret_env: HOOK_SECRET\n"
        "      events: [change.detected]\n"
        f"services:\n  example:\n    documents:\n      terms:\n        url: {page_server.url('/t')}\n")
    proc = daemon(tmp_path, db_path)
    try:
        wait_for(lambda: count_rows(db_path, "versions") == 1)
        page_server.set("/t", PAGE.format("These terms apply to every user and visitor of the service."))
        wait_for(lambda: any(row[2] >= 1 and row[3] for row in outbox(db_path)))
        [(delivery_id, status, _, error)] = outbox(db_path)
        assert status == "pending" and error
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)

    back = make_receiver(port=port)
    proc = daemon(tmp_path, db_path)
    try:
        wait_for(lambda: any(r[1] == "delivered" for r in outbox(db_path)))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    ids = {r.header("X-Tosmon-Delivery") for r in back.requests}
    assert ids == {delivery_id}
    body = json.loads(back.requests[0].body)
    assert body["event"] == "change.detected" and body["delivery_id"] == delivery_id
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 1
