"""Commands that check documents: `validate`, `check`, `run`."""

from __future__ import annotations

import logging
import sys

import click

from monitor.cli.app import (
    CHECK_PER_HOST,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    PROGRESS_AFTER,
    Context,
    cli,
    did_you_mean,
    handle_errors,
    pass_ctx,
)
from monitor.errors import ConfigError
from monitor.timeutil import utc_now

#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


@cli.command()
@click.option("--strict", is_flag=True, help="Unset secret or channel variables are errors, not warnings.")
@pass_ctx
def validate(ctx: Context, strict: bool) -> None:
    """Check the watchlist; exit 0, or 2 with every error found. Webhook secrets and channel URLs that are not
    set in this shell are warnings (only sending needs them), errors with --strict.

    \b
    Example:
      tosmon --watchlist watchlist.yaml validate --strict
    """
    from monitor.watchlist import missing_variables, validate_watchlist

    errors = validate_watchlist(ctx.watchlist_path)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        sys.exit(EXIT_BAD_INPUT)
    watchlist = ctx.watchlist()
    missing = missing_variables(watchlist)
    for line in missing:
        click.echo(f"{'error' if strict else 'warning'}: {line}", err=True)
    if strict and missing:
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"{ctx.watchlist_path}: ok ({len(watchlist.documents)} documents, "
               f"{len(watchlist.alerts.webhooks)} webhooks, {len(watchlist.alerts.channels)} channels)")


@cli.command()
@click.argument("doc_ids", nargs=-1, metavar="[DOC_ID]...")
@pass_ctx
@handle_errors
def check(ctx: Context, doc_ids: tuple[str, ...]) -> None:
    """Check documents now (all, or those named); one line per document. Exit 1 if any failed.

    \b
    Example:
      tosmon check linkedin/privacy-policy
      linkedin/privacy-policy  changed (+2 -1 ~1)
    """
    from monitor.fetch.http import tls_ready
    from monitor.models import Outcome
    from monitor.pipeline import run_checks

    watchlist = ctx.watchlist()
    docs = list(watchlist.documents)
    if doc_ids:
        by_id = {d.id: d for d in docs}
        unknown = [d + did_you_mean(d, list(by_id)) for d in doc_ids if d not in by_id]
        if unknown:
            raise ConfigError(f"not in the watchlist: {', '.join(unknown)}", path=ctx.watchlist_path)
        docs = [by_id[d] for d in doc_ids]
    tls_ready()                 # a bad SSL_CERT_FILE is one line, not a check thread's traceback
    store = ctx.store()
    failed = False
    done = 0
    try:
        store.sync_documents(watchlist.documents, now=utc_now())
        width = max((len(d.id) for d in docs), default=0)
        # The progress line only on a terminal, and not among log lines (-v), which it would overwrite.
        progress = (sys.stderr.isatty() and len(docs) > PROGRESS_AFTER
                    and all(h.level >= logging.ERROR for h in logging.getLogger().handlers))
        checks = run_checks(docs, db_path=ctx.db_path, alerts=watchlist.alerts, per_host=CHECK_PER_HOST)
        for result in checks:
            done += 1
            failed |= result.outcome is Outcome.ERROR
            if progress:
                click.echo("\r\x1b[K", nl=False, err=True)
            # plain text: color=False spares click an isatty() call (a system call, the GIL given back) per line
            click.echo(f"{result.document_id.ljust(width)}  {result.summary()}", color=False)
            if progress and done < len(docs):
                click.echo(f"[{done}/{len(docs)}] checking…", nl=False, err=True)
        if watchlist.alerts.targets:
            from monitor.alerts import flush

            flush(store, watchlist.alerts)
    except KeyboardInterrupt:
        _interrupted(len(docs) - done)
    finally:
        store.close()
    if failed:
        sys.exit(EXIT_FAILED)


def _interrupted(unchecked: int) -> None:
    """Ctrl-C: cancel the fetches in flight and leave at once with one line. Every check is one transaction,
    so what was not committed is rolled back; the check threads are abandoned, not waited for."""
    import os

    from monitor.fetch.deadline import cancel_all

    cancel_all()
    click.echo(f"\ninterrupted; {unchecked} documents not checked", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


@cli.command()
@click.option("--once", is_flag=True, help="Run one round of due checks and deliveries, then exit.")
@pass_ctx
@handle_errors
def run(ctx: Context, once: bool) -> None:
    """The daemon: check each document when due, deliver alerts; SIGTERM/SIGINT stop it cleanly.

    \b
    Example:
      tosmon --watchlist watchlist.yaml --db db/monitor.db run
    """
    from monitor.daemon import Daemon
    from monitor.fetch.http import tls_ready

    tls_ready()
    Daemon(db_path=ctx.db_path, watchlist_path=ctx.watchlist_path).run(once=once)
