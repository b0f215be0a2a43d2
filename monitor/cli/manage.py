"""Commands that import, deliver and evaluate: `backfill`, `import-ota`, `alerts`, `eval`, `completion`."""

from __future__ import annotations

import os
import sys

import click

from monitor.cli.app import (
    EXIT_BAD_INPUT,
    Context,
    cli,
    handle_errors,
    pass_ctx,
    print_json,
)
from monitor.errors import ConfigError
from monitor.timeutil import utc_now


@cli.command()
@click.option("--git", "git_dir", type=click.Path(exists=True, file_okay=False), help="A git repository of versions.")
@click.option("--path", "file_path", help="With --git: the file's path in the repository.")
@click.option("--dir", "dir_path", type=click.Path(exists=True, file_okay=False),
              help="A folder of snapshots named by ISO date (2024-01-31.html, 2024-01-31.md).")
@click.option("--document", "doc_id", required=True, help="The document id (service/document).")
@click.option("--alert", is_flag=True, help="Queue webhook alerts for the imported changes (default: silent).")
@pass_ctx
@handle_errors
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
    # The source's errors (not a repository, a file not named by date) come with its first version: read it
    # before the database is opened, so that a failing backfill creates no database.
    import itertools

    first = next(history, None)
    history = itertools.chain([first] if first is not None else [], history)
    store = ctx.store()
    try:
        report = run_backfill(store, document, history, alerts=alerts)
    finally:
        store.close()
    click.echo(f"{doc_id}: {report}")


@cli.command("import-ota")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--versions", "versions_repo", metavar="REPO",
              help="Follow the documents of a versions repository (git URL or local path) instead.")
@click.option("--service", "services", multiple=True, metavar="S",
              help="With --versions: only this service (name or slug; repeatable).")
@click.option("--write", is_flag=True, help="Insert/update the entries in the --watchlist file (keeps its "
              "comments and order) instead of printing them.")
@pass_ctx
@handle_errors
def import_ota(ctx: Context, paths: tuple[str, ...], versions_repo: str | None, services: tuple[str, ...],
               write: bool) -> None:
    """Turn Open Terms Archive declarations (files or folders) into watchlist entries, or (--versions) follow
    the documents of a versions repository; print the entries, or write them into the watchlist.
    Unsupported filters are reported on stderr; a bad declaration or an unknown service exits 2.

    \b
    Example:
      tosmon import-ota declarations/LinkedIn.json --write
      tosmon import-ota --versions https://github.com/OpenTermsArchive/genai-eu-versions --write
    """
    from pathlib import Path

    from monitor.ota import import_declarations, import_versions, render_entries, write_into_watchlist

    if bool(paths) == bool(versions_repo) or (services and not versions_repo):
        raise click.UsageError("give declaration PATHs, or --versions REPO [--service S...]")
    if versions_repo:
        result = import_versions(versions_repo, Path(ctx.db_path).parent / "ota-repos", services)
    else:
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
@handle_errors
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
        print_json([{"id": d.id, "webhook": d.webhook, "event": str(d.event), "status": str(d.status),
                "attempts": d.attempts, "created_at": iso_z(d.created_at),
                "next_attempt_at": iso_z(d.next_attempt_at) if d.next_attempt_at else None,
                "last_error": d.last_error,
                "delivered_at": iso_z(d.delivered_at) if d.delivered_at else None,
                "change": d.change_id, "document": d.document_id} for d in deliveries])
        return
    click.echo(deliveries_table(deliveries, color=ctx.color, local=ctx.local_time))


@alerts.command("retry")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@pass_ctx
@handle_errors
def alerts_retry(ctx: Context, ids: tuple[str, ...]) -> None:
    """Send every failed or pending delivery (or those named, by id or unique id prefix) now.

    \b
    Example:
      tosmon alerts retry 3f2b9c1e
    """
    from monitor.alerts import retry_deliveries, send_due
    from monitor.fetch import make_client

    watchlist = ctx.watchlist()
    store = ctx.store(create=False)
    count = retry_deliveries(store, list(ids) or None, now=utc_now())
    with make_client() as client:
        report = send_due(store, watchlist.alerts.targets, watchlist.alerts.retry, client=client)
    click.echo(f"requeued {count}; {report}")


@cli.command("eval")
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON document.")
@handle_errors
def eval_(corpus_dir: str, as_json: bool) -> None:
    """Replay a labelled corpus through diff + classifier: precision/recall, date accuracy, misses.

    \b
    Example:
      tosmon eval ../shared/corpus
    """
    from monitor.evaluate import evaluate_corpus

    report = evaluate_corpus(corpus_dir)
    if as_json:
        print_json(report.to_json())
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
