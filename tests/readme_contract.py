"""The README as a tested contract: its example blocks are checked against (or regenerated from) real runs.

A README example is a fenced block right after a marker line:

    <!-- example: NAME recorded YYYY-MM-DD -->
    ```
    $ tosmon log
    #3    2026-11-29  mastoville/privacy  ...
    ```

- A block whose lines start with `$ ` is a shell transcript: `run_transcript` runs each `tosmon ...` command
  (optionally `| head -N`; `echo $?` prints the last exit code) and returns what a terminal would show
  (stdout and stderr interleaved).
- Any other block (a JSON body, an e-mail) is produced by the test that owns it.

`check_block(name, produced)` compares the README's block with the produced text after `normalise` (times,
today's date, days left, UUIDs and loopback ports vary from run to run); with `TOSMON_README_UPDATE=1` it
rewrites the block in README.md instead (and the marker's `recorded` date), so `TOSMON_README_UPDATE=1
pytest tests/e2e/test_readme_examples.py` regenerates every example from a real run.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"
UPDATE = os.environ.get("TOSMON_README_UPDATE") == "1"
#: The loopback port examples are written with (the page server's real port varies).
SHOWN_PORT = "8765"
_BLOCK = re.compile(r"^<!-- example: (?P<name>[\w.-]+) recorded (?P<day>\d{4}-\d\d-\d\d) -->\n"
                    r"```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"), "<time>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"), "<time>"),
    (re.compile(r"\b\d{8}T\d{6}Z\b"), "<time>"),                  # iCalendar's DTSTAMP
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"(?m)^[0-9a-f]{8}(?=  )"), "<id>"),       # the short delivery ids of `tosmon alerts`
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\bin \d+ days?\b"), "in <n> days"),
    (re.compile(r"\b\d+ days? ago\b"), "<n> days ago"),
    (re.compile(r"\b\d+(?:\.\d+)?s\b"), "<seconds>s"),
]


@dataclass(frozen=True)
class Block:
    name: str
    recorded: str      # the day the block was last regenerated: that day's dates are "today"
    body: str


def blocks() -> dict[str, Block]:
    """Every marked example block of the README, by name."""
    text = README.read_text(encoding="utf-8")
    found = [Block(m["name"], m["day"], m["body"].rstrip("\n")) for m in _BLOCK.finditer(text)]
    names = [b.name for b in found]
    assert len(names) == len(set(names)), f"duplicate README example names: {names}"
    return {b.name: b for b in found}


def fenced_after(phrase: str) -> str:
    """The body of the first fenced block after `phrase` in the README: an input an example is run on (the
    OTA declaration `import-ota` reads), so the README shows exactly what the test feeds."""
    text = README.read_text(encoding="utf-8")
    start = text.index(phrase)
    match = re.compile(r"^```\w*\n(?P<body>.*?)^```$", re.M | re.S).search(text, start)
    assert match, f"no fenced block after {phrase!r} in README.md"
    return match["body"]


def normalise(text: str, *, today: str) -> str:
    """What may differ between two runs made equal: times, `today`'s (and the day before's) date, days
    left, UUIDs, loopback ports, durations; trailing spaces."""
    day = datetime.fromisoformat(today).date()
    for rule, token in _RULES:
        text = rule.sub(token, text)
    for moment in (day, day - timedelta(days=1)):
        text = text.replace(moment.isoformat(), "<today>")
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def check_block(name: str, produced: str) -> None:
    """Assert the README's example `name` shows what `produced` shows (or rewrite it when updating)."""
    block = blocks()[name]
    today = datetime.now(UTC).date().isoformat()
    if UPDATE:
        produced = re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{SHOWN_PORT}", produced)
        text = README.read_text(encoding="utf-8")
        match = next(m for m in _BLOCK.finditer(text) if m["name"] == name)
        head = f"<!-- example: {name} recorded {today} -->\n```{match['lang']}\n"
        README.write_text(text[:match.start()] + head + produced.rstrip("\n") + "\n```" + text[match.end():],
                          encoding="utf-8")
        return
    expected = normalise(block.body, today=block.recorded)
    actual = normalise(produced, today=today)
    assert actual == expected, (f"README example {name!r} is out of date; regenerate it with "
                                f"TOSMON_README_UPDATE=1 pytest {Path(__file__).parent}/e2e/test_readme_examples.py"
                                f"\n--- README\n{expected}\n--- this run\n{actual}")


def transcript(body: str) -> list[str]:
    """The commands of a `$ ` transcript block."""
    return [line[2:] for line in body.splitlines() if line.startswith("$ ")]


def run_transcript(body: str, invoke: Callable[[list[str]], Any],
                   other: Callable[[list[str]], str] | None = None) -> str:
    """Run a transcript's commands with `invoke(args)` (a click Result) and return the transcript they give.
    A command other than `tosmon` (a `git commit` between two checks) goes to `other(args)`, which does it
    and returns its output; a `# comment` after a command is the README's explanation, not an argument."""
    out: list[str] = []
    last = 0
    for command in transcript(body):
        out.append(f"$ {command}")
        if command == "echo $?":
            out.append(str(last))
            continue
        stages = [s.strip() for s in command.split(" | ")]
        args = shlex.split(stages[0], comments=True)
        if args[0] != "tosmon":
            assert other is not None, f"only tosmon commands are run in this transcript: {command}"
            last, text = 0, other(args)
        else:
            result = invoke(args[1:])
            last = result.exit_code
            text = result.output
        for stage in stages[1:]:
            head = re.fullmatch(r"head -(\d+)", stage)
            assert head, f"only `| head -N` is supported in README transcripts: {command}"
            text = "".join(text.splitlines(keepends=True)[:int(head[1])])
        if text.strip("\n"):
            out.append(text.rstrip("\n"))
    return "\n".join(out)
