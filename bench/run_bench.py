#!/usr/bin/env python3
"""Side-by-side benchmark of ToS/page-change monitors on the loopback workload (see bench/README.md).

Adapted from the shared peer harness (../shared/bench/run_bench.py, same authors' workload and peer
scripts, copied here so that `make bench` works from a fresh clone without ../shared). Changes: tosmon is
a default peer and runs first, the Open Terms Archive engine is opt-in, the summary adds documents per
second and a check against the issue-8 targets.

For each peer, N and repetition: start workload_server.py (round 0) on a free loopback port, run
  cycle 1 (all documents new), cycle 2 (nothing changed), advance to round 1, cycle 3 (10% changed),
each as one process tree started from peers/<peer>_cycle.sh, and record per cycle: wall time, CPU
time (user+sys of the whole tree), peak RSS (sum over the process tree and largest single process,
sampled with psutil every 50 ms), requests the server saw (200 vs 304), and the documents the peer
reported as new/changed versus the server's ground truth. After cycle 3: bytes of the peer's storage.

Results are appended as JSON lines; `--summarize FILE...` prints the median table in Markdown.
Needs psutil (run it with /tmp/peers/harness-venv/bin/python).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS_DIR = Path(os.environ.get("PEERS_DIR", "/tmp/peers"))


# ---------------------------------------------------------------------------------------------
# Measurement helpers
# ---------------------------------------------------------------------------------------------

class TreeSampler(threading.Thread):
    """Samples RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        import psutil
        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_sum = 0
        self.peak_single = 0
        self.peak_pss = 0          # PSS sum (shared pages split between sharers), every 5th sample
        self.peak_by_name: dict[str, int] = {}  # peak of the per-sample RSS sum per process name
        self.max_procs = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self):
        ps = self.psutil
        while not self._halt.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except ps.Error:
                break
            total, pss, by_name = 0, 0, {}
            want_pss = self.samples % 5 == 0
            for p in procs:
                try:
                    if want_pss:
                        mi = p.memory_full_info()
                        pss += mi.pss
                    else:
                        mi = p.memory_info()
                    r = mi.rss
                    name = p.name()
                except ps.Error:
                    continue
                total += r
                by_name[name] = by_name.get(name, 0) + r
                self.peak_single = max(self.peak_single, r)
            self.peak_sum = max(self.peak_sum, total)
            self.peak_pss = max(self.peak_pss, pss)
            for k, v in by_name.items():
                self.peak_by_name[k] = max(self.peak_by_name.get(k, 0), v)
            self.max_procs = max(self.max_procs, len(procs))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(timeout=5)


def http_json(url: str, timeout: float = 600):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def dir_bytes(path: Path) -> tuple[int, int, int]:
    """(apparent bytes, allocated bytes, number of files) under path."""
    app = alloc = files = 0
    if path.is_file():
        st = path.stat()
        return st.st_size, st.st_blocks * 512, 1
    for root, _dirs, fnames in os.walk(path):
        for f in fnames:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            app += st.st_size
            alloc += st.st_blocks * 512
            files += 1
    return app, alloc, files


class Server:
    def __init__(self, n: int, workdir: Path, seed: int, fraction: float, conditional: bool = True):
        self.port_file = workdir / "server.port"
        self.log = open(workdir / "server.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "workload_server.py"), "0", "--port-file", str(self.port_file),
             "-n", str(n), "--seed", str(seed), "--fraction", str(fraction), "--warm", "--lifetime", "7200"]
            + ([] if conditional else ["--no-conditional"]),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 120
        while not self.port_file.exists():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"workload server did not start: see {workdir / 'server.log'}")
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{int(self.port_file.read_text())}"

    def get(self, path: str):
        return http_json(self.base + path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# Peers: how to run one cycle, where the storage is, what was reported
# ---------------------------------------------------------------------------------------------

class Peer:
    name = ""
    script = ""
    extra_args: list[str] = []

    def cmd(self, workdir: Path, base: str, n: int) -> list[str]:
        return [str(HERE / "peers" / self.script), str(workdir), base, str(n), *self.extra_args]

    def storage(self, workdir: Path) -> Path:
        raise NotImplementedError

    def before_cycle(self, workdir: Path) -> dict:
        return {}

    def reported(self, workdir: Path, out: str, before: dict, cycle_start: float) -> dict:
        """{"new": set(doc ids), "changed": set(doc ids), "errors": int}"""
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError


class Urlwatch(Peer):
    name, script = "urlwatch", "urlwatch_cycle.sh"
    extra_args = ["raw"]

    def storage(self, workdir):
        return workdir / "cache.db"

    def reported(self, workdir, out, before, cycle_start):
        # summary lines: "01. NEW: doc-3", "02. CHANGED: doc-7", "03. ERROR: doc-9"
        res = {"new": set(), "changed": set(), "errors": 0}
        for kind, i in re.findall(r"^\d+\. (NEW|CHANGED|ERROR): doc-(\d+)\s*$", out, re.M):
            if kind == "ERROR":
                res["errors"] += 1
            else:
                res[kind.lower()].add(int(i))
        return res

    def version(self):
        return subprocess.run([str(PEERS_DIR / "urlwatch-venv/bin/urlwatch"), "--version"],
                              capture_output=True, text=True).stdout.strip()


class UrlwatchText(Urlwatch):
    name = "urlwatch-text"
    extra_args = ["text"]


class ChangeDetection(Peer):
    name, script = "changedetection.io", "cdio_cycle.sh"

    def storage(self, workdir):
        return workdir / "datastore"

    def _watches(self, workdir):
        ds = workdir / "datastore"
        res = {}
        if not ds.is_dir():
            return res
        for d in ds.iterdir():
            wj = d / "watch.json"
            if not wj.is_file():
                continue
            url = json.loads(wj.read_text()).get("url", "")
            m = re.search(r"/doc/(\d+)$", url)
            hist = d / "history.txt"
            n = len([ln for ln in hist.read_text().splitlines() if ln.strip()]) if hist.exists() else 0
            if m:
                res[int(m.group(1))] = n
        return res

    def before_cycle(self, workdir):
        return {"history": self._watches(workdir)}

    def reported(self, workdir, out, before, cycle_start):
        after, prev = self._watches(workdir), before.get("history", {})
        res = {"new": set(), "changed": set(), "errors": 0}
        for i, n in after.items():
            p = prev.get(i, 0)
            if n > p:
                (res["new"] if p == 0 else res["changed"]).add(i)
        res["errors"] = len(re.findall(r"\| ERROR ", out))
        res["watches"] = len(after)
        res["never_checked"] = sum(1 for n in after.values() if n == 0)
        if "timed out after" in out:
            res["batch_timeout"] = True
        return res

    def version(self):
        return subprocess.run([str(PEERS_DIR / "cdio-venv/bin/changedetection.io"), "--version"],
                              capture_output=True, text=True).stdout.strip()


class OpenTermsArchive(Peer):
    name, script = "ota", "ota_cycle.sh"

    def storage(self, workdir):
        return workdir / "collection" / "data"

    def _head(self, repo: Path):
        if not (repo / ".git").exists():
            return None
        r = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
        return r.stdout.strip() or None

    def before_cycle(self, workdir):
        return {"head": self._head(workdir / "collection" / "data" / "versions")}

    def reported(self, workdir, out, before, cycle_start):
        repo = workdir / "collection" / "data" / "versions"
        res = {"new": set(), "changed": set(), "errors": 0}
        rng = f"{before['head']}..HEAD" if before.get("head") else "HEAD"
        r = subprocess.run(["git", "-C", str(repo), "log", "--format=%s", rng], capture_output=True, text=True)
        for subj in r.stdout.splitlines():
            m = re.search(r"Doc(\d+)", subj)
            if not m:
                continue
            (res["new"] if subj.startswith("First record") else res["changed"]).add(int(m.group(1)))
        res["errors"] = len(re.findall(r"\berror\b", out))
        res["commit_subjects_sample"] = r.stdout.splitlines()[:3]
        return res

    def version(self):
        pj = PEERS_DIR / "ota/node_modules/@opentermsarchive/engine/package.json"
        return "@opentermsarchive/engine " + json.loads(pj.read_text())["version"]


class Tosmon(Peer):
    """tosmon itself, through its CLI (TOSMON_BIN names the executable)."""
    name, script = "tosmon", "tosmon_cycle.sh"

    def storage(self, workdir):
        return workdir / "db"

    def reported(self, workdir, out, before, cycle_start):
        res = {"new": set(), "changed": set(), "errors": 0}
        for i, kind in re.findall(r"doc-(\d+)/page\W+(new|unchanged|changed|error)", out, re.I):
            kind = kind.lower()
            if kind == "error":
                res["errors"] += 1
            elif kind in ("new", "changed"):
                res[kind].add(int(i))
        return res

    def version(self):
        return subprocess.run([os.environ.get("TOSMON_BIN", "tosmon"), "--version"],
                              capture_output=True, text=True).stdout.strip()


PEERS = {p.name: p for p in (Urlwatch(), UrlwatchText(), ChangeDetection(), OpenTermsArchive(), Tosmon())}


# ---------------------------------------------------------------------------------------------
# One run = 3 cycles
# ---------------------------------------------------------------------------------------------

def run_cycle(peer: Peer, workdir: Path, server: Server, n: int, cycle: int, timeout: float) -> dict:
    before = peer.before_cycle(workdir)
    server.get("/_stats/reset")
    out_path = workdir / f"cycle{cycle}.out"
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    with open(out_path, "w") as out:
        proc = subprocess.Popen(peer.cmd(workdir, server.base, n), stdout=out, stderr=subprocess.STDOUT,
                                cwd=workdir, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
            rc = f"timeout after {timeout}s (killed)"
        wall = time.time() - t0
        sampler.stop()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # anything of the peer still alive in its session (it should not be): end it
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    stats = server.get("/_stats")
    text = out_path.read_text(errors="replace")
    rep = peer.reported(workdir, text, before, t0)
    span = (stats.get("last_doc_ts", 0) - stats.get("first_doc_ts", 0)) if "first_doc_ts" in stats else None
    return {
        "cycle": cycle, "rc": rc, "wall_s": round(wall, 3),
        "cpu_s": round((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), 3),
        "peak_rss_tree_mb": round(sampler.peak_sum / 2**20, 1),
        "peak_rss_single_mb": round(sampler.peak_single / 2**20, 1),
        "peak_pss_tree_mb": round(sampler.peak_pss / 2**20, 1),
        "peak_rss_by_name_mb": {k: round(v / 2**20, 1) for k, v in sampler.peak_by_name.items()},
        "max_procs": sampler.max_procs, "rss_samples": sampler.samples,
        "http_200": stats.get("doc_200", 0), "http_304": stats.get("doc_304", 0),
        "fetch_span_s": round(span, 3) if span is not None else None,
        "reported_new": len(rep["new"]), "reported_changed": len(rep["changed"]),
        "reported_changed_ids": sorted(rep["changed"]), "errors": rep.get("errors", 0),
        **{k: v for k, v in rep.items() if k not in ("new", "changed", "errors")},
    }


def run_one(peer: Peer, n: int, rep: int, args) -> dict:
    workdir = Path(args.workdir) / f"{peer.name}-n{n}-r{rep}{'-nc' if args.no_conditional else ''}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    server = Server(n, workdir, args.seed, args.fraction, conditional=not args.no_conditional)
    try:
        # write jobs/declarations/config outside the timed cycle (scripts exit after that with PREPARE_ONLY=1)
        subprocess.run(peer.cmd(workdir, server.base, n), cwd=workdir, env={**os.environ, "PREPARE_ONLY": "1"},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        cycles = []
        for c in (1, 2, 3):
            if c == 3:
                server.get("/_round/1")  # pre-renders round 1 (--warm), so the peer doesn't pay for it
            res = run_cycle(peer, workdir, server, n, c, args.timeout)
            print(f"  {peer.name} n={n} rep={rep} cycle {c}: {res['wall_s']:.2f}s "
                  f"rss={res['peak_rss_tree_mb']}MB new={res['reported_new']} changed={res['reported_changed']} "
                  f"200={res['http_200']} 304={res['http_304']} rc={res['rc']}", flush=True)
            cycles.append(res)
        truth = server.get("/_truth/1")
        app, alloc, files = dir_bytes(peer.storage(workdir))
        c3 = cycles[2]
        tp = len(set(c3["reported_changed_ids"]) & set(truth["changed"]))
        result = {
            "peer": peer.name, "n": n, "rep": rep, "version": peer.version(), "time": time.time(),
            "conditional": not args.no_conditional,
            "cycles": cycles, "storage_bytes": app, "storage_alloc_bytes": alloc, "storage_files": files,
            "truth_changed": truth["count"], "c3_true_positives": tp,
            "c3_false_positives": len(c3["reported_changed_ids"]) - tp,
            "c3_missed": truth["count"] - tp,
            "c1_all_new": cycles[0]["reported_new"] == n,
            "c2_false_changes": cycles[1]["reported_changed"],
            "exact_detection": tp == truth["count"] and len(c3["reported_changed_ids"]) == tp,
        }
        return result
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _load(paths: list[str]) -> dict[tuple, list]:
    rows = [json.loads(line) for p in paths for line in open(p) if line.strip()]
    groups: dict[tuple, list] = {}
    for r in rows:
        label = r["peer"] + ("" if r.get("conditional", True) else " (server: no ETag/304)")
        groups.setdefault((label, r["n"]), []).append(r)
    return groups


def _medians(rs: list) -> dict:
    return {
        "wall": [med([r["cycles"][i]["wall_s"] for r in rs]) for i in range(3)],
        "range": [(min(r["cycles"][i]["wall_s"] for r in rs), max(r["cycles"][i]["wall_s"] for r in rs))
                  for i in range(3)],
        "cpu": [med([r["cycles"][i]["cpu_s"] for r in rs]) for i in range(3)],
        "rss": med([max(cy["peak_rss_tree_mb"] for cy in r["cycles"]) for r in rs]),
        "rss_single": med([max(cy["peak_rss_single_mb"] for cy in r["cycles"]) for r in rs]),
        "pss": med([max(cy.get("peak_pss_tree_mb", 0) for cy in r["cycles"]) for r in rs]),
        "storage": med([r["storage_bytes"] for r in rs]),
        "files": int(med([r["storage_files"] for r in rs])),
        "exact": all(r["exact_detection"] and r["c1_all_new"] and not r["c2_false_changes"] for r in rs),
    }


def summarize(paths: list[str]) -> str:
    groups = _load(paths)
    out = ["| peer | N | reps | cycle 1 s (all new) | cycle 2 s (nothing changed) | cycle 3 s (10% changed) "
           "| docs/s c1 / c2 / c3 | CPU s c1 / c2 / c3 | peak RSS MB (tree / largest proc) "
           "| on disk after 3 cycles MB (files) | c2 requests 200/304 | detection c3: found / truth (FP, missed) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (peer, n), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0] != "tosmon", kv[0][0])):
        m = _medians(rs)
        det = sorted({(r["cycles"][2]["reported_changed"], r["truth_changed"], r["c3_false_positives"],
                       r["c3_missed"]) for r in rs})
        det_s = "; ".join(f"{a} / {b} ({fp}, {ms})" for a, b, fp, ms in det)
        det_s += " exact" if m["exact"] else " NOT exact"
        if not all(r["c1_all_new"] for r in rs):
            det_s += " — cycle 1 did NOT record all N as new"
        c2fp = sorted({r["c2_false_changes"] for r in rs})
        if any(c2fp):
            det_s += f" — cycle 2 reported {c2fp} changes"
        walls = " | ".join(
            f"{m['wall'][i]:.2f}" + (f" ({m['range'][i][0]:.2f}–{m['range'][i][1]:.2f})" if len(rs) > 1 else "")
            for i in range(3))
        out.append(
            f"| {peer} | {n} | {len(rs)} | {walls}"
            + " | " + " / ".join(f"{n / w:.0f}" for w in m["wall"])
            + " | " + " / ".join(f"{c:.1f}" for c in m["cpu"])
            + f" | {m['rss']:.0f} / {m['rss_single']:.0f}"
            + f" | {m['storage'] / 1e6:.2f} ({m['files']})"
            + f" | {int(med([r['cycles'][1]['http_200'] for r in rs]))}/{int(med([r['cycles'][1]['http_304'] for r in rs]))}"
            + f" | {det_s} |")
    out += ["", targets(groups)]
    return "\n".join(out)


def targets(groups: dict[tuple, list]) -> str:
    """The issue-8 targets for tosmon, per N: met or missed, and by how much."""
    out = ["| N | target | tosmon | reference | met? |", "|---|---|---|---|---|"]
    for n in sorted({n for _, n in groups}):
        if ("tosmon", n) not in groups:
            continue
        t = _medians(groups[("tosmon", n)])
        uw = _medians(groups[("urlwatch-text", n)]) if ("urlwatch-text", n) in groups else None
        cd = _medians(groups[("changedetection.io", n)]) if ("changedetection.io", n) in groups else None
        for i, label in enumerate(("cycle 1", "cycle 2", "cycle 3")):
            if uw:
                ok = t["wall"][i] <= uw["wall"][i]
                out.append(f"| {n} | {label} ≤ urlwatch-text | {t['wall'][i]:.2f} s | {uw['wall'][i]:.2f} s "
                           f"| {'yes' if ok else 'NO'} ({t['wall'][i] / uw['wall'][i]:.2f}×) |")
            if cd:
                sp = cd["wall"][i] / t["wall"][i]
                out.append(f"| {n} | {label} ≥ 10× faster than changedetection.io | {t['wall'][i]:.2f} s "
                           f"| {cd['wall'][i]:.2f} s | {'yes' if sp >= 10 else 'NO'} ({sp:.1f}× faster) |")
        out.append(f"| {n} | peak RSS < 80 MB | {t['rss']:.0f} MB | 80 MB | {'yes' if t['rss'] < 80 else 'NO'} |")
        if uw:
            q = t["storage"] / uw["storage"]
            out.append(f"| {n} | storage ≤ ¼ of urlwatch-text | {t['storage'] / 1e6:.2f} MB "
                       f"| {uw['storage'] / 1e6:.2f} MB | {'yes' if q <= 0.25 else 'NO'} ({q:.2f}×) |")
        if cd:
            q = t["storage"] / cd["storage"]
            out.append(f"| {n} | storage ≤ changedetection.io | {t['storage'] / 1e6:.2f} MB "
                       f"| {cd['storage'] / 1e6:.2f} MB | {'yes' if q <= 1 else 'NO'} ({q:.2f}×) |")
        out.append(f"| {n} | exact detection | {'exact' if t['exact'] else 'NOT exact'} | all changed, nothing else "
                   f"| {'yes' if t['exact'] else 'NO'} |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peers", default="tosmon,urlwatch,urlwatch-text,changedetection.io",
                    help="comma-separated; add ota (Open Terms Archive, ~90 s per cycle, 1.5 GB) explicitly")
    ap.add_argument("--n", default="200,1000", help="comma-separated document counts")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--first-rep", type=int, default=1, help="number of the first repetition (to add reps later)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--fraction", type=float, default=0.10)
    ap.add_argument("--timeout", type=float, default=1800, help="per-cycle limit in seconds")
    ap.add_argument("--workdir", default=str(PEERS_DIR / "runs"))
    ap.add_argument("--out", default=str(HERE / "results" / "results.jsonl"))
    ap.add_argument("--keep", action="store_true", help="keep each run's work directory")
    ap.add_argument("--no-conditional", action="store_true",
                    help="server sends no ETag/Last-Modified and never 304 (every cycle downloads every page)")
    ap.add_argument("--summarize", nargs="*", metavar="JSONL", help="print the Markdown table of these files")
    args = ap.parse_args(argv)
    if args.summarize is not None:
        print(summarize(args.summarize or [args.out]))
        return 0
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    for n in [int(x) for x in args.n.split(",")]:
        for name in args.peers.split(","):
            peer = PEERS[name]
            for rep in range(args.first_rep, args.first_rep + args.reps):
                try:
                    res = run_one(peer, n, rep, args)
                except Exception as e:  # record and go on with the next run
                    res = {"peer": name, "n": n, "rep": rep, "failed": repr(e)}
                    print(f"  {name} n={n} rep={rep} FAILED: {e!r}", flush=True)
                if "failed" not in res:
                    with open(args.out, "a") as f:
                        f.write(json.dumps(res) + "\n")
                else:
                    with open(Path(args.out).with_suffix(".failures.jsonl"), "a") as f:
                        f.write(json.dumps(res) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
