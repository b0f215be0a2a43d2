#!/usr/bin/env python3
"""Micro-benchmarks of three pipeline stages, run with the project's interpreter (.venv/bin/python):

- extraction of the workload's pages through the default path (no selectors): monitor.extract.extract_clauses;

- clause classification throughput: monitor.classify.classify on the change of a ~200 KB document
  (a) every clause new (the worst case: the whole text is classified), (b) 10% of its clauses changed;
- diff time of a ~500 KB document with 5% of its clauses changed: monitor.diff.diff_clauses.

The documents are the workload's own pages (bench/workload_server.py), extracted by monitor.extract and
concatenated up to the size; the changes use the workload's sentence and clause generators.
Prints one JSON object.   usage: micro.py [--reps 5] [--seed 42]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload_server as ws

from monitor.diff import diff_clauses
from monitor.extract import extract_clauses


def document(size: int, seed: int) -> list[str]:
    """Clauses of workload pages 0, 1, 2 ... (round 0), concatenated until the text reaches `size` bytes."""
    wl = ws.Workload(10_000, seed, 0.1)
    clauses: list[str] = []
    total, i = 0, 0
    while total < size:
        body, _, _ = wl.page(i, 0)
        for c in extract_clauses(body.decode("utf-8")):
            clauses.append(c)
            total += len(c.encode()) + 1
            if total >= size:
                break
        i += 1
    return clauses


def mutate(clauses: list[str], share: float, seed: int) -> list[str]:
    """Change `share` of the clauses: rewrite one sentence, add a clause after it, or drop a sentence."""
    rng = random.Random(seed)
    out = list(clauses)
    body = [k for k, c in enumerate(out) if not c.startswith("#") and len(c) > 80]
    picks = sorted(rng.sample(body, max(1, round(share * len(out)))), reverse=True)
    for k in picks:
        kind = rng.choice(("modify", "add", "remove"))
        sentences = out[k].split(". ")
        if kind == "add":
            out.insert(k + 1, ws.clause(rng))
        elif kind == "modify" or len(sentences) < 2:
            sentences[rng.randrange(len(sentences))] = ws.sentence(rng).rstrip(".")
            out[k] = ". ".join(sentences)
        else:
            del sentences[rng.randrange(len(sentences))]
            out[k] = ". ".join(sentences)
    return out


def timed(fn, reps: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(reps):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    res: dict[str, object] = {}

    # --- extraction, default path (no selectors): the workload's pages, as served (with their nonce)
    pages = [ws.render(ws.base_document(args.seed, i), nonce=f"n{i}").decode() for i in range(40)]
    extract_clauses(pages[0])
    med, times, _ = timed(lambda: [extract_clauses(p) for p in pages], args.reps)
    res["extract"] = {"pages": len(pages), "kb_per_page": round(sum(map(len, pages)) / len(pages) / 1000, 1),
                      "median_ms_per_page": round(med / len(pages) * 1000, 3),
                      "runs_ms_per_page": [round(t / len(pages) * 1000, 3) for t in times]}

    # --- diff: 500 KB, 5% of clauses changed
    old = document(500_000, args.seed)
    new = mutate(old, 0.05, args.seed)
    med, times, d = timed(lambda: diff_clauses(old, new), args.reps)
    res["diff"] = {"bytes": sum(len(c.encode()) + 1 for c in old), "clauses": len(old),
                   "changed_clauses": len(d.clauses), "median_s": round(med, 4),
                   "runs_s": [round(t, 4) for t in times]}

    # --- classify: 200 KB
    try:
        from monitor.classify import classify
    except ImportError as exc:  # not there yet: say so instead of failing the benchmark
        res["classify"] = {"skipped": f"monitor.classify not importable: {exc}"}
    else:
        now = datetime(2025, 9, 18, tzinfo=UTC)
        doc = document(200_000, args.seed + 1)
        size = sum(len(c.encode()) + 1 for c in doc)
        t = time.perf_counter()
        import_and_first = None
        all_new = diff_clauses([], doc)
        classify(all_new, doc, language=None, now=now)
        import_and_first = time.perf_counter() - t
        out = {"bytes": size, "clauses": len(doc), "first_call_s_incl_lazy_loads": round(import_and_first, 3)}
        for label, new_doc in (("all_new", doc), ("ten_percent_changed", mutate(doc, 0.10, args.seed))):
            d = all_new if label == "all_new" else diff_clauses(doc, new_doc)
            changed_bytes = sum(len((c.new or c.old or "").encode()) for c in d.clauses)
            med, times, flags = timed(lambda: classify(d, new_doc, language=None, now=now), args.reps)
            out[label] = {"changed_clauses": len(d.clauses), "changed_kb": round(changed_bytes / 1000, 1),
                          "median_s": round(med, 4), "clauses_per_s": round(len(d.clauses) / med),
                          "changed_kb_per_s": round(changed_bytes / 1000 / med), "flags": len(flags)}
        res["classify"] = out
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
