"""Webhook body formats: json is the stored body; slack and discord carry every fact, within platform
limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.alerts import FORMATS
from monitor.alerts.formats import DISCORD_DESCRIPTION_LIMIT, DISCORD_EMBED_TOTAL, SLACK_TEXT_LIMIT
from monitor.models import (
    WEBHOOK_FORMATS,
    Category,
    Change,
    ClauseChange,
    ClauseDiff,
    ClauseKind,
    DateRole,
    Event,
    Flag,
    FlagDate,
)
from monitor.store import Store

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
CLAUSE = ("From 3 November 2025, we will use your posts to train generative AI models that power LinkedIn "
          "features. You can opt out in Settings.")
FLAG = Flag(category=Category.AI_TRAINING, score=0.93, clause=CLAUSE, language="en",
            dates=(FlagDate(text="3 November 2025", date=date(2025, 11, 3), role=DateRole.EFFECTIVE),),
            opt_out="Settings & Privacy > Data privacy > Data for Generative AI Improvement")


def make_change(clauses: tuple[ClauseChange, ...] | None = None, flags: tuple[Flag, ...] = (FLAG,)) -> Change:
    if clauses is None:
        clauses = (ClauseChange(kind=ClauseKind.ADDED, old=None, new=CLAUSE),
                   ClauseChange(kind=ClauseKind.MODIFIED, old="We keep data for 30 days.",
                                new="We keep data for <90> days & more."),
                   ClauseChange(kind=ClauseKind.REMOVED, old="An old clause.", new=None))
    diff = ClauseDiff(clauses=clauses)
    return Change(id=12, document_id="linkedin/privacy-policy", service_name="LinkedIn",
                  url="https://www.linkedin.com/legal/privacy-policy", detected_at=NOW, from_version=3,
                  to_version=4, added=diff.added, removed=diff.removed, modified=diff.modified, flags=flags,
                  clauses=clauses)


def change_body(change: Change, event: Event = Event.CLAUSE_FLAGGED) -> dict[str, Any]:
    return {"event": str(event), "delivery_id": "d-1", "change": change.to_json()}


DOC_BODY = {"event": "document.failing", "delivery_id": "d-2",
            "document": {"id": "linkedin/terms", "url": "https://example.com/terms",
                         "reason": "https://example.com/terms: HTTP 404 Not Found",
                         "since": "2025-09-17T10:00:00Z"}}


def slack_text(message: dict[str, Any]) -> str:
    parts = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e["text"] for e in block.get("elements", [])]
    return "\n".join(parts)


def discord_text(message: dict[str, Any]) -> str:
    embed = message["embeds"][0]
    return "\n".join([message["content"], embed["title"], embed["description"], embed["footer"]["text"]])


def test_registry_names_are_the_configurable_formats() -> None:
    assert tuple(FORMATS) == WEBHOOK_FORMATS


def test_json_is_the_stored_body_byte_for_byte(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    try:
        store.ensure_document(id="linkedin/privacy-policy", service_name="LinkedIn", url="https://x.test",
                              now=NOW)
        change = make_change()
        store.add_delivery(webhook="ops", event=Event.CLAUSE_FLAGGED, payload={"change": change.to_json()},
                           now=NOW)
        payload = store.deliveries()[0].payload
    finally:
        store.close()
    assert FORMATS["json"](json.loads(payload), change, now=NOW) == payload.encode("utf-8")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@given(st.dictionaries(st.text(), JSON_VALUES, max_size=5))
def test_json_reencodes_any_compact_body_identically(body: dict[str, Any]) -> None:
    stored = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    assert FORMATS["json"](json.loads(stored), None, now=NOW) == stored.encode("utf-8")


@pytest.mark.parametrize("fmt,text_of", [("slack", slack_text), ("discord", discord_text)])
def test_chat_formats_carry_every_fact(fmt: str, text_of: Any) -> None:
    change = make_change()
    message = json.loads(FORMATS[fmt](change_body(change), change, now=NOW))
    text = text_of(message)
    for fact in ("LinkedIn", "linkedin/privacy-policy", "+1 -1 ~1", "ai_training", "2025-11-03", "effective",
                 "in 46 days", "Data for Generative AI Improvement", "tosmon show 12", "train generative AI"):
        assert fact in text.replace("\\", ""), (fmt, fact)
    assert "https://www.linkedin.com/legal/privacy-policy" in json.dumps(message)
    # the excerpt: added and modified clauses first
    assert "+ From 3 November 2025" in text and "~ We keep data for" in text


def test_slack_escapes_control_characters_and_is_valid_block_kit() -> None:
    change = make_change()
    message = json.loads(FORMATS["slack"](change_body(change), change, now=NOW))
    assert {"text", "blocks"} <= set(message)
    assert message["blocks"][0]["type"] == "header"
    text = slack_text(message)
    assert "&lt;90&gt; days &amp; more" in text and "<90>" not in text
    assert "Settings &amp; Privacy &gt; Data privacy" in text


def test_discord_disables_mentions() -> None:
    change = make_change(clauses=(ClauseChange(kind=ClauseKind.ADDED, old=None, new="@everyone look"),))
    message = json.loads(FORMATS["discord"](change_body(change), change, now=NOW))
    assert message["allowed_mentions"] == {"parse": []}
    assert message["embeds"][0]["url"] == "https://www.linkedin.com/legal/privacy-policy"


@pytest.mark.parametrize("fmt", ["slack", "discord"])
def test_days_left_follow_the_attempt_time(fmt: str) -> None:
    change = make_change()
    later = json.loads(FORMATS[fmt](change_body(change), change, now=datetime(2025, 11, 3, 9, tzinfo=UTC)))
    past = json.loads(FORMATS[fmt](change_body(change), change, now=datetime(2025, 11, 5, 9, tzinfo=UTC)))
    assert "today" in json.dumps(later) and "2 days ago" in json.dumps(past)


@pytest.mark.parametrize("fmt", ["slack", "discord"])
def test_without_the_stored_change_the_body_still_says_everything_but_the_excerpt(fmt: str) -> None:
    message = FORMATS[fmt](change_body(make_change()), None, now=NOW).decode()
    assert "ai_training" in message and "in 46 days" in message and "Diff excerpt" not in message


@pytest.mark.parametrize("fmt,text_of", [("slack", slack_text), ("discord", discord_text)])
def test_document_events_render_the_reason(fmt: str, text_of: Any) -> None:
    message = json.loads(FORMATS[fmt](DOC_BODY, None, now=NOW))
    text = text_of(message).replace("\\", "")
    assert "linkedin/terms is failing" in text and "HTTP 404 Not Found" in text and "2025-09-17" in text
    recovered = {**DOC_BODY, "event": "document.recovered",
                 "document": {**DOC_BODY["document"], "reason": None, "since": None}}
    assert "linkedin/terms recovered" in text_of(json.loads(FORMATS[fmt](recovered, None, now=NOW)))


def huge_change() -> Change:
    big = "word " * 5000
    clauses = tuple(ClauseChange(kind=ClauseKind.ADDED, old=None, new=f"{i} {big}") for i in range(40))
    flag = Flag(category=Category.AI_TRAINING, score=0.9, clause=big, opt_out=big,
                dates=tuple(FlagDate(text=big[:200], date=date(2026, 1, i + 1), role=DateRole.DEADLINE)
                            for i in range(20)))
    return make_change(clauses=clauses, flags=(flag,) * 30)


def test_slack_sizes_stay_within_limits() -> None:
    change = huge_change()
    message = json.loads(FORMATS["slack"](change_body(change), change, now=NOW))
    assert len(message["blocks"]) <= 50
    assert len(message["blocks"][0]["text"]["text"]) <= 150
    for block in message["blocks"]:
        if "text" in block:
            assert len(block["text"]["text"]) <= SLACK_TEXT_LIMIT
    assert len(message["text"]) <= SLACK_TEXT_LIMIT
    assert "more flagged clauses" in slack_text(message) and "more changed clauses" in slack_text(message)
    assert len(json.dumps(message)) < 40_000


def test_discord_sizes_stay_within_limits() -> None:
    change = huge_change()
    message = json.loads(FORMATS["discord"](change_body(change), change, now=NOW))
    embed = message["embeds"][0]
    assert len(message["content"]) <= 2000 and len(embed["title"]) <= 256
    assert len(embed["description"]) <= DISCORD_DESCRIPTION_LIMIT
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    assert total <= DISCORD_EMBED_TOTAL
