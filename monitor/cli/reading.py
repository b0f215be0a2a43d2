"""Commands that read the change log: `status`, `log`, `show`, `history`, `flags`, `search`, `export`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from monitor.cli.app import (
    LIMIT,
    Context,
    check_id,
    cli,
    date_option,
    did_you_mean,
    handle_errors,
    pass_ctx,
    print_json,
)
from monitor.errors import ConfigError, NotFound
from monitor.timeutil import utc_now

if TYPE_CHECKING:
    from monitor.models import Change, FollowedState, VersionInfo
    from monitor.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def known_document(store: Store, doc_id: str) -> None:
    """NotFound (exit 2) with the closest id when the database has no such document."""
    ids = [s.id for s in store.document_states(include_inactive=True)]
    if doc_id not in ids:
        raise NotFound(f"no document {doc_id!r}{did_you_mean(doc_id, ids)}")


def check_filters(store: Store, *, document: str | None = None, service: str | None = None,
                  category: str | None = None) -> None:
    """A filter naming nothing that exists is a typo, not an empty result: exit 2 with the closest name."""
    if category is not None:
        from monitor.models import Category

        names = [str(c) for c in Category]
        if category not in names:
            raise ConfigError(f"unknown category {category!r}{did_you_mean(category, names)} "
                              f"(categories: {', '.join(names)})", key="--category")
    if document is not None:
        known_document(store, document)
    if service is not None:
        states = store.document_states(include_inactive=True)
        names = sorted({s.id.split("/")[0] for s in states} | {s.service_name for s in states})
        if service not in names and service.lower() not in {n.lower() for n in names}:
            raise NotFound(f"no service {service!r}{did_you_mean(service, names)}")



def _source_json(state: FollowedState) -> dict[str, Any]:
    """A followed document's source in `status --json`."""
    from monitor.timeutil import iso_z

    return {"repo": state.repo, "path": state.path, "last_commit": state.last_commit,
            "last_commit_at": iso_z(state.last_commit_at) if state.last_commit_at else None,
            "last_commit_url": state.source.commit_url(state.last_commit) if state.last_commit else None}


def diff_view_options(command: F) -> F:
    """`--context N` and `--side-by-side`, the clause-diff view shared by `show` and `diff`."""
    command = click.option("--side-by-side", "side", is_flag=True, help="Old and new text in two columns.")(command)
    return click.option("--context", "context", type=click.IntRange(min=-1), default=12, show_default=True,
                        help="Unchanged words kept around each edit of a modified clause (-1: the whole clause)."
                        )(command)


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
    from monitor.render import followed_line, status_table
    from monitor.sanitize import printable
    from monitor.timeutil import iso_z

    store = ctx.store(create=False)
    states = store.document_states(include_inactive=False)
    followed = store.followed_states()   # documents read from a git repository (ota:)
    if as_json:
        print_json([{"id": s.id, "service": s.service_name, "url": s.url,
                "last_checked_at": iso_z(s.last_checked_at) if s.last_checked_at else None,
                "last_status": s.last_status, "last_error": store.last_error(s.id) if s.last_status == "error"
                else None, "versions": s.versions, "changes": s.changes,
                "consecutive_failures": s.consecutive_failures,
                "next_due_at": iso_z(s.next_due_at) if s.next_due_at else None,
                "final_url": store.final_urls(s.id)[0]}
               | ({"source": _source_json(followed[s.id])} if s.id in followed else {}) for s in states])
        return
    click.echo(status_table(states, color=ctx.color, local=ctx.local_time))
    for s in states:
        if s.id in followed:
            click.echo(followed_line(followed[s.id], local=ctx.local_time))
        final = store.final_urls(s.id)[0]
        if final and final != s.url:     # where the page really came from
            click.echo(printable(f"{s.id}: redirected to {final}"))
    errors = {s.id: store.last_error(s.id) for s in states if s.last_status == "error"}
    for doc_id, error in errors.items():
        click.echo(printable(f"{doc_id}: {error}"))
    if errors:   # one line per cause, the most frequent first
        from monitor.pipeline import failure_causes

        click.echo(f"{len(errors)} of {len(states)} documents failing:")
        for cause, count in failure_causes(list(errors.values())):
            click.echo(printable(f"  {count:>4}  {cause}"))


@cli.command("log")
@click.option("--document", help="Only this document id.")
@click.option("--service", help="Only this service (slug or name).")
@click.option("--since", help="From this date (YYYY-MM-DD, or 7d, 2w ago).")
@click.option("--until", help="Up to this date (YYYY-MM-DD, or 7d, 2w ago).")
@click.option("--flagged", is_flag=True, help="Only changes with flagged clauses.")
@click.option("--category", help="Only changes with a flag of this category (e.g. ai_training).")
@click.option("--limit", type=LIMIT, help="At most N changes.")
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
    store = ctx.store(create=False)
    check_filters(store, document=document, service=service, category=category)
    changes = store.list_changes(filters)
    if as_json:
        print_json([c.to_json() for c in changes])
        return
    for change in changes:
        click.echo(change_line(change, color=ctx.color, local=ctx.local_time))


@cli.command()
@click.argument("change_id", type=int)
@diff_view_options
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

    store = ctx.store(create=False)
    change = store.get_change(check_id(change_id, f"no change #{change_id}"))
    sha = store.version_commits(change.document_id).get(change.to_version)   # read from git
    followed = store.followed_state(change.document_id) if sha else None
    link = followed.source.commit_url(sha) if followed and sha else None
    if as_json:
        data = change.to_json(clauses=True)
        if sha:
            data["commit"] = {"sha": sha, "url": link}
        print_json(data)
        return
    import shutil

    click.echo(show_change(change, now=utc_now(), color=ctx.color, context=None if context < 0 else context,
                           side=side, width=shutil.get_terminal_size((160, 24)).columns, local=ctx.local_time,
                           commit=link or sha))


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
    from monitor.sanitize import printable
    from monitor.timeutil import iso_z

    store = ctx.store(create=False)
    known_document(store, doc_id)
    versions = store.versions(doc_id)
    commits = store.version_commits(doc_id)   # versions read from git (ota:, backfill --git)
    _, finals = store.final_urls(doc_id)
    if as_json:
        print_json([{"version": v.number, "created_at": iso_z(v.created_at), "clauses": v.clauses,
                "technical": v.technical, "text_hash": v.text_hash, "extractor": v.extractor,
                "final_url": finals.get(v.number)}
               | ({"commit": commits[v.number]} if v.number in commits else {}) for v in versions])
        return
    click.echo(history_table(versions, color=ctx.color, local=ctx.local_time, commits=commits))
    url = store.document_state(doc_id).url
    for number, final in sorted(finals.items()):
        if final != url:
            click.echo(printable(f"version {number} fetched from {final}"))


@cli.command()
@click.option("--category", help="Only this category (e.g. ai_training).")
@click.option("--upcoming", is_flag=True, help="Only effective dates and deadlines still ahead, soonest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@handle_errors
def flags(ctx: Context, category: str | None, upcoming: bool, as_json: bool) -> None:
    """Flagged clauses, newest first, those a later change modified or removed marked superseded; --upcoming
    lists the future effective dates and deadlines of current flags only, with days left.

    \b
    Example:
      tosmon flags --upcoming
    """
    from monitor.models import DateRole
    from monitor.render import flag_block
    from monitor.timeutil import days_until

    now = utc_now()
    rows: list[tuple[dict[str, Any], Any, Any]] = []
    store = ctx.store(create=False)
    check_filters(store, category=category)
    found = store.current_flags(category=category) if upcoming else store.flagged(category=category)
    for change, flag in found:
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
        if item["superseded_by"] is not None:
            head += f"  superseded by #{item['superseded_by']}"
        if upcoming:
            nd = item["next_date"]
            head += f"  {nd['role']} {nd['date']} (in {nd['days_left']} days)"
        click.echo(head)
        for line in flag_block([flag for _, _, flag in group], now=now, color=ctx.color):
            click.echo("  " + line)


@cli.command()
@click.argument("query")
@click.option("--limit", type=LIMIT, default=50, show_default=True, help="At most N results.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@handle_errors
def search(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over stored versions and changed clauses: words, "phrases", word*, NOT, OR;
    accents, case, hyphens and apostrophes as in the text (`opt-out` finds "opt out" too).

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
        click.echo(search_line(hit, query.split(), color=ctx.color, local=ctx.local_time))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["atom", "json", "csv", "ics"]), required=True,
              help="atom: an Atom 1.0 feed; json: as `log --json`; csv: one row per flag; ics: the effective "
                   "dates and deadlines ahead of current flags, as calendar events.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE (default: stdout).")
@click.option("--since", help="Only changes from this date (YYYY-MM-DD or 30d).")
@click.option("--limit", type=LIMIT, help="At most N newest changes.")
@click.option("--base-url", help="atom: the URL the feed is published at (its `self` link).")
@pass_ctx
@handle_errors
def export(ctx: Context, fmt: str, output: str | None, since: str | None, limit: int | None,
           base_url: str | None) -> None:
    """The change log as a feed or a file.

    \b
    Example:
      tosmon export --format atom --output changes.atom
    """
    import functools
    import os

    from monitor import export as exporters
    from monitor.store import ChangeFilter

    folder = os.path.dirname(os.path.abspath(output)) if output else None
    if folder is not None and not os.path.isdir(folder):
        raise ConfigError(f"no such folder {folder!r}", key="--output")
    filters = ChangeFilter(since=date_option(since, "--since"), limit=limit)
    store = ctx.store(create=False)
    if fmt == "ics":   # dates ahead, not the change log (--since and --limit do not apply)
        from monitor.ics import to_ics

        data: str | bytes = to_ics(store.current_flags())
    else:
        changes = store.list_changes(filters, with_clauses=fmt == "atom")
        writers: dict[str, Callable[[Sequence[Change]], str | bytes]] = {
            "atom": functools.partial(exporters.to_atom, install_id=store.install_id(), base_url=base_url),
            "json": exporters.to_json, "csv": exporters.to_csv}
        data = writers[fmt](changes)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if output:
        try:
            with open(output, "wb") as handle:
                handle.write(raw)
        except OSError as exc:
            raise ConfigError(f"cannot write {output!r}: {exc.strerror or exc}", key="--output") from None
    else:
        click.echo(raw, nl=False)


def _at_option(value: str) -> Any:
    """`--at`: a bare date means the end of that day (the version current that day)."""
    import re
    from datetime import timedelta

    moment = date_option(value, "--at")
    if re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", value):
        moment += timedelta(days=1, microseconds=-1)
    return moment


def _version(store: Store, doc_id: str, number: int | None, at: str | None = None) -> VersionInfo:
    """One version of a document: by number, the one current at a date, or the latest."""
    known_document(store, doc_id)
    versions = store.versions(doc_id)
    if not versions:
        raise NotFound(f"{doc_id} has no version yet (run `tosmon check {doc_id}`)")
    if number is not None:
        check_id(number, f"no version {number} of {doc_id} (versions 1 to {versions[-1].number})")
        found = [v for v in versions if v.number == number]
        if not found:
            raise NotFound(f"no version {number} of {doc_id} (versions 1 to {versions[-1].number})")
        return found[0]
    if at is not None:
        moment = _at_option(at)
        before = [v for v in versions if v.created_at <= moment]
        if not before:
            raise NotFound(f"{doc_id} had no version yet at {at} (first: {versions[0].created_at.date()})")
        return before[-1]
    return versions[-1]


@cli.command()
@click.argument("doc_id")
@click.option("--version", "number", type=int, help="This version number (default: the latest).")
@click.option("--at", help="The version current at this date (YYYY-MM-DD: the end of that day, or 30d).")
@click.option("--json", "as_json", is_flag=True, help="The version with its clauses as one JSON document.")
@pass_ctx
@handle_errors
def text(ctx: Context, doc_id: str, number: int | None, at: str | None, as_json: bool) -> None:
    """The text of one version of a document (default: the latest), one clause per line.

    \b
    Example:
      tosmon text linkedin/privacy-policy --at 2025-09-01
    """
    from monitor.sanitize import printable
    from monitor.timeutil import iso_z

    if number is not None and at is not None:
        raise ConfigError("give --version or --at, not both", key="text")
    store = ctx.store(create=False)
    version = _version(store, doc_id, number, at)
    body = store.version_text(doc_id, version.number)
    if as_json:
        print_json({"document": doc_id, "version": version.number, "created_at": iso_z(version.created_at),
                    "text_hash": version.text_hash, "technical": version.technical,
                    "clauses": body.split("\n") if body else []})
        return
    click.echo(printable(body))


@cli.command()
@click.argument("doc_id")
@click.argument("old", type=int, metavar="A")
@click.argument("new", type=int, metavar="B")
@diff_view_options
@click.option("--json", "as_json", is_flag=True, help="The counts and clauses as one JSON document.")
@pass_ctx
@handle_errors
def diff(ctx: Context, doc_id: str, old: int, new: int, context: int, side: bool, as_json: bool) -> None:
    """The clause diff between any two versions A and B of a document, as `show` prints a change.

    \b
    Example:
      tosmon diff linkedin/privacy-policy 1 3
    """
    import shutil

    from monitor.diff import diff_clauses
    from monitor.render import version_diff

    store = ctx.store(create=False)
    a, b = _version(store, doc_id, old), _version(store, doc_id, new)
    a_text, b_text = store.version_text(doc_id, a.number), store.version_text(doc_id, b.number)
    result = diff_clauses(a_text.split("\n") if a_text else [], b_text.split("\n") if b_text else [])
    if as_json:
        print_json({"document": doc_id, "from_version": a.number, "to_version": b.number,
                    "added": result.added, "removed": result.removed, "modified": result.modified,
                    "clauses": [{"kind": str(c.kind), "old": c.old, "new": c.new,
                                 "segments": [list(s) for s in c.segments]} for c in result.clauses]})
        return
    click.echo(version_diff(doc_id, a, b, result, color=ctx.color, context=None if context < 0 else context,
                            side=side, width=shutil.get_terminal_size((160, 24)).columns, local=ctx.local_time))
