"""Webhook body formats: a registry of renderers, name -> callable (docstring = description).

Each renderer takes the frozen design.md body (`{"event", "delivery_id", "change" | "document"}`), the stored
`Change` when there is one (its clauses feed the diff excerpt) and the time of the attempt (for days left),
and returns the bytes to POST. The facts come from the frozen body, so every retry says the same thing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from monitor.models import Change, ClauseKind, Event
from monitor.timeutil import days_until

Renderer = Callable[..., bytes]

#: Flagged clauses shown in one message; the rest are counted.
MAX_FLAGS = 5
#: Changed clauses shown in the diff excerpt.
EXCERPT_CLAUSES = 3
CLAUSE_CHARS = 280
EXCERPT_CHARS = 300
#: Platform limits (Slack section text, header; Discord embed parts and the sum of an embed).
SLACK_TEXT_LIMIT = 3000
SLACK_HEADER_LIMIT = 150
DISCORD_CONTENT_LIMIT = 2000
DISCORD_TITLE_LIMIT = 256
DISCORD_DESCRIPTION_LIMIT = 4096
DISCORD_FOOTER_LIMIT = 2048
DISCORD_EMBED_TOTAL = 6000
COLOR_FLAGGED, COLOR_CHANGED, COLOR_FAILING, COLOR_RECOVERED = 0xD93F0B, 0x1F6FEB, 0xB60205, 0x2DA44E


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def _compact(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render_json(body: dict[str, Any], change: Change | None = None, *, now: datetime) -> bytes:
    """The design.md body, byte for byte as stored in the outbox (compact JSON, UTF-8)."""
    return _compact(body)


# --- the facts every chat message shows ------------------------------------------------------------------


def _counts(change: dict[str, Any]) -> str:
    return f"+{change.get('added', 0)} -{change.get('removed', 0)} ~{change.get('modified', 0)}"


def _days(day: str, now: datetime) -> str:
    try:
        left = days_until(date.fromisoformat(day), now=now)
    except ValueError:
        return ""
    if left == 0:
        return "today"
    unit = "day" if abs(left) == 1 else "days"
    return f"in {left} {unit}" if left > 0 else f"{-left} {unit} ago"


def _date_lines(flag: dict[str, Any], now: datetime) -> list[str]:
    lines = []
    for d in flag.get("dates") or []:
        when = _days(str(d.get("date", "")), now)
        suffix = f", {when}" if when else ""
        lines.append(f"{d.get('role', 'other')}: {d.get('date')} ({d.get('text')}){suffix}")
    return lines


def _excerpt(change: Change | None) -> list[str]:
    """The first few added or modified clauses (removed ones when nothing was added), as `+`/`~`/`-` lines."""
    if change is None:
        return []
    shown = [c for c in change.clauses if c.kind is not ClauseKind.REMOVED][:EXCERPT_CLAUSES]
    if not shown:
        shown = list(change.clauses[:EXCERPT_CLAUSES])
    marks = {ClauseKind.ADDED: "+", ClauseKind.MODIFIED: "~", ClauseKind.REMOVED: "-"}
    lines = [f"{marks[c.kind]} {clip(c.text, EXCERPT_CHARS)}" for c in shown]
    more = len(change.clauses) - len(shown)
    if more > 0:
        lines.append(f"… and {more} more changed clause{'s' if more != 1 else ''}")
    return lines


def _flags_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The flags a message is about: a reminder's one flag, or every flag of the change."""
    if "flag" in body:
        return [body["flag"]]
    return list((body.get("change") or {}).get("flags") or [])


def _headline(body: dict[str, Any]) -> str:
    event = body.get("event")
    if event == Event.DEADLINE_APPROACHING:
        c, d = body.get("change") or {}, body.get("date") or {}
        left = d.get("days_left")
        when = f"in {left} day{'s' if left != 1 else ''}" if isinstance(left, int) else str(d.get("date"))
        return f"{c.get('service')}: {c.get('document')} {d.get('role', 'date')} {when} ({d.get('text')})"
    if "change" in body:
        c = body["change"]
        flags = len(c.get("flags") or [])
        what = f"{flags} AI clause{'s' if flags != 1 else ''} flagged" if flags else "changed"
        return f"{c.get('service')}: {c.get('document')} {what} ({_counts(c)})"
    doc = body.get("document") or {}
    state = "is failing" if event == Event.DOCUMENT_FAILING else "recovered"
    return f"{doc.get('id')} {state}"


def _document_lines(doc: dict[str, Any]) -> list[str]:
    lines = [f"URL: {doc.get('url')}"]
    if doc.get("reason"):
        lines.append(f"Reason: {clip(str(doc['reason']), 500)}")
    if doc.get("since"):
        lines.append(f"Failing since: {doc['since']}")
    return lines


# --- Slack ---------------------------------------------------------------------------------------------


_MENTION_RE = re.compile(r"([@＠])(everyone|here|channel|all)\b", re.IGNORECASE)
#: mrkdwn's formatting characters, replaced by look-alikes in page text (Slack has no backslash escape).
_URL_RE = re.compile(r"(https?://[^\s&]+)")
_SLACK_LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def _unmention(text: str) -> str:
    """`@everyone`, `@here`, `@channel` broken by a zero-width space: shown, never a mention."""
    return _MENTION_RE.sub("\\1\u200b\\2", text)


def _slack_entities(text: str) -> str:
    """`&<>` escaped (no `<!channel>`, no `<url|link>`) and mentions broken: enough inside a code block."""
    return _unmention(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _slack_escape(text: str) -> str:
    """Page text for mrkdwn: `&<>` escaped (no `<!channel>`, no `<url|link>`), formatting characters
    replaced by look-alikes, mentions broken."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    parts = _URL_RE.split(text)   # odd items are URLs: an opt-out link must stay the same link
    return _unmention("".join(p if i % 2 else p.translate(_SLACK_LOOKALIKES) for i, p in enumerate(parts)))


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_TEXT_LIMIT)}}


def _flag_text(flag: dict[str, Any], now: datetime, *, bold: str, escape: Callable[[str], str],
               opt_out_chars: int) -> str:
    """One flag as a short message paragraph: category, score, clause, dates with days left, opt-out."""
    lines = [f"{bold}{flag.get('category')}{bold} ({flag.get('score')}): "
             f"{escape(clip(str(flag.get('clause', '')), CLAUSE_CHARS))}"]
    lines += [f"• {escape(line)}" for line in _date_lines(flag, now)]
    if flag.get("opt_out"):
        lines.append(f"• opt out: {escape(clip(str(flag['opt_out']), opt_out_chars))}")
    return "\n".join(lines)


def _slack_flags(flags: list[dict[str, Any]], now: datetime) -> Iterable[dict[str, Any]]:
    for flag in flags[:MAX_FLAGS]:
        yield _section(_flag_text(flag, now, bold="*", escape=_slack_escape, opt_out_chars=500))
    if len(flags) > MAX_FLAGS:
        yield _section(f"… and {len(flags) - MAX_FLAGS} more flagged clauses")


def render_slack(body: dict[str, Any], change: Change | None = None, *, now: datetime) -> bytes:
    """A Slack incoming-webhook message: `text` fallback plus `blocks` (service, document, counts, flagged
    clauses with category, dates and days left, opt-out hint, a diff excerpt and the document URL)."""
    headline = _headline(body)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(headline, SLACK_HEADER_LIMIT)}}]
    if "change" in body:
        c = body["change"]
        blocks.append(_section(
            f"*{_slack_escape(str(c.get('service')))}* · "
            f"<{c.get('url')}|{_slack_escape(str(c.get('document')))}>\n"
            f"Clauses: {_counts(c)} · versions {c.get('from_version')} → {c.get('to_version')} · "
            f"detected {c.get('detected_at')} · `tosmon show {c.get('id')}`"))
        blocks += _slack_flags(_flags_of(body), now)
        excerpt = _excerpt(change)
        if excerpt:
            text = clip(_slack_entities("\n".join(excerpt)).replace("`", "'"), SLACK_TEXT_LIMIT - 40)
            blocks.append(_section(f"*Diff excerpt*\n```{text}```"))
    else:
        blocks.append(_section(_slack_escape("\n".join(_document_lines(body.get("document") or {})))))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"tosmon · {body.get('event')} · delivery {body.get('delivery_id')}"}]})
    message = {"text": clip(_slack_entities(headline), SLACK_TEXT_LIMIT), "blocks": blocks,
               "unfurl_links": False, "unfurl_media": False}
    return _compact(message)


# --- Discord -------------------------------------------------------------------------------------------


def _discord_escape(text: str) -> str:
    """Page text for Discord markdown: every formatting character backslash-escaped (bold, italics, code,
    spoilers, quotes, masked links, headings, `<@id>`/`<#id>`/`<t:...>` tags), mentions broken."""
    for ch in "\\*_~`|>[]#<":
        text = text.replace(ch, "\\" + ch)
    return _unmention(text)


def _discord_description(body: dict[str, Any], change: Change | None, now: datetime) -> str:
    if "change" not in body:
        return _discord_escape("\n".join(_document_lines(body.get("document") or {})))
    c = body["change"]
    parts = [f"**{_discord_escape(str(c.get('service')))}** · {_discord_escape(str(c.get('document')))}\n"
             f"Clauses: {_counts(c)} · versions {c.get('from_version')} → {c.get('to_version')} · "
             f"detected {c.get('detected_at')} · `tosmon show {c.get('id')}`"]
    flags = _flags_of(body)
    for flag in flags[:MAX_FLAGS]:
        parts.append(_flag_text(flag, now, bold="**", escape=_discord_escape, opt_out_chars=400))
    if len(flags) > MAX_FLAGS:
        parts.append(f"… and {len(flags) - MAX_FLAGS} more flagged clauses")
    excerpt = _excerpt(change)
    if excerpt:
        used = sum(len(p) + 2 for p in parts)
        room = max(DISCORD_DESCRIPTION_LIMIT - used - 40, 200)
        parts.append("**Diff excerpt**\n```\n" + clip("\n".join(excerpt), room).replace("`", "'") + "\n```")
    return "\n\n".join(parts)


def render_discord(body: dict[str, Any], change: Change | None = None, *, now: datetime) -> bytes:
    """A Discord webhook message: `content` plus one embed with the same facts as the Slack message.
    Mentions are disabled, so clause text can never ping anyone."""
    event = body.get("event")
    headline = _headline(body)
    if "change" in body:
        url = body["change"].get("url")
        color = COLOR_FLAGGED if body["change"].get("flags") else COLOR_CHANGED
    else:
        url = (body.get("document") or {}).get("url")
        color = COLOR_FAILING if event == Event.DOCUMENT_FAILING else COLOR_RECOVERED
    footer = f"tosmon · {event} · delivery {body.get('delivery_id')}"
    title = clip(headline, DISCORD_TITLE_LIMIT)
    room = DISCORD_EMBED_TOTAL - len(title) - len(footer) - 10
    embed: dict[str, Any] = {
        "title": title,
        "description": clip(_discord_description(body, change, now), min(DISCORD_DESCRIPTION_LIMIT, room)),
        "color": color,
        "footer": {"text": clip(footer, DISCORD_FOOTER_LIMIT)},
    }
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        embed["url"] = url
    message = {"content": clip(_discord_escape(headline), DISCORD_CONTENT_LIMIT), "embeds": [embed],
               "allowed_mentions": {"parse": []}}
    return _compact(message)


#: Format name -> renderer; the keys are `models.WEBHOOK_FORMATS`.
FORMATS: dict[str, Renderer] = {"json": render_json, "slack": render_slack, "discord": render_discord}
