"""Extraction of fetched pages: in this process, or in one worker process for big `tosmon check` runs.

`extract_pages(doc, results)` turns a document's fetched pages into its clauses (PDFs through
`monitor.extract.pdf`, the rest through `monitor.extract`). It is pure Python and holds the GIL, so the check
threads cannot overlap it with fetching and storing. `ExtractionWorker` is the same function run in one
child process, started on first use; the calling thread waits for the answer without the GIL, so the
parent keeps fetching, diffing and writing SQLite on another core:

    with extraction_worker(len(docs)) as worker:   # None below POOL_MIN_DOCUMENTS documents or on one core
        results = list(run_checks(docs, db_path=db, extract=worker))

The answer is the one `extract_pages` gives in this process: the same clauses, or the same exception
(class, message and attributes, with the worker's traceback as its `__cause__`), and the worker's log
records are re-emitted here. If the worker dies, one warning is logged and every later call extracts in
this process. The worker exits when its stdin closes: `close()`, or this process dying.

Why not `concurrent.futures.ProcessPoolExecutor`: with the spawn start method (fork would count the
parent's pages twice in the tree's RSS) it also starts multiprocessing's resource tracker, a third Python
process (~13 MB), and re-imports the `tosmon` script in the child, which imports `monitor.cli` and click
(~4 MB). This worker is `python -c "from monitor.workers import serve; serve()"`: it imports this
module, `monitor.extract`, `monitor.models` and, on the first page, lxml (~20 MB in all); BeautifulSoup
only for a page that needs it. Requests and answers are length-prefixed pickles on its stdin and stdout.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from monitor.errors import ExtractError
from monitor.extract import extract_clauses
from monitor.models import Document, FetchResult

log = logging.getLogger(__name__)

#: `tosmon check` extracts in a worker process from this many documents on (and with at least 2 CPUs).
POOL_MIN_DOCUMENTS = 16
#: Seconds `close()` waits for the worker to finish its page and exit before killing it.
SHUTDOWN_TIMEOUT = 5.0

ExtractPages = Callable[[Document, Sequence[FetchResult]], list[str]]

_HEADER = struct.Struct(">Q")                  # the length of the pickle that follows
_WORKER_CODE = "from monitor.workers import serve; serve()"


def extract_pages(doc: Document, results: Sequence[FetchResult]) -> list[str]:
    """Clauses of every page, in order: PDFs through monitor.extract.pdf, the rest as HTML."""
    clauses: list[str] = []
    for result in results:
        source = f"{doc.id} ({result.url})"
        if result.is_pdf:
            from monitor.extract.pdf import clauses_from_pdf

            clauses += clauses_from_pdf(result.body, source=source, ignore=doc.ignore)
            continue
        if not result.text:
            raise ExtractError(f"{source}: {result.content_type or 'body'} has no text to extract")
        clauses += extract_clauses(result.text, select=doc.select, remove=doc.remove, ignore=doc.ignore,
                                   source=source)
    return clauses


@contextmanager
def extraction_worker(documents: int) -> Iterator[ExtractionWorker | None]:
    """An `ExtractionWorker` for a run of `documents` checks, closed on leaving; None (extract in this
    process) for fewer than POOL_MIN_DOCUMENTS documents or a single CPU."""
    if documents < POOL_MIN_DOCUMENTS or (os.cpu_count() or 1) < 2:
        yield None
        return
    worker = ExtractionWorker()
    try:
        yield worker
    finally:
        worker.close()


class WorkerLost(Exception):
    """Raised inside `ExtractionWorker` when the worker process cannot be started or has died; the
    worker then extracts in this process. Never escapes `ExtractionWorker.__call__`."""


class RemoteTraceback(Exception):
    """The worker's traceback of an exception it raised, set as that exception's `__cause__` here."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return self.tb


class ExtractionWorker:
    """`extract_pages` in one worker process; call it as `worker(doc, results)`. Thread-safe. Requests are
    pipelined: each caller writes its pages to the worker at once and waits (without the GIL) for its
    answer, which a reader thread hands over in order, so the worker starts the next document as soon as it
    is done with one, whatever the callers are doing."""

    def __init__(self) -> None:
        self._write_lock = threading.Lock()     # starting the worker, and one request written at a time
        self._pending: deque[Future[bytes]] = deque()   # one per request written, oldest first
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._lost = False
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The worker's process id, None before the first call."""
        return self._proc.pid if self._proc is not None else None

    @property
    def in_process(self) -> bool:
        """True once calls extract in this process (the worker died or could not start, or was closed)."""
        return self._lost or self._closed

    def __call__(self, doc: Document, results: Sequence[FetchResult]) -> list[str]:
        if not self.in_process:
            try:
                reply = self._request(doc, results)
            except WorkerLost as exc:
                self._mark_lost(str(exc))
            else:
                return _answer(reply)
        return extract_pages(doc, results)

    def close(self) -> None:
        """Stop the worker: it finishes the pages it was sent and exits (killed after SHUTDOWN_TIMEOUT).
        Calls made after this extract in this process. Idempotent."""
        self._closed = True
        proc = self._proc
        if proc is None:
            return
        with self._write_lock:
            try:
                assert proc.stdin is not None
                proc.stdin.close()
            except OSError:      # the worker is gone: nothing more can be flushed to it
                pass
        _reap(proc, timeout=SHUTDOWN_TIMEOUT)
        if self._reader is not None:
            self._reader.join()
        assert proc.stdout is not None
        proc.stdout.close()                      # after the reader thread is done with it

    def _request(self, doc: Document, results: Sequence[FetchResult]) -> tuple[Any, ...]:
        payload = pickle.dumps((doc, tuple(results)), protocol=pickle.HIGHEST_PROTOCOL)
        future: Future[bytes] = Future()
        with self._write_lock:
            if self.in_process:
                raise WorkerLost("closed" if self._closed else "lost")
            proc = self._proc or self._start()
            assert proc.stdin is not None
            self._pending.append(future)
            try:
                _write_frame(proc.stdin, payload)
            except (OSError, ValueError) as exc:   # ValueError: the pipe was closed by close()
                proc.kill()                        # a worker that cannot be written to is of no use
                raise WorkerLost(_exit_reason(proc)) from exc
        frame = future.result()                    # raises WorkerLost if the worker died meanwhile
        try:
            reply: tuple[Any, ...] = pickle.loads(frame)
        except Exception as exc:
            raise WorkerLost(f"unreadable answer: {exc!r}") from exc
        return reply

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])   # the worker runs this very copy of monitor
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
        level = logging.getLogger("monitor").getEffectiveLevel()
        try:
            proc = subprocess.Popen([sys.executable, "-c", _WORKER_CODE, str(level)], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as exc:
            raise WorkerLost(f"cannot start it: {exc}") from exc
        self._proc = proc
        self._reader = threading.Thread(target=self._read_answers, args=(proc,), daemon=True,
                                        name="extraction-answers")
        self._reader.start()
        log.debug("extraction worker started (pid %d)", proc.pid)
        return proc

    def _read_answers(self, proc: subprocess.Popen[bytes]) -> None:
        """The reader thread: each answer goes to the oldest waiting request; at the end of the worker's
        output (it died, or exited after close()) every request still waiting fails with WorkerLost."""
        assert proc.stdout is not None
        try:
            while (frame := _read_frame(proc.stdout)) is not None:
                self._pending.popleft().set_result(frame)
        except (OSError, ValueError):            # the pipe broke or was closed: the worker is gone
            pass
        finally:
            if proc.poll() is None:
                proc.kill()                      # it closed its output (or sent garbage): no use any more
            reason = _exit_reason(proc)
            self._mark_lost(reason)              # no request is written after this: they run here
            while self._pending:
                self._pending.popleft().set_exception(WorkerLost(reason))

    def _mark_lost(self, reason: str) -> None:
        """From now on extract in this process; say so once, unless the worker was closed on purpose."""
        with self._write_lock:
            first = not self._lost
            self._lost = True
        if first and not self._closed:
            log.warning("extraction worker failed (%s); extracting in this process from now on", reason)


def _answer(reply: tuple[Any, ...]) -> list[str]:
    """The worker's reply as `extract_pages` would have given it here: clauses, or the exception raised."""
    ok, value, records = reply
    for record in records:
        logging.getLogger(record["name"]).handle(logging.makeLogRecord(record))
    if ok:
        clauses: list[str] = value
        return clauses
    exc, tb = value
    exc.__cause__ = RemoteTraceback(tb)
    raise exc


def _exit_reason(proc: subprocess.Popen[bytes]) -> str:
    try:
        code = proc.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "it stopped answering"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _reap(proc: subprocess.Popen[bytes], *, timeout: float) -> None:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdin is not None:
        try:
            proc.stdin.close()
        except OSError:
            pass


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """One length-prefixed message; None at the end of the stream (also a message cut short)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    return data if len(data) == size else None


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


# --- The worker process ------------------------------------------------------------------------------------

def _rebuild_exception(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """An exception with the given class, args and attributes, without calling its __init__ (several
    MonitorErrors take keyword-only arguments, which plain pickling cannot pass back)."""
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class _Pickler(pickle.Pickler):
    """Pickles exceptions by class, args and attributes (see `_rebuild_exception`)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, BaseException):
            return _rebuild_exception, (type(obj), obj.args, dict(vars(obj)))
        return NotImplemented


def _dumps(obj: Any) -> bytes:
    import io

    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return out.getvalue()


class _Records(logging.Handler):
    """Keeps the log records of one request, as dicts `logging.makeLogRecord` takes."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = dict(vars(record))
        fields["msg"] = record.getMessage()                  # args may not pickle; the text does
        fields["args"] = None
        if record.exc_info:
            fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
        fields["exc_info"] = None
        self.records.append(fields)


def serve(requests: IO[bytes] | None = None, replies: IO[bytes] | None = None) -> None:
    """The worker's loop: read `(doc, results)` requests, answer `(ok, clauses | (exception, traceback),
    log records)`, until the input ends. Ctrl-C is left to the parent, which closes the input."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if requests is None or replies is None:
        requests = sys.stdin.buffer
        replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())     # a stray print() cannot corrupt the replies
    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    root.setLevel(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else logging.WARNING)
    while (frame := _read_frame(requests)) is not None:
        doc, results = pickle.loads(frame)
        try:
            reply: tuple[Any, ...] = (True, extract_pages(doc, results))
        except Exception as exc:
            reply = (False, (exc, "".join(traceback.format_exception(exc))))
        try:
            data = _dumps((*reply, records.records))
        except Exception as exc:         # an exception (or a record) that will not pickle: say what it was
            error = RuntimeError(f"{type(reply[1][0]).__qualname__}: {reply[1][0]}" if not reply[0] else
                                 f"extraction worker: cannot send the answer: {exc!r}")
            data = _dumps((False, (error, "".join(traceback.format_exception(exc))), []))
        records.records.clear()
        del frame, doc, results, reply
        _write_frame(replies, data)
