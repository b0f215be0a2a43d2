"""Git repositories of versions (Open Terms Archive's `*-versions`) as a document source, through the system
`git`. Used once by `tosmon backfill --git` and on every due check of a followed (`ota:`) document.

A followed repository is kept as one bare clone per repository under `<database folder>/ota-repos/`. It is a
full clone: every version of each followed file is read on its first check, and a partial (blob:none) clone
would fetch those blobs one request per `git show`; a shallow one could not list them at all. The remote's
HEAD is fetched into `refs/heads/followed` with `--force`, so a force-pushed history replaces the old one.

`update_clone` fetches a repository at most once per window (`reuse_window`: one round of the documents that
share it) and once at a time (a thread lock in this process, a file lock between processes): two hundred
documents of one collection cost one fetch. A failed fetch is remembered for the same window, so they also
cost one failure.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from monitor.errors import ConfigError, FetchError, MonitorError
from monitor.extract import extract_clauses
from monitor.extract.markdown import clauses_from_markdown
from monitor.timeutil import from_iso

log = logging.getLogger(__name__)

#: Commit titles of Open Terms Archive that re-extract without the document changing: silent baselines.
TECHNICAL_TITLES = re.compile(r"^(apply technical or declaration upgrade|refilter)", re.IGNORECASE)
#: The local branch a followed repository's HEAD is fetched into.
BRANCH = "refs/heads/followed"
#: A first clone of a large collection takes a while; later fetches are quick.
FETCH_TIMEOUT_SECONDS = 600
#: Share of a document's interval within which a fetch of its repository is reused: the pipeline moves each
#: next check by up to 10% either way, so documents checked together stay within 20% of one another.
REUSE_SHARE = 0.2
#: Versions read by one `git cat-file --batch` (bounds the memory of a first import of a long history).
BLOBS_PER_READ = 50
#: git invocations by subcommand in this process (the bench shows one fetch per round).
GIT_CALLS: Counter[str] = Counter()


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricVersion:
    """One version found in a history. `commit`: the full sha when it comes from git; `content`: the file as
    it was (for the guards)."""

    at: datetime
    clauses: list[str]
    technical: bool = False
    source: str = ""
    commit: str | None = None
    content: str = field(default="", repr=False)


def history_clauses(name: str, content: str, source: str) -> list[str]:
    """A stored version's clauses: HTML is extracted, Markdown is already-extracted text."""
    if name.lower().endswith((".html", ".htm")):
        return extract_clauses(content, source=source)
    return clauses_from_markdown(content)


def git(repo: Path, *args: str, timeout: float = 300) -> str:
    """Run `git -C repo ARGS` and return its output; a failure raises ConfigError with git's first error."""
    return _run(repo, args, timeout=timeout).decode("utf-8", "replace")


def _run(repo: Path, args: Sequence[str], *, timeout: float = 300, input: bytes | None = None) -> bytes:
    GIT_CALLS[args[0]] += 1
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=timeout,
                              env=env, input=input, stdin=None if input is not None else subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise MonitorError("git is not installed (apt-get install git)") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"git {args[0]}: no answer in {timeout:.0f}s", path=str(repo)) from exc
    except subprocess.CalledProcessError as exc:
        lines = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        message = (fatal or lines or ["failed"])[0].removeprefix("fatal: ").removeprefix("error: ")
        raise ConfigError(f"git {args[0]}: {message}", path=str(repo)) from exc
    return done.stdout


def read_blobs(repo: Path, specs: Sequence[str]) -> list[str | None]:
    """The files named `<commit>:<path>`, in one `git cat-file --batch` (None: not a file in that commit)."""
    output = _run(repo, ["cat-file", "--batch"], input="".join(f"{spec}\n" for spec in specs).encode())
    contents: list[str | None] = []
    at = 0
    for _ in specs:
        end = output.index(b"\n", at)
        header = output[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] in (b"blob", b"tree", b"commit", b"tag"):
            size = int(header[2])
            contents.append(output[at:at + size].decode("utf-8", "replace") if header[1] == b"blob" else None)
            at += size + 1
        else:  # "<spec> missing" (or ambiguous): the file was deleted in this commit
            contents.append(None)
    return contents


def versions_from_git(repo: str | Path, path: str, *, since: datetime | None = None,
                      ref: str = "HEAD") -> Iterator[HistoricVersion]:
    """One version per commit of `ref` touching `path`, oldest first by commit date (not topology); with
    `since`, only commits dated after it are read."""
    repo = Path(repo)
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise ConfigError("not a git repository", path=str(repo))
    log_text = git(repo, "log", "--format=%H%x1f%cI%x1f%s", ref, "--", path)
    commits = []
    for line in log_text.splitlines():
        sha, committed, subject = line.split("\x1f", 2)
        commits.append((from_iso(committed), sha, subject))
    if not commits:
        raise ConfigError(f"no commit touches {path!r}", path=str(repo))
    wanted = [c for c in sorted(commits, key=lambda c: c[0]) if since is None or c[0] > since]
    for start in range(0, len(wanted), BLOBS_PER_READ):
        chunk = wanted[start:start + BLOBS_PER_READ]
        for (at, sha, subject), content in zip(chunk, read_blobs(repo, [f"{sha}:{path}" for _, sha, _ in chunk]),
                                               strict=True):
            if content is None:  # the file was deleted in this commit
                continue
            yield HistoricVersion(at=at, clauses=history_clauses(path, content, f"{path}@{sha[:8]}"),
                                  technical=bool(TECHNICAL_TITLES.match(subject)), source=sha[:8], commit=sha,
                                  content=content)


# --- followed repositories ----------------------------------------------------------------------------------


def clone_path(root: Path, repo: str) -> Path:
    """Where a repository's clone lives: a readable slug and a hash of the exact URL or path."""
    tail = re.sub(r"\.git$", "", repo.rstrip("/")).rsplit("/", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-.") or "repo"
    return root / f"{slug}-{hashlib.sha1(repo.encode()).hexdigest()[:8]}"


def reuse_window(interval: timedelta) -> float:
    """Seconds during which a fetch is reused by the other documents of the same repository."""
    return interval.total_seconds() * REUSE_SHARE


@dataclass(slots=True)
class _Clone:
    lock: threading.Lock = field(default_factory=threading.Lock)
    fetched: float | None = None      # time.monotonic() when the last fetch started
    head: str | None = None
    error: str | None = None
    touched: dict[tuple[str, str], frozenset[str] | None] = field(default_factory=dict)


_CLONES: dict[Path, _Clone] = {}
_CLONES_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True, kw_only=True)
class Clone:
    """An up-to-date clone: its folder and the commit its followed branch points at."""

    path: Path
    head: str


def update_clone(repo: str, root: Path, *, max_age: float) -> Clone:
    """The repository's clone under `root`, fetched unless this process fetched it (or failed to) less than
    `max_age` seconds ago. Raises FetchError naming the repository when it cannot be fetched."""
    target = clone_path(root.absolute(), repo)
    with _CLONES_LOCK:
        entry = _CLONES.setdefault(target, _Clone())
    with entry.lock:
        if entry.fetched is not None and time.monotonic() - entry.fetched < max_age:
            if entry.error is not None:
                raise FetchError(entry.error, url=repo, transient=True)
            assert entry.head is not None
            return Clone(path=target, head=entry.head)
        started = time.monotonic()
        try:
            entry.head = _fetch(repo, target)
            entry.error = None
            entry.touched.clear()
        except MonitorError as exc:
            entry.error = f"cannot fetch: {exc.problem if isinstance(exc, ConfigError) else exc}"
            raise FetchError(entry.error, url=repo, transient=True) from exc
        finally:
            entry.fetched = started
        return Clone(path=target, head=entry.head)


def _fetch(repo: str, target: Path) -> str:
    """Create the bare clone if needed, fetch the remote's HEAD into BRANCH (forced), return its commit."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # another process (a `tosmon check` beside the daemon) waits
        if not (target / "HEAD").exists():
            partial = target.with_name(target.name + ".new")
            git(target.parent, "init", "--quiet", "--bare", str(partial))
            git(partial, "symbolic-ref", "HEAD", BRANCH)
            partial.rename(target)
        started = time.monotonic()
        git(target, "fetch", "--quiet", "--force", "--no-tags", "--no-write-fetch-head", "--", repo,
            f"+HEAD:{BRANCH}", timeout=FETCH_TIMEOUT_SECONDS)
        head = git(target, "rev-parse", BRANCH).strip()
    log.info("%s: fetched in %.2fs (at %s)", repo, time.monotonic() - started, head[:8])
    return head


def _touched(clone: Clone, old: str) -> frozenset[str] | None:
    """The paths touched by the commits of the followed branch that `old` does not have: one git call per
    old head and fetch, shared by the documents of the repository; None when `old` is gone (a force push
    followed by git's garbage collection)."""
    with _CLONES_LOCK:
        entry = _CLONES.setdefault(clone.path, _Clone())
    with entry.lock:
        key = (old, clone.head)
        if key not in entry.touched:
            try:
                names = git(clone.path, "log", "--name-only", "--no-renames", "--format=", "-z",
                            f"{old}..{clone.head}")
                entry.touched[key] = frozenset(name.strip("\n") for name in names.split("\0") if name.strip())
            except ConfigError:
                entry.touched[key] = None
        return entry.touched[key]


def new_versions(clone: Clone, path: str, *, seen_head: str | None,
                 since: datetime | None) -> Iterator[HistoricVersion] | None:
    """The versions of `path` dated after `since` (see versions_from_git), or None when no commit since
    `seen_head` (the head the document was last checked at) touched it: then no per-document git runs."""
    if seen_head is not None and seen_head != clone.head:
        touched = _touched(clone, seen_head)
        if touched is not None and path not in touched:
            return None
    elif seen_head == clone.head:
        return None
    return versions_from_git(clone.path, path, since=since, ref=clone.head)


def path_at(clone: Clone, path: str) -> bool:
    """Whether `path` is in the followed branch's latest commit."""
    return bool(git(clone.path, "ls-tree", "--name-only", clone.head, "--", path).strip())


def forget_fetches() -> None:
    """Forget this process's fetches: the next `update_clone` of every repository fetches (as a new process
    would)."""
    with _CLONES_LOCK:
        _CLONES.clear()
