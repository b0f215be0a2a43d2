"""Scheduling rules: a short first retry growing to the cap, failures summarised by cause, and `status`
listing them one line per cause."""

from __future__ import annotations

from datetime import timedelta

from monitor import pipeline
from monitor.models import Document
from monitor.pipeline import failure_cause, failure_causes, failure_delay


def doc(interval: timedelta) -> Document:
    return Document(id="acme/terms", service="acme", service_name="ACME", name="terms",
                    urls=("https://acme.test/terms",), interval=interval)


def test_a_failure_is_retried_after_a_minute_then_less_and_less_often(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "JITTER", 0.0)
    six_hours = doc(timedelta(hours=6))
    delays = [failure_delay(six_hours, n) for n in range(1, 8)]
    assert delays[:4] == [timedelta(minutes=1), timedelta(minutes=4), timedelta(minutes=16),
                          timedelta(minutes=64)]
    assert delays == sorted(delays) and delays[-1] == timedelta(hours=48)      # capped at 8 intervals
    assert failure_delay(doc(timedelta(seconds=20)), 1) == timedelta(seconds=20)  # never above the interval
    assert failure_delay(six_hours, 10**6) == timedelta(hours=48)                # no overflow


def test_failures_are_summarised_by_cause() -> None:
    errors = ["https://a.test/t: connection failed: [Errno 111] Connection refused",
              "https://b.test/t: connection failed: [Errno 111] Connection refused",
              "https://c.test/t: HTTP 404 Not Found",
              "https://d.test/t: timed out: no complete answer within 30s",
              "internal error: ValueError('x')", None]
    assert failure_cause(errors[2]) == "HTTP 404 Not Found"
    assert failure_causes(errors) == [("connection failed", 2), ("HTTP 404 Not Found", 1),
                                      ("internal error", 1), ("timed out", 1), ("unknown", 1)]


def test_status_lists_failures_one_line_per_cause(run_cli, write_watchlist) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        write_watchlist("services:\n  acme:\n    documents:\n"
                        + "".join(f"      d{i}:\n        url: http://127.0.0.1:{port}/{i}\n" for i in range(3)))
        assert run_cli("check").exit_code == 1
    result = run_cli("status")
    assert "3 of 3 documents failing:" in result.output
    assert "     3  connection failed" in result.output.splitlines()
