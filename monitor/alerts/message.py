"""Messages for people, from a frozen alert body: a subject, an HTML e-mail and a plain-text message.

What a reader needs, in order: what was flagged, the dates with days left, how to opt out, the clause, the
diff, a link to the page. Every piece of page text is escaped for where it goes (HTML in e-mail; mentions
and links broken in plain text), so a page cannot mention @everyone, inject a link or format the message.

    subject(body), to_html(body, now=now), to_text(body, now=now)
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any

from monitor.models import Event
from monitor.timeutil import days_until

#: Flags and changed clauses shown in one message; the rest are counted, and `tosmon show` has them all.
MAX_FLAGS = 5
MAX_CLAUSES = 8
CLAUSE_CHARS = 1200
#: Unchanged characters kept on each side of an edit in a modified clause.
CONTEXT_CHARS = 80
LABELS = {"ai_training": "AI training on your data", "ai_opt_out": "Opting out of AI use",
          "ai_scraping_ban": "No AI scraping of the service", "ai_feature": "AI feature using your data",
          "ai_content_rules": "Rules for AI-generated content"}
ROLES = {"effective": "takes effect", "deadline": "deadline", "other": "date"}
_MENTION_RE = re.compile(r"([@＠])(everyone|here|channel|all)\b", re.IGNORECASE)
_SIGILS_RE = re.compile(r"<([!@#])")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def context(segments: list[list[Any]], keep: int = CONTEXT_CHARS) -> list[tuple[int, str]]:
    """A modified clause's word diff with long unchanged stretches cut to `keep` characters on each side of
    the edits, so a one-word change in a long table row reads as one line."""
    out = []
    last = len(segments) - 1
    for i, (op, text) in enumerate(segments):
        if op == 0 and len(text) > 2 * keep + 5:
            if i == 0:
                text = "… " + text[-keep:]
            elif i == last:
                text = text[:keep] + " …"
            else:
                text = text[:keep] + " … " + text[-keep:]
        out.append((int(op), str(text)))
    return out


def days_left(day: str, now: datetime) -> str:
    """`in 46 days`, `tomorrow`, `today`, `3 days ago`; empty for a bad date."""
    try:
        left = days_until(date.fromisoformat(day), now=now)
    except ValueError:
        return ""
    if left in (0, 1):
        return "today" if left == 0 else "tomorrow"
    return f"in {left} days" if left > 0 else f"{-left} day{'s' if left != -1 else ''} ago"


def plain(text: str) -> str:
    """Page text for a plain-text message: mentions (@everyone, <!channel>) and link syntax broken with a
    zero-width space, so that no chat service that renders the text turns them into pings or links."""
    text = _MENTION_RE.sub("\\1\u200b\\2", text)
    text = _SIGILS_RE.sub("<\u200b\\1", text)
    return text.replace("](", "]\u200b(")


def _url(value: Any) -> str | None:
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) and not any(c.isspace() for c in text) else None


def _flags(body: dict[str, Any]) -> list[dict[str, Any]]:
    if "flag" in body:
        return [body["flag"]]
    return list((body.get("change") or {}).get("flags") or [])


def _grouped(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flags of one clause (AI training and its opt-out, say) as one: categories joined, dates once each."""
    groups: dict[str, dict[str, Any]] = {}
    for flag in flags:
        clause = str(flag.get("clause", ""))
        group = groups.setdefault(clause, {"clause": clause, "categories": [], "scores": [], "dates": [],
                                           "opt_out": None})
        group["categories"].append(str(flag.get("category")))
        group["scores"].append(flag.get("score"))
        group["dates"] += [d for d in flag.get("dates") or [] if d not in group["dates"]]
        group["opt_out"] = group["opt_out"] or flag.get("opt_out")
    return list(groups.values())


def _label(group: dict[str, Any]) -> str:
    return " · ".join(LABELS.get(c, c) for c in group["categories"])


def _day(stamp: Any) -> str:
    """`2025-09-18T09:00:00Z` -> `18 September 2025`."""
    try:
        return f"{date.fromisoformat(str(stamp)[:10]):%-d %B %Y}"
    except ValueError:
        return str(stamp)


def subject(body: dict[str, Any]) -> str:
    """One line: the service and document, and what happened."""
    event = body.get("event")
    if "document" in body:
        doc = body["document"] or {}
        return f"{doc.get('id')} {'is failing' if event == Event.DOCUMENT_FAILING else 'recovered'}"
    change = body.get("change") or {}
    where = f"{change.get('service')} {str(change.get('document', '')).partition('/')[2] or change.get('document')}"
    if event == Event.DEADLINE_APPROACHING:
        d = body.get("date") or {}
        left = d.get("days_left")
        when = f"in {left} day{'s' if left != 1 else ''}" if isinstance(left, int) else d.get("date")
        return f"Reminder: {where}: {ROLES.get(d.get('role', ''), 'date')} {when} ({d.get('text')})"
    flags = _flags(body)
    if flags:
        labels = ", ".join(dict.fromkeys(LABELS.get(f.get("category", ""), str(f.get("category"))) for f in flags))
        return f"{where}: new clause — {labels}"
    return f"{where} changed (+{change.get('added', 0)} -{change.get('removed', 0)} ~{change.get('modified', 0)})"


# --- HTML ------------------------------------------------------------------------------------------------

_STYLE = {"add": "background:#e6ffec", "del": "background:#ffebe9;text-decoration:line-through",
          "quote": "border-left:3px solid #d0d7de;margin:8px 0;padding:4px 12px;color:#1f2328",
          "small": "color:#656d76;font-size:12px"}


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _html_dates(flag: dict[str, Any], now: datetime) -> str:
    items = []
    for d in flag.get("dates") or []:
        left = days_left(str(d.get("date", "")), now)
        items.append(f"<li><b>{_e(ROLES.get(d.get('role', ''), 'date')).capitalize()}</b>: {_e(d.get('text'))} "
                     f"({_e(d.get('date'))}){', <b>' + _e(left) + '</b>' if left else ''}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _html_opt_out(flag: dict[str, Any]) -> str:
    hint = flag.get("opt_out")
    if not hint:
        return ""
    url = _url(hint)
    shown = f'<a href="{_e(url)}">{_e(url)}</a>' if url else _e(clip(str(hint), 600))
    return f"<p><b>How to opt out:</b> {shown}</p>"


def _html_flag(group: dict[str, Any], now: datetime) -> str:
    return (f"<h3>{_e(_label(group))} <span style=\"{_STYLE['small']}\">({_e(', '.join(group['categories']))}"
            f")</span></h3>{_html_dates(group, now)}{_html_opt_out(group)}"
            f"<blockquote style=\"{_STYLE['quote']}\">{_e(clip(group['clause'], CLAUSE_CHARS))}</blockquote><br>")


def _html_clause(clause: dict[str, Any]) -> str:
    kind = clause.get("kind")
    if kind == "modified" and clause.get("segments"):
        parts = []
        for op, text in context(clause["segments"]):
            if op < 0:
                parts.append(f"<del style=\"{_STYLE['del']}\">{_e(text)}</del>")
            elif op > 0:
                parts.append(f"<ins style=\"{_STYLE['add']}\">{_e(text)}</ins>")
            else:
                parts.append(_e(text))
        return f"<p>~ {''.join(parts)}</p>"
    if kind == "removed":
        return f"<p style=\"{_STYLE['del']}\">− {_e(clip(str(clause.get('old') or ''), CLAUSE_CHARS))}</p>"
    return f"<p style=\"{_STYLE['add']}\">+ {_e(clip(str(clause.get('new') or ''), CLAUSE_CHARS))}</p>"


def _moved(change: dict[str, Any]) -> list[dict[str, Any]]:
    """The link targets inside the text that the change moved (at most MAX_CLAUSES)."""
    return [m for m in change.get("links") or [] if isinstance(m, dict)][:MAX_CLAUSES]


def _diff_items(change: dict[str, Any], flagged: set[str]) -> tuple[list[dict[str, Any]], int]:
    """The clauses to show (an added clause already quoted above is named, not repeated) and how many more
    the change has."""
    clauses = list(change.get("clauses") or [])[:MAX_CLAUSES]
    items = [{"kind": "flagged"} if c.get("kind") == "added" and c.get("new") in flagged else c for c in clauses]
    total = (change.get("clauses_truncated") or {}).get("total", len(change.get("clauses") or []))
    return items, max(int(total) - len(items), 0)


def _html_diff(change: dict[str, Any], flagged: set[str]) -> str:
    items, more = _diff_items(change, flagged)
    if not items:
        return ""
    out = ["<h3>What changed</h3>"] + [
        "<p>+ the clause quoted above</p>" if c["kind"] == "flagged" else _html_clause(c) for c in items]
    if more:
        out.append(f"<p>… and {more} more changed clause{'s' if more != 1 else ''}: "
                   f"tosmon show {_e(change.get('id'))}</p>")
    return "".join(out) + "<br>"


def to_html(body: dict[str, Any], *, now: datetime) -> str:
    """The e-mail body (apprise sends it with a plain-text part made from it)."""
    event = body.get("event")
    footer = (f"<br><p style=\"{_STYLE['small']}\">tosmon · {_e(event)} · delivery {_e(body.get('delivery_id'))}"
              "<br>You get this because the watchlist's alerts.channels list this address: remove the channel, "
              "or this event from its events, to stop.</p>")
    if "document" in body:
        doc = body["document"] or {}
        url = _url(doc.get("url"))
        return (f"<h2>{_e(subject(body))}</h2><p>Page: {_link(url, doc.get('url'))}</p>"
                + (f"<p>Reason: {_e(clip(str(doc['reason']), 500))}</p>" if doc.get("reason") else "")
                + (f"<p>Failing since {_e(doc['since'])}</p>" if doc.get("since") else "") + footer)
    change = body.get("change") or {}
    url = _url(change.get("url"))
    parts = [f"<h2>{_e(subject(body))}</h2>"]
    if event == Event.DEADLINE_APPROACHING:
        d = body.get("date") or {}
        parts.append(f"<p>The clause below, first seen on {_e(_day(change.get('detected_at')))}, "
                     f"{_e(ROLES.get(d.get('role', ''), 'date'))} on <b>{_e(d.get('text'))}</b>, "
                     f"<b>{_e(days_left(str(d.get('date', '')), now))}</b>.</p><br>")
    else:
        parts.append(f"<p>Seen on {_e(_day(change.get('detected_at')))} · version {_e(change.get('from_version'))}"
                     f" → {_e(change.get('to_version'))} · clauses +{_e(change.get('added'))} "
                     f"−{_e(change.get('removed'))} ~{_e(change.get('modified'))}</p><br>")
    groups = _grouped(_flags(body))
    parts += [_html_flag(g, now) for g in groups[:MAX_FLAGS]]
    if len(groups) > MAX_FLAGS:
        parts.append(f"<p>… and {len(groups) - MAX_FLAGS} more flagged clauses</p>")
    if event != Event.DEADLINE_APPROACHING:
        parts.append(_html_diff(change, {g["clause"] for g in groups[:MAX_FLAGS]}))
        parts += [f"<p>~ link “{_e(m.get('text'))}”: {_e(m.get('old'))} → {_e(m.get('new'))}</p>"
                  for m in _moved(change)]
    parts.append(f"<p>Read the page: {_link(url, change.get('url'))}<br>All details: tosmon show "
                 f"{_e(change.get('id'))}</p>")
    return "".join(parts) + footer


def _link(url: str | None, shown: Any) -> str:
    return f'<a href="{_e(url)}">{_e(url)}</a>' if url else _e(shown)


# --- plain text ------------------------------------------------------------------------------------------


def _text_clause(clause: dict[str, Any]) -> str:
    kind = clause.get("kind")
    if kind == "modified" and clause.get("segments"):
        words = "".join(text if op == 0 else f"[-{text}-]" if op < 0 else f"{{+{text}+}}"
                        for op, text in context(clause["segments"]))
        return "~ " + plain(clip(words, CLAUSE_CHARS))
    text = clause.get("old") if kind == "removed" else clause.get("new")
    return ("- " if kind == "removed" else "+ ") + plain(clip(str(text or ""), CLAUSE_CHARS))


def to_text(body: dict[str, Any], *, now: datetime) -> str:
    """The same message as plain text (chat and push channels)."""
    lines = [plain(subject(body)), ""]
    if "document" in body:
        doc = body["document"] or {}
        lines += [f"Page: {doc.get('url')}"] + ([f"Reason: {plain(clip(str(doc['reason']), 500))}"]
                                               if doc.get("reason") else [])
    else:
        change = body.get("change") or {}
        groups = _grouped(_flags(body))
        for group in groups[:MAX_FLAGS]:
            lines.append(_label(group))
            for d in group["dates"]:
                left = days_left(str(d.get("date", "")), now)
                lines.append(f"  {ROLES.get(d.get('role', ''), 'date')}: {plain(str(d.get('text')))} "
                             f"({d.get('date')}){', ' + left if left else ''}")
            if group["opt_out"]:
                lines.append(f"  how to opt out: {plain(clip(str(group['opt_out']), 600))}")
            lines += [f"  “{plain(clip(group['clause'], CLAUSE_CHARS))}”", ""]
        if body.get("event") != Event.DEADLINE_APPROACHING:
            items, more = _diff_items(change, {g["clause"] for g in groups[:MAX_FLAGS]})
            if items:
                lines += ["What changed:"] + ["+ the clause quoted above" if c["kind"] == "flagged"
                                              else _text_clause(c) for c in items]
                lines += [f"… and {more} more: tosmon show {change.get('id')}"] if more else []
                lines.append("")
            moved = [f"~ link “{plain(str(m.get('text')))}”: {plain(str(m.get('old')))} → "
                     f"{plain(str(m.get('new')))}" for m in _moved(change)]
            lines += ["Moved links:", *moved, ""] if moved else []
        lines.append(f"Page: {change.get('url')} · details: tosmon show {change.get('id')}")
    lines.append(f"tosmon · {body.get('event')} · delivery {body.get('delivery_id')}")
    return "\n".join(lines)
