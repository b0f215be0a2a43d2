"""What alerts carry and when: bounded clause diffs, reminder timing and idempotence, escaping of page text
in e-mail and chat bodies, the iCalendar export, apprise channel failures, the test clock."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor.alerts import FORMATS, enqueue_due, send_one
from monitor.alerts.message import plain, subject, to_html, to_text
from monitor.alerts.reminders import due_reminders
from monitor.errors import ConfigError, NotFound
from monitor.ics import fold, to_ics
from monitor.models import (
    AlertConfig,
    Category,
    Change,
    ChannelConfig,
    ClauseChange,
    ClauseDiff,
    ClauseKind,
    DateRole,
    DeliveryStatus,
    Event,
    Flag,
    FlagDate,
    RetryPolicy,
    WebhookConfig,
)
from monitor.store import Store
from monitor.timeutil import utc_now

DETECTED = datetime(2025, 9, 18, 9, 0, tzinfo=UTC)
CLAUSE = "From 3 November 2025, we will use your posts to train generative AI models. You can opt out in Settings."
EFFECTIVE = FlagDate(text="3 November 2025", date=date(2025, 11, 3), role=DateRole.EFFECTIVE)
FLAG = Flag(category=Category.AI_TRAINING, score=0.9, clause=CLAUSE, dates=(EFFECTIVE,), opt_out="Settings")
HOSTILE = ("@everyone <!channel> @here **bold** *it* _x_ ~s~ `code` <script>alert(1)</script> "
           "[click](https://evil.example) <http://evil.example|click> <@123> \n# Heading\n> quote")


def change(flags: tuple[Flag, ...] = (FLAG,), clauses: tuple[ClauseChange, ...] = (), *,
           detected: datetime = DETECTED) -> Change:
    diff = ClauseDiff(clauses=clauses)
    return Change(id=7, document_id="linkedin/privacy-policy", service_name="LinkedIn",
                  url="https://www.linkedin.com/legal/privacy-policy", detected_at=detected, from_version=1,
                  to_version=2, added=diff.added, removed=diff.removed, modified=diff.modified, flags=flags,
                  clauses=clauses)


# --- bounded clause diffs --------------------------------------------------------------------------------


def test_clause_diff_is_bounded_with_a_marker_naming_the_change() -> None:
    clauses = tuple(ClauseChange(kind=ClauseKind.ADDED, old=None, new=f"Clause {i}: " + "x" * 500) for i in range(40))
    full = change(clauses=clauses).to_json(clauses=True)
    assert len(full["clauses"]) == 40 and full["clauses_truncated"] is None
    bounded = change(clauses=clauses).to_json(clauses=True, max_clause_bytes=4000)
    assert 0 < len(bounded["clauses"]) < 40 and len(json.dumps(bounded["clauses"]).encode()) <= 4000
    assert bounded["clauses"] == full["clauses"][:len(bounded["clauses"])]
    assert bounded["clauses_truncated"] == {"shown": len(bounded["clauses"]), "total": 40, "change_id": 7,
                                            "fetch": "tosmon show 7 --json"}
    assert "clauses" not in change(clauses=clauses).to_json()        # the summary object has none


# --- reminders -------------------------------------------------------------------------------------------

LEADS = (timedelta(days=14), timedelta(days=3), timedelta(days=1))


def lead_on(day: str, item: Change | None = None) -> list[int]:
    item = item or change()
    moment = datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)
    return [r.lead_days for r in due_reminders([(item, item.flags[0])], LEADS, now=moment)]


@pytest.mark.parametrize("day,leads", [
    ("2025-10-19", []), ("2025-10-20", [14]), ("2025-10-25", [14]), ("2025-10-30", [14]), ("2025-10-31", [3]),
    ("2025-11-01", [3]), ("2025-11-02", [1]), ("2025-11-03", []), ("2025-12-01", [])])
def test_the_nearest_lead_time_that_has_come(day: str, leads: list[int]) -> None:
    assert lead_on(day) == leads


def test_no_reminder_on_or_before_the_day_the_flag_was_detected() -> None:
    late = change(detected=datetime(2025, 10, 25, tzinfo=UTC))      # 9 days before: the 14-day one is gone
    assert lead_on("2025-10-25", late) == [] and lead_on("2025-10-31", late) == [3]
    past = change(detected=datetime(2025, 11, 5, tzinfo=UTC))       # the date was past when flagged
    assert all(lead_on(d, past) == [] for d in ("2025-10-20", "2025-11-02"))
    on_the_day = change(detected=datetime(2025, 11, 2, tzinfo=UTC))  # 1-day lead falls on the detection day
    assert lead_on("2025-11-02", on_the_day) == []


def test_other_dates_get_no_reminder() -> None:
    other = Flag(category=Category.AI_TRAINING, score=0.9, clause=CLAUSE,
                 dates=(FlagDate(text="3 November 2025", date=date(2025, 11, 3), role=DateRole.OTHER),))
    assert lead_on("2025-10-20", change(flags=(other,))) == []


def stored(tmp_path: Path, *, latest: str) -> Store:
    """A store with one flagged change; the document's latest version is `latest`."""
    store = Store(tmp_path / "r.db")
    with store.atomic():
        store.ensure_document(id="linkedin/privacy-policy", service_name="LinkedIn", url="https://x.test",
                              now=DETECTED)
        store.add_version("linkedin/privacy-policy", text="Intro.", created_at=DETECTED, extractor="t")
        store.add_version("linkedin/privacy-policy", text="Intro.\n" + CLAUSE, created_at=DETECTED, extractor="t")
        diff = ClauseDiff(clauses=(ClauseChange(kind=ClauseKind.ADDED, old=None, new=CLAUSE),))
        flags = (FLAG, Flag(category=Category.AI_OPT_OUT, score=0.7, clause=CLAUSE, dates=(EFFECTIVE,)))
        store.add_change("linkedin/privacy-policy", from_version=1, to_version=2, detected_at=DETECTED, diff=diff,
                         flags=flags)
        if latest != "Intro.\n" + CLAUSE:
            store.add_version("linkedin/privacy-policy", text=latest, created_at=DETECTED, extractor="t")
    return store


ALERTS = AlertConfig(channels=(ChannelConfig(name="me", url_env="X"),),
                     webhooks=(WebhookConfig(name="ops", url="http://127.0.0.1:9/h"),
                               WebhookConfig(name="dead", url="http://127.0.0.1:9/h",
                                             events=(Event.DEADLINE_APPROACHING,))))


def test_enqueue_due_queues_each_reminder_once_per_clause_to_each_subscriber(tmp_path: Path) -> None:
    store = stored(tmp_path, latest="Intro.\n" + CLAUSE)
    try:
        day = datetime(2025, 10, 20, 9, tzinfo=UTC)
        assert len(store.current_flags()) == 2
        assert enqueue_due(store, ALERTS, day) == 1                  # two flags, one clause: one reminder
        assert enqueue_due(store, ALERTS, day + timedelta(hours=5)) == 0
        assert enqueue_due(store, ALERTS, day + timedelta(days=11)) == 1   # the 3-day one
        deliveries = store.deliveries()
        assert sorted(d.webhook for d in deliveries) == ["dead", "dead", "me", "me"]   # not ops: not subscribed
        body = json.loads(deliveries[-1].payload)
        assert body["date"] == {"text": "3 November 2025", "date": "2025-11-03", "role": "effective",
                                "days_left": 14}
        assert body["flag"]["category"] == "ai_training" and "clauses" not in body["change"]
        assert enqueue_due(store, AlertConfig(), day) == 0            # nobody wants them: nothing recorded
    finally:
        store.close()


def test_a_clause_gone_from_the_latest_version_is_not_current(tmp_path: Path) -> None:
    store = stored(tmp_path, latest="Intro.\nWe no longer train on your posts.")
    try:
        assert store.current_flags() == [] and len(store.flagged()) == 2
        assert enqueue_due(store, ALERTS, datetime(2025, 10, 20, 9, tzinfo=UTC)) == 0
        assert "BEGIN:VEVENT" not in to_ics(store.current_flags(), now=DETECTED)
    finally:
        store.close()


def test_delivery_ids_by_unique_prefix(tmp_path: Path) -> None:
    store = stored(tmp_path, latest="Intro.\n" + CLAUSE)
    try:
        enqueue_due(store, ALERTS, datetime(2025, 10, 20, 9, tzinfo=UTC))
        ids = [d.id for d in store.deliveries()]
        assert store.delivery_ids([ids[0][:8]]) == [ids[0]]
        with pytest.raises(NotFound, match="more than one delivery"):
            store.delivery_ids([""])
        with pytest.raises(NotFound, match="no delivery zz"):
            store.delivery_ids(["zz"])
    finally:
        store.close()


# --- escaping --------------------------------------------------------------------------------------------


def hostile_body(event: Event = Event.CLAUSE_FLAGGED) -> dict:
    flag = Flag(category=Category.AI_TRAINING, score=0.9, clause=HOSTILE, dates=(EFFECTIVE,),
                opt_out="javascript:alert(1)")
    item = change(flags=(flag,), clauses=(ClauseChange(kind=ClauseKind.ADDED, old=None, new=HOSTILE),))
    return {"event": str(event), "delivery_id": "d-1", "change": item.to_json(clauses=True)}


def test_email_html_escapes_page_text_and_links_only_http() -> None:
    html = to_html(hostile_body(), now=DETECTED)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and "https://evil.example\"" not in html
    assert '<a href="https://www.linkedin.com/legal/privacy-policy">' in html
    assert "in 46 days" in html


def test_plain_text_breaks_mentions_and_links() -> None:
    text = to_text(hostile_body(), now=DETECTED)
    for raw in ("@everyone", "@here", "<!channel>", "](https", "<@123>"):
        assert raw not in text, raw
    assert "@\u200beveryone" in text and plain("[a](b)") == "[a]\u200b(b)"


def slack_texts(message: dict) -> str:
    return "\n".join(block["text"]["text"] for block in message["blocks"] if "text" in block)


def test_slack_page_text_cannot_mention_link_or_format() -> None:
    body = hostile_body()
    message = json.loads(FORMATS["slack"](body, change(flags=(), clauses=()), now=DETECTED))
    flag_block = next(b["text"]["text"] for b in message["blocks"] if "alert(1)" in b["text"].get("text", ""))
    for raw in ("<!channel>", "<http://evil", "@everyone", "@here", "**bold**", "*it*", "_x_", "~s~", "`code`"):
        assert raw not in flag_block, raw
    assert "&lt;!channel&gt;" in flag_block and "∗∗bold∗∗" in flag_block


def test_discord_page_text_cannot_mention_link_or_format() -> None:
    body = hostile_body()
    message = json.loads(FORMATS["discord"](body, None, now=DETECTED))
    description = message["embeds"][0]["description"]
    assert message["allowed_mentions"] == {"parse": []}
    assert "\\# Heading" in description and "\n# " not in description
    assert "\\<@123\\>" in description and "\\[click\\]" in description and "\\*\\*bold\\*\\*" in description
    assert "@everyone" not in description and "@\u200beveryone" in description


# --- iCalendar -------------------------------------------------------------------------------------------


def test_ics_is_valid_icalendar_with_stable_uids() -> None:
    icalendar = pytest.importorskip("icalendar")
    long_clause = "À compter du 3 novembre 2025, nous utiliserons vos publications; vous pouvez, " * 4 + "fin."
    deadline = FlagDate(text="2 novembre", date=date(2025, 11, 2), role=DateRole.DEADLINE)
    gone = FlagDate(text="1 septembre 2025", date=date(2025, 9, 1), role=DateRole.EFFECTIVE)
    flag = Flag(category=Category.AI_OPT_OUT, score=0.8, clause=long_clause, dates=(EFFECTIVE, deadline, gone),
                opt_out="Préférences > Confidentialité")
    pairs = [(change(flags=(flag,)), flag)]
    first = to_ics(pairs, now=DETECTED)
    assert first.endswith("\r\n") and "\n" not in first.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in first.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(first)
    events = calendar.walk("VEVENT")
    assert sorted(e.decoded("DTSTART") for e in events) == [date(2025, 11, 2), date(2025, 11, 3)]  # not the past one
    assert str(events[0]["DESCRIPTION"]).startswith(long_clause)          # escaping and folding undone exactly
    assert "Préférences > Confidentialité" in str(events[0]["DESCRIPTION"])
    later = to_ics(pairs, now=DETECTED + timedelta(days=3))
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(later).walk("VEVENT")] == [
        str(e["UID"]) for e in events]


def test_fold_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    pieces = fold(line).split("\r\n ")
    assert "".join(pieces) == line and all(len(p.encode()) <= 75 for p in pieces)


# --- apprise channels ------------------------------------------------------------------------------------


def queued(tmp_path: Path) -> tuple[Store, object]:
    store = Store(tmp_path / "c.db")
    store.ensure_document(id="linkedin/privacy-policy", service_name="LinkedIn", url="https://x.test", now=DETECTED)
    store.add_delivery(webhook="me", event=Event.CLAUSE_FLAGGED, payload={"change": change().to_json(clauses=True)},
                       now=DETECTED, document_id="linkedin/privacy-policy")
    return store, store.deliveries()[0]


POLICY = RetryPolicy(initial=timedelta(seconds=1), max_interval=timedelta(seconds=2), give_up_after=timedelta(days=1))


def test_apprise_failure_is_retried_and_never_shows_the_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:          # a port nobody listens on: the SMTP server is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store, delivery = queued(tmp_path)
    url = f"mailto://tosmon:hunter2@127.0.0.1:{port}/?to=me@example.org&from=tosmon@example.org"
    try:
        with httpx.Client() as client:
            result = send_one(store, delivery, [ChannelConfig(name="me", url_env="U")], POLICY, client=client,
                              now=lambda: DETECTED, environ={"U": url}, rng=random.Random(0))
        assert result.status is DeliveryStatus.PENDING and result.attempts == 1 and result.next_attempt_at
        assert result.last_error and result.last_error.startswith("channel 'me' URL 1 (mailto://): ")
        assert "hunter2" not in result.last_error
    finally:
        store.close()


def test_a_url_apprise_does_not_know_fails_for_good(tmp_path: Path) -> None:
    store, delivery = queued(tmp_path)
    try:
        with httpx.Client() as client:
            result = send_one(store, delivery, [ChannelConfig(name="me", url_env="U")], POLICY, client=client,
                              now=lambda: DETECTED, environ={"U": "nosuchservice://token@x"})
        assert result.status is DeliveryStatus.FAILED
        assert result.last_error == "channel 'me' URL 1 (nosuchservice://): apprise does not understand this URL"
    finally:
        store.close()


# --- the test clock --------------------------------------------------------------------------------------


def test_tosmon_now_moves_the_clock_which_then_runs_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOSMON_NOW", raising=False)
    utc_now()                                        # unset: the next value starts a fresh offset
    monkeypatch.setenv("TOSMON_NOW", "2025-10-20T09:00:00Z")
    first = utc_now()
    assert abs(first - datetime(2025, 10, 20, 9, tzinfo=UTC)) < timedelta(seconds=5)
    assert utc_now() >= first
    monkeypatch.setenv("TOSMON_NOW", "soon")
    with pytest.raises(ConfigError, match="TOSMON_NOW='soon' is not an ISO 8601 time"):
        utc_now()
    monkeypatch.delenv("TOSMON_NOW")
    assert utc_now().year >= 2026


def test_document_events_and_deadlines_read_well() -> None:
    failing = {"event": "document.failing", "delivery_id": "d-2",
               "document": {"id": "x/terms", "url": "https://x.test/terms", "reason": "HTTP 404 <b>Not Found</b>",
                            "since": "2025-09-17T10:00:00Z"}}
    html, text = to_html(failing, now=DETECTED), to_text(failing, now=DETECTED)
    assert "x/terms is failing" in html and "&lt;b&gt;Not Found" in html and "Reason: HTTP 404" in text
    deadline = FlagDate(text="2 November", date=date(2025, 11, 2), role=DateRole.DEADLINE)
    flag = Flag(category=Category.AI_OPT_OUT, score=0.8, clause=CLAUSE, dates=(deadline,), opt_out="Settings")
    body = {"event": "deadline.approaching", "delivery_id": "d-3", "flag": flag.to_json(),
            "date": {**deadline.to_json(), "days_left": 1}, "change": change(flags=(flag,)).to_json()}
    assert subject(body) == "Reminder: LinkedIn privacy-policy: deadline in 1 day (2 November)"
    assert "tomorrow" in to_text(body, now=datetime(2025, 11, 1, 9, tzinfo=UTC))


@pytest.mark.parametrize("fmt", ["slack", "discord"])
def test_chat_reminders_say_which_date_and_how_soon(fmt: str) -> None:
    other = Flag(category=Category.AI_FEATURE, score=0.6, clause="Our assistant summarises your messages.")
    body = {"event": "deadline.approaching", "delivery_id": "d-4", "flag": FLAG.to_json(),
            "date": {**EFFECTIVE.to_json(), "days_left": 3}, "change": change(flags=(FLAG, other)).to_json()}
    message = json.loads(FORMATS[fmt](body, None, now=datetime(2025, 10, 31, 9, tzinfo=UTC)))
    text = json.dumps(message, ensure_ascii=False)
    assert "LinkedIn: linkedin/privacy-policy effective in 3 days (3 November 2025)" in text
    assert "in 3 days" in text and "summarises your messages" not in text      # only the reminded flag
