#!/usr/bin/env python3
"""The measurements of issue 8 beside the side-by-side table, run with the harness interpreter (psutil):

  profile   cycle 1 of `tosmon check` at N (default 1000) under py-spy (raw collapsed stacks + summary)
  log       `tosmon log --limit 20` wall time (median of R runs) on the database after 3 cycles
  daemon    `tosmon run` against the workload (N docs, 1 s interval) until C checks are done; RSS sampled
            with psutil every few seconds; a new round of 10% changes every 1000 checks
  micro     bench/micro.py with the project interpreter (classification throughput, 500 KB diff)
  follow    a git repository of versions (Open Terms Archive layout) with 200 documents x 20 versions,
            followed with `ota:` entries: three rounds of `tosmon check` (first import, nothing new, 10% of
            the documents with a new commit), each with its wall time, peak RSS and git invocations counted
            by a `git` wrapper on PATH (one fetch per round, not one per document)
  scale     `tosmon run` with production politeness (1 request at a time per host, 1 s apart): N (2,000)
            documents on H (40) loopback hosts (127.0.0.1..127.0.0.H) at `interval: 60s`, a webhook receiver,
            10% of the documents changed every interval; reports checks/s, documents overdue by more than one
            interval after warm-up, detection->delivery latency percentiles, RSS, and the SIGTERM stop time

Prints Markdown; writes JSON to --out.   usage: extras.py --tosmon-bin .venv/bin/tosmon [options]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import profile_summary  # noqa: E402
from run_bench import PEERS_DIR, Server  # noqa: E402


def _cycle(env: dict, workdir: Path, base: str, n: int, prefix: list[str] | None = None) -> float:
    cmd = [str(HERE / "peers" / "tosmon_cycle.sh"), str(workdir), base, str(n)]
    t = time.perf_counter()
    subprocess.run((prefix or []) + cmd, env=env, cwd=workdir, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def profile_and_log(args, env: dict, out: dict) -> None:
    n = args.profile_n
    workdir = Path(args.workdir) / f"extras-n{n}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    server = Server(n, workdir, args.seed, 0.10)
    try:
        subprocess.run([str(HERE / "peers" / "tosmon_cycle.sh"), str(workdir), server.base, str(n)],
                       env={**env, "PREPARE_ONLY": "1"}, check=True)
        pyspy = shutil.which("py-spy") or str(PEERS_DIR / "harness-venv/bin/py-spy")
        prof = Path(args.results) / f"profile-cycle1-n{n}.txt"
        if args.profile and Path(pyspy).exists():
            # the same command tosmon_cycle.sh execs, started by py-spy itself
            t = time.perf_counter()
            subprocess.run([pyspy, "record", "-r", "200", "-f", "raw", "-o", str(prof), "--", args.tosmon_bin,
                            "check"], cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**env, "TOSMON_DB": str(workdir / "db/monitor.db"),
                                "TOSMON_WATCHLIST": str(workdir / "watchlist.yaml")})
            wall = time.perf_counter() - t
            out["profile"] = {"file": str(prof), "wall_s_under_py_spy": round(wall, 2),
                              "summary": profile_summary.summarize(str(prof), 20) if prof.exists() else "no samples"}
        else:
            _cycle(env, workdir, server.base, n)
        _cycle(env, workdir, server.base, n)
        server.get("/_round/1")
        _cycle(env, workdir, server.base, n)
        times = []
        lenv = {**env, "TOSMON_DB": str(workdir / "db/monitor.db"), "NO_COLOR": "1"}
        for _ in range(args.log_runs):
            t = time.perf_counter()
            r = subprocess.run([args.tosmon_bin, "log", "--limit", "20"], env=lenv, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
        out["log"] = {"n": n, "runs": len(times), "median_s": round(statistics.median(times), 3),
                      "min_s": round(min(times), 3), "max_s": round(max(times), 3), "rc": r.returncode,
                      "lines": len(r.stdout.splitlines())}
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


DAEMON = """import sys
import monitor.daemon as d
d.HOST_DELAY_SECONDS = float(sys.argv.pop(1))
from monitor.cli import main
main()
"""


def daemon(args, env: dict, out: dict) -> None:
    import psutil

    n = args.daemon_n
    workdir = Path(args.workdir) / f"daemon-n{n}"
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "db").mkdir(parents=True)
    server = Server(n, workdir, args.seed, 0.10)
    wl = workdir / "watchlist.yaml"
    with open(wl, "w") as f:
        f.write(f"defaults:\n  interval: {args.daemon_interval}\n  timeout: 30s\nservices:\n")
        for i in range(n):
            f.write(f"  doc-{i}:\n    name: Doc {i}\n    documents:\n      page:\n"
                    f"        url: {server.base}/doc/{i}\n")
    db = workdir / "db/monitor.db"
    python = str(Path(args.tosmon_bin).parent / "python")
    log = open(workdir / "daemon.log", "w")
    proc = subprocess.Popen([python, "-c", DAEMON, str(args.daemon_host_delay), "--db", str(db), "--watchlist",
                             str(wl), "-q", "run"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    ps = psutil.Process(proc.pid)
    samples: list[tuple[float, int, float]] = []   # (t, checks, rss MB)
    t0 = time.time()
    rnd = 0
    try:
        while True:
            time.sleep(args.daemon_sample)
            if proc.poll() is not None:
                raise RuntimeError(f"daemon exited: see {workdir / 'daemon.log'}")
            checks = 0
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
                        checks = c.execute("SELECT count(*) FROM snapshots").fetchone()[0]
                except sqlite3.Error:
                    checks = samples[-1][1] if samples else 0
            samples.append((round(time.time() - t0, 1), checks, round(ps.memory_info().rss / 2**20, 1)))
            if checks // 1000 > rnd:         # a new round of changes every 1000 checks
                rnd = checks // 1000
                server.get(f"/_round/{rnd}")
            if checks >= args.daemon_checks or time.time() - t0 > args.daemon_max_seconds:
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        server.stop()
    first = next((s for s in samples if s[1] >= n), samples[0])     # after the first full round
    mid = min(samples, key=lambda s: abs(s[1] - samples[-1][1] / 2))
    with sqlite3.connect(db) as c:
        outcomes = dict(c.execute("SELECT outcome, count(*) FROM snapshots GROUP BY outcome").fetchall())
        changes = c.execute("SELECT count(*) FROM changes").fetchone()[0]
    out["daemon"] = {
        "n": n, "interval": args.daemon_interval, "host_delay_s": args.daemon_host_delay,
        "checks": samples[-1][1], "target_checks": args.daemon_checks, "seconds": samples[-1][0],
        "rounds_of_changes": rnd, "changes_recorded": changes, "outcomes": outcomes,
        "rss_mb": {"start": first[2], "start_at_checks": first[1], "mid": mid[2], "mid_at_checks": mid[1],
                   "end": samples[-1][2], "max": max(s[2] for s in samples)},
        "samples": samples,
    }
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


#: Runs one command and prints its peak RSS (ru_maxrss of the children: tosmon, or a git it ran if larger).
RSS_WRAPPER = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
               "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
               "print(json.dumps({'rc': rc, 's': time.perf_counter() - t, "
               "'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")


def _paragraphs(doc: int, version: int) -> str:
    """A document of ~30 paragraphs (~6 KB); version v rewrites paragraph v (v > 0)."""
    paras = [f"# Terms of Use of Service {doc}"]
    for p in range(30):
        edit = f" Revised in version {version}." if p == version else ""
        paras.append(f"## Section {p + 1}\n\nWhen you use Service {doc}, clause {p + 1} applies to your account, "
                     f"your content and the data we process to provide the service in your region.{edit} "
                     "We may update this section and will tell you before the new terms apply.")
    return "\n\n".join(paras) + "\n"


def _fast_import(repo: Path, commits: list[tuple[str, str, str]], start: int, parent: bool) -> None:
    """Append commits (path, text, title), one minute apart from epoch `start`, with git fast-import."""
    chunks = []
    for i, (path, text, title) in enumerate(commits):
        data, msg = text.encode(), title.encode()
        chunks.append(b"commit refs/heads/main\ncommitter OTA-Bot <bot@example.org> %d +0000\n" % (start + 60 * i))
        chunks.append(b"data %d\n%s\n" % (len(msg), msg))
        if i == 0 and parent:
            chunks.append(b"from refs/heads/main^0\n")
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(chunks), check=True)


def follow(args, env: dict, out: dict) -> None:
    docs, versions = args.follow_docs, args.follow_versions
    workdir = Path(args.workdir) / f"follow-{docs}x{versions}"
    shutil.rmtree(workdir, ignore_errors=True)
    repo = workdir / "versions"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    paths = [f"Service {d}/Terms of Use.md" for d in range(docs)]
    history = []
    for v in range(versions):
        title = ("First record of {}" if v == 0 else "Apply technical or declaration upgrade on {}" if v % 7 == 0
                 else "Record new changes of {}")
        history += [(path, _paragraphs(d, v), title.format(path[:-3].replace("/", " ")))
                    for d, path in enumerate(paths)]
    start = 1_700_000_000
    _fast_import(repo, history, start, parent=False)
    with open(workdir / "watchlist.yaml", "w") as f:
        f.write("services:\n")
        for d, path in enumerate(paths):
            f.write(f"  service-{d}:\n    documents:\n      terms-of-use:\n"
                    f"        ota: {{repo: {json.dumps(str(repo))}, path: {json.dumps(path)}}}\n")
    real_git = shutil.which("git")
    calls = workdir / "git-calls.log"
    wrapper = workdir / "bin" / "git"
    wrapper.parent.mkdir()
    # the subcommand is the first argument after `-C DIR` (tosmon always passes -C)
    wrapper.write_text(f'#!/bin/sh\n[ "$1" = -C ] && echo "$3" >> "{calls}"\nexec "{real_git}" "$@"\n')
    wrapper.chmod(0o755)
    python = str(Path(args.tosmon_bin).parent / "python")
    renv = {**env, "PATH": f"{wrapper.parent}:{env.get('PATH', '')}", "TOSMON_DB": str(workdir / "db/monitor.db"),
            "TOSMON_WATCHLIST": str(workdir / "watchlist.yaml")}
    rounds = []
    for name in ("first import", "nothing new", "10% of documents with a new commit"):
        if name.startswith("10%"):
            changed = [(path, _paragraphs(d, versions), f"Record new changes of {path[:-3].replace('/', ' ')}")
                       for d, path in enumerate(paths) if d % 10 == 0]
            _fast_import(repo, changed, start + 60 * len(history), parent=True)
        calls.write_text("")
        r = subprocess.run([python, "-c", RSS_WRAPPER, args.tosmon_bin, "-q", "check"], env=renv,
                           capture_output=True, text=True, check=True)
        measured = json.loads(r.stdout)
        counted: dict[str, int] = {}
        for line in calls.read_text().split():
            counted[line] = counted.get(line, 0) + 1
        rounds.append({"round": name, "seconds": round(measured["s"], 2), "rss_mb": round(measured["rss_mb"], 1),
                       "rc": measured["rc"], "git": counted, "git_total": sum(counted.values())})
    with sqlite3.connect(workdir / "db/monitor.db") as c:
        stored = {"stored_versions": c.execute("SELECT count(*) FROM versions").fetchone()[0],
                  "stored_changes": c.execute("SELECT count(*) FROM changes").fetchone()[0]}
    out["follow"] = {"documents": docs, "versions": versions, "commits": len(history), "rounds": rounds, **stored}
def scale(args, env: dict, out: dict) -> None:
    """Does the daemon keep up with N documents on H hosts at one interval, and how fast do alerts leave?"""
    import http.server
    import threading
    from datetime import datetime, timezone

    import psutil

    n, hosts, interval = args.scale_n, args.scale_hosts, args.scale_interval
    workdir = Path(args.workdir) / f"scale-n{n}-h{hosts}"
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "db").mkdir(parents=True)
    port_file = workdir / "server.port"
    server_log = open(workdir / "server.log", "w")
    server = subprocess.Popen([sys.executable, str(HERE / "workload_server.py"), "0", "--port-file", str(port_file),
                               "-n", str(n), "--seed", str(args.seed), "--fraction", "0.10", "--warm",
                               "--hosts", str(hosts), "--lifetime", "7200"],
                              stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    received: list[tuple[float, dict]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append((time.time(), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    hook.daemon_threads = True
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    deadline = time.time() + 300
    while not port_file.exists():
        if server.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"workload server did not start: see {workdir / 'server.log'}")
        time.sleep(0.1)
    port = int(port_file.read_text())
    wl = workdir / "watchlist.yaml"
    with open(wl, "w") as f:
        f.write(f"defaults:\n  interval: {interval}s\n  timeout: 30s\n"
                f"alerts:\n  webhooks:\n    - name: bench\n      url: http://127.0.0.1:{hook.server_address[1]}/\n"
                f"      events: [change.detected]\nservices:\n")
        for i in range(n):
            f.write(f"  doc-{i}:\n    name: Doc {i}\n    documents:\n      page:\n"
                    f"        url: http://127.0.0.{1 + i % hosts}:{port}/doc/{i}\n")
    db = workdir / "db/monitor.db"
    log = open(workdir / "daemon.log", "w")
    proc = subprocess.Popen([args.tosmon_bin, "--db", str(db), "--watchlist", str(wl), "run"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ps = psutil.Process(proc.pid)
    warmup = 2 * interval        # the first pass (every document due at once) and one interval after it
    samples: list[dict] = []
    t0 = time.time()
    next_round, rnd = t0 + warmup, 0

    def query(sql: str, *params):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as c:
            return c.execute(sql, params).fetchone()

    try:
        while time.time() - t0 < args.scale_seconds:
            time.sleep(5)
            if proc.poll() is not None:
                raise RuntimeError(f"daemon exited: see {workdir / 'daemon.log'}")
            now = time.time()
            late = datetime.fromtimestamp(now - 2 * interval, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            try:
                checks = query("SELECT count(*) FROM snapshots")[0]
                overdue = query("SELECT count(*) FROM documents WHERE active = 1 AND "
                                "(last_checked_at IS NULL OR last_checked_at < ?)", late)[0]
            except sqlite3.Error:
                continue
            samples.append({"t": round(now - t0, 1), "checks": checks, "overdue": overdue,
                            "rss_mb": round(ps.memory_info().rss / 2**20, 1)})
            if now >= next_round:        # 10% of the documents change once per interval after warm-up
                rnd += 1
                urllib_get(f"http://127.0.0.1:{port}/_round/{rnd}")
                next_round += interval
    finally:
        stop_started = time.time()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        stop_s = time.time() - stop_started
        log.close()
        hook.shutdown()
        server.terminate()
        server.wait(10)
        server_log.close()
    after = [s for s in samples if s["t"] >= warmup]
    window = (after[0], after[-1]) if len(after) >= 2 else (samples[0], samples[-1])
    rate = (window[1]["checks"] - window[0]["checks"]) / max(1e-9, window[1]["t"] - window[0]["t"])
    latencies = sorted(at - datetime.fromisoformat(p["change"]["detected_at"].replace("Z", "+00:00")).timestamp()
                       for at, p in received if "change" in p)
    with sqlite3.connect(db) as c:
        changes = c.execute("SELECT count(*) FROM changes").fetchone()[0]
        pending = c.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]
        errors = c.execute("SELECT count(*) FROM snapshots WHERE outcome = 'error'").fetchone()[0]

    def pct(q: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else None

    out["scale"] = {
        "n": n, "hosts": hosts, "interval_s": interval, "seconds": samples[-1]["t"] if samples else 0,
        "warmup_s": warmup, "checks": samples[-1]["checks"] if samples else 0,
        "checks_per_s_after_warmup": round(rate, 2), "needed_checks_per_s": round(n / interval, 2),
        "overdue_max_after_warmup": max((s["overdue"] for s in after), default=None),
        "rounds_of_changes": rnd, "changes": changes, "alerts_received": len(received),
        "deliveries_pending_at_end": pending, "error_checks": errors,
        "latency_s": {"p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": latencies[-1] if latencies else None,
                      "resolution": "detected_at is stored in whole seconds: latencies are overstated by < 1 s"},
        "rss_mb": {"after_warmup": after[0]["rss_mb"] if after else None,
                   "end": samples[-1]["rss_mb"] if samples else None,
                   "max": max((s["rss_mb"] for s in samples), default=None)},
        "sigterm_to_exit_s": round(stop_s, 2), "samples": samples,
    }
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


def urllib_get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def micro(args, out: dict) -> None:
    python = str(Path(args.tosmon_bin).parent / "python")
    r = subprocess.run([python, str(HERE / "micro.py"), "--reps", str(args.micro_reps)], capture_output=True,
                       text=True)
    out["micro"] = json.loads(r.stdout) if r.returncode == 0 else {"failed": r.stderr[-2000:]}


def markdown(out: dict) -> str:
    lines = ["| measurement | result | target |", "|---|---|---|"]
    if "log" in out:
        lg = out["log"]
        lines.append(f"| `tosmon log --limit 20` (N = {lg['n']}, after 3 cycles, median of {lg['runs']}) "
                     f"| {lg['median_s']:.3f} s (min {lg['min_s']:.3f}, max {lg['max_s']:.3f}) "
                     f"| < 0.3 s: {'met' if lg['median_s'] < 0.3 else 'MISSED'} |")
    if "daemon" in out:
        d = out["daemon"]
        r = d["rss_mb"]
        lines.append(f"| daemon RSS over {d['checks']} checks ({d['n']} docs, interval {d['interval']}, "
                     f"{d['rounds_of_changes']} rounds of 10% changes, {d['changes_recorded']} changes recorded, "
                     f"{d['seconds']:.0f} s) | start {r['start']} MB (at {r['start_at_checks']} checks) / "
                     f"mid {r['mid']} MB (at {r['mid_at_checks']}) / end {r['end']} MB, max {r['max']} MB "
                     f"| < 80 MB and flat: {'met' if r['max'] < 80 and r['end'] - r['start'] < 8 else 'MISSED'} |")
    if "follow" in out:
        f = out["follow"]
        for r in f["rounds"]:
            git = ", ".join(f"{k} {v}" for k, v in sorted(r["git"].items()))
            lines.append(f"| follow {f['documents']} documents x {f['versions']} versions of one repository "
                         f"({f['commits']} commits), {r['round']} | {r['seconds']:.2f} s, peak RSS {r['rss_mb']} MB, "
                         f"{r['git_total']} git invocations ({git}) | one fetch per round: "
                         f"{'met' if r['git'].get('fetch') == 1 else 'MISSED'} |")
        lines.append(f"| follow, stored after 3 rounds | {f['stored_versions']} versions, {f['stored_changes']} "
                     "changes | |")
    if "scale" in out:
        d = out["scale"]
        lat = d["latency_s"]
        ok = (d["overdue_max_after_warmup"] == 0 and lat["p50"] is not None and lat["p50"] < 5)
        lines.append(f"| daemon at scale: {d['n']} docs on {d['hosts']} hosts, interval {d['interval_s']} s, "
                     f"{d['seconds']:.0f} s ({d['warmup_s']} s warm-up), {d['rounds_of_changes']} rounds of 10% "
                     f"changes | {d['checks_per_s_after_warmup']} checks/s (needed {d['needed_checks_per_s']}); "
                     f"overdue > 1 interval after warm-up: max {d['overdue_max_after_warmup']}; alert latency "
                     f"p50 {lat['p50']} s / p90 {lat['p90']} s / max {lat['max']} s ({d['alerts_received']} alerts, "
                     f"{d['deliveries_pending_at_end']} pending at end); RSS {d['rss_mb']['after_warmup']} -> "
                     f"{d['rss_mb']['end']} MB (max {d['rss_mb']['max']}); SIGTERM->exit {d['sigterm_to_exit_s']} s "
                     f"| 0 overdue, p50 < 5 s: {'met' if ok else 'MISSED'} |")
    m = out.get("micro", {})
    if "classify" in m:
        c = m["classify"]
        if "skipped" in c:
            lines.append(f"| classification | skipped: {c['skipped']} | |")
        else:
            for k in ("all_new", "ten_percent_changed"):
                x = c[k]
                lines.append(f"| classify, {c['bytes'] / 1000:.0f} KB document, {k.replace('_', ' ')} "
                             f"({x['changed_clauses']} clauses, {x['changed_kb']} KB) | {x['median_s']:.3f} s = "
                             f"{x['clauses_per_s']} clauses/s, {x['changed_kb_per_s']} KB/s ({x['flags']} flags) | |")
            lines.append(f"| classify, first call (lazy loads: dateparser, language model) "
                         f"| {c['first_call_s_incl_lazy_loads']:.2f} s | |")
    if "diff" in m:
        x = m["diff"]
        lines.append(f"| diff_clauses, {x['bytes'] / 1000:.0f} KB ({x['clauses']} clauses), 5% changed "
                     f"({x['changed_clauses']} clause changes) | {x['median_s']:.3f} s (median of "
                     f"{len(x['runs_s'])}) | |")
    if "failed" in m:
        lines.append(f"| micro-benchmarks | FAILED: {m['failed'][-300:]} | |")
    text = "\n".join(lines)
    if "profile" in out:
        p = out["profile"]
        text += (f"\n\nProfile of `tosmon check`, cycle 1 (py-spy, 200 Hz, wall {p['wall_s_under_py_spy']} s "
                 f"under the profiler; raw stacks: `{p['file']}`):\n\n{p['summary']}")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tosmon-bin", default=os.environ.get("TOSMON_BIN", "tosmon"))
    ap.add_argument("--only", default="profile,log,daemon,scale,micro,follow")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--profile-n", type=int, default=1000, help="N of the profiled cycle and the log database")
    ap.add_argument("--no-profile", dest="profile", action="store_false")
    ap.add_argument("--log-runs", type=int, default=20)
    ap.add_argument("--daemon-n", type=int, default=200)
    ap.add_argument("--daemon-checks", type=int, default=10_000)
    ap.add_argument("--daemon-interval", default="1s")
    ap.add_argument("--daemon-host-delay", type=float, default=0.0,
                    help="the daemon's per-host politeness delay (monitor.daemon.HOST_DELAY_SECONDS, 1 s in "
                         "production); 0 so that 10,000 checks of one loopback host take minutes, not hours")
    ap.add_argument("--daemon-sample", type=float, default=2.0, help="seconds between RSS samples")
    ap.add_argument("--daemon-max-seconds", type=float, default=1200)
    ap.add_argument("--micro-reps", type=int, default=5)
    ap.add_argument("--follow-docs", type=int, default=200)
    ap.add_argument("--follow-versions", type=int, default=20)
    ap.add_argument("--scale-n", type=int, default=2000)
    ap.add_argument("--scale-hosts", type=int, default=40, help="loopback hosts 127.0.0.1..127.0.0.H")
    ap.add_argument("--scale-interval", type=int, default=60, help="the documents' interval, seconds")
    ap.add_argument("--scale-seconds", type=float, default=360, help="how long the daemon runs")
    ap.add_argument("--workdir", default=str(PEERS_DIR / "runs"))
    ap.add_argument("--results", default=str(HERE / "results"))
    ap.add_argument("--out", default=str(HERE / "results" / "extras.json"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    Path(args.results).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TOSMON_BIN": args.tosmon_bin, "NO_COLOR": "1"}
    out: dict = {}
    only = set(args.only.split(","))
    if only & {"profile", "log"}:
        args.profile = args.profile and "profile" in only
        profile_and_log(args, env, out)
    if "daemon" in only:
        daemon(args, env, out)
    if "scale" in only:
        scale(args, env, out)
    if "micro" in only:
        micro(args, out)
    if "follow" in only:
        follow(args, env, out)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print(markdown(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
