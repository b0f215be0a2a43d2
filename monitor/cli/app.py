"""The `tosmon` group, its global options and what every command shares: the context (database and
watchlist paths), the mapping of errors to one-line messages and exit codes, JSON output, date options."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from monitor import __version__
from monitor.errors import ConfigError, MonitorError, NotFound
from monitor.timeutil import parse_since

if TYPE_CHECKING:
    from monitor.models import Watchlist
    from monitor.store import Store

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED, EXIT_BAD_INPUT = 1, 2
#: Ids are SQLite integers: anything outside 1..2^63-1 cannot exist.
MAX_ID = 2**63 - 1
#: `check` shows a progress line on a terminal when it checks more documents than this.
PROGRESS_AFTER = 5
#: Requests `check` (a one-off run) keeps in flight per host; the daemon keeps one, a second apart.
CHECK_PER_HOST = 2


@dataclass
class Context:
    db_path: str
    watchlist_path: str
    color: bool
    local_time: bool = False    # times in the local zone (a terminal without --utc); JSON is always UTC

    def store(self, *, create: bool = True) -> Store:
        from monitor.store import Store

        return Store(self.db_path, create=create)

    def watchlist(self) -> Watchlist:
        from monitor.watchlist import load_watchlist

        return load_watchlist(self.watchlist_path)


def handle_errors(func: F) -> F:
    """Turn MonitorErrors into one-line messages and exit codes (bad input — ConfigError, NotFound — 2;
    others 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ConfigError, NotFound) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except MonitorError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILED)

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def date_option(value: str | None, name: str) -> Any:
    """A command-line date, or a one-line ConfigError naming the option (exit 2)."""
    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError as exc:
        raise ConfigError(str(exc), key=name) from None


def did_you_mean(value: str, known: Sequence[str]) -> str:
    """` (did you mean 'x'?)` for the closest known value, or `` when none is close."""
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Limit(click.IntRange):
    """`--limit N`: at least 1; beyond what SQLite can count means "all" (no OverflowError)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return min(super().convert(value, param, ctx), MAX_ID)


LIMIT = _Limit(min=1)


def check_id(value: int, missing: str) -> int:
    """An id from the command line: one that no SQLite row can have is NotFound (`missing`), as an unknown
    one is (SQLite would raise OverflowError on it)."""
    if not 1 <= value <= MAX_ID:
        raise NotFound(missing)
    return value


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
@click.option("--utc", is_flag=True, help="Times in UTC on a terminal too (default there: local time; piped "
              "output and JSON are always UTC).")
@click.version_option(__version__, prog_name="tosmon")
@click.pass_context
def cli(ctx: click.Context, db_path: str, watchlist_path: str, verbose: int, quiet: bool, no_color: bool,
        log_format: str, utc: bool) -> None:
    """tosmon watches terms-of-service and privacy pages, keeps every version, shows what changed, and
    flags new clauses about generative-AI use of your data.

    \b
    Example:
      tosmon check && tosmon log --flagged
    """
    color = sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ
    ctx.obj = Context(db_path=db_path, watchlist_path=watchlist_path, color=color,
                      local_time=sys.stdout.isatty() and not utc)
    default_verbose = 1 if ctx.invoked_subcommand == "run" else 0
    _setup_logging(max(verbose, default_verbose), quiet, log_format)
    if ctx.invoked_subcommand == "check" and not verbose:
        # `check` prints one line per document on stdout: its failures are not logged a second time.
        for handler in logging.getLogger().handlers:
            handler.setLevel(logging.ERROR)


pass_ctx = click.make_pass_decorator(Context)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="tosmon")
