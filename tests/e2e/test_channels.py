"""Alerts that reach people: an apprise e-mail channel received by a real SMTP server on loopback, an apprise
json:// channel and a JSON webhook received over loopback HTTP, deadline reminders as the clock moves on.

The done-when scenario of issue 15: one `mailto://` URL given by environment variable; the LinkedIn EU
notice of September 2025 served on loopback; an e-mail the day the clause appears and reminders 14, 3 and 1
days before 3 November 2025, each exactly once.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import markdown
import pytest
from aiosmtpd.controller import Controller

CASE = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "cases" / "linkedin-privacy-eu-2025-09"
README = Path(__file__).resolve().parents[2] / "README.md"
OPT_OUT = "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"


@dataclass
class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def url(self) -> str:
        return f"mailto://tosmon@127.0.0.1:{self.port}/?to=dpo@example.org&from=tosmon@example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message
    return text.get_content(), html.get_content()


def page(md_text: str) -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Notice</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><main>{markdown.markdown(md_text)}</main></body></html>")


def normalised(text: str) -> str:
    """A sample for the README: delivery ids and seconds (the test clock runs on) made stable."""
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "6f1c2a4e-…", text)
    text = re.sub(r"http://127\.0\.0\.1:\d+/", "http://127.0.0.1:8765/", text)
    return re.sub(r"(\d{4}-\d\d-\d\dT\d\d:\d\d):\d\dZ", r"\1:00Z", text).replace("\r\n", "\n").strip()


def check_readme_sample(name: str, sample: str) -> None:
    """The README's sample `name` is what this run produced (TOSMON_UPDATE_SAMPLES=1 rewrites it)."""
    import os

    readme = README.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- sample:{name} -->\n```[a-z]*\n)(.*?)(\n```\n<!-- /sample:{name} -->)", re.S)
    match = pattern.search(readme)
    assert match, f"README.md has no sample:{name} block"
    if os.environ.get("TOSMON_UPDATE_SAMPLES"):
        README.write_text(pattern.sub(lambda m: m.group(1) + sample + m.group(3), readme), encoding="utf-8")
        return
    assert match.group(2) == sample, f"README sample {name} is stale; rerun with TOSMON_UPDATE_SAMPLES=1"


@pytest.mark.skipif(not CASE.is_dir(), reason="corpus not available")
def test_linkedin_email_the_day_it_appears_then_reminders_14_3_1_days_before(
        page_server, write_watchlist, run_cli, mailbox, make_receiver, monkeypatch):
    hook, push = make_receiver(), make_receiver()
    monkeypatch.setenv("TOSMON_NOTIFY_ME", mailbox.url())
    monkeypatch.setenv("TOSMON_NOTIFY_PHONE", f"json://127.0.0.1:{push.port}/push")
    page_server.set("/privacy", page((CASE / "before.md").read_text(encoding="utf-8")))
    write_watchlist(
        "alerts:\n  retry: {initial: 1s, max_interval: 2s, give_up_after: 1h}\n"
        "  channels:\n    - {name: me, url_env: TOSMON_NOTIFY_ME}\n"
        "    - {name: phone, url_env: TOSMON_NOTIFY_PHONE, events: [deadline.approaching]}\n"
        f"  webhooks:\n    - {{name: ops, url: '{hook.url}', events: [clause.flagged, deadline.approaching]}}\n"
        "services:\n  linkedin:\n    name: LinkedIn\n    documents:\n"
        f"      privacy-policy: {{url: '{page_server.url('/privacy')}'}}\n")

    def check_on(day: str) -> None:
        monkeypatch.setenv("TOSMON_NOW", f"{day}T09:00:00Z")
        result = run_cli("check")
        assert result.exit_code == 0, result.output

    check_on("2025-09-17")
    assert not mailbox.messages and not hook.requests
    page_server.set("/privacy", page((CASE / "after.md").read_text(encoding="utf-8")))
    check_on("2025-09-18")                                   # the day the clause appears
    [flagged] = mailbox.messages
    assert flagged["To"] == "dpo@example.org"
    assert flagged["Subject"] == "LinkedIn privacy-policy: new clause — AI training on your data, Opting out of AI use"
    text, html = parts(flagged)
    for fact in ("November 3, 2025", "2025-11-03", "in 46 days", OPT_OUT, "What changed",
                 "training content-generating AI models", "tosmon show 1", page_server.url("/privacy")):
        assert fact in text and fact in html, fact
    assert f'<a href="{OPT_OUT}">' in html
    [body] = [json.loads(r.body) for r in hook.requests]
    assert body["event"] == "clause.flagged" and body["change"]["clauses"]
    shown = json.loads(run_cli("show", "1", "--json").stdout)
    # the show --json object, its clause diff bounded (a 5 KB table row changed by four words does not fit)
    cut = body["change"].pop("clauses_truncated")
    assert cut == {"shown": 2, "total": 3, "change_id": 1, "fetch": "tosmon show 1 --json"}
    assert shown.pop("clauses_truncated") is None and len(json.dumps(body).encode()) < 20_000
    assert body["change"] == {**shown, "clauses": shown["clauses"][:2]}
    assert not push.requests                                 # phone wants reminders only
    ics = run_cli("export", "--format", "ics").stdout
    assert ics.count("BEGIN:VEVENT") == 1 and "DTSTART;VALUE=DATE:20251103" in ics   # one clause, one date
    assert "SUMMARY:LinkedIn: ai_training takes effect (November 3\\, 2025)" in ics

    for day in ("2025-10-19", "2025-10-20", "2025-10-20", "2025-10-25", "2025-10-31", "2025-11-02",
                "2025-11-02", "2025-11-03", "2025-11-10"):
        check_on(day)
    reminders = mailbox.messages[1:]
    assert [m["Subject"] for m in reminders] == [
        f"Reminder: LinkedIn privacy-policy: takes effect in {n} days (November 3, 2025)" for n in (14, 3)] + [
        "Reminder: LinkedIn privacy-policy: takes effect in 1 day (November 3, 2025)"]
    text, html = parts(reminders[0])
    assert "in 14 days" in text and OPT_OUT in text and "training content-generating AI models" in text
    hooks = [json.loads(r.body) for r in hook.requests[1:]]
    assert [(b["event"], b["date"]["days_left"]) for b in hooks] == [("deadline.approaching", n) for n in (14, 3, 1)]
    assert {b["date"]["date"] for b in hooks} == {"2025-11-03"} and all("clauses" not in b["change"] for b in hooks)
    assert set(hooks[0]) == {"event", "delivery_id", "flag", "date", "change"}
    pushed = [json.loads(r.body) for r in push.requests]
    assert [p["title"] for p in pushed] == [m["Subject"] for m in reminders]
    # every delivery delivered once, none left
    outbox = json.loads(run_cli("alerts", "--json").stdout)
    assert {d["status"] for d in outbox} == {"delivered"} and len(outbox) == 1 + 1 + 3 * 3

    check_readme_sample("email", normalised(f"Subject: {flagged['Subject']}\n\n{parts(flagged)[0]}"))
    check_readme_sample("json", normalised(json.dumps(hooks[0], ensure_ascii=False, indent=2)))


TERMS = "<html><body><main><h1>Terms</h1><p>{}</p><p>We may update these terms from time to time.</p></main></body></html>"
AI_CLAUSE = ("From 1 December 2025 we will use your posts to train our generative AI models. You can object until "
             "30 November 2025 in Settings > Privacy.")


def test_secrets_are_needed_only_to_send(tmp_path, page_server, write_watchlist, run_cli, make_receiver, monkeypatch):
    receiver = make_receiver()
    monkeypatch.delenv("HOOK_SECRET", raising=False)
    monkeypatch.delenv("TOSMON_NOTIFY_ME", raising=False)
    monkeypatch.setenv("TOSMON_NOW", "2025-11-01T09:00:00Z")
    page_server.set("/t", TERMS.format("These terms apply to every user."))
    write_watchlist(
        f"alerts:\n  webhooks:\n    - {{name: ops, url: '{receiver.url}', secret_env: HOOK_SECRET}}\n"
        "  channels:\n    - {name: me, url_env: TOSMON_NOTIFY_ME}\n"
        f"services:\n  example:\n    documents:\n      terms: {{url: '{page_server.url('/t')}'}}\n")
    valid = run_cli("validate")
    assert valid.exit_code == 0 and "1 webhooks, 1 channels" in valid.stdout
    assert "warning: " in valid.stderr and "HOOK_SECRET (secret) is not set" in valid.stderr
    assert "TOSMON_NOTIFY_ME (URL(s)) is not set" in valid.stderr
    strict = run_cli("validate", "--strict")
    assert strict.exit_code == 2 and "error: " in strict.stderr and "HOOK_SECRET" in strict.stderr

    assert run_cli("check").exit_code == 0
    page_server.set("/t", TERMS.format("These terms apply to every user.</p><p>" + AI_CLAUSE))
    checked = run_cli("check")
    assert checked.exit_code == 0 and "changed" in checked.stdout, checked.output
    assert not receiver.requests                                      # never unsigned
    outbox = json.loads(run_cli("alerts", "--json").stdout)
    assert {(d["webhook"], d["status"], d["attempts"], d["document"], d["change"]) for d in outbox} == {
        ("ops", "pending", 0, "example/terms", 1), ("me", "pending", 0, "example/terms", 1)}
    errors = {d["webhook"]: d["last_error"] for d in outbox}
    assert errors["ops"].startswith("waiting: webhook 'ops': secret variable HOOK_SECRET is not set")
    assert errors["me"].startswith("waiting: channel 'me': environment variable TOSMON_NOTIFY_ME is not set")
    table = run_cli("alerts").stdout
    assert "example/terms" in table and "#1" in table and "TARGET" in table

    waiting = run_cli("alerts", "retry")                                   # no secret: nothing sent, no error
    assert waiting.exit_code == 0 and "delivered 0" in waiting.stdout and "waiting 2" in waiting.stdout, waiting.output
    assert not receiver.requests
    declaration = tmp_path / "Example.json"
    declaration.write_text(json.dumps({"name": "Example Two", "terms": {"Terms of Service": {
        "fetch": page_server.url("/t"), "select": "main"}}}), encoding="utf-8")
    imported = run_cli("import-ota", str(declaration), "--write")           # editing needs no secret either
    assert imported.exit_code == 0, imported.output
    assert "example-two:" in (tmp_path / "watchlist.yaml").read_text(encoding="utf-8")

    hook_id = next(d["id"] for d in outbox if d["webhook"] == "ops")
    assert run_cli("alerts", "retry", "zzzz").exit_code == 2               # an unknown prefix is an error
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    retried = run_cli("alerts", "retry", hook_id[:6])                      # a unique prefix is enough
    assert retried.exit_code == 0 and retried.stdout.startswith("requeued 1;"), retried.output
    [request] = receiver.requests
    assert request.header("X-Tosmon-Delivery") == hook_id
    from monitor.alerts import verify
    assert verify("s3cret", request.header("X-Tosmon-Timestamp"), request.body,
                  request.header("X-Tosmon-Signature"), now=float(request.header("X-Tosmon-Timestamp")))
    body = json.loads(request.body)
    assert body["change"]["clauses"] == [{"kind": "added", "old": None, "new": AI_CLAUSE, "segments": []}]
    assert body["change"]["clauses_truncated"] is None

    monkeypatch.setenv("TOSMON_NOTIFY_ME", f"json://127.0.0.1:{receiver.port}/push")
    flushed = run_cli("alerts", "retry")                                   # no ids: everything pending, now
    assert flushed.stdout.startswith("requeued 2; delivered 2"), flushed.output   # ops's other event, and me
    pushed = [json.loads(r.body) for r in receiver.requests if b'"title"' in r.body]
    assert [p["title"] for p in pushed] == ["example terms: new clause — AI training on your data, Opting out of AI use"]


def test_daemon_killed_before_its_emails_and_reminder_go_out_sends_each_once(
        tmp_path, db_path, page_server, make_receiver, wait_for, count_rows):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys

    hook = make_receiver()
    box = Mailbox(port=free_port())                       # the SMTP server is down at first
    page_server.set("/t", TERMS.format("These terms apply to every user."))
    (tmp_path / "watchlist.yaml").write_text(
        "defaults:\n  interval: 1s\n"
        "alerts:\n  retry: {initial: 1s, max_interval: 2s, give_up_after: 90d}\n"
        "  channels:\n    - {name: me, url_env: TOSMON_NOTIFY_ME}\n"
        f"  webhooks:\n    - {{name: ops, url: '{hook.url}', events: [deadline.approaching]}}\n"
        f"services:\n  example:\n    documents:\n      terms: {{url: '{page_server.url('/t')}'}}\n")

    def rows() -> list[tuple[str, str, str, int]]:
        try:
            with sqlite3.connect(db_path) as conn:
                return conn.execute("SELECT id, webhook, event, attempts FROM deliveries").fetchall()
        except sqlite3.OperationalError:
            return []

    def run_until(day: str, done: Any, *, kill: bool) -> None:
        env = {**os.environ, "TOSMON_DB": str(db_path), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml"),
               "TOSMON_NOTIFY_ME": box.url(), "TOSMON_NOW": f"{day}T09:00:00Z"}
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "run"], env=env, cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            try:
                wait_for(done, timeout=60)
            except AssertionError:
                proc.kill()
                err = [ln for ln in proc.communicate(timeout=10)[1].splitlines() if "unchanged" not in ln]
                raise AssertionError(f"{day}: {rows()}\n" + "\n".join(err[-40:])) from None
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)

    def mail_tried(event: str) -> bool:
        return any(r[1] == "me" and r[2] == event and r[3] >= 1 for r in rows())

    # 18 September: the clause appears; the e-mail cannot go out; kill -9
    def changed() -> bool:
        if count_rows(db_path, "versions") == 1:
            page_server.set("/t", TERMS.format("These terms apply to every user.</p><p>" + CLAUSE_EN))
        return mail_tried("clause.flagged")

    run_until("2025-09-18", changed, kill=True)
    # 20 October, 14 days before: the reminder is queued, its e-mail cannot go out either; kill -9 again
    # (it waits behind the e-mail of 18 September, which fails again: one receiver down, one attempt a pass)
    run_until("2025-10-20", lambda: any(r[1:] == ("me", "deadline.approaching", 0) for r in rows())
              and any(r[1] == "me" and r[3] >= 2 for r in rows()), kill=True)
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:   # the SMTP server is back; the same day, a new process
        run_until("2025-10-20", lambda: len(box.messages) >= 2 and count_rows(db_path, "deliveries") == 3,
                  kill=False)
    finally:
        controller.stop()
    mine = {r[0] for r in rows() if r[1] == "me"}
    sent = [re.search(r"delivery ([0-9a-f-]{36})", parts(m)[0]).group(1) for m in box.messages]  # type: ignore[union-attr]
    assert sorted(sent) == sorted(mine) and len(sent) == 2                     # each e-mail exactly once
    assert [m["Subject"].split(":")[0] for m in box.messages] == ["example terms", "Reminder"]
    assert [json.loads(r.body)["date"]["days_left"] for r in hook.requests] == [14]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT key, lead_days FROM reminders").fetchall()[0][1] == 14
        assert conn.execute("SELECT count(*) FROM reminders").fetchone()[0] == 1
        assert conn.execute("SELECT count(DISTINCT status) FROM deliveries").fetchone()[0] == 1


CLAUSE_EN = ("From 3 November 2025, we will use your posts to train generative AI models that power our features. "
             "You can opt out in Settings.")
