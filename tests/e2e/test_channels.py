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
