"""The `tosmon` command line: the only module that prints, reads flags and environment, and maps errors to
exit codes (0 ok, 1 a document or operation failed, 2 bad input). Heavy modules are imported inside the
commands that need them, so listing commands start fast."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from monitor import __version__
from monitor.errors import ConfigError, MonitorError
from monitor.timeutil import parse_since, utc_now

if TYPE_CHECKING:
    from monitor.models import Watchlist
    from monitor.store import Store

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED, EXIT_BAD_INPUT = 1, 2
#: `check` shows a progress line on a terminal when it checks more documents than this.
PROGRESS_AFTER = 5
#: Requests `check` (a one-off run) keeps in flight per host; the daemon keeps one, a second apart.
CHECK_PER_HOST = 2


@dataclass
class Context:
    db_path: str
    watchlist_path: str
    color: bool

    def store(self, *, create: bool = True) -> Store:
        from monitor.store import Store

        return Store(self.db_path, create=create)

    def watchlist(self) -> Watchlist:
        from monitor.watchlist import load_watchlist

        return load_watchlist(self.watchlist_path)


def _errors(func: F) -> F:
    """Turn MonitorErrors into one-line messages and exit codes (ConfigError: 2, others: 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except MonitorError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILED)

    return wrapper  # type: ignore[return-value]


def _json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _date_option(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


def _setup_logging(verbose: int, quiet: bool, log_format: str) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else
                                           logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        from monitor.logfmt import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed PDFs make it warn on every object


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", envvar="TOSMON_DB", default="db/monitor.db", show_default=True,
              help="SQLite database (env TOSMON_DB).")
@click.option("--watchlist", "watchlist_path", envvar="TOSMON_WATCHLIST", default="watchlist.yaml",
              show_default=True, help="Watchlist file (env TOSMON_WATCHLIST).")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--no-color", is_flag=True, help="No colours (also when NO_COLOR is set or output is piped).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Log line format on stderr.")
@click.version_option(__version__, prog_name="tosmon")
@click.pass_context
def cli(ctx: click.Context, db_path: str, watchlist_path: str, verbose: int, quiet: bool, no_color: bool,
        log_format: str) -> None:
    """tosmon watches terms-of-service and privacy pages, keeps every version, shows what changed, and
    flags new clauses about generative-AI use of your data.

    \b
    Example:
      tosmon check && tosmon log --flagged
    """
    color = sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ
    ctx.obj = Context(db_path=db_path, watchlist_path=watchlist_path, color=color)
    default_verbose = 1 if ctx.invoked_subcommand == "run" else 0
    _setup_logging(max(verbose, default_verbose), quiet, log_format)


pass_ctx = click.make_pass_decorator(Context)


@cli.command()
@pass_ctx
def validate(ctx: Context) -> None:
    """Check the watchlist; exit 0, or 2 with every error found.

    \b
    Example:
      tosmon --watchlist watchlist.yaml validate
    """
    from monitor.watchlist import validate_watchlist

    errors = validate_watchlist(ctx.watchlist_path)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        sys.exit(EXIT_BAD_INPUT)
    watchlist = ctx.watchlist()
    click.echo(f"{ctx.watchlist_path}: ok ({len(watchlist.documents)} documents, "
               f"{len(watchlist.alerts.webhooks)} webhooks)")


@cli.command()
@click.argument("doc_ids", nargs=-1, metavar="[DOC_ID]...")
@click.option("--extract-worker", is_flag=True,
              help="Turn pages into clauses in a helper process (a second core, ~20 MB more), from 16 documents.")
@pass_ctx
@_errors
def check(ctx: Context, doc_ids: tuple[str, ...], extract_worker: bool) -> None:
    """Check documents now (all, or those named); one line per document. Exit 1 if any failed.

    \b
    Example:
      tosmon check linkedin/privacy-policy
      linkedin/privacy-policy  changed (+2 -1 ~1)
    """
    from monitor.models import Outcome
    from monitor.pipeline import run_checks
    from monitor.workers import extraction_worker

    watchlist = ctx.watchlist()
    docs = list(watchlist.documents)
    if doc_ids:
        by_id = {d.id: d for d in docs}
        unknown = [d for d in doc_ids if d not in by_id]
        if unknown:
            raise ConfigError(f"not in the watchlist: {', '.join(unknown)}", path=ctx.watchlist_path)
        docs = [by_id[d] for d in doc_ids]
    store = ctx.store()
    failed = False
    try:
        store.sync_documents(watchlist.documents, now=utc_now())
        width = max((len(d.id) for d in docs), default=0)
        progress = sys.stderr.isatty() and len(docs) > PROGRESS_AFTER
        # Asked for and many documents: extraction runs in one worker process, beside the fetching and storing.
        with extraction_worker(len(docs) if extract_worker else 0) as worker:
            checks = run_checks(docs, db_path=ctx.db_path, alerts=watchlist.alerts, per_host=CHECK_PER_HOST,
                                extract=worker)
            for done, result in enumerate(checks, 1):
                failed |= result.outcome is Outcome.ERROR
                if progress:
                    click.echo("\r\x1b[K", nl=False, err=True)
                click.echo(f"{result.document_id.ljust(width)}  {result.summary()}")
                if progress and done < len(docs):
                    click.echo(f"[{done}/{len(docs)}] checking…", nl=False, err=True)
        if watchlist.alerts.webhooks:
            from monitor.alerts import send_due
            from monitor.fetch import make_client

            with make_client() as client:
                send_due(store, watchlist.alerts.webhooks, watchlist.alerts.retry, client=client)
    finally:
        store.close()
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--once", is_flag=True, help="Run one round of due checks and deliveries, then exit.")
@pass_ctx
@_errors
def run(ctx: Context, once: bool) -> None:
    """The daemon: check each document when due, deliver alerts; SIGTERM/SIGINT stop it cleanly.

    \b
    Example:
      tosmon --watchlist watchlist.yaml --db db/monitor.db run
    """
    from monitor.daemon import Daemon

    Daemon(db_path=ctx.db_path, watchlist_path=ctx.watchlist_path).run(once=once)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@_errors
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
        _json([{"id": s.id, "service": s.service_name, "url": s.url,
                "last_checked_at": iso_z(s.last_checked_at) if s.last_checked_at else None,
                "last_status": s.last_status, "last_error": store.last_error(s.id) if s.last_status == "error"
                else None, "versions": s.versions, "changes": s.changes,
                "consecutive_failures": s.consecutive_failures,
                "next_due_at": iso_z(s.next_due_at) if s.next_due_at else None} for s in states])
        return
    click.echo(status_table(states, color=ctx.color))
    for s in states:
        if s.last_status == "error":
            click.echo(f"{s.id}: {store.last_error(s.id)}")


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
@_errors
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

    filters = ChangeFilter(document=document, service=service, since=_date_option(since, "--since"),
                           until=_date_option(until, "--until"), flagged=flagged, category=category,
                           limit=limit)
    changes = ctx.store(create=False).list_changes(filters)
    if as_json:
        _json([c.to_json() for c in changes])
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
@_errors
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
        _json(data)
        return
    import shutil

    click.echo(show_change(change, now=utc_now(), color=ctx.color, context=None if context < 0 else context,
                           side=side, width=shutil.get_terminal_size((160, 24)).columns))


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@_errors
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
    if as_json:
        _json([{"version": v.number, "created_at": iso_z(v.created_at), "clauses": v.clauses,
                "technical": v.technical, "text_hash": v.text_hash, "extractor": v.extractor}
               for v in versions])
        return
    click.echo(history_table(versions, color=ctx.color))


@cli.command()
@click.option("--category", help="Only this category (e.g. ai_training).")
@click.option("--upcoming", is_flag=True, help="Only effective dates and deadlines still ahead, soonest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@pass_ctx
@_errors
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
        _json([item for item, _, _ in rows])
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
@_errors
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
        _json([{"document": h.document_id, "version": h.version, "at": iso_z(h.at), "kind": h.kind,
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
@_errors
def export(ctx: Context, fmt: str, output: str | None, since: str | None, limit: int | None) -> None:
    """The change log as a feed or a file.

    \b
    Example:
      tosmon export --format atom --output changes.atom
    """
    from monitor import export as exporters
    from monitor.store import ChangeFilter

    filters = ChangeFilter(since=_date_option(since, "--since"), limit=limit)
    changes = ctx.store(create=False).list_changes(filters, with_clauses=fmt == "atom")
    data: str | bytes
    data = {"atom": exporters.to_atom, "json": exporters.to_json, "csv": exporters.to_csv}[fmt](changes)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if output:
        with open(output, "wb") as handle:
            handle.write(raw)
    else:
        click.echo(raw, nl=False)


@cli.command()
@click.option("--git", "git_dir", type=click.Path(exists=True, file_okay=False), help="A git repository of versions.")
@click.option("--path", "file_path", help="With --git: the file's path in the repository.")
@click.option("--dir", "dir_path", type=click.Path(exists=True, file_okay=False),
              help="A folder of snapshots named by ISO date (2024-01-31.html, 2024-01-31.md).")
@click.option("--document", "doc_id", required=True, help="The document id (service/document).")
@click.option("--alert", is_flag=True, help="Queue webhook alerts for the imported changes (default: silent).")
@pass_ctx
@_errors
def backfill(ctx: Context, git_dir: str | None, file_path: str | None, dir_path: str | None, doc_id: str,
             alert: bool) -> None:
    """Import an existing version history; changes keep their dates and are flagged. Re-running is idempotent.

    \b
    Example:
      tosmon backfill --git pga-versions --path "LinkedIn/Privacy Policy.md" --document linkedin/privacy-policy
    """
    import re

    from monitor.backfill import backfill as run_backfill
    from monitor.backfill import versions_from_dir, versions_from_git
    from monitor.models import AlertConfig, Document

    if bool(git_dir) == bool(dir_path) or (git_dir and not file_path):
        raise click.UsageError("give either --git DIR --path FILE, or --dir DIR")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*", doc_id):
        raise ConfigError(f"{doc_id!r} is not a document id (service/document, lowercase slugs)",
                          key="--document")
    document = None
    alerts = AlertConfig()
    if os.path.exists(ctx.watchlist_path):
        watchlist = ctx.watchlist()
        document = next((d for d in watchlist.documents if d.id == doc_id), None)
        if alert:
            alerts = watchlist.alerts
    if document is None:
        service, name = doc_id.split("/")
        source = f"file://{os.path.abspath(git_dir or dir_path or '')}" + (f"/{file_path}" if file_path else "")
        document = Document(id=doc_id, service=service, service_name=service.replace("-", " ").title(),
                            name=name, urls=(source,))
    history = versions_from_git(git_dir, file_path or "") if git_dir else versions_from_dir(dir_path or "")
    store = ctx.store()
    try:
        report = run_backfill(store, document, history, alerts=alerts)
    finally:
        store.close()
    click.echo(f"{doc_id}: {report}")


@cli.command("import-ota")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--write", is_flag=True, help="Insert/update the entries in the --watchlist file (keeps its "
              "comments and order) instead of printing them.")
@pass_ctx
@_errors
def import_ota(ctx: Context, paths: tuple[str, ...], write: bool) -> None:
    """Turn Open Terms Archive declarations (files or folders) into watchlist entries; print them, or
    write them into the watchlist. Unsupported filters are reported on stderr; a bad declaration exits 2.

    \b
    Example:
      tosmon import-ota declarations/LinkedIn.json --write
    """
    from pathlib import Path

    from monitor.ota import import_declarations, render_entries, write_into_watchlist

    result = import_declarations([Path(p) for p in paths])
    for line in result.notes:
        click.echo(f"note: {line}", err=True)
    for line in result.warnings:
        click.echo(f"warning: {line}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.errors:
        if write:
            click.echo(f"{ctx.watchlist_path}: not written (fix the declarations above)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if write:
        report = write_into_watchlist(result, ctx.watchlist_path)
        click.echo(f"{ctx.watchlist_path}: {report}")
    else:
        click.echo(render_entries(result), nl=False)


@cli.group(invoke_without_command=True)
@click.option("--status", "status_", type=click.Choice(["pending", "failed", "delivered"]),
              help="Only deliveries in this state.")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@click.pass_context
@_errors
def alerts(click_ctx: click.Context, status_: str | None, as_json: bool) -> None:
    """The alert outbox: deliveries with attempts, last error and next attempt.

    \b
    Example:
      tosmon alerts --status failed
    """
    if click_ctx.invoked_subcommand:
        return
    from monitor.render import deliveries_table
    from monitor.timeutil import iso_z

    ctx: Context = click_ctx.obj
    deliveries = ctx.store(create=False).deliveries(status=status_)
    if as_json:
        _json([{"id": d.id, "webhook": d.webhook, "event": str(d.event), "status": str(d.status),
                "attempts": d.attempts, "created_at": iso_z(d.created_at),
                "next_attempt_at": iso_z(d.next_attempt_at) if d.next_attempt_at else None,
                "last_error": d.last_error,
                "delivered_at": iso_z(d.delivered_at) if d.delivered_at else None,
                "change": d.change_id, "document": d.document_id} for d in deliveries])
        return
    click.echo(deliveries_table(deliveries, color=ctx.color))


@alerts.command("retry")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@pass_ctx
@_errors
def alerts_retry(ctx: Context, ids: tuple[str, ...]) -> None:
    """Send failed deliveries (or those named) again, now.

    \b
    Example:
      tosmon alerts retry 3f2b9c1e-...
    """
    from monitor.alerts import retry_deliveries, send_due
    from monitor.fetch import make_client

    watchlist = ctx.watchlist()
    store = ctx.store(create=False)
    count = retry_deliveries(store, list(ids) or None, now=utc_now())
    with make_client() as client:
        report = send_due(store, watchlist.alerts.webhooks, watchlist.alerts.retry, client=client)
    click.echo(f"requeued {count}; {report}")


@cli.command("eval")
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON document.")
@_errors
def eval_(corpus_dir: str, as_json: bool) -> None:
    """Replay a labelled corpus through diff + classifier: precision/recall, date accuracy, misses.

    \b
    Example:
      tosmon eval ../shared/corpus
    """
    from monitor.evaluate import evaluate_corpus

    report = evaluate_corpus(corpus_dir)
    if as_json:
        _json(report.to_json())
    else:
        click.echo(report.format_text())


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell-completion script for SHELL (commands, options, document ids are not completed).

    \b
    Example:
      eval "$(tosmon completion bash)"      # add this line to ~/.bashrc
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    assert completer is not None
    click.echo(completer(cli, {}, "tosmon", "_TOSMON_COMPLETE").source())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="tosmon")
