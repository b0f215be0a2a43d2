"""Domain values shared by every stage: frozen dataclasses and closed sets (StrEnums).

`Change.to_json()` defines the design.md change object once; the CLI, exports and webhooks all use it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import Any

from monitor.timeutil import iso_z


class Outcome(StrEnum):
    """What one document check found."""

    NEW = "new"
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ERROR = "error"


class ClauseKind(StrEnum):
    """How a clause differs between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"


class Category(StrEnum):
    """Kinds of generative-AI clause the classifier flags (see README, "Flags")."""

    AI_TRAINING = "ai_training"
    AI_OPT_OUT = "ai_opt_out"
    AI_SCRAPING_BAN = "ai_scraping_ban"
    AI_FEATURE = "ai_feature"
    AI_CONTENT_RULES = "ai_content_rules"


class DateRole(StrEnum):
    """What a date in a flagged clause means."""

    EFFECTIVE = "effective"
    DEADLINE = "deadline"
    OTHER = "other"


class DeliveryStatus(StrEnum):
    """State of one row of the alert outbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Event(StrEnum):
    """Webhook events."""

    CHANGE_DETECTED = "change.detected"
    CLAUSE_FLAGGED = "clause.flagged"
    DEADLINE_APPROACHING = "deadline.approaching"
    DOCUMENT_FAILING = "document.failing"
    DOCUMENT_RECOVERED = "document.recovered"


#: JSON bytes of clause diff an alert body carries at most; the rest is marked `clauses_truncated`.
BODY_CLAUSE_BYTES = 16_000
#: Webhook body formats (rendered by monitor.alerts.formats; validated by the watchlist).
WEBHOOK_FORMATS = ("json", "slack", "discord")


# --- configuration -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OtaSource:
    """A document followed in a git repository of versions (Open Terms Archive's `*-versions` repositories):
    `repo` is a git URL or an absolute local path, `path` the file in it."""

    repo: str
    path: str

    @property
    def web_base(self) -> str | None:
        """The repository's web address when it is on GitHub (commits can be linked), else None."""
        match = _GITHUB_RE.fullmatch(self.repo)
        return f"https://github.com/{match.group(1)}" if match else None

    def url(self) -> str:
        """Where the document can be read: the file on GitHub, else `repo#path`."""
        from urllib.parse import quote

        base = self.web_base
        return f"{base}/blob/HEAD/{quote(self.path)}" if base else f"{self.repo}#{self.path}"

    def commit_url(self, sha: str) -> str | None:
        """A link to one commit (GitHub repositories only)."""
        base = self.web_base
        return f"{base}/commit/{sha}" if base else None


_GITHUB_RE = re.compile(r"(?:https://|git@|ssh://git@)github\.com[/:]([\w.-]+/[\w.-]+?)(?:\.git)?/?")


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One watched document, as configured in the watchlist."""

    id: str                          # "service/document"
    service: str                     # service slug
    service_name: str                # display name ("LinkedIn")
    name: str                        # document slug
    urls: tuple[str, ...]            # one page, or several joined in order
    select: tuple[str | RangeSelector, ...] = ()
    remove: tuple[str | RangeSelector, ...] = ()
    ignore: tuple[str, ...] = ()
    language: str | None = None
    interval: timedelta = timedelta(hours=6)
    timeout: timedelta = timedelta(seconds=30)
    user_agent: str = "tosmon/1.0"
    render: bool = False
    ota: OtaSource | None = None     # followed in a git repository instead of fetched from `urls`
    render_urls: frozenset[str] = frozenset()   # pages of a multi-page document rendered on their own
    allow_private: bool = False      # may redirects and the browser reach private addresses (monitor.fetch.trust)

    @property
    def url(self) -> str:
        """The first (usually only) page of the document."""
        return self.urls[0]

    def renders(self, url: str) -> bool:
        """Whether this page is fetched through headless Chromium (`render: true`, for the document or the page)."""
        return self.render or url in self.render_urls

    def extraction_config(self) -> dict[str, Any]:
        """The settings that shape extracted text; a change of these re-baselines silently."""
        def plain(selectors: tuple[str | RangeSelector, ...]) -> list[Any]:
            return [s if isinstance(s, str) else s.to_json() for s in selectors]

        return {"select": plain(self.select), "remove": plain(self.remove), "ignore": list(self.ignore)}


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Backoff of webhook deliveries."""

    initial: timedelta = timedelta(seconds=30)
    max_interval: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(days=3)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookConfig:
    """One webhook receiver. The secret itself is never stored: only the variable's name."""

    name: str
    url: str
    secret_env: str | None = None
    events: tuple[Event, ...] = (Event.CLAUSE_FLAGGED, Event.CHANGE_DETECTED)
    format: str = "json"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelConfig:
    """One apprise channel (e-mail, ntfy, Telegram, ...). Its URL(s) are never stored: only the name of the
    environment variable that holds them, read when a delivery is sent."""

    name: str
    url_env: str
    events: tuple[Event, ...] = (Event.CLAUSE_FLAGGED, Event.DEADLINE_APPROACHING, Event.DOCUMENT_FAILING)


#: Lead times of `deadline.approaching` when the watchlist gives none.
DEFAULT_REMINDERS = (timedelta(days=14), timedelta(days=3), timedelta(days=1))


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertConfig:
    """The `alerts:` section of the watchlist."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    failing_after: int = 3
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    channels: tuple[ChannelConfig, ...] = ()
    webhooks: tuple[WebhookConfig, ...] = ()

    @property
    def targets(self) -> tuple[WebhookConfig | ChannelConfig, ...]:
        """Every receiver of the outbox: webhooks and channels (their names are unique across both)."""
        return (*self.webhooks, *self.channels)

    def subscribers(self, event: Event) -> list[str]:
        """The names of the targets that want `event`."""
        return [target.name for target in self.targets if event in target.events]


@dataclass(frozen=True, slots=True, kw_only=True)
class Watchlist:
    """A validated watchlist."""

    path: str
    documents: tuple[Document, ...]
    alerts: AlertConfig = field(default_factory=AlertConfig)


# --- pipeline values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """One successful HTTP answer (2xx, or 304 when `not_modified`)."""

    url: str                         # the URL asked for
    final_url: str                   # after redirects
    status_code: int
    body: bytes = b""
    content_type: str = ""           # media type without parameters, lowercase ("text/html")
    encoding: str | None = None      # the charset the text was decoded with
    text: str = ""                   # the decoded body ("" for binary types such as PDF)
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0             # seconds

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status_code == 304

    @property
    def is_pdf(self) -> bool:
        """A PDF, by its media type or its first bytes (servers label PDFs octet-stream too)."""
        return self.content_type == "application/pdf" or self.body.startswith(b"%PDF-")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClauseChange:
    """One added, removed or modified clause. `segments` are word-level (op, text) pairs for modified ones,
    op being -1 (deleted), 0 (kept) or 1 (inserted)."""

    kind: ClauseKind
    old: str | None
    new: str | None
    old_index: int | None = None     # line number in the old version (0-based)
    new_index: int | None = None     # line number in the new version (0-based)
    segments: tuple[tuple[int, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """One item of a change object's `clauses` (`show --json`, webhook bodies)."""
        return {"kind": str(self.kind), "old": self.old, "new": self.new,
                "segments": [list(s) for s in self.segments]}

    @property
    def text(self) -> str:
        """The clause as it reads now (its old text when removed)."""
        return self.new if self.new is not None else (self.old or "")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClauseDiff:
    """The clause-level difference between two versions, in document order."""

    clauses: tuple[ClauseChange, ...] = ()

    def count(self, kind: ClauseKind) -> int:
        return sum(1 for clause in self.clauses if clause.kind is kind)

    @property
    def added(self) -> int:
        return self.count(ClauseKind.ADDED)

    @property
    def removed(self) -> int:
        return self.count(ClauseKind.REMOVED)

    @property
    def modified(self) -> int:
        return self.count(ClauseKind.MODIFIED)

    @property
    def empty(self) -> bool:
        return not self.clauses


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagDate:
    """A date that bears on a flagged clause."""

    text: str                        # as written ("3 novembre 2025")
    date: date
    role: DateRole

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.date.isoformat(), "role": str(self.role)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Flag:
    """A clause the classifier recognised as generative-AI related."""

    category: Category
    score: float                     # 0..1
    clause: str
    language: str | None = None
    clause_kind: ClauseKind = ClauseKind.ADDED
    evidence: tuple[str, ...] = ()   # the words or rules that matched
    dates: tuple[FlagDate, ...] = ()
    opt_out: str | None = None
    previous_dates: tuple[FlagDate, ...] = ()   # a modified clause's own dates before the edit (old -> new)
    superseded_by: int | None = None            # the later change that modified or removed the clause

    @property
    def modified(self) -> bool:
        """The flag is on a clause that existed before and was edited (not a new clause)."""
        return self.clause_kind is ClauseKind.MODIFIED

    def to_json(self) -> dict[str, Any]:
        return {
            "category": str(self.category),
            "score": round(self.score, 2),
            "language": self.language,
            "clause": self.clause,
            "clause_kind": str(self.clause_kind),
            "modified": self.modified,
            "evidence": list(self.evidence),
            "dates": [d.to_json() for d in self.dates],
            "previous_dates": [d.to_json() for d in self.previous_dates],
            "opt_out": self.opt_out,
            "superseded_by": self.superseded_by,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkChange:
    """A link inside the legal text whose target moved; `alert`: an opt-out or contact link."""

    text: str
    old: str
    new: str
    alert: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "old": self.old, "new": self.new, "alert": self.alert}


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """A stored change between two versions of a document (0 clauses and some `links`: links only)."""

    id: int
    document_id: str
    service_name: str
    url: str
    detected_at: datetime
    from_version: int
    to_version: int
    added: int
    removed: int
    modified: int
    flags: tuple[Flag, ...] = ()
    clauses: tuple[ClauseChange, ...] = ()
    links: tuple[LinkChange, ...] = ()

    def to_json(self, *, clauses: bool = False, max_clause_bytes: int | None = None) -> dict[str, Any]:
        """The design.md change object; with `clauses`, its clause diff too (`show --json`, alert bodies),
        bounded to about `max_clause_bytes` of JSON when given: `clauses_truncated` then says how many of
        how many clauses are shown and how to fetch the rest (null when all are)."""
        data = self._summary_json()
        if clauses:
            items = [c.to_json() for c in self.clauses]
            shown = len(items)
            if max_clause_bytes is not None:   # the longest prefix whose JSON fits
                sizes = accumulate(len(json.dumps(item, ensure_ascii=False).encode("utf-8")) + 1
                                   for item in items)
                shown = sum(1 for size in sizes if size <= max_clause_bytes)
            data["clauses"] = items[:shown]
            data["clauses_truncated"] = None if shown == len(items) else {
                "shown": shown, "total": len(items), "change_id": self.id,
                "fetch": f"tosmon show {self.id} --json"}
        return data

    def _summary_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document_id,
            "service": self.service_name,
            "url": self.url,
            "detected_at": iso_z(self.detected_at),
            "from_version": self.from_version,
            "to_version": self.to_version,
            "added": self.added,
            "removed": self.removed,
            "modified": self.modified,
            "flags": [flag.to_json() for flag in self.flags],
            "links": [link.to_json() for link in self.links],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """What `check_document` reports for one document."""

    document_id: str
    outcome: Outcome
    change_id: int | None = None
    added: int = 0
    removed: int = 0
    modified: int = 0
    flags: int = 0
    error: str | None = None
    elapsed: float = 0.0
    bytes: int = 0
    revert_to: int | None = None     # a change back to this earlier version's text (a flip-flop settled)
    links: int = 0                   # link targets moved inside the legal text

    def summary(self) -> str:
        """`new`, `unchanged`, `changed (+A -R ~M)` (`, back to version N` for a revert; `, link: L` when
        link targets moved; `changed (link: L)` when only they did) or `error: ...`."""
        if self.outcome is Outcome.CHANGED:
            back = f", back to version {self.revert_to}" if self.revert_to else ""
            if not (self.added or self.removed or self.modified) and self.links:
                return f"changed (link: {self.links})"
            moved = f", link: {self.links}" if self.links else ""
            return f"changed (+{self.added} -{self.removed} ~{self.modified}{moved}{back})"
        if self.outcome is Outcome.ERROR:
            return f"error: {self.error}"
        return str(self.outcome)


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One row of the alert outbox."""

    id: str                          # delivery id, stable across retries
    webhook: str
    event: Event
    status: DeliveryStatus
    payload: str                     # the design.md JSON body, frozen when the row was written
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    change_id: int | None = None
    document_id: str | None = None
    retry_from: datetime | None = None   # set when requeued by hand: the give-up window restarts there

    @property
    def window_start(self) -> datetime:
        """Where the retry window (`alerts.retry.give_up_after`) is counted from."""
        return self.retry_from or self.created_at


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentState:
    """What the database knows about a document between checks."""

    id: str
    service_name: str
    url: str
    active: bool = True
    etag: str | None = None
    last_modified: str | None = None
    last_checked_at: datetime | None = None
    last_status: str | None = None       # "new", "unchanged", "changed", "error: ..."
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    failing_alerted: bool = False
    next_due_at: datetime | None = None
    versions: int = 0
    changes: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionInfo:
    """One stored version of a document (the text is loaded on demand)."""

    document_id: str
    number: int
    created_at: datetime
    text_hash: str
    extractor: str                       # extractor version + extraction settings fingerprint
    technical: bool = False
    snapshot_id: int | None = None
    clauses: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    """A clause that matches a full-text query: in a baseline version, or added/removed/modified by a change."""

    document_id: str
    version: int
    at: datetime                         # when that version was recorded
    kind: str                            # "version", "added", "removed" or "modified"
    text: str
    change_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowedState:
    """What the database knows of a followed (`ota:`) document's repository."""

    document_id: str
    repo: str
    path: str
    last_commit: str | None = None       # newest commit touching path that was read
    last_commit_at: datetime | None = None
    head: str | None = None              # the repository's HEAD at the last successful check
    checked_at: datetime | None = None

    @property
    def source(self) -> OtaSource:
        return OtaSource(repo=self.repo, path=self.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotInfo:
    """One recorded fetch (without its body)."""

    id: int
    outcome: str                         # ok | not_modified | error | suspect
    fetched_at: datetime
    error: str | None = None
    text_hash: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeSelector:
    """An Open Terms Archive range selector: the content between a start point and an end point, in document
    order. The start is just before or just after the first element matching `start_before`/`start_after`;
    the end just before or just after the first element matching `end_before`/`end_after`. Exactly one of
    each pair is set (the watchlist checks it)."""

    start_before: str | None = None
    start_after: str | None = None
    end_before: str | None = None
    end_after: str | None = None

    def to_json(self) -> dict[str, str]:
        """The OTA form, `{"startBefore": "#a", "endBefore": "#b"}` (set keys only)."""
        keys = {"startBefore": self.start_before, "startAfter": self.start_after,
                "endBefore": self.end_before, "endAfter": self.end_after}
        return {key: value for key, value in keys.items() if value is not None}

    def __str__(self) -> str:
        return " .. ".join(f"{key} {value}" for key, value in self.to_json().items())
