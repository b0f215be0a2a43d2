"""Human-readable text for the CLI: change-log lines, diffs, flags, tables. Pure functions returning str;
colour is applied only when `color=True` (the CLI decides, from the terminal, --no-color and NO_COLOR).
Text that comes from pages (clauses, dates, opt-out hints, URLs, errors) passes through
`monitor.sanitize.printable` here, piped or not: stored text can never move the cursor or retitle a terminal."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from monitor.models import (
    Category,
    Change,
    ClauseChange,
    ClauseDiff,
    ClauseKind,
    DateRole,
    Delivery,
    DocumentState,
    Flag,
    FlagDate,
    FollowedState,
    SearchHit,
    VersionInfo,
)
from monitor.sanitize import printable as _p
from monitor.timeutil import days_until, iso_z

#: Characters of a long clause shown around the first match of a search.
SEARCH_WINDOW = 240
_ANSI = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36", "bold": "1",
         "dim": "2"}


def paint(text: str, style: str, *, color: bool) -> str:
    """Wrap text in an ANSI style when colour is on."""
    if not color or not text:
        return text
    codes = ";".join(_ANSI[s] for s in style.split())
    return f"\x1b[{codes}m{text}\x1b[0m"


def key_date(flag: Flag) -> FlagDate | None:
    """The date that matters most for a flag: the deadline for an opt-out, else the effective date."""
    order = ((DateRole.DEADLINE, DateRole.EFFECTIVE) if flag.category is Category.AI_OPT_OUT
             else (DateRole.EFFECTIVE, DateRole.DEADLINE))
    for role in order:
        for d in flag.dates:
            if d.role is role:
                return d
    return flag.dates[0] if flag.dates else None


def flag_summary(flag: Flag) -> str:
    """`ai_training (effective 2025-11-03)`."""
    d = key_date(flag)
    return f"{flag.category} ({d.role} {d.date.isoformat()})" if d else str(flag.category)


def group_flags(flags: Sequence[Flag]) -> list[list[Flag]]:
    """Flags of one clause together (a clause often is both ai_training and ai_opt_out)."""
    groups: dict[str, list[Flag]] = {}
    for flag in flags:
        groups.setdefault(flag.clause, []).append(flag)
    return list(groups.values())


def _day(moment: datetime, *, local: bool) -> str:
    """The calendar day of a moment: in UTC, or in the local zone when `local`."""
    return (moment.astimezone() if local else moment.astimezone(UTC)).date().isoformat()


def change_line(change: Change, *, color: bool = False, local: bool = False) -> str:
    """One change-log line: `#12  2025-09-18  linkedin/privacy-policy  +2 -1 ~1  ⚑ ai_training (...)`."""
    counts = " ".join([paint(f"+{change.added}", "green", color=color),
                       paint(f"-{change.removed}", "red", color=color),
                       paint(f"~{change.modified}", "yellow", color=color)])
    line = f"#{change.id:<4} {_day(change.detected_at, local=local)}  {change.document_id}  {counts}"
    if change.flags:
        seen: dict[str, Flag] = {}
        for flag in change.flags:
            seen.setdefault(str(flag.category), flag)
        flags = ", ".join(flag_summary(f) for f in seen.values())
        line += "  " + paint(f"⚑ {flags}", "magenta bold", color=color)
    if change.links:
        line += "  " + paint(f"link: {len(change.links)}", "yellow", color=color)
    return line


def link_lines(change: Change, *, color: bool = False) -> list[str]:
    """The moved link targets inside the text: `~ link: "<text>": old → new` (`(opt-out/contact)` marks the
    ones that alert)."""
    return [paint("~ link: ", "yellow", color=color) + f'"{_p(link.text)}": {_p(link.old)} → {_p(link.new)}'
            + ("  (opt-out/contact)" if link.alert else "") for link in change.links]


def flag_block(flags: Sequence[Flag], *, now: datetime, color: bool = False) -> list[str]:
    """The flags of one clause as a few lines: categories and scores, clause, dates with days left, opt-out."""
    flag = flags[0]
    names = ", ".join(f"{f.category} {f.score:.2f}" for f in flags)
    lines = [paint(f"⚑ {names}", "magenta bold", color=color)
             + f"  {_p(flag.language or '?')}  ({flag.clause_kind} clause)"]
    lines.append(f"    {_p(flag.clause)}")
    for d in flag.dates:
        left = days_until(d.date, now=now)
        plural = "" if abs(left) == 1 else "s"
        when = f"in {left} day{plural}" if left > 0 else ("today" if left == 0 else f"{-left} day{plural} ago")
        lines.append(f"    {d.role}: {d.date.isoformat()} ({when}) — “{_p(d.text)}”")
    if flag.modified and {(d.date, d.role) for d in flag.previous_dates} != {(d.date, d.role) for d in flag.dates}:
        was = ", ".join(f"{d.role} {d.date.isoformat()}" for d in flag.previous_dates) or "no date"
        now_ = ", ".join(f"{d.role} {d.date.isoformat()}" for d in flag.dates) or "no date"
        lines.append(f"    dates changed: {was} → {now_}")
    if flag.opt_out:
        lines.append(f"    opt out: {_p(flag.opt_out)}")
    return lines


def _trim(text: str, context: int | None, *, keep_start: bool, keep_end: bool) -> str:
    """Shorten unchanged text to `context` words next to the changes around it (None: keep everything)."""
    if context is None:
        return text
    words = text.split(" ")
    if len(words) <= 2 * context + 1:
        return text
    head = " ".join(words[:context]) if keep_start else ""
    tail = " ".join(words[len(words) - context:]) if keep_end else ""
    return f"{head} … {tail}".strip() if keep_start or keep_end else "…"


def word_diff_text(clause: ClauseChange, *, color: bool, context: int | None = None) -> str:
    """A modified clause with `[-deleted-]{+inserted+}` markers (or colours on a terminal); unchanged runs
    are cut to `context` words around each change."""
    parts = []
    segments = clause.segments
    for i, (op, raw) in enumerate(segments):
        text = _p(raw)
        if op < 0:
            parts.append(paint(text, "red", color=True) if color else f"[-{text}-]")
        elif op > 0:
            parts.append(paint(text, "green", color=True) if color else f"{{+{text}+}}")
        else:
            trimmed = _trim(text, context, keep_start=i > 0, keep_end=i < len(segments) - 1)
            if text.startswith(" ") and not trimmed.startswith(" "):
                trimmed = " " + trimmed
            if text.endswith(" ") and not trimmed.endswith(" "):
                trimmed += " "
            parts.append(trimmed)
    return "".join(parts)


def _side(clause: ClauseChange, side: int, *, color: bool) -> str:
    """One side of a modified clause: the old text with deletions marked (side -1) or the new with insertions."""
    out = []
    for op, raw in clause.segments:
        text = _p(raw)
        if op == 0:
            out.append(text)
        elif op == side:
            out.append(paint(text, "red" if op < 0 else "green", color=True) if color
                       else (f"[-{text}-]" if op < 0 else f"{{+{text}+}}"))
    return "".join(out)


def side_by_side(change: Change | ClauseDiff, *, width: int = 160, color: bool = False) -> list[str]:
    """The clause diff in two columns, old | new (wrapped; colours kept out of the width count)."""
    import re
    import textwrap

    column = max(20, (width - 3) // 2)
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    lines: list[str] = []
    for clause in change.clauses:
        left = _p(clause.old or "") if clause.kind is ClauseKind.REMOVED else (
            _side(clause, -1, color=color) if clause.kind is ClauseKind.MODIFIED else "")
        right = _p(clause.new or "") if clause.kind is ClauseKind.ADDED else (
            _side(clause, 1, color=color) if clause.kind is ClauseKind.MODIFIED else "")
        lw = textwrap.wrap(left or "", column) or [""]
        rw = textwrap.wrap(right or "", column) or [""]
        for a, b in zip(lw + [""] * (len(rw) - len(lw)), rw + [""] * (len(lw) - len(rw)), strict=True):
            pad = column - len(ansi.sub("", a))
            lines.append(f"{a}{' ' * max(0, pad)} | {b}".rstrip())
        lines.append("")
    return lines


def clause_lines(change: Change | ClauseDiff, *, color: bool = False, context: int | None = None) -> list[str]:
    """The clause-level diff: `+ added`, `- removed`, `~ modified (word diff)`."""
    lines = []
    for clause in change.clauses:
        if clause.kind is ClauseKind.ADDED:
            lines.append(paint(f"+ {_p(clause.new or '')}", "green", color=color))
        elif clause.kind is ClauseKind.REMOVED:
            lines.append(paint(f"- {_p(clause.old or '')}", "red", color=color))
        else:
            lines.append(paint("~ ", "yellow", color=color) + word_diff_text(clause, color=color, context=context))
    return lines


def show_change(change: Change, *, now: datetime, color: bool = False, context: int | None = 12,
                side: bool = False, width: int = 160, local: bool = False, commit: str | None = None) -> str:
    """The full `tosmon show` text: header, flags, then the clause diff (inline or side by side). `commit`:
    the commit (a link when there is one) the new version came from, for documents read from git."""
    out = [paint(f"change #{change.id}", "bold", color=color) + f"  {change.document_id}  ({_p(change.service_name)})",
           f"url:      {_p(change.url)}",
           f"detected: {when(change.detected_at, local=local)}",
           f"versions: {change.from_version} -> {change.to_version}   "
           f"+{change.added} -{change.removed} ~{change.modified}"]
    if commit:
        out.append(f"commit:   {commit}")
    if change.flags:
        out.append("")
        for group in group_flags(change.flags):
            out += flag_block(group, now=now, color=color)
    out.append("")
    out += side_by_side(change, width=width, color=color) if side else clause_lines(change, color=color,
                                                                                        context=context)
    out += link_lines(change, color=color)
    return "\n".join(out).rstrip("\n")


def when(moment: datetime | None, *, local: bool = False) -> str:
    """A timestamp: ISO 8601 UTC (`...Z`), or in the machine's time zone with its offset when `local`."""
    if moment is None:
        return "-"
    return moment.astimezone().replace(microsecond=0).isoformat() if local else iso_z(moment)


def _when(moment: datetime | None, local: bool = False) -> str:
    return when(moment, local=local)


def version_diff(document_id: str, old: VersionInfo, new: VersionInfo, diff: ClauseDiff, *, color: bool = False,
                 context: int | None = 12, side: bool = False, width: int = 160, local: bool = False) -> str:
    """The `tosmon diff` text: which versions, the clause counts, then the clause diff as `show` prints it."""
    out = [paint(f"{document_id}", "bold", color=color) + f"  versions {old.number} -> {new.number}",
           f"from: {when(old.created_at, local=local)}",
           f"to:   {when(new.created_at, local=local)}",
           f"+{diff.added} -{diff.removed} ~{diff.modified}", ""]
    if not diff.clauses:
        out.append("(no clause differs)")
    out += side_by_side(diff, width=width, color=color) if side else clause_lines(diff, color=color,
                                                                                     context=context)
    return "\n".join(out).rstrip("\n")


def table(rows: Sequence[Sequence[str]], headers: Sequence[str], *, color: bool = False) -> str:
    """An aligned text table: plain and stable when piped, a rich table on a terminal (rich is imported only
    then, so piped and scripted use starts fast)."""
    rows = [[_p(str(c)) for c in row] for row in rows]
    if color:
        return _rich_table(rows, headers)
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _rich_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    import shutil

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    grid = Table(*headers, header_style="bold", box=None, pad_edge=False)
    for row in rows:
        styled = [f"[red]{c}[/red]" if c == "error" or c == "failed" else escape(c) for c in map(str, row)]
        grid.add_row(*styled)
    console = Console(width=shutil.get_terminal_size((160, 24)).columns, force_terminal=True)
    with console.capture() as captured:
        console.print(grid)
    return captured.get().rstrip("\n")


def status_table(states: Sequence[DocumentState], *, color: bool = False, local: bool = False) -> str:
    rows = [[s.id, _when(s.last_checked_at, local), s.last_status or "-", str(s.versions), str(s.changes),
             str(s.consecutive_failures), _when(s.next_due_at, local)] for s in states]
    return table(rows, ["DOCUMENT", "LAST CHECK", "RESULT", "VERSIONS", "CHANGES", "FAILURES", "NEXT DUE"],
                 color=color)


def history_table(versions: Sequence[VersionInfo], *, color: bool = False, local: bool = False,
                  commits: Mapping[int, str] | None = None) -> str:
    """The versions of a document; with `commits` (versions read from git), the commit of each."""
    rows = [[str(v.number), _when(v.created_at, local), str(v.clauses), "technical" if v.technical else "",
             v.text_hash[:12]] + ([(commits.get(v.number) or "-")[:12]] if commits else []) for v in versions]
    return table(rows, ["VERSION", "CREATED", "CLAUSES", "KIND", "HASH"] + (["COMMIT"] if commits else []),
                 color=color)


def followed_line(state: FollowedState, *, local: bool = False) -> str:
    """Where a followed document comes from and the last commit seen (`tosmon status`)."""
    seen = (f"last commit {state.last_commit[:12]} ({_when(state.last_commit_at, local)})" if state.last_commit
            else "no commit seen yet")
    return f"{state.document_id}: follows {_p(state.repo)} {json.dumps(state.path, ensure_ascii=False)}, {seen}"


def deliveries_table(deliveries: Sequence[Delivery], *, color: bool = False, local: bool = False) -> str:
    """The outbox: a short id (any unique prefix is accepted), target, event, document and change, state."""
    rows = [[d.id[:8], d.webhook, str(d.event), d.document_id or "-", f"#{d.change_id}" if d.change_id else "-",
             str(d.status), str(d.attempts), _when(d.next_attempt_at, local), (d.last_error or "")[:60]]
            for d in deliveries]
    return table(rows, ["DELIVERY", "TARGET", "EVENT", "DOCUMENT", "CHANGE", "STATUS", "ATTEMPTS", "NEXT ATTEMPT",
                        "LAST ERROR"], color=color)


def highlight(text: str, terms: Sequence[str], *, color: bool, window: int | None = None) -> str:
    """Mark each occurrence of the query words (case- and accent-insensitive): colour on a terminal,
    `*word*` when piped. With `window`, keep about that many characters around the first match."""
    import re
    import unicodedata

    def plain(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c))

    patterns = []
    for term in terms:
        # FTS5 matches whole tokens (hyphens and apostrophes separate them); `word*` is a prefix query.
        words = re.findall(r"[^\W_]+", plain(term))
        if words and term.upper() not in {"AND", "OR", "NOT", "NEAR"}:
            suffix = r"\w*" if term.rstrip('")').endswith("*") else r"(?![^\W_])"
            patterns.append(re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + suffix))
    if not patterns:
        return text
    # Map positions of the accent-free text back to the original text (one char in, one char out).
    folded = "".join(plain(ch)[:1] or " " for ch in text)
    spans = sorted({(m.start(), m.end()) for p in patterns for m in p.finditer(folded)})
    if window and spans and len(text) > window:
        start = max(0, text.rfind(" ", 0, max(0, spans[0][0] - window // 3)) + 1)
        end = text.find(" ", min(len(text), start + window))
        end = len(text) if end < 0 else end
        prefix, suffix = ("… " if start else ""), (" …" if end < len(text) else "")
        inner = highlight(text[start:end], terms, color=color)
        return prefix + inner + suffix
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out.append(text[last:start])
        out.append(paint(text[start:end], "yellow bold", color=True) if color else f"*{text[start:end]}*")
        last = end
    out.append(text[last:])
    return "".join(out)


def search_line(hit: SearchHit, terms: Sequence[str], *, color: bool = False, local: bool = False) -> str:
    where = f"#{hit.change_id} {hit.kind}" if hit.change_id else "baseline"
    return (f"{hit.document_id}  v{hit.version}  {_day(hit.at, local=local)}  {where}: "
            f"{highlight(_p(hit.text), terms, color=color, window=SEARCH_WINDOW)}")
