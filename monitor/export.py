"""`tosmon export`: the change log as an Atom 1.0 feed, a JSON list (as `log --json`), or CSV (one row per flag)."""

from __future__ import annotations

import csv
import html
import io
import json
import uuid
from collections.abc import Sequence

from monitor.models import Change, ClauseKind
from monitor.render import flag_summary, group_flags
from monitor.sanitize import csv_cell, xml_text
from monitor.timeutil import iso_z

CSV_COLUMNS = ("change_id", "detected_at", "document", "service", "url", "from_version", "to_version", "added",
               "removed", "modified", "category", "score", "language", "clause", "effective", "deadline",
               "other_dates", "opt_out")


def to_json(changes: Sequence[Change]) -> str:
    """The same list `tosmon log --json` prints."""
    return json.dumps([c.to_json() for c in changes], ensure_ascii=False, indent=2) + "\n"


def to_csv(changes: Sequence[Change]) -> str:
    """One row per flag; a change without flags gets one row with empty flag columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def row(cells: list[object]) -> None:
        writer.writerow([csv_cell(c) for c in cells])  # no cell a spreadsheet would run as a formula

    for c in changes:
        base = [c.id, iso_z(c.detected_at), c.document_id, c.service_name, c.url, c.from_version, c.to_version,
                c.added, c.removed, c.modified]
        if not c.flags:
            row(base + [""] * (len(CSV_COLUMNS) - len(base)))
        for f in c.flags:
            by_role = {role: ";".join(d.date.isoformat() for d in f.dates if d.role == role)
                       for role in ("effective", "deadline", "other")}
            row(base + [f.category, f"{f.score:.2f}", f.language or "", f.clause,
                                    by_role["effective"], by_role["deadline"], by_role["other"], f.opt_out or ""])
    return out.getvalue()


def _html_diff(change: Change) -> str:
    parts = []
    for group in group_flags(change.flags):
        f = group[0]
        names = ", ".join(str(g.category) for g in group)
        dates = ", ".join(f"{d.role} {d.date.isoformat()}" for d in f.dates)
        parts.append(f"<p><strong>⚑ {html.escape(names)}</strong> {html.escape(dates)}<br>"
                     f"{html.escape(f.clause)}" + (f"<br>Opt out: {html.escape(f.opt_out)}" if f.opt_out else "")
                     + "</p>")
    items = []
    for cl in change.clauses:
        if cl.kind is ClauseKind.ADDED:
            items.append(f'<li><ins>{html.escape(cl.new or "")}</ins></li>')
        elif cl.kind is ClauseKind.REMOVED:
            items.append(f'<li><del>{html.escape(cl.old or "")}</del></li>')
        else:
            words = "".join(f"<del>{html.escape(t)}</del>" if op < 0 else f"<ins>{html.escape(t)}</ins>" if op > 0
                            else html.escape(t) for op, t in cl.segments)
            items.append(f"<li>{words}</li>")
    return "".join(parts) + "<ul>" + "".join(items) + "</ul>"


def to_atom(changes: Sequence[Change], *, install_id: str, base_url: str | None = None) -> bytes:
    """An Atom 1.0 feed, one entry per change; flagged changes say so in the title. Ids derive from the
    database's install id (feed `urn:uuid:<install id>`, entries a uuid5 of it and the change id), so two
    installs never share one; `base_url`, where the feed is published, becomes its `self` link. Characters
    XML cannot hold are dropped from stored text."""
    from feedgen.feed import FeedGenerator

    install = uuid.UUID(install_id)
    feed = FeedGenerator()
    feed.id(install.urn)
    feed.title("tosmon: terms and privacy changes")
    feed.author({"name": "tosmon"})
    if base_url:
        feed.link(href=xml_text(base_url), rel="self")
    feed.language("en")
    newest = max((c.detected_at for c in changes), default=None)
    if newest is not None:
        feed.updated(newest)
    for c in reversed(list(changes)):  # feedgen prepends entries: add oldest first to list newest first
        entry = feed.add_entry()
        entry.id(uuid.uuid5(install, f"change:{c.id}").urn)
        flags = sorted({flag_summary(f) for f in c.flags})
        title = f"{c.service_name}: {c.document_id} changed (+{c.added} -{c.removed} ~{c.modified})"
        if flags:
            title = "⚑ " + title + " — " + ", ".join(flags)
        entry.title(xml_text(title))
        entry.link(href=xml_text(c.url))
        entry.updated(c.detected_at)
        entry.published(c.detected_at)
        entry.content(xml_text(_html_diff(c)), type="html")
    result: bytes = feed.atom_str(pretty=True)
    return result
