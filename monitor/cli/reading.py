"""Commands that read the change log: `status`, `log`, `show`, `history`, `flags`, `search`, `export`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.app import (
    Context,
    cli,
    date_option,
    handle_errors,
    pass_ctx,
    print_json,
)
from monitor.timeutil import utc_now

if TYPE_CHECKING:
    from monitor.models import Change



@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@handle_errors
def status(ctx: Context, as_json: bool) -> None:
    """Per document: last check, last result, versions, changes, consecutive failures, next due.

    \b
    Example:
      tosmon status --json
    """
    from monitor.render import status_table
    from monitor.timeutil import iso_z

    store = ctx.store(create=False)
    states = store.document_states(include_inactive=False)
    if as_json:
        print_json([{"id": s.id, "service": s.service_name, "url": s.url,
                "last_checked_at": iso_z(s.last_checked_at) if s.last_checked_at else None,
                "last_status": s.last_status, "last_error": store.last_error(s.id) if s.last_status == "error"
                else None, "versions": s.versions, "changes": s.changes,
                "consecutive_failures": s.consecutive_failures,
                "next_due_at": iso_z(s.next_due_at) if s.next_due_at else None,
                "final_url": store.final_urls(s.id)[0]} for s in states])
        return
    click.echo(status_table(states, color=ctx.color))
    for s in states:
        if s.last_status == "error":
            click.echo(f"{s.id}: {store.last_error(s.id)}")
        final = store.final_urls(s.id)[0]
        if final and final != s.url:     # where the page really came from
            click.echo(f"{s.id}: redirected to {final}")


@cli.command("log")
@click.option("--document", help="Only this document id.")
@click.option("--service", help="Only this service (slug or name).")
@click.option("--since", help="From this date (YYYY-MM-DD, or 7d, 2w ago).")
@click.option("--until", help="Up to this date (YYYY-MM-DD, or 7d, 2w ago).")
@click.option("--flagged", is_flag=True, help="Only changes with flagged clauses.")
@click.option("--category", help="Only changes with a flag of this category (e.g. ai_training).")
@click.option("--limit", type=click.IntRange(min=1), help="At most N changes.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list of change objects on stdout.")
@pass_ctx
@handle_errors
def log_(ctx: Context, document: str | None, service: str | None, since: str | None, until: str | None,
         flagged: bool, category: str | None, limit: int | None, as_json: bool) -> None:
    """The change log, newest first.

    \b
    Example:
      tosmon log --flagged --since 30d
      #12   2025-09-18  linkedin/privacy-policy  +2 -1 ~1  ⚑ ai_training (effective 2025-11-03)
    """
    from monitor.render import change_line
    from monitor.store import ChangeFilter

    filters = ChangeFilter(document=document, service=service, since=date_option(since, "--since"),
                           until=date_option(until, "--until"), flagged=flagged, category=category,
                           limit=limit)
    changes = ctx.store(create=False).list_changes(filters)
    if as_json:
        print_json([c.to_json() for c in changes])
        return
    for change in changes:
        click.echo(change_line(change, color=ctx.color))


@cli.command()
@click.argument("change_id", type=int)
@click.option("--context", "context", type=click.IntRange(min=-1), default=12, show_default=True,
              help="Unchanged words kept around each edit of a modified clause (-1: the whole clause).")
@click.option("--side-by-side", "side", is_flag=True, help="Old and new text in two columns.")
@click.option("--json", "as_json", is_flag=True, help="The change object (with its clauses) on stdout.")
@pass_ctx
@handle_errors
def show(ctx: Context, change_id: int, context: int, side: bool, as_json: bool) -> None:
    """One change: its flagged clauses with dates and opt-out hints, then the clause diff.

    \b
    Example:
      tosmon show 12
    """
    from monitor.render import show_change

    change = ctx.store(create=False).get_change(change_id)
    if as_json:
        data = change.to_json()
        data["clauses"] = [{"kind": str(c.kind), "old": c.old, "new": c.new,
                            "segments": [list(s) for s in c.segments]} for c in change.clauses]
        print_json(data)
        return
    import shutil

    click.echo(show_change(change, now=utc_now(), color=ctx.color, context=None if context < 0 else context,
                           side=side, width=shutil.get_terminal_size((160, 24)).columns))


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@handle_errors
def history(ctx: Context, doc_id: str, as_json: bool) -> None:
    """The versions of one document.

    \b
    Example:
      tosmon history linkedin/privacy-policy
    """
    from monitor.render import history_table
    from monitor.timeutil import iso_z

    store = ctx.store(create=False)
    store.document_state(doc_id)  # NotFound for an unknown id
    versions = store.versions(doc_id)
    _, finals = store.final_urls(doc_id)
    if as_json:
        print_json([{"version": v.number, "created_at": iso_z(v.created_at), "clauses": v.clauses,
                "technical": v.technical, "text_hash": v.text_hash, "extractor": v.extractor,
                "final_url": finals.get(v.number)} for v in versions])
        return
    click.echo(history_table(versions, color=ctx.color))
    url = store.document_state(doc_id).url
    for number, final in sorted(finals.items()):
        if final != url:
            click.echo(f"version {number} fetched from {final}")


@cli.command()
@click.option("--category", help="Only this category (e.g. ai_training).")
@click.option("--upcoming", is_flag=True, help="Only effective dates and deadlines still ahead, soonest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@handle_errors
def flags(ctx: Context, category: str | None, upcoming: bool, as_json: bool) -> None:
    """Flagged clauses, newest first; --upcoming lists future effective dates and deadlines with days left.

    \b
    Example:
      tosmon flags --upcoming
    """
    from monitor.models import DateRole
    from monitor.render import flag_block
    from monitor.timeutil import days_until

    now = utc_now()
    rows: list[tuple[dict[str, Any], Any, Any]] = []
    for change, flag in ctx.store(create=False).flagged(category=category):
        item = {"change": change.id, "document": change.document_id, "service": change.service_name,
                "detected_at": change.to_json()["detected_at"], **flag.to_json()}
        if upcoming:
            ahead = [d for d in flag.dates if d.role is not DateRole.OTHER and days_until(d.date, now=now) >= 0]
            if not ahead:
                continue
            soonest = min(ahead, key=lambda d: d.date)
            item["next_date"] = {**soonest.to_json(), "days_left": days_until(soonest.date, now=now)}
        rows.append((item, change, flag))
    if upcoming:
        rows.sort(key=lambda row: row[0]["next_date"]["date"])
    if as_json:
        print_json([item for item, _, _ in rows])
        return
    groups: dict[tuple[int, str], list[tuple[dict[str, Any], Any, Any]]] = {}
    for row in rows:  # one block per clause: a clause is often both ai_training and ai_opt_out
        groups.setdefault((row[1].id, row[2].clause), []).append(row)
    for group in groups.values():
        item, change, _ = group[0]
        head = f"#{change.id}  {change.document_id}"
        if upcoming:
            nd = item["next_date"]
            head += f"  {nd['role']} {nd['date']} (in {nd['days_left']} days)"
        click.echo(head)
        for line in flag_block([flag for _, _, flag in group], now=now, color=ctx.color):
            click.echo("  " + line)


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most N results.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@handle_errors
def search(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over stored versions and changed clauses (SQLite FTS5 syntax, accents ignored).

    \b
    Example:
      tosmon search "generative AI"
    """
    from monitor.render import search_line
    from monitor.timeutil import iso_z

    hits = ctx.store(create=False).search(query, limit=limit)
    if as_json:
        print_json([{"document": h.document_id, "version": h.version, "at": iso_z(h.at), "kind": h.kind,
                "change": h.change_id, "text": h.text} for h in hits])
        return
    for hit in hits:
        click.echo(search_line(hit, query.split(), color=ctx.color))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["atom", "json", "csv"]), required=True,
              help="atom: an Atom 1.0 feed; json: as `log --json`; csv: one row per flag.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE (default: stdout).")
@click.option("--since", help="Only changes from this date (YYYY-MM-DD or 30d).")
@click.option("--limit", type=click.IntRange(min=1), help="At most N newest changes.")
@pass_ctx
@handle_errors
def export(ctx: Context, fmt: str, output: str | None, since: str | None, limit: int | None) -> None:
    """The change log as a feed or a file.

    \b
    Example:
      tosmon export --format atom --output changes.atom
    """
    from monitor import export as exporters
    from monitor.store import ChangeFilter

    filters = ChangeFilter(since=date_option(since, "--since"), limit=limit)
    changes = ctx.store(create=False).list_changes(filters, with_clauses=fmt == "atom")
    writers: dict[str, Callable[[Sequence[Change]], str | bytes]] = {
        "atom": exporters.to_atom, "json": exporters.to_json, "csv": exporters.to_csv}
    data = writers[fmt](changes)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if output:
        with open(output, "wb") as handle:
            handle.write(raw)
    else:
        click.echo(raw, nl=False)
