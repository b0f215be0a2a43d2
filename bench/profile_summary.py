#!/usr/bin/env python3
"""Summarise a py-spy `--format raw` profile (collapsed stacks): where the samples go, by pipeline stage and by
function (inclusive and self), so RESULTS.md can say what dominates. Stdlib only.

    python3 profile_summary.py profile.txt [--top 25]
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

# First matching rule wins, checked from the innermost frame outwards: a sample is charged to the innermost
# frame that belongs to a known stage (so bs4 called from extract counts as extract).
STAGES: list[tuple[str, re.Pattern[str]]] = [
    ("classify (monitor.classify, dateparser, langid)", re.compile(r"monitor/classify/|dateparser|langid|regex/")),
    ("diff (monitor.diff, diff-match-patch)", re.compile(r"monitor/diff\.py|diff_match_patch")),
    ("extract (monitor.extract, bs4, lxml, soupsieve)", re.compile(r"monitor/extract/|/bs4/|lxml|soupsieve|monitor/text\.py")),
    ("guards (monitor.guards)", re.compile(r"monitor/guards\.py")),
    ("fetch + HTTP (monitor.fetch, httpx, httpcore, decode)", re.compile(r"monitor/fetch/|/httpx/|/httpcore/|h11|charset_normalizer|socket")),
    ("store (monitor.store, sqlite3, sqlite-utils, zlib, hashlib)", re.compile(r"monitor/store/|sqlite_utils|sqlite3|zlib|hashlib")),
    ("watchlist + CLI start-up (imports, yaml)", re.compile(r"monitor/watchlist\.py|yaml/|<frozen importlib|monitor/cli/")),
    ("pipeline glue", re.compile(r"monitor/pipeline\.py")),
]


def parse(path: str) -> list[tuple[list[str], int]]:
    stacks = []
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        frames, _, count = line.rpartition(" ")
        stacks.append((frames.split(";"), int(count)))
    return stacks


def stage_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, rx in STAGES:
            if rx.search(frame):
                return name
    return "other (interpreter start-up, threads, idle)"


def _short(frame: str) -> str:
    m = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
    if not m:
        return frame
    func, path = m.groups()
    for marker in ("site-packages/", "/monitor/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1] if marker != "/monitor/" else "monitor/" + path.split(marker, 1)[1]
            break
    return f"{func} ({path})"


def summarize(path: str, top: int = 25) -> str:
    stacks = parse(path)
    total = sum(c for _, c in stacks) or 1
    by_stage: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    for frames, count in stacks:
        by_stage[stage_of(frames)] += count
        seen = set()
        for f in frames:
            s = _short(f)
            if s not in seen:
                incl[s] += count
                seen.add(s)
        if frames:
            self_[_short(frames[-1])] += count
    out = [f"samples: {total}", "", "| stage | share of samples |", "|---|---|"]
    out += [f"| {k} | {v / total:.1%} |" for k, v in by_stage.most_common()]
    out += ["", f"| top {top} functions, inclusive | share |", "|---|---|"]
    out += [f"| `{k}` | {v / total:.1%} |" for k, v in incl.most_common(top * 3)
            if "monitor/" in k or "bs4" in k or "lxml" in k or "sqlite" in k or "httpx" in k or "classify" in k][:top]
    out += ["", f"| top {top} functions, self | share |", "|---|---|"]
    out += [f"| `{k}` | {v / total:.1%} |" for k, v in self_.most_common(top)]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("profile")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args(argv)
    print(summarize(args.profile, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
