"""`tosmon backfill`: import an existing version history (a git repository of Markdown versions, such as
Open Terms Archive's, or a folder of dated snapshots) as versions and changes with their historical dates,
flagged by the same classifier. Re-running adds only what is newer than the document's latest version."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import ConfigError
from monitor.models import AlertConfig, Document
from monitor.pipeline import HISTORY_EXTRACTOR, NO_ALERTS, HistoryReport, import_history
from monitor.sources.ota_git import TECHNICAL_TITLES, HistoricVersion, history_clauses, versions_from_git
from monitor.store import Store

log = logging.getLogger(__name__)

__all__ = ["TECHNICAL_TITLES", "BackfillReport", "HistoricVersion", "backfill", "versions_from_dir",
           "versions_from_git"]

BACKFILL_EXTRACTOR = HISTORY_EXTRACTOR
#: What a backfill did (the same report as a followed document's check).
BackfillReport = HistoryReport


def _date_from_name(name: str) -> datetime | None:
    """`2024-01-31.html` or `2024-01-31T10-00-00Z.md` -> an aware datetime (UTC when no zone is given)."""
    stem = name.rsplit(".", 1)[0]
    if len(stem) > 10 and stem[10] == "T":  # colons are awkward in file names: 10-00-00 means 10:00:00
        stem = stem[:11] + stem[11:19].replace("-", ":") + stem[19:]
    try:
        parsed = datetime.fromisoformat(stem.replace("Z", "+00:00"))
    except ValueError:
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
        dated.append((at, file))
    if not dated:
        raise ConfigError("no dated .html or .md files", path=str(folder))
    for at, file in sorted(dated):
        content = file.read_text(encoding="utf-8", errors="replace")
        yield HistoricVersion(at=at, clauses=history_clauses(file.name, content, str(file)), source=file.name,
                              content=content)


def backfill(store: Store, document: Document, history: Iterator[HistoricVersion], *,
             alerts: AlertConfig = NO_ALERTS) -> BackfillReport:
    """Import versions newer than the document's latest; each change is classified and, with `alerts`
    webhooks, queued for delivery (the default, NO_ALERTS, makes a silent import). The same import as a
    followed (`ota:`) document's check (monitor.pipeline.import_history)."""
    return import_history(store, document, history, alerts=alerts)
