"""One document check: fetch -> snapshot -> extract -> version -> diff -> classify -> change -> outbox.

`check_document` is the only place the stages are chained. Everything it writes for one check happens in one
`store.atomic()` block; a failure (any MonitorError) is recorded on the document and creates no version and
no change.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.diff import diff_clauses
from monitor.errors import Cancelled, ExtractError, FetchHTTPStatus, MonitorError, StoreError, SuspectFetch
from monitor.extract import EXTRACTOR_VERSION, ExtractPages, extract_pages, page_links
from monitor.extract.pages import RENDER_HINT, looks_script_only
from monitor.fetch import Fetched, acquire, decode_body
from monitor.guards import (
    SOFT_KINDS,
    Suspicion,
    SuspicionKind,
    decoding_reason,
    replaced_bytes,
    suspect_reason,
    wall_reason,
)
from monitor.models import (
    BODY_CLAUSE_BYTES,
    AlertConfig,
    Category,
    CheckResult,
    ClauseDiff,
    Document,
    DocumentState,
    Event,
    FetchResult,
    LinkChange,
    Outcome,
    VersionInfo,
)
from monitor.store import Store, health, text_hash
from monitor.timeutil import iso_z, utc_now
from monitor.versionlinks import link_changes_of, moved_links, page_text_links, version_links

if TYPE_CHECKING:  # only for annotations; monitor.fetch imports it at run time
    import httpx

log = logging.getLogger(__name__)

#: A failing document is retried after FIRST_RETRY (or its interval if shorter), then 4x longer each time,
#: at most this many intervals.
MAX_BACKOFF_FACTOR = 8
FIRST_RETRY = timedelta(minutes=1)
#: Share of an interval by which the next check moves at random.
JITTER = 0.1
#: No webhooks: what checks queue when the caller has no alert configuration (frozen, so safe to share).
NO_ALERTS = AlertConfig()
#: A text equal to one of this many earlier versions is a flip-flop (A/B variants, a banner shown to some
#: fetches): it makes a change only once seen on two consecutive checks, and then as a revert.
FLIP_FLOP_VERSIONS = 10
#: The snapshot outcome of a check that met a returning text for the first time.
HELD = "held"
#: `run_checks` hands results on at most this often (seconds) when they come one by one: the caller's thread
#: then wakes (and takes the GIL from the check threads) once per batch, not once per check. At N = 1000 new
#: pages: cycle 1 2.74 -> 2.65 s.
RESULTS_EVERY = 0.01


def extractor_fingerprint(doc: Document) -> str:
    """Identifies the extraction that produced a version: code version plus the document's settings."""
    config = json.dumps(doc.extraction_config(), sort_keys=True)
    return f"{EXTRACTOR_VERSION}:{hashlib.sha1(config.encode()).hexdigest()[:12]}"


def failure_delay(doc: Document, failures: int) -> timedelta:
    """How long to wait after the n-th consecutive failure: a short first retry (FIRST_RETRY, or the interval
    if shorter) growing 4x each time, at most MAX_BACKOFF_FACTOR intervals; with jitter. An offline start
    is thus retried within minutes, not one interval later."""
    first = min(doc.interval, FIRST_RETRY)
    delay = min(first * 4 ** min(max(0, failures - 1), 20), doc.interval * MAX_BACKOFF_FACTOR)
    return jittered(delay)


def failure_cause(error: str | None) -> str:
    """The kind of a recorded failure, for summaries: `connection failed`, `timed out`, `HTTP 404 Not
    Found`, `suspect`..., i.e. the message without its URL and details."""
    text = (error or "unknown").strip()
    if "://" in text.split(" ", 1)[0]:          # "<url>: problem: detail"
        text = text.split(": ", 1)[1] if ": " in text else text
    cause = text.split(": ", 1)[0].strip()
    return cause[:60] or "unknown"


def failure_causes(errors: Sequence[str | None]) -> list[tuple[str, int]]:
    """Failures counted by cause, the most frequent first."""
    counts: dict[str, int] = {}
    for error in errors:
        cause = failure_cause(error)
        counts[cause] = counts.get(cause, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def jittered(interval: timedelta) -> timedelta:
    """The interval give or take JITTER, so documents added together drift apart instead of being checked
    in bursts."""
    return interval * random.uniform(1 - JITTER, 1 + JITTER)


def _enqueue(store: Store, alerts: AlertConfig, event: Event, payload: dict[str, Any], *, now: datetime,
             change_id: int | None = None, document_id: str | None = None) -> int:
    count = 0
    for name in alerts.subscribers(event):   # webhooks and channels
        store.add_delivery(webhook=name, event=event, payload=payload, now=now, change_id=change_id,
                           document_id=document_id)
        count += 1
    return count


def _document_payload(doc: Document, *, reason: str | None, since: datetime | None) -> dict[str, Any]:
    return {"document": {"id": doc.id, "url": doc.url, "reason": reason,
                         "since": iso_z(since) if since else None}}


def _rebaseline(store: Store, doc: Document, fingerprint: str, now: datetime) -> None:
    """Extraction changed since the latest version: re-extract its snapshot into a technical version, the
    new baseline, with no change and no alert."""
    latest = store.latest_version(doc.id)
    if latest is None or latest.extractor == fingerprint or latest.snapshot_id is None or len(doc.urls) != 1:
        return
    body = store.snapshot_body(latest.snapshot_id)
    if body is None:
        return
    content_type = store.snapshot_content_type(latest.snapshot_id)
    text, encoding = ("", None) if body.startswith(b"%PDF-") else decode_body(body)
    page = FetchResult(url=doc.url, final_url=doc.url, status_code=200, body=body, content_type=content_type,
                       encoding=encoding, text=text)
    try:   # the stored page read as a check reads it: PDF, plain text, Markdown or HTML
        clauses = extract_pages(doc, [page])
    except ExtractError:
        return
    with store.atomic():
        store.add_version(doc.id, text="\n".join(clauses), created_at=now, extractor=fingerprint,
                          snapshot_id=latest.snapshot_id, technical=True)
    log.info("%s: extraction changed; re-baselined as a technical version", doc.id)


def _known_body(doc: Document, store: Store, latest: VersionInfo | None, fingerprint: str) -> str | None:
    """The sha256 of the body the latest version was extracted from, when re-extracting it would give the
    same text (same extraction settings): a server without ETag or 304 then costs no extraction."""
    if latest is None or latest.extractor != fingerprint:
        return None
    last = store.last_snapshot(doc.id)
    return last.body_hash if last is not None and last.outcome == "ok" else None


def _suspect(doc: Document, store: Store, fetched: Fetched, text: str, new_hash: str | None,
             old_text: str | None) -> str | None:
    """Why this fetch must not become a version (see monitor.guards); a soft reason (a big shrink, new
    undecodable bytes) seen on two consecutive checks with the same text is accepted as real."""
    for result in fetched.results:         # bytes that are not the page's text (wrong charset, binary)
        garbled = decoding_reason(result.body, result.text, result.encoding) if not result.is_pdf else None
        if garbled:
            return Suspicion(SuspicionKind.NOT_TEXT, garbled)
    replaced = sum(replaced_bytes(r.body, r.text, r.encoding) for r in fetched.results if not r.is_pdf)
    reason = suspect_reason(fetched.html, text, previous=old_text, replaced=replaced)
    if reason and reason.kind is SuspicionKind.NEAR_EMPTY and not doc.render and looks_script_only(fetched.html):
        reason = Suspicion(reason.kind, f"{reason}: {RENDER_HINT}")
    if reason and reason.kind in SOFT_KINDS:
        last = store.last_snapshot(doc.id)
        if last and last.outcome == "suspect" and last.text_hash == new_hash:
            log.info("%s: the same text seen twice (%s); accepted as real", doc.id, reason.kind)
            return None
    return reason


def _returning(store: Store, doc: Document, latest: VersionInfo, new_hash: str) -> int | None:
    """The number of a recent earlier version whose text is `new_hash`, or None."""
    recent = store.versions(doc.id)[-FLIP_FLOP_VERSIONS - 1:-1]
    return next((v.number for v in reversed(recent) if v.text_hash == new_hash and v.number != latest.number), None)


def _settled(store: Store, doc: Document, new_hash: str | None) -> bool:
    """Whether the previous check held this same returning text back (seen twice in a row now)."""
    last = store.last_snapshot(doc.id)
    return last is not None and last.outcome == HELD and last.text_hash == new_hash


def _readable_text(store: Store, latest: VersionInfo) -> str | None:
    """The latest version's text, or None (a new baseline) when an older tosmon left it unreadable."""
    try:
        return store.version_text(latest.document_id, latest.number)
    except StoreError as exc:
        log.warning("%s: version %d cannot be read (%s); storing a new baseline", latest.document_id,
                    latest.number, exc)
        return None


def check_document(doc: Document, *, store: Store, client: httpx.Client, alerts: AlertConfig = NO_ALERTS,
                   now: datetime | None = None, extract: ExtractPages = extract_pages) -> CheckResult:
    """Check one document now and record the result. Never raises a MonitorError: it is recorded.
    `extract` turns the fetched pages into clauses."""
    now = now or utc_now()
    started = time.monotonic()
    state = store.document_state(doc.id)
    if doc.ota is not None:  # followed in a git repository of versions, not fetched
        from monitor.backfill import check_followed

        return check_followed(doc, state, store, alerts, now, started)
    fingerprint = extractor_fingerprint(doc)
    latest = store.latest_version(doc.id)
    try:
        fetched, clauses = acquire(doc, state, client, known_body=_known_body(doc, store, latest, fingerprint),
                                   extract=extract, wall=wall_reason)
    except MonitorError as exc:
        return _record_failure(doc, state, store, alerts, exc, now, time.monotonic() - started)
    text = None if clauses is None else "\n".join(clauses)
    utf8 = None if text is None else text.encode("utf-8")      # encoded once: hash, compression, storage
    new_hash = None if utf8 is None else text_hash(utf8)
    if latest is not None and latest.extractor != fingerprint:  # also on a 304: the page did not change
        _rebaseline(store, doc, fingerprint, now)
        latest = store.latest_version(doc.id)
    changed = new_hash is not None and (latest is None or latest.text_hash != new_hash)
    old_text = _readable_text(store, latest) if changed and latest is not None else None
    if changed:
        assert text is not None
        reason = _suspect(doc, store, fetched, text, new_hash, old_text)
        if reason:
            return _record_failure(doc, state, store, alerts, SuspectFetch(f"{doc.url}: suspect: {reason}"), now,
                                   time.monotonic() - started, fetched=fetched, new_hash=new_hash)
    revert_to = _returning(store, doc, latest, new_hash) if changed and latest and new_hash else None
    held = revert_to is not None and not _settled(store, doc, new_hash)
    if held:
        log.info("%s: the text of version %s is back; held until seen again", doc.id, revert_to)
        changed = False
    first = fetched.results[0]
    single = len(doc.urls) == 1
    if changed and utf8 is not None:  # compressed before the transaction: others wait less for its lock
        store.blobs.prepare("body", fetched.body)
        store.blobs.prepare("text", utf8)
    with store.atomic():
        same_text = not changed and not held and latest is not None and latest.text_hash == new_hash
        moved, new_links = moved_links(doc, store, latest, fetched, clauses) if same_text and clauses else ([], None)
        snapshot_id = store.add_snapshot(
            doc.id, url=first.url, final_url=first.final_url, fetched_at=now,
            outcome=HELD if held else "not_modified" if fetched.not_modified else "ok",
            status_code=first.status_code, duration=time.monotonic() - started, content_type=first.content_type,
            body=None if fetched.not_modified else fetched.body,   # bodies are kept for the versions made from them
            text_hash=new_hash, keep_body=changed or bool(moved))
        if moved and latest is not None and clauses is not None:   # the same text, a link target moved
            result = record_change(doc, store, alerts, clauses, clauses, latest.number, fingerprint, snapshot_id,
                                   now, moved=moved, new_links=new_links)
        elif not changed or clauses is None or text is None:
            result = CheckResult(document_id=doc.id, outcome=Outcome.UNCHANGED)
        elif latest is None or old_text is None:   # its links are read from its stored page when needed
            store.add_version(doc.id, text=text, created_at=now, extractor=fingerprint, snapshot_id=snapshot_id,
                              links=page_text_links(fetched, clauses) if not single else None, utf8=utf8,
                              digest=new_hash)
            result = CheckResult(document_id=doc.id, outcome=Outcome.NEW)
        else:
            links = functools.cache(lambda: _links(fetched))   # parsed only if a hint needs a link
            old_lines = old_text.split("\n")
            old_links = version_links(doc, store, latest, old_lines)
            new_links = page_text_links(fetched, clauses) if old_links or not single else None
            result = record_change(doc, store, alerts, old_lines, clauses, latest.number,
                                   fingerprint, snapshot_id, now, links=links, revert_to=revert_to,
                                   moved=link_changes_of(doc, old_links or [], new_links or []), new_links=new_links)
        if state.failing_alerted:
            _enqueue(store, alerts, Event.DOCUMENT_RECOVERED,
                     _document_payload(doc, reason=store.last_error(doc.id), since=state.failing_since),
                     now=now, document_id=doc.id)
        store.record_success(doc.id, status=str(result.outcome), now=now, next_due_at=now + jittered(doc.interval),
                             etag=first.etag if single else None,
                             last_modified=first.last_modified if single else None)
    return CheckResult(document_id=doc.id, outcome=result.outcome, change_id=result.change_id,
                       added=result.added, removed=result.removed, modified=result.modified,
                       flags=result.flags, elapsed=time.monotonic() - started, bytes=fetched.size,
                       revert_to=result.revert_to, links=result.links)


def _links(fetched: Fetched) -> dict[str, str]:
    """The links of the fetched HTML pages by their text (opt-out hints that are only a link)."""
    links: dict[str, str] = {}
    for result in fetched.results:
        if result.text and not result.is_pdf:
            for text, target in page_links(result.text, result.url).items():
                links.setdefault(text, target)
    return links


def _words(clauses: list[str]) -> list[str]:
    """The words of a text, clause markers (`#`, `-`) and clause boundaries aside."""
    return [word for word in " ".join(clauses).split() if word.strip("#") and word != "-"]


def record_change(doc: Document, store: Store, alerts: AlertConfig, old: list[str], new: list[str],
                  from_version: int, fingerprint: str, snapshot_id: int | None, now: datetime, *,
                  links: Callable[[], Mapping[str, str]] | None = None, revert_to: int | None = None,
                  moved: Sequence[LinkChange] = (), new_links: Sequence[tuple[str, str]] | None = None,
                  ) -> CheckResult:
    """Store the new version, its change, flags and outbox rows (inside the caller's transaction). `links`:
    the new page's links by their text, for opt-out hints that are only a link. `revert_to`: the earlier
    version whose text this is (a settled flip-flop): its change.detected payload says so
    (`revert_to_version`), and its flags, already reported once, send no clause.flagged. `moved`: the link
    targets inside the text that moved, `new_links` the new version's links. When only link targets moved
    (the same words), the change has no clauses and sends change.detected only for an opt-out or contact
    link."""
    text = "\n".join(new)
    diff = diff_clauses(old, new)
    number = store.add_version(doc.id, text=text, created_at=now, extractor=fingerprint, snapshot_id=snapshot_id,
                               links=new_links)
    same_words = diff.empty or _words(old) == _words(new)
    if same_words and not moved:
        if not diff.empty:  # a clause split or merged, a list turned into paragraphs: same words
            log.info("%s: formatting only (the same words in other clauses); version %d, no change", doc.id,
                     number)
        return CheckResult(document_id=doc.id, outcome=Outcome.UNCHANGED)   # else: hidden by the clause split
    flags = []
    if same_words:   # only link targets moved: a change of links, no clauses
        diff = ClauseDiff()
    else:
        from monitor.classify import classify  # dateparser and the lexicons load on the first change only

        order = list(Category)
        flags = sorted(classify(diff, new, language=doc.language, now=now, links=links),
                       key=lambda f: order.index(f.category))
    change_id = store.add_change(doc.id, from_version=from_version, to_version=number, detected_at=now,
                                 diff=diff, flags=flags, links=moved)
    payload = {"change": store.get_change(change_id).to_json(clauses=True, max_clause_bytes=BODY_CLAUSE_BYTES)}
    if revert_to is not None:
        payload["change"]["revert_to_version"] = revert_to
    if not same_words or any(link.alert for link in moved):
        _enqueue(store, alerts, Event.CHANGE_DETECTED, payload, now=now, change_id=change_id, document_id=doc.id)
    else:
        log.info("%s: %d link target(s) moved, none an opt-out or contact link: no alert", doc.id, len(moved))
    if flags and revert_to is None:
        _enqueue(store, alerts, Event.CLAUSE_FLAGGED, payload, now=now, change_id=change_id,
                 document_id=doc.id)
    return CheckResult(document_id=doc.id, outcome=Outcome.CHANGED, change_id=change_id, added=diff.added,
                       removed=diff.removed, modified=diff.modified, flags=len(flags), revert_to=revert_to,
                       links=len(moved))


def _record_failure(doc: Document, state: DocumentState, store: Store, alerts: AlertConfig,
                    exc: MonitorError, now: datetime, elapsed: float, *, fetched: Fetched | None = None,
                    new_hash: str | None = None) -> CheckResult:
    """Record a failed or suspect check: a snapshot with the reason, a failure count, a backoff, and a
    document.failing alert once per episode. No version, no change."""
    error = str(exc)
    failures = state.consecutive_failures + 1
    with store.atomic():
        first = fetched.results[0] if fetched else None
        store.add_snapshot(doc.id, url=doc.url, fetched_at=now, outcome="suspect" if fetched else "error",
                           error=error, duration=elapsed, final_url=first.final_url if first else None,
                           status_code=exc.status_code if isinstance(exc, FetchHTTPStatus) else
                           (first.status_code if first else None),
                           content_type=first.content_type if first else None,
                           body=fetched.body if fetched else None,
                           text_hash=new_hash)
        store.record_failure(doc.id, error=error, now=now, next_due_at=now + failure_delay(doc, failures))
        if failures >= alerts.failing_after and not state.failing_alerted:
            _enqueue(store, alerts, Event.DOCUMENT_FAILING,
                     _document_payload(doc, reason=error, since=state.failing_since or now),
                     now=now, document_id=doc.id)
            store.mark_failing_alerted(doc.id)
    return CheckResult(document_id=doc.id, outcome=Outcome.ERROR, error=error, elapsed=elapsed)


def check_safely(doc: Document, *, store: Store, client: httpx.Client, alerts: AlertConfig = NO_ALERTS,
                 now: datetime | None = None, extract: ExtractPages = extract_pages) -> CheckResult:
    """`check_document`, except that a bug in one check is logged with its traceback and recorded as
    `internal error: ...` instead of stopping the caller; one INFO line per check."""
    try:
        result = check_document(doc, store=store, client=client, alerts=alerts, now=now, extract=extract)
        health.healthy(store.path)
    except Cancelled:                     # the process is stopping: nothing is recorded
        raise
    except Exception as exc:
        if isinstance(exc, sqlite3.Error) and health.trouble(store.path, exc):   # full, read-only, locked:
            return CheckResult(document_id=doc.id, outcome=Outcome.ERROR, error=f"database: {exc}")  # 1 line
        log.error("%s: internal error", doc.id, exc_info=True)
        state = store.document_state(doc.id)
        result = _record_failure(doc, state, store, alerts, MonitorError(f"internal error: {exc!r}"),
                                 now or utc_now(), 0.0)
    # One line per check: a warning for a failure, else info; its facts as fields for `--log-format json`.
    fields = {"document": doc.id, "outcome": str(result.outcome), "duration_s": round(result.elapsed, 3),
              "bytes": result.bytes, "change_id": result.change_id}
    if result.outcome is Outcome.ERROR:
        log.warning("%s: %s in %.2fs", doc.id, result.summary(), result.elapsed, extra=fields)
    else:
        log.info("%s: %s in %.2fs (%d bytes)", doc.id, result.summary(), result.elapsed, result.bytes,
                 extra=fields)
    return result


def lease_ttl(doc: Document) -> float:
    """How long a check of `doc` may hold its lease: every page's deadline, a browser start, and a margin."""
    return len(doc.urls) * (doc.timeout.total_seconds() + 60.0) + 60.0


def check_leased(doc: Document, *, store: Store, client: httpx.Client, alerts: AlertConfig = NO_ALERTS,
                 extract: ExtractPages = extract_pages, stop: threading.Event | None = None) -> CheckResult | None:
    """`check_safely` under the document's lease, so that concurrent `check` and `run` processes check one
    document one at a time (the second then finds the first's version: one version per distinct text).
    Waits for a lease held elsewhere; None when `stop` was set meanwhile."""
    from monitor.store.leases import leased

    with leased(store, f"doc:{doc.id}", ttl=lease_ttl(doc), stop=stop) as held:
        if not held:
            return None
        return check_safely(doc, store=store, client=client, alerts=alerts, extract=extract)


def run_checks(docs: Sequence[Document], *, db_path: str, alerts: AlertConfig = NO_ALERTS,
               workers: int = 4, host_delay: float = 0.0, per_host: int = 1,
               stop: threading.Event | None = None, extract: ExtractPages | None = None) -> Iterator[CheckResult]:
    """Check documents concurrently, yielding results as they finish: at most `workers` queues at once, at
    most `per_host` requests at a time per host, `host_delay` seconds apart within a queue. Each worker has
    its own database connection (SQLite serialises the writes; each check is still one transaction, under
    the document's lease). `extract` (default: `extract_pages`, in this thread) turns fetched pages into
    clauses. Workers are daemon threads: after `monitor.fetch.deadline.cancel_all()` (Ctrl-C) the caller
    may leave at once; a check cut short records nothing."""
    from monitor.fetch import make_client

    by_host: dict[str, list[Document]] = {}
    for doc in docs:
        by_host.setdefault(urlsplit(doc.url).netloc.lower(), []).append(doc)
    results: queue.Queue[CheckResult | None] = queue.Queue()
    # A host's documents split into `per_host` interleaved queues (parsing, compression and SQLite release
    # the GIL, so two queues use both cores even when every document is on one host).
    groups: queue.SimpleQueue[list[Document]] = queue.SimpleQueue()
    count = 0
    for host_docs in by_host.values():
        for i in range(per_host):
            if host_docs[i::per_host]:
                groups.put(host_docs[i::per_host])
                count += 1

    def work() -> None:
        try:
            store = Store(db_path)
        except MonitorError as exc:   # never left without its None: the caller would wait for it forever
            if not health.trouble(db_path, exc.__cause__ or exc):
                log.error("%s", exc)
            results.put(None)
            return
        try:
            with make_client() as client:
                while not (stop is not None and stop.is_set()):
                    try:
                        host_docs = groups.get_nowait()
                    except queue.Empty:
                        break
                    for i, doc in enumerate(host_docs):
                        if stop is not None and stop.is_set():
                            break
                        if i and host_delay and doc.ota is None:   # a followed document asks no host
                            time.sleep(host_delay)
                        result = check_leased(doc, store=store, client=client, alerts=alerts,
                                              extract=extract or extract_pages, stop=stop)
                        if result is not None:
                            results.put(result)
        except Cancelled:
            pass
        finally:
            store.close()
            results.put(None)

    threads = [threading.Thread(target=work, name=f"check-{i}", daemon=True)
               for i in range(max(1, min(workers, count)))]
    for thread in threads:
        thread.start()
    finished = 0
    while finished < len(threads):
        if results.empty():   # gather what comes in the next moment: each wake-up takes the GIL from the checks
            time.sleep(RESULTS_EVERY)
        item = results.get()
        if item is None:
            finished += 1
        else:
            yield item
