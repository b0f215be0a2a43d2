"""monitor.workers: extraction in a worker process gives what extraction in this process gives (clauses,
exceptions, log lines), and a worker that dies or is closed leaves the caller extracting in this process."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator

import pytest
from fpdf import FPDF

from monitor import workers
from monitor.errors import ConfigError, DeliveryError, ExtractError, FetchHTTPStatus, FetchTimeout
from monitor.models import Document, FetchResult, RangeSelector
from monitor.workers import ExtractionWorker, RemoteTraceback, extract_pages, extraction_worker


def _doc(**kwargs: object) -> Document:
    kwargs.setdefault("urls", ("https://acme.test/terms",))
    return Document(id="acme/terms", service="acme", service_name="ACME", name="terms",
                    **kwargs)  # type: ignore[arg-type]


def _page(html: str | bytes, *, content_type: str = "text/html") -> FetchResult:
    body = html.encode() if isinstance(html, str) else html
    return FetchResult(url="https://acme.test/terms", final_url="https://acme.test/terms", status_code=200,
                       body=body, content_type=content_type,
                       text=html if isinstance(html, str) else "")


def _many_pages_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Clause {i}.")
    return bytes(pdf.output())


TERMS = ("<html><body><nav>Home | Blog</nav><main><h1>Terms</h1><p>We may use your content\u00a0to train "
         "models.</p><ul><li>One</li><li>Two <b>bold</b></li></ul><table><tr><td>a</td><td>b</td></tr></table>"
         "<p>Zero\u200bwidth, caf\u00e9, \u65e5\u672c\u8a9e.</p></main><footer>\u00a9 ACME</footer></body></html>")
DEEP = "<html><body>" + "<div>" * 5000 + "<p>Deep clause.</p>" + "</div>" * 5000 + "</body></html>"
HUGE = "<html><body>" + "<p>A long clause about your data and our rights to it.</p>" * 40_000 + "</body></html>"

CASES = [
    pytest.param(_doc(), [_page(TERMS)], id="plain page (lxml walker)"),
    pytest.param(_doc(select=("main",), remove=("ul",), ignore=("bold",)), [_page(TERMS)],
                 id="select, remove, ignore (BeautifulSoup walker)"),
    pytest.param(_doc(select=(RangeSelector(start_before="h1", end_before="table"),)), [_page(TERMS)],
                 id="range selector"),
    pytest.param(_doc(urls=("https://acme.test/a", "https://acme.test/b")), [_page(TERMS), _page(DEEP)],
                 id="two pages, one nested 5000 deep"),
    pytest.param(_doc(), [_page(HUGE)], id="2.2 MB page"),
]


@pytest.fixture
def worker() -> Iterator[ExtractionWorker]:
    pool = ExtractionWorker()
    try:
        yield pool
    finally:
        pool.close()


@pytest.mark.parametrize(("doc", "results"), CASES)
def test_worker_gives_the_clauses_extraction_gives_here(worker: ExtractionWorker, doc: Document,
                                                        results: list[FetchResult]) -> None:
    assert worker(doc, results) == extract_pages(doc, results)
    assert worker.pid is not None and not worker.in_process


def _raised(call: Callable[[], object]) -> BaseException:
    with pytest.raises(BaseException) as info:
        call()
    return info.value


@pytest.mark.parametrize(("doc", "results"), [
    pytest.param(_doc(), [_page("<html><body><script>x()</script></body></html>")], id="no text"),
    pytest.param(_doc(select=("#missing",)), [_page(TERMS)], id="selector matches nothing"),
    pytest.param(_doc(ignore=("(",)), [_page(TERMS)], id="invalid ignore pattern"),
    pytest.param(_doc(), [_page(b"%PDF-1.4 broken", content_type="application/pdf")], id="corrupt PDF"),
    pytest.param(_doc(), [_page(b"\x89PNG...", content_type="image/png")], id="binary body"),
])
def test_extract_errors_reach_the_caller_as_raised_here(worker: ExtractionWorker, doc: Document,
                                                        results: list[FetchResult]) -> None:
    here = _raised(lambda: extract_pages(doc, results))
    there = _raised(lambda: worker(doc, results))
    assert type(there) is type(here) is ExtractError
    assert str(there) == str(here) and there.args == here.args
    assert isinstance(there.__cause__, RemoteTraceback)
    assert "extract_pages" in str(there.__cause__)         # the worker's traceback comes along
    assert not worker.in_process                            # an extraction error is no reason to give up


def test_a_bug_in_extraction_is_raised_with_its_class_and_message(worker: ExtractionWorker) -> None:
    results = [FetchResult(url="https://acme.test/terms", final_url="https://acme.test/terms", status_code=200,
                           content_type="text/html", text=12345)]  # type: ignore[arg-type]
    here = _raised(lambda: extract_pages(_doc(), results))
    there = _raised(lambda: worker(_doc(), results))
    assert type(there) is type(here) and type(here) is TypeError
    assert repr(there) == repr(here)              # what check_safely records as "internal error: ..."


@pytest.mark.parametrize("exc", [
    ExtractError("acme/terms: no text extracted"),
    ConfigError("not a duration", path="w.yaml", line=3, key="interval"),
    FetchHTTPStatus("HTTP 503 Service Unavailable", url="https://acme.test", status_code=503),
    FetchTimeout("timed out", url="https://acme.test"),
    DeliveryError("HTTP 500", retryable=True, retry_after=2.0),
], ids=lambda exc: type(exc).__name__)
def test_errors_with_keyword_only_arguments_survive_the_trip(exc: Exception) -> None:
    back = pickle.loads(workers._dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc) and back.args == exc.args and vars(back) == vars(exc)


def test_log_lines_of_the_worker_are_logged_here(worker: ExtractionWorker,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    pdf = [_page(_many_pages_pdf(501), content_type="application/pdf")]
    with caplog.at_level(logging.WARNING, logger="monitor"):
        there = _raised(lambda: worker(_doc(), pdf))
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("monitor.extract.pdf", logging.WARNING, "acme/terms (https://acme.test/terms): PDF has 501 pages; reading the "
                                         "first 500")]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="monitor"):
        here = _raised(lambda: extract_pages(_doc(), pdf))
    assert [r.getMessage() for r in caplog.records] == [caplog.records[0].getMessage()]
    assert (type(there), str(there)) == (type(here), str(here))


def _kill(pid: int, wait_for: Callable[..., None]) -> None:
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or "Z" in _state(pid), timeout=10)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def _started(worker: ExtractionWorker) -> tuple[Document, list[FetchResult], list[str]]:
    """A document, its pages and their clauses, after the worker has answered them once (so it runs)."""
    doc, results = _doc(), [_page(TERMS)]
    expected = extract_pages(doc, results)
    assert worker(doc, results) == expected
    assert worker.pid is not None
    return doc, results, expected


def test_a_killed_worker_leaves_one_warning_and_extraction_here(worker: ExtractionWorker,
                                                                wait_for: Callable[..., None],
                                                                caplog: pytest.LogCaptureFixture) -> None:
    doc, results, expected = _started(worker)
    with caplog.at_level(logging.WARNING, logger="monitor"):
        _kill(worker.pid, wait_for)
        wait_for(lambda: worker.in_process, timeout=10)
        assert [worker(doc, results) for _ in range(3)] == [expected] * 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["extraction worker failed (killed by SIGKILL); extracting in this process from now on"]


def test_a_worker_killed_during_a_request_answers_it_here(worker: ExtractionWorker,
                                                          wait_for: Callable[..., None],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    doc, results, expected = _started(worker)
    os.kill(worker.pid, signal.SIGSTOP)                     # the request below waits in the pipe
    answers: list[list[str]] = []
    caller = threading.Thread(target=lambda: answers.append(worker(doc, results)))
    with caplog.at_level(logging.WARNING, logger="monitor"):
        caller.start()
        wait_for(lambda: len(worker._pending) == 1, timeout=10)
        _kill(worker.pid, wait_for)
        caller.join(timeout=30)
    assert answers == [expected]
    assert worker.in_process
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_close_stops_the_worker_and_later_calls_extract_here(wait_for: Callable[..., None]) -> None:
    worker = ExtractionWorker()
    doc, results = _doc(), [_page(TERMS)]
    assert worker(doc, results) == extract_pages(doc, results)
    pid = worker.pid
    assert pid is not None
    worker.close()
    assert _state(pid) == "gone"                             # exited and reaped: no zombie, no orphan
    assert worker.in_process
    assert worker(doc, results) == extract_pages(doc, results)
    worker.close()                                           # idempotent


def test_a_worker_that_cannot_start_leaves_extraction_here(monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(workers.sys, "executable", "/nonexistent/python")
    worker = ExtractionWorker()
    doc, results = _doc(), [_page(TERMS)]
    with caplog.at_level(logging.WARNING, logger="monitor"):
        assert worker(doc, results) == extract_pages(doc, results)
        assert worker(doc, results) == extract_pages(doc, results)
    worker.close()
    assert worker.pid is None and worker.in_process
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["extraction worker failed"]


def test_extraction_worker_only_for_big_runs_on_several_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    with extraction_worker(workers.POOL_MIN_DOCUMENTS - 1) as none:
        assert none is None
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 1)
    with extraction_worker(workers.POOL_MIN_DOCUMENTS) as none:
        assert none is None
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    with extraction_worker(workers.POOL_MIN_DOCUMENTS) as worker:
        assert isinstance(worker, ExtractionWorker)
        assert worker.pid is None                            # started by the first extraction only
        worker(_doc(), [_page(TERMS)])
        pid = worker.pid
    assert pid is not None and _state(pid) == "gone"
