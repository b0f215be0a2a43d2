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
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.diff import diff_clauses
from monitor.errors import Cancelled, ExtractError, FetchHTTPStatus, MonitorError, SuspectFetch
from monitor.extract import EXTRACTOR_VERSION, extract_clauses, page_links
from monitor.fetch import MAX_BODY_BYTES, decode_body, fetch_document
from monitor.guards import SOFT_REASONS, suspect_reason, wall_reason
from monitor.models import (
    BODY_CLAUSE_BYTES,
    AlertConfig,
    Category,
    CheckResult,
    Document,
    DocumentState,
    Event,
    FetchResult,
    Outcome,
    VersionInfo,
)
from monitor.store import Store, text_hash
from monitor.timeutil import iso_z, utc_now
from monitor.workers import ExtractPages, extract_pages

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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Fetched:
    results: tuple[FetchResult, ...]
    not_modified: bool

    @property
    def size(self) -> int:
        return sum(len(r.body) for r in self.results)

    @property
    def body(self) -> bytes:
        """What is stored for this fetch: the pages' bodies, joined."""
        return b"\n".join(r.body for r in self.results)


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


def _fetch(doc: Document, state: DocumentState, client: httpx.Client, *, browser: bool = False) -> _Fetched:
    """Fetch every page of a document: through headless Chromium when it has `render: true` (or `browser`),
    else plainly, with conditional requests for single-page documents."""
    single = len(doc.urls) == 1
    results = []
    for url in doc.urls:
        if doc.render or browser:
            from monitor.fetch.browser import fetch_rendered

            result = fetch_rendered(url, timeout=doc.timeout.total_seconds(), user_agent=doc.user_agent,
                                    max_bytes=MAX_BODY_BYTES)
        else:
            result = fetch_document(
                url, client=client, timeout=doc.timeout.total_seconds(), user_agent=doc.user_agent,
                etag=state.etag if single else None, last_modified=state.last_modified if single else None)
        results.append(result)
    return _Fetched(results=tuple(results), not_modified=single and results[0].not_modified)


def browser_available() -> bool:
    """Whether headless Chromium can be used (imports the browser module only when asked)."""
    from monitor.fetch.browser import browser_available as available

    return available()


def _acquire(doc: Document, state: DocumentState, client: httpx.Client, *, known_body: str | None = None,
             extract: ExtractPages = extract_pages) -> tuple[_Fetched, list[str] | None]:
    """Fetch and extract with `extract` (None clauses for a 304, or for a body whose sha256 is `known_body`:
    the one the latest version was extracted from). A plain fetch met by a 403/406 or a bot wall is retried
    once through headless Chromium when one is installed."""
    try:
        fetched = _fetch(doc, state, client)
    except FetchHTTPStatus as exc:
        if doc.render or exc.status_code not in (403, 406) or not browser_available():
            raise
        log.info("%s: HTTP %s; retrying through the browser", doc.id, exc.status_code)
        try:
            fetched = _fetch(doc, state, client, browser=True)
        except MonitorError as browser_exc:  # report the page's own answer, not the browser's trouble
            log.warning("%s: browser retry failed: %s", doc.id, browser_exc)
            raise exc from browser_exc
        return fetched, extract(doc, fetched.results)
    if fetched.not_modified or (known_body and hashlib.sha256(fetched.body).hexdigest() == known_body):
        return fetched, None
    clauses = extract(doc, fetched.results)
    html = "\n".join(r.text for r in fetched.results)
    if not doc.render and wall_reason(html, sum(map(len, clauses))) and browser_available():
        log.info("%s: bot wall; retrying through the browser", doc.id)
        try:
            rendered = _fetch(doc, state, client, browser=True)
            return rendered, extract(doc, rendered.results)
        except MonitorError as browser_exc:  # keep the wall: it is recorded as a suspect fetch
            log.warning("%s: browser retry failed: %s", doc.id, browser_exc)
    return fetched, clauses


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
    try:
        html, _ = decode_body(body)
        clauses = extract_clauses(html, select=doc.select, remove=doc.remove, ignore=doc.ignore, source=doc.id)
    except ExtractError:
        return
    with store.atomic():
        store.add_version(doc.id, text="\n".join(clauses), created_at=now, extractor=fingerprint,
                          snapshot_id=latest.snapshot_id, technical=True)
    log.info("%s: extraction changed; re-baselined as a technical version", doc.id)


def _known_body(doc: Document, store: Store, latest: VersionInfo | None, fingerprint: str) -> str | None:
    """The sha256 of the body the latest version was extracted from, when re-extracting it would give the
    same text (same extraction settings): a server without ETag or 304 then costs no extraction."""
    last = store.last_snapshot(doc.id)
    if last is None or last.outcome != "ok" or latest is None or latest.extractor != fingerprint:
        return None
    return last.body_hash


def _suspect(doc: Document, store: Store, fetched: _Fetched, text: str, new_hash: str | None,
             old_text: str | None) -> str | None:
    """Why this fetch must not become a version (see monitor.guards); a soft reason (a big shrink, new
    undecodable bytes) seen on two consecutive checks with the same text is accepted as real."""
    html = "\n".join(r.text for r in fetched.results)
    reason = suspect_reason(html, text, previous=old_text)
    if reason and reason.startswith(SOFT_REASONS):
        last = store.last_snapshot(doc.id)
        if last and last.outcome == "suspect" and last.text_hash == new_hash:
            log.info("%s: the same shrink seen twice; accepted as real", doc.id)
            return None
    return reason


def check_document(doc: Document, *, store: Store, client: httpx.Client, alerts: AlertConfig = NO_ALERTS,
                   now: datetime | None = None, extract: ExtractPages = extract_pages) -> CheckResult:
    """Check one document now and record the result. Never raises a MonitorError: it is recorded.
    `extract` turns the fetched pages into clauses (an `ExtractionWorker` does it in another process)."""
    now = now or utc_now()
    started = time.monotonic()
    state = store.document_state(doc.id)
    if doc.ota is not None:  # followed in a git repository of versions, not fetched
        from monitor.backfill import check_followed

        return check_followed(doc, state, store, alerts, now, started)
    fingerprint = extractor_fingerprint(doc)
    latest = store.latest_version(doc.id)
    try:
        fetched, clauses = _acquire(doc, state, client, known_body=_known_body(doc, store, latest, fingerprint),
                                    extract=extract)
    except MonitorError as exc:
        return _record_failure(doc, state, store, alerts, exc, now, time.monotonic() - started)
    text = None if clauses is None else "\n".join(clauses)
    new_hash = None if text is None else text_hash(text)
    if latest is not None and latest.extractor != fingerprint:  # also on a 304: the page did not change
        _rebaseline(store, doc, fingerprint, now)
        latest = store.latest_version(doc.id)
    changed = new_hash is not None and (latest is None or latest.text_hash != new_hash)
    old_text = store.version_text(doc.id, latest.number) if changed and latest is not None else None
    if changed:
        assert text is not None
        reason = _suspect(doc, store, fetched, text, new_hash, old_text)
        if reason:
            return _record_failure(doc, state, store, alerts, SuspectFetch(f"{doc.url}: suspect: {reason}"), now,
                                   time.monotonic() - started, fetched=fetched, new_hash=new_hash)
    first = fetched.results[0]
    single = len(doc.urls) == 1
    if changed and text is not None:  # compressed before the transaction: others wait less for its lock
        store.blobs.prepare("body", fetched.body)
        store.blobs.prepare("text", text.encode("utf-8"))
    with store.atomic():
        snapshot_id = store.add_snapshot(
            doc.id, url=first.url, fetched_at=now, outcome="not_modified" if fetched.not_modified else "ok",
            status_code=first.status_code, duration=time.monotonic() - started, content_type=first.content_type,
            body=None if fetched.not_modified else fetched.body,
            text_hash=new_hash, keep_body=changed)   # bodies are kept for the versions made from them
        if not changed or clauses is None or text is None:
            result = CheckResult(document_id=doc.id, outcome=Outcome.UNCHANGED)
        elif latest is None or old_text is None:
            store.add_version(doc.id, text=text, created_at=now, extractor=fingerprint, snapshot_id=snapshot_id)
            result = CheckResult(document_id=doc.id, outcome=Outcome.NEW)
        else:
            links = functools.cache(lambda: _links(fetched))   # parsed only if a hint needs a link
            result = record_change(doc, store, alerts, old_text.split("\n"), clauses, latest.number,
                                    fingerprint, snapshot_id, now, links=links)
        if state.failing_alerted:
            _enqueue(store, alerts, Event.DOCUMENT_RECOVERED,
                     _document_payload(doc, reason=store.last_error(doc.id), since=state.failing_since),
                     now=now, document_id=doc.id)
        store.record_success(doc.id, status=str(result.outcome), now=now, next_due_at=now + jittered(doc.interval),
                             etag=first.etag if single else None,
                             last_modified=first.last_modified if single else None)
    return CheckResult(document_id=doc.id, outcome=result.outcome, change_id=result.change_id,
                       added=result.added, removed=result.removed, modified=result.modified,
                       flags=result.flags, elapsed=time.monotonic() - started, bytes=fetched.size)


def _links(fetched: _Fetched) -> dict[str, str]:
    """The links of the fetched HTML pages by their text (opt-out hints that are only a link)."""
    links: dict[str, str] = {}
    for result in fetched.results:
        if result.text and not result.is_pdf:
            for text, target in page_links(result.text, result.url).items():
                links.setdefault(text, target)
    return links


def record_change(doc: Document, store: Store, alerts: AlertConfig, old: list[str], new: list[str],
                  from_version: int, fingerprint: str, snapshot_id: int | None, now: datetime, *,
                  links: Callable[[], Mapping[str, str]] | None = None) -> CheckResult:
    """Store the new version, its change, flags and outbox rows (inside the caller's transaction). `links`:
    the new page's links by their text, for opt-out hints that are only a link."""
    text = "\n".join(new)
    diff = diff_clauses(old, new)
    number = store.add_version(doc.id, text=text, created_at=now, extractor=fingerprint, snapshot_id=snapshot_id)
    if diff.empty:  # the texts differ only in ways the clause split hides
        return CheckResult(document_id=doc.id, outcome=Outcome.UNCHANGED)
    from monitor.classify import classify  # dateparser and the lexicons load on the first change only

    order = list(Category)
    flags = sorted(classify(diff, new, language=doc.language, now=now, links=links),
                   key=lambda f: order.index(f.category))
    change_id = store.add_change(doc.id, from_version=from_version, to_version=number, detected_at=now,
                                 diff=diff, flags=flags)
    payload = {"change": store.get_change(change_id).to_json(clauses=True, max_clause_bytes=BODY_CLAUSE_BYTES)}
    _enqueue(store, alerts, Event.CHANGE_DETECTED, payload, now=now, change_id=change_id, document_id=doc.id)
    if flags:
        _enqueue(store, alerts, Event.CLAUSE_FLAGGED, payload, now=now, change_id=change_id,
                 document_id=doc.id)
    return CheckResult(document_id=doc.id, outcome=Outcome.CHANGED, change_id=change_id, added=diff.added,
                       removed=diff.removed, modified=diff.modified, flags=len(flags))


def _record_failure(doc: Document, state: DocumentState, store: Store, alerts: AlertConfig,
                    exc: MonitorError, now: datetime, elapsed: float, *, fetched: _Fetched | None = None,
                    new_hash: str | None = None) -> CheckResult:
    """Record a failed or suspect check: a snapshot with the reason, a failure count, a backoff, and a
    document.failing alert once per episode. No version, no change."""
    error = str(exc)
    failures = state.consecutive_failures + 1
    with store.atomic():
        first = fetched.results[0] if fetched else None
        store.add_snapshot(doc.id, url=doc.url, fetched_at=now, outcome="suspect" if fetched else "error",
                           error=error, duration=elapsed,
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
    except Cancelled:                     # the process is stopping: nothing is recorded
        raise
    except Exception as exc:
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
        except MonitorError:   # logged; the end marker below still comes, so the caller never waits forever
            log.exception("cannot open %s", db_path)
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
        item = results.get()
        if item is None:
            finished += 1
        else:
            yield item
