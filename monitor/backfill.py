"""`tosmon backfill`: import an existing version history (a git repository of Markdown versions, such as
Open Terms Archive's, or a folder of dated snapshots) as versions and changes with their historical dates,
flagged by the same classifier. Re-running adds only what is newer than the document's latest version.

`check_followed` is the check of a followed (`ota:`) document: update its repository's clone
(monitor.sources.ota_git) and backfill the new commits. The pipeline calls it for those documents."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import ConfigError, MonitorError, SuspectFetch
from monitor.guards import suspect_reason
from monitor.models import AlertConfig, CheckResult, Document, DocumentState, Event, Outcome
from monitor.pipeline import NO_ALERTS, jittered, record_change
from monitor.pipeline import _document_payload as document_payload
from monitor.pipeline import _enqueue as enqueue
from monitor.pipeline import _record_failure as record_failure
from monitor.sources import ota_git
from monitor.sources.ota_git import TECHNICAL_TITLES, HistoricVersion, history_clauses, versions_from_git
from monitor.store import Store
from monitor.timeutil import iso_z

log = logging.getLogger(__name__)

__all__ = ["TECHNICAL_TITLES", "BackfillReport", "HistoricVersion", "backfill", "check_followed",
           "versions_from_dir", "versions_from_git"]

BACKFILL_EXTRACTOR = "backfill"


@dataclass(frozen=True, slots=True, kw_only=True)
class BackfillReport:
    """What `backfill` did (also for a followed document's check). `last`: the newest version read (imported
    or not); `suspects`: why the guards rejected versions; `last_suspect`: the reason when it was the newest
    one; `added`... `change_id`: summed over the changes, and the last change."""

    versions: int = 0
    changes: int = 0
    technical: int = 0
    skipped: int = 0
    suspects: tuple[str, ...] = ()
    last: HistoricVersion | None = None
    last_suspect: str | None = None
    added: int = 0
    removed: int = 0
    modified: int = 0
    flags: int = 0
    change_id: int | None = None

    def __str__(self) -> str:
        return (f"{self.versions} versions, {self.changes} changes, {self.technical} technical, "
                f"{self.skipped} already present or unchanged"
                + (f", {len(self.suspects)} suspect" if self.suspects else ""))


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
        yield HistoricVersion(at=at, clauses=history_clauses(file.name, content, str(file)), source=file.name,
                              content=content)


def backfill(store: Store, document: Document, history: Iterable[HistoricVersion], *,
             alerts: AlertConfig = NO_ALERTS) -> BackfillReport:
    """Import versions newer than the document's latest, each in its own transaction (an interrupted
    import resumes where it stopped). The first is a baseline; technical ones (OTA's technical-upgrade and
    refilter commits) move the baseline silently; the others are changes, classified and, with `alerts`
    webhooks, queued for delivery. A version that is a bot wall or near-empty (monitor.guards) is skipped."""
    store.ensure_document(id=document.id, service_name=document.service_name, url=document.url,
                          now=datetime.now(UTC))
    latest = store.latest_version(document.id)
    old = store.version_text(document.id, latest.number).split("\n") if latest else None
    since = latest.created_at if latest else None
    versions = changes = technical = skipped = 0
    suspects: list[str] = []
    last = last_suspect = None
    sums = CheckResult(document_id=document.id, outcome=Outcome.UNCHANGED)
    for item in history:
        if since is not None and item.at <= since:
            skipped += 1
            continue
        last = item
        text = "\n".join(item.clauses)
        last_suspect = suspect_reason(item.content, text, previous=None)  # walls and near-empty only: the
        if last_suspect:                                                  # text of a history may shrink
            suspects.append(f"{item.source or iso_z(item.at)}: {last_suspect}")
            log.warning("%s: %s", document.id, f"suspect, not imported: {suspects[-1]}")
            continue
        if old is not None and item.clauses == old:
            skipped += 1      # same text (a technical commit that changed nothing): versions are distinct texts
            continue
        with store.atomic():
            number = (latest.number if latest else 0) + 1
            if old is None or item.technical:
                store.add_version(document.id, text=text, created_at=item.at, extractor=BACKFILL_EXTRACTOR,
                                  technical=old is not None)
                technical += old is not None
            else:
                result = record_change(document, store, alerts, old, item.clauses, number - 1,
                                       BACKFILL_EXTRACTOR, None, item.at)
                changes += result.change_id is not None
                sums = CheckResult(document_id=document.id, outcome=Outcome.CHANGED,
                                   change_id=result.change_id or sums.change_id, added=sums.added + result.added,
                                   removed=sums.removed + result.removed,
                                   modified=sums.modified + result.modified, flags=sums.flags + result.flags)
            if item.commit:
                store.set_version_commit(document.id, number, item.commit)
            latest = store.latest_version(document.id)
        versions += 1
        old = item.clauses
        since = item.at
    return BackfillReport(versions=versions, changes=changes, technical=technical, skipped=skipped,
                         suspects=tuple(suspects), last=last, last_suspect=last_suspect, added=sums.added,
                         removed=sums.removed, modified=sums.modified, flags=sums.flags,
                         change_id=sums.change_id)


def check_followed(doc: Document, state: DocumentState, store: Store, alerts: AlertConfig, now: datetime,
                   started: float) -> CheckResult:
    """A check of a document followed in a git repository: update the repository's clone (at most once a
    round for all its documents) and import every new commit touching the file, as `backfill --git` does."""
    assert doc.ota is not None
    repo, path = doc.ota.repo, doc.ota.path
    seen = store.followed_state(doc.id)
    seen = seen if seen is not None and (seen.repo, seen.path) == (repo, path) else None
    latest = store.latest_version(doc.id)
    try:
        clone = ota_git.update_clone(repo, Path(store.path).parent / "ota-repos",
                                     max_age=ota_git.reuse_window(doc.interval))
        since = max((d for d in (latest.created_at if latest else None, seen and seen.last_commit_at) if d),
                    default=None)
        history = ota_git.new_versions(clone, path, seen_head=seen.head if seen and latest else None, since=since)
        report = BackfillReport() if history is None else backfill(store, doc, history, alerts=alerts)
        if history is not None:
            if not ota_git.path_at(clone, path):
                raise MonitorError(f"{repo}: {path!r} is not in the latest commit (renamed or deleted)")
            if report.last_suspect:   # retried on the next check: a later commit may replace it
                raise SuspectFetch(f"{repo}: {path!r}: suspect: {report.suspects[-1]}")
    except MonitorError as exc:
        with store.atomic():
            store.record_followed(doc.id, repo=repo, path=path, now=now, head=None)
        return record_failure(doc, state, store, alerts, exc, now, time.monotonic() - started)
    outcome = (Outcome.UNCHANGED if not report.versions else Outcome.NEW if latest is None
               else Outcome.CHANGED if report.changes else Outcome.UNCHANGED)
    with store.atomic():
        last_commit, last_at = (report.last.commit, report.last.at) if report.last else (None, None)
        # nothing new read and nothing recorded yet (a database from before, a new repo): the latest version's
        if last_commit is None and (seen is None or seen.last_commit is None) and latest is not None:
            last_commit, last_at = store.version_commits(doc.id).get(latest.number), latest.created_at
        store.record_followed(doc.id, repo=repo, path=path, now=now, head=clone.head, last_commit=last_commit,
                              last_commit_at=last_at if last_commit else None)
        if state.failing_alerted:
            enqueue(store, alerts, Event.DOCUMENT_RECOVERED,
                    document_payload(doc, reason=store.last_error(doc.id), since=state.failing_since),
                    now=now, document_id=doc.id)
        store.record_success(doc.id, status=str(outcome), now=now, next_due_at=now + jittered(doc.interval),
                             etag=None, last_modified=None)
    return CheckResult(document_id=doc.id, outcome=outcome, change_id=report.change_id, added=report.added,
                       removed=report.removed, modified=report.modified, flags=report.flags,
                       elapsed=time.monotonic() - started)
