"""Commands that check documents: `validate`, `check`, `run`."""

from __future__ import annotations

import sys

import click

from monitor.cli.app import (
    CHECK_PER_HOST,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    PROGRESS_AFTER,
    Context,
    cli,
    handle_errors,
    pass_ctx,
)
from monitor.errors import ConfigError
from monitor.timeutil import utc_now


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
@pass_ctx
@handle_errors
def check(ctx: Context, doc_ids: tuple[str, ...]) -> None:
    """Check documents now (all, or those named); one line per document. Exit 1 if any failed.

    \b
    Example:
      tosmon check linkedin/privacy-policy
      linkedin/privacy-policy  changed (+2 -1 ~1)
    """
    from monitor.models import Outcome
    from monitor.pipeline import run_checks

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
        checks = run_checks(docs, db_path=ctx.db_path, alerts=watchlist.alerts, per_host=CHECK_PER_HOST)
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
@handle_errors
def run(ctx: Context, once: bool) -> None:
    """The daemon: check each document when due, deliver alerts; SIGTERM/SIGINT stop it cleanly.

    \b
    Example:
      tosmon --watchlist watchlist.yaml --db db/monitor.db run
    """
    from monitor.daemon import Daemon

    Daemon(db_path=ctx.db_path, watchlist_path=ctx.watchlist_path).run(once=once)
