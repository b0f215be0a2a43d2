"""`tosmon backfill`: import an existing version history (a git repository of Markdown versions, such as
Open Terms Archive's, or a folder of dated snapshots) as versions and changes with their historical dates,
flagged by the same classifier. Re-running adds only what is newer than the document's latest version."""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import ConfigError, MonitorError
from monitor.extract import extract_clauses
from monitor.extract.markdown import clauses_from_markdown
from monitor.models import AlertConfig, Document
from monitor.pipeline import NO_ALERTS, record_change
from monitor.store import Store
from monitor.timeutil import from_iso

log = logging.getLogger(__name__)

#: Commit titles of Open Terms Archive that re-extract without the document changing: silent baselines.
TECHNICAL_TITLES = re.compile(r"^(apply technical or declaration upgrade|refilter)", re.IGNORECASE)
BACKFILL_EXTRACTOR = "backfill"


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricVersion:
    """One version found in a history."""

    at: datetime
    clauses: list[str]
    technical: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BackfillReport:
    versions: int = 0
    changes: int = 0
    technical: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (f"{self.versions} versions, {self.changes} changes, {self.technical} technical, "
                f"{self.skipped} already present or unchanged")


def _clauses(name: str, content: str, source: str) -> list[str]:
    if name.lower().endswith((".html", ".htm")):
        return extract_clauses(content, source=source)
    return clauses_from_markdown(content)


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=300)
    except FileNotFoundError as exc:
        raise MonitorError("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}",
                          path=str(repo)) from exc
    return done.stdout.decode("utf-8", "replace")


def versions_from_git(repo: str | Path, path: str) -> Iterator[HistoricVersion]:
    """One version per commit touching `path`, oldest first by commit date (not topology)."""
    repo = Path(repo)
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise ConfigError("not a git repository", path=str(repo))
    log_text = _git(repo, "log", "--format=%H%x1f%cI%x1f%s", "--", path)
    commits = []
    for line in log_text.splitlines():
        sha, committed, subject = line.split("\x1f", 2)
        commits.append((from_iso(committed), sha, subject))
    if not commits:
        raise ConfigError(f"no commit touches {path!r}", path=str(repo))
    for at, sha, subject in sorted(commits, key=lambda c: c[0]):
        try:
            content = _git(repo, "show", f"{sha}:{path}")
        except ConfigError:  # the file was deleted in this commit
            continue
        yield HistoricVersion(at=at, clauses=_clauses(path, content, f"{path}@{sha[:8]}"),
                              technical=bool(TECHNICAL_TITLES.match(subject)), source=sha[:8])


def _date_from_name(name: str) -> datetime | None:
    """`2024-01-31.html` or `2024-01-31T10-00-00Z.md` -> an aware datetime (UTC when no zone is given)."""
    stem = name.rsplit(".", 1)[0]
    if len(stem) > 10 and stem[10] == "T":  # colons are awkward in file names: 10-00-00 means 10:00:00
        stem = stem[:11] + stem[11:19].replace("-", ":") + stem[19:]
    try:
        parsed = datetime.fromisoformat(stem.replace("Z", "+00:00"))
        if parsed.tzinfo:
            parsed.astimezone(UTC)          # 9999-12-31T23:00-05:00 is past the last representable date
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def versions_from_dir(folder: str | Path) -> Iterator[HistoricVersion]:
    """One version per file named by ISO date (`2024-01-31.html`, `2024-01-31T10-00-00Z.md`), oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError("not a folder", path=str(folder))
    dated = []
    for file in folder.iterdir():
        if file.suffix.lower() not in (".html", ".htm", ".md", ".markdown"):
            continue
        at = _date_from_name(file.name)
        if at is None:
            raise ConfigError("file name is not an ISO date (e.g. 2024-01-31.html)", path=str(file))
        if not file.is_file():
            raise ConfigError("not a file (a snapshot is one .html or .md file)", path=str(file))
        dated.append((at, file))
    if not dated:
        raise ConfigError("no dated .html or .md files", path=str(folder))
    for at, file in sorted(dated):
        try:
            content = file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(file)) from None
        yield HistoricVersion(at=at, clauses=_clauses(file.name, content, str(file)), source=file.name)


def backfill(store: Store, document: Document, history: Iterator[HistoricVersion], *,
             alerts: AlertConfig = NO_ALERTS) -> BackfillReport:
    """Import versions newer than the document's latest; each change is classified and, with `alerts`
    webhooks, queued for delivery (the default, NO_ALERTS, makes a silent import)."""
    store.ensure_document(id=document.id, service_name=document.service_name, url=document.url,
                          now=datetime.now(UTC))
    latest = store.latest_version(document.id)
    old = store.version_text(document.id, latest.number).split("\n") if latest else None
    since = latest.created_at if latest else None
    versions = changes = technical = skipped = 0
    for item in history:
        text = "\n".join(item.clauses)
        if (since is not None and item.at <= since) or not item.clauses:
            skipped += 1
            continue
        if old is not None and item.clauses == old:
            skipped += 1      # same text (a technical commit that changed nothing): versions are distinct texts
            continue
        with store.atomic():
            if old is None or item.technical:
                store.add_version(document.id, text=text, created_at=item.at, extractor=BACKFILL_EXTRACTOR,
                                  technical=old is not None)
                technical += old is not None
            else:
                latest = store.latest_version(document.id)
                assert latest is not None
                result = record_change(document, store, alerts, old, item.clauses, latest.number,
                                       BACKFILL_EXTRACTOR, None, item.at)
                changes += result.change_id is not None
        versions += 1
        old = item.clauses
        since = item.at
    return BackfillReport(versions=versions, changes=changes, technical=technical, skipped=skipped)

