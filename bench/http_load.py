#!/usr/bin/env python3
"""HTTP load benchmark: the real crisisline binary on loopback, driven by wrk.

Measures, with authenticated sessions and many concurrent connections:
  write   durable contact writes      POST /api/v1/lines/police/contacts
  read    audited contact reads       GET  /api/v1/lines/police/contacts/{id}?purpose=supervision
  search  unaudited directory search  GET  /api/v1/lines/police/directory?need=...&q=...

The server runs pinned to one CPU (taskset -c 1) and wrk to the other (taskset -c 0).
Each scenario runs at each connection count for a bounded duration; the table gives
requests/s, p50/p99 latency, non-2xx responses and socket errors, and the server's
resident memory (highest VmRSS sampled during the run, and VmHWM, the process's peak so far).
A run with any non-2xx response or socket error is marked ERRORS and its figures must not be
quoted as throughput. Nothing here asserts a speed: it measures and reports.

Standard library only; needs `wrk` and `taskset` on PATH (Debian: apt-get install wrk).
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402

LINE = "police"
SCENARIOS = {
    "write": ("durable contact write", "contact_write.lua"),
    "read": ("audited contact read", "contact_read.lua"),
    "search": ("directory search", "directory_search.lua"),
}
WORDS = ["support", "counselling", "phone", "group", "trauma", "critical", "incident", "family", "sleep",
         "money", "debt", "peer", "listening", "evening", "weekend", "officers", "staff", "confidential"]
CATEGORIES = ["counselling", "therapy", "bereavement", "peer_support", "trauma", "financial", "addiction"]
REGIONS = ["national", "North East", "North West", "London", "Wales", "South West", "Yorkshire and the Humber"]


class PinnedServer(harness.Server):
    """harness.Server started under a command prefix (e.g. taskset -c 1), logging at info.

    taskset execs the server, so proc.pid is the server's own pid.
    """

    def __init__(self, prefix, log_level="info", **kwargs):
        super().__init__(**kwargs)
        self.prefix = list(prefix)
        self.log_level = log_level

    def start(self, wait=True):
        self.port = harness.free_port()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.prefix, harness.BINARY, "--data", self.data_dir, "serve", "--listen",
                 f"127.0.0.1:{self.port}", *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, CRISISLINE_LOG_LEVEL=self.log_level))
        if wait:
            self.wait_ready()
        return self


def proc_status(pid):
    """VmRSS and VmHWM of pid in KiB, or None when gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    values = {}
    for key in ("VmRSS", "VmHWM"):
        m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
        values[key] = int(m.group(1)) if m else 0
    return values


class MemorySampler:
    """Samples the server's VmRSS every `interval` seconds on a thread while running."""

    def __init__(self, pid, interval=0.2):
        self.pid, self.interval = pid, interval
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            s = proc_status(self.pid)
            if s:
                self.peak_rss = max(self.peak_rss, s["VmRSS"])
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        s = proc_status(self.pid)
        if s:
            self.peak_rss = max(self.peak_rss, s["VmRSS"])


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out):
    """The figures wrk --latency prints."""
    result = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": None, "non2xx": 0, "socket_errors": 0,
              "socket_detail": ""}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["rps"] = float(m.group(1))
    if m := re.search(r"^\s+50%\s+(\S+)", out, re.M):
        result["p50_ms"] = to_ms(m.group(1))
    if m := re.search(r"^\s+99%\s+(\S+)", out, re.M):
        result["p99_ms"] = to_ms(m.group(1))
    if m := re.search(r"(\d+) requests in", out):
        result["requests"] = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        result["non2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        result["socket_errors"] = sum(int(x) for x in m.groups())
        result["socket_detail"] = m.group(0)
    return result


def run_wrk(args, port, script, connections, duration, env):
    cmd = [*args.client_prefix, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
           f"--timeout={args.timeout}s", "-s", os.path.join(HERE, "wrk", script), f"http://127.0.0.1:{port}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **env), timeout=duration + 120)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip()}\n{proc.stdout}")
    return cmd, proc.stdout


def service(i):
    """A generated signposting service; descriptions share common words so text search has work."""
    words = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(6)]
    return {
        "organisation": f"Bench Organisation {i % 40}",
        "name": f"Bench Service {i}",
        "description": "Confidential " + " ".join(words) + " for police officers and staff.",
        "eligibility": "Serving and retired officers, staff and volunteers",
        "service_areas": [REGIONS[i % len(REGIONS)]],
        "categories": sorted({CATEGORIES[i % len(CATEGORIES)], CATEGORIES[(i // 3) % len(CATEGORIES)]}),
        "languages": ["en"],
        "assured_date": "2026-01-10",
        "phone": "01632 960100",
    }


def seed(server, args):
    """Admin, line, counsellors (signed in), contacts and directory services. Returns (sessions, ids)."""
    harness.run_cli(server.data_dir, "staff", "add", "--username", "bench.admin", "--display-name", "Bench Admin",
                    "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
    server.start()
    admin = server.client().sign_in("bench.admin")
    status, body, _ = admin.call("POST", "/api/v1/lines", {
        "id": LINE, "name": "Police line (bench)", "numbers": ["0808 157 0001"], "regions": ["national"]})
    assert status == 201, (status, body)
    granter = harness.line_manager(server, admin, [LINE])
    counsellors = []
    for k in range(args.sessions):
        name = f"bench.counsellor{k}"
        status, body, _ = granter.call("POST", "/api/v1/staff", {
            "username": name, "display_name": f"Counsellor {k}", "password": harness.PASSWORD,
            "roles": ["counsellor"], "lines": [LINE]})
        assert status == 201, (status, body)
        counsellors.append(server.client().sign_in(name))

    def add_service(i):
        status, body, _ = admin.call("POST", f"/api/v1/lines/{LINE}/directory", service(i))
        assert status == 201, (status, body)

    def add_contact(i):
        c = counsellors[i % len(counsellors)]
        status, body, _ = c.call("POST", f"/api/v1/lines/{LINE}/contacts",
                                 {"caller_role": "police_officer", "notes": f"seeded bench note {i}"})
        assert status == 201, (status, body)
        return body["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(add_service, range(args.services)))
        ids = list(pool.map(add_contact, range(args.contacts)))
    return counsellors, ids


def sanity_check(server, client, ids):
    """One request of each kind answers as the load will expect."""
    status, body, _ = client.call("GET", f"/api/v1/lines/{LINE}/directory?need=counselling&q=support")
    assert status == 200 and body["services"], (status, body)
    status, body, _ = client.call("GET", f"/api/v1/lines/{LINE}/contacts/{ids[0]}?purpose=supervision")
    assert status == 200 and body["notes"].startswith("seeded bench note"), (status, body)


def fmt(value, pattern):
    return "—" if value is None else pattern.format(value)


def table(rows):
    lines = ["| scenario | connections | requests/s | p50 ms | p99 ms | requests | non-2xx | socket errors | "
             "server RSS peak MiB | server VmHWM MiB | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["label"], r["connections"], fmt(r["rps"], "{:,.0f}"), fmt(r["p50_ms"], "{:.2f}"),
            fmt(r["p99_ms"], "{:.2f}"), fmt(r["requests"], "{:,}"), r["non2xx"], r["socket_errors"],
            f"{r['rss_peak_kib'] / 1024:.1f}", f"{r['hwm_kib'] / 1024:.1f}", r["status"]))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "apps", "crisisline", "crisisline"))
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unrecorded load before each scenario")
    parser.add_argument("--connections", default="16,64,128", help="comma-separated connection counts")
    parser.add_argument("--scenarios", default="write,read,search", help="comma-separated: " + ",".join(SCENARIOS))
    parser.add_argument("--contacts", type=int, default=2000, help="contacts seeded (read cycles over them)")
    parser.add_argument("--services", type=int, default=300, help="directory services added through the API")
    parser.add_argument("--sessions", type=int, default=4, help="signed-in counsellors the requests rotate over")
    parser.add_argument("--timeout", type=int, default=10, help="wrk per-request timeout, seconds")
    parser.add_argument("--server-cpu", default="1", help="taskset CPU list for the server ('' for no pinning)")
    parser.add_argument("--client-cpu", default="0", help="taskset CPU list for wrk ('' for no pinning)")
    parser.add_argument("--server-args", default="", help="extra arguments to `crisisline serve`, e.g. '--workers 8'")
    parser.add_argument("--data-dir", default=None, help="parent of the temporary data directory (default: $TMPDIR)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    args = parser.parse_args()

    harness.BINARY = os.path.abspath(args.binary)
    if not os.access(harness.BINARY, os.X_OK):
        sys.exit(f"http_load: no crisisline binary at {harness.BINARY}; build it first")
    if not shutil.which("wrk"):
        sys.exit("http_load: wrk is not installed (Debian: apt-get install wrk)")
    server_prefix = ["taskset", "-c", args.server_cpu] if args.server_cpu else []
    args.client_prefix = ["taskset", "-c", args.client_cpu] if args.client_cpu else []
    connections = [int(c) for c in args.connections.split(",") if c]
    scenarios = [s for s in args.scenarios.split(",") if s]
    for s in scenarios:
        if s not in SCENARIOS:
            sys.exit(f"http_load: unknown scenario {s!r}; choose from {', '.join(SCENARIOS)}")

    data_dir = tempfile.mkdtemp(prefix="crisisline-bench-", dir=args.data_dir)
    fs = subprocess.run(["df", "--output=fstype", data_dir], capture_output=True, text=True).stdout.split()[-1:]
    server = PinnedServer(server_prefix, data_dir=data_dir, extra_args=args.server_args.split())
    server.owns_dir = not args.keep
    rows, commands = [], []
    started = datetime.datetime.now()
    try:
        server.init()
        t0 = time.time()
        sessions, ids = seed(server, args)
        sanity_check(server, sessions[0], ids)
        seed_seconds = time.time() - t0
        pid = server.proc.pid
        print(f"server pid {pid} on port {server.port}, data {data_dir}; seeded {len(ids)} contacts, "
              f"{args.services} services, {len(sessions)} sessions in {seed_seconds:.1f}s; "
              f"RSS after seeding {proc_status(pid)['VmRSS'] / 1024:.1f} MiB", flush=True)
        ids_file = os.path.join(data_dir, "bench-contact-ids.txt")
        with open(ids_file, "w") as f:
            f.write("\n".join(ids) + "\n")
        env = {
            "CRISISLINE_COOKIES": " ".join(c.cookie for c in sessions),
            "CRISISLINE_CSRFS": " ".join(c.csrf for c in sessions),
            "CRISISLINE_IDS_FILE": ids_file,
            "CRISISLINE_LINE": LINE,
            "CRISISLINE_PURPOSE": "supervision",
        }
        for scenario in scenarios:
            label, script = SCENARIOS[scenario]
            if args.warmup > 0:
                run_wrk(args, server.port, script, connections[0], args.warmup, env)
            for c in connections:
                if server.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {server.proc.returncode}")
                with MemorySampler(pid) as mem:
                    cmd, out = run_wrk(args, server.port, script, c, args.duration, env)
                r = parse_wrk(out)
                hwm = (proc_status(pid) or {}).get("VmHWM", 0)
                errors = r["non2xx"] or r["socket_errors"] or r["rps"] is None
                r.update(label=label, scenario=scenario, connections=c, rss_peak_kib=mem.peak_rss, hwm_kib=hwm,
                         status="ERRORS" if errors else "ok", wrk_output=out)
                rows.append(r)
                commands.append(" ".join(cmd))
                print(f"{label:24} c={c:<4} {fmt(r['rps'], '{:>9,.0f}')} req/s  p50 {fmt(r['p50_ms'], '{:.2f}')} ms"
                      f"  p99 {fmt(r['p99_ms'], '{:.2f}')} ms  non-2xx {r['non2xx']}  socket errors "
                      f"{r['socket_errors']}  RSS peak {mem.peak_rss / 1024:.1f} MiB  [{r['status']}]", flush=True)
                if errors:
                    print(out, flush=True)
        server.stop()
        verify = harness.run_cli(data_dir, "audit", "verify", check=False)
        verify_text = (verify.stdout + verify.stderr).strip().splitlines()
        verify_line = f"exit {verify.returncode}: {verify_text[-1] if verify_text else ''}"
        print(f"audit verify after the runs: {verify_line}", flush=True)
    except BaseException:
        print("--- server log (tail) ---\n" + server.log()[-4000:], file=sys.stderr)
        raise
    finally:
        server.close()

    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    report = [
        f"# crisisline HTTP load — {started:%Y-%m-%d %H:%M:%S}",
        "",
        f"- commit {git.stdout.strip() or '?'}{' (with uncommitted changes)' if dirty else ''}; "
        f"binary {harness.BINARY}",
        f"- machine: {os.cpu_count()} CPUs; server `{' '.join(server_prefix) or '(not pinned)'}`, "
        f"wrk `{' '.join(args.client_prefix) or '(not pinned)'}`; data directory on {fs[0] if fs else '?'}",
        f"- server: `crisisline serve{(' ' + args.server_args) if args.server_args else ''}` (defaults otherwise: "
        "one I/O thread per CPU it may run on, 32 workers), log level info; "
        f"seeded {args.contacts} contacts, {args.services} directory services, {args.sessions} signed-in "
        f"counsellor sessions (requests rotate over them)",
        f"- each run: {args.duration} s, wrk -t1, --timeout {args.timeout}s; {args.warmup} s unrecorded warm-up "
        "per scenario",
        f"- `crisisline audit verify` after the runs: {verify_line}",
        "- status column: 'ERRORS' marks a run that had non-2xx responses or socket errors; do not quote its rate",
        "",
        table(rows),
        "",
        "wrk commands:",
        "",
        "```",
        *commands,
        "```",
        "",
    ]
    text = "\n".join(report)
    print()
    print(table(rows))
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, f"http-{started:%Y%m%d-%H%M%S}.md")
    with open(path, "w") as f:
        f.write(text)
        f.write("\n<details><summary>raw wrk output</summary>\n\n")
        for r in rows:
            f.write(f"### {r['label']}, {r['connections']} connections\n\n```\n{r['wrk_output']}```\n\n")
        f.write("</details>\n")
    with open(path[:-3] + ".json", "w") as f:
        json.dump([{k: v for k, v in r.items() if k != "wrk_output"} for r in rows], f, indent=1)
    print(f"\nwritten to {path}")
    return 1 if any(r["status"] != "ok" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
