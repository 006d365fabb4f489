#!/usr/bin/env python3
"""Telephony benchmark of crisisline: bounded runs, server on CPU 1, load generators on CPU 0.

  telbench.py setup            data-directory template with N counsellors (phones), wrap-up 0 (cached)
  telbench.py setup-rate ...   (a) call set-up rate: SIPp callers at R calls/s, 5 s bridged calls; --transports
                               udp (default), tcp-1 / tcp-n (SIPp -t t1 / tn), tls-1 / tls-n (the same through
                               build/bench/sip_tls_relay to telephony.tls_listen: one TLS connection for all
                               calls, or a new one per call)
  telbench.py concurrent ...   (b) N bridged PCMU calls held for --hold s, RTP both ways by rtp_load
  telbench.py routing ...      (c) routing latency: digit -> INVITE, availability change -> INVITE

Standard library + sipp + build/bench/rtp_load. See docs/benchmarks.md ("Telephony") for the method.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import resource

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sip"))

import simsip  # noqa: E402
from harness import TestCA, totp  # noqa: E402  (RFC 6238, standard library; a test CA with openssl)

NUMBER = "+448081570000"
LINE = "police"
STAFF_PASSWORD = "Bench-password-0123456789"
SERVER_CPU = "1"
LOAD_CPU = "0"


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def free_port(kind=socket.SOCK_DGRAM):
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p * len(values) + 0.5)) - 1))
    return values[k]


def summary_ms(values):
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(percentile(values, 0.5) * 1000, 3),
            "p90": round(percentile(values, 0.9) * 1000, 3), "p99": round(percentile(values, 0.99) * 1000, 3),
            "max": round(max(values) * 1000, 3), "mean": round(statistics.mean(values) * 1000, 3)}


# ---------------------------------------------------------------------------------------------------------
# The server

def cli(binary, data, *args, env=None, check=True):
    full = dict(os.environ, **(env or {}))
    r = subprocess.run([binary, "--data", data, *args], capture_output=True, text=True, env=full, timeout=120)
    if check and r.returncode != 0:
        raise RuntimeError(f"crisisline {' '.join(args)}: {r.returncode} {r.stderr.strip()}")
    return r


MEDIA_SOCKETS = None  # --media-sockets: the server's telephony.media_sockets (None: its default)


def telephony_section(sip_port, choice_wait_s, rtp_timeout_s=30, tls=None):
    extra = f"media_sockets = {MEDIA_SOCKETS}\n" if MEDIA_SOCKETS else ""
    trunk_extra = ""
    if tls and tls.get("encryption"):  # the trunk's policy (srtpbench: "required", a plaintext leg refused)
        trunk_extra = f'encryption = "{tls["encryption"]}"\n'
    if tls:  # {"port", "cert", "key"}: SIP over TLS on 127.0.0.1:port with a test certificate
        extra += (f'tls_listen = "127.0.0.1:{tls["port"]}"\ntls_certificate = "{tls["cert"]}"\n'
                  f'tls_key = "{tls["key"]}"\n')
    # The overload guards (trunk_calls_per_s 100, line_max_calls 1,000, line_max_waiting 300 by default) would
    # refuse the load with 503 before the server runs out of anything: raised out of the way, as capacity is
    # what is measured here.
    extra += "trunk_calls_per_s = 10000\nline_max_calls = 100000\nline_max_waiting = 100000\n"
    return (f'[telephony]\nlisten = "127.0.0.1:{sip_port}"\nrtp_address = "127.0.0.1"\n'
            f'rtp_ports = [20000, 31999]\n{extra}choice_wait_s = {choice_wait_s}\nrtp_timeout_s = {rtp_timeout_s}\n'
            f'available_on_register = true\n\n[[telephony.trunk]]\nname = "bench-carrier"\n'
            f'allow = ["127.0.0.1"]\n{trunk_extra}')


def write_telephony(data, sip_port, choice_wait_s, rtp_timeout_s=30, tls=None):
    path = os.path.join(data, "crisisline.toml")
    with open(path) as f:
        text = f.read()
    text = (text.split("[telephony]")[0].rstrip() + "\n\n" +
            telephony_section(sip_port, choice_wait_s, rtp_timeout_s, tls))
    with open(path, "w") as f:
        f.write(text)


class Server:
    def __init__(self, binary, data, sip_port=None, pin=True, log_level=None):
        self.binary = binary
        self.data = data
        self.http_port = free_port()
        self.sip_port = sip_port or free_port()
        self.pin = pin
        self.log_level = log_level
        self.proc = None
        self.log_path = os.path.join(data, "server.log")
        self.cookie = None
        self.csrf = None

    def start(self):
        cmd = [self.binary, "--data", self.data, "serve", "--listen", f"127.0.0.1:{self.http_port}",
               "--sip-listen", f"127.0.0.1:{self.sip_port}"]
        if self.pin:
            cmd = ["taskset", "-c", SERVER_CPU] + cmd
        env = dict(os.environ)
        if self.log_level:
            env["CRISISLINE_LOG_LEVEL"] = self.log_level
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.tail()}")
            try:
                if self.http("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become ready")

    def tail(self, n=3000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self):
        return self.proc.pid

    def http(self, method, path, body=None, timeout=30):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        if path == "/metrics":  # the bearer token serve made on its first start
            with open(os.path.join(self.data, "keys", "metrics.token")) as f:
                headers["Authorization"] = "Bearer " + f.read().strip()
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = data.decode(errors="replace")
            return resp.status, parsed, dict(resp.getheaders())
        finally:
            conn.close()

    def metrics(self):
        status, text, _ = self.http("GET", "/metrics")
        out = {}
        if isinstance(text, str):
            for line in text.splitlines():
                if line.startswith("crisisline_") and " " in line:
                    name, value = line.rsplit(" ", 1)
                    if name.startswith(("crisisline_calls", "crisisline_rtp", "crisisline_queue",
                                        "crisisline_active", "crisisline_registered", "crisisline_sip",
                                        "crisisline_srtp", "crisisline_bridged_legs")):
                        try:
                            out[name] = float(value)
                        except ValueError:
                            pass
        return out

    def sign_in(self, username, password, totp_secret=None):
        """Session for username; returns the TOTP secret (enrolled on first sign-in)."""
        self.cookie = self.csrf = None
        body = {"username": username, "password": password}
        if totp_secret:
            body["totp_code"] = totp(totp_secret)
        status, reply, headers = self.http("POST", "/api/v1/session", body)
        if status != 200:
            raise RuntimeError(f"sign-in {username}: {status} {reply}")
        self.cookie = headers["Set-Cookie"].split(";")[0]
        self.csrf = reply["csrf_token"]
        if "totp_enrolment" in reply:
            totp_secret = reply["totp_enrolment"]["secret"]
            status, confirm, _ = self.http("POST", "/api/v1/session/totp", {"code": totp(totp_secret)})
            if status != 200:
                raise RuntimeError(f"TOTP enrolment: {status} {confirm}")
        return totp_secret

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "logf", None):
            self.logf.close()


class Sampler:
    """Samples the server's RSS every 0.25 s (peak) and its CPU ticks on demand."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_kib = 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.peak_kib = max(self.peak_kib, simsip.rss_kib(self.pid))
            except OSError:
                return
            self.stop_flag.wait(0.25)

    def snapshot(self):
        return {"t": time.monotonic(), "ticks": simsip.cpu_ticks(self.pid), "rss_kib": simsip.rss_kib(self.pid)}

    @staticmethod
    def cpu_pct(a, b):
        return round(100.0 * (b["ticks"] - a["ticks"]) / simsip.CLK_TCK / max(1e-9, b["t"] - a["t"]), 1)

    def close(self):
        self.stop_flag.set()


# ---------------------------------------------------------------------------------------------------------
# setup: a template data directory with N counsellors that have SIP accounts, wrap-up 0

def setup(args):
    tpl = args.template
    meta_path = os.path.join(tpl, "bench.json")
    if not os.path.exists(meta_path) and not args.counsellors:
        sys.exit(f"telbench: no template at {tpl}: run `telbench.py setup` first (bench/sip/run does)")
    if os.path.exists(meta_path) and not args.force:
        with open(meta_path) as f:
            meta = json.load(f)
        if len(meta["phones"]) >= args.counsellors and meta.get("binary") == args.binary:
            log(f"setup: template {tpl} has {len(meta['phones'])} counsellors (cached)")
            return meta
    shutil.rmtree(tpl, ignore_errors=True)
    os.makedirs(os.path.dirname(tpl) or ".", exist_ok=True)
    out = cli(args.binary, tpl, "init", "--demo").stdout
    admin_pw = re.search(r"demo\.admin\s.*password:\s*(\S+)", out).group(1)
    phones = {}
    t0 = time.time()
    env = {"CRISISLINE_PASSWORD": STAFF_PASSWORD}
    for i in range(1, args.counsellors + 1):
        user = f"cn{i:04d}"
        cli(args.binary, tpl, "staff", "add", "--username", user, "--display-name", f"Counsellor {i}",
            "--roles", "counsellor", "--lines", LINE, "--languages", "en", env=env)
        sip = cli(args.binary, tpl, "staff", "sip-account", "--username", user).stdout
        phones[user] = re.search(r"SIP password[^:]*:\s*(\S+)", sip).group(1)
        if i % 100 == 0:
            log(f"setup: {i} counsellors ({time.time() - t0:.0f} s)")
    write_telephony(tpl, free_port(), 0)
    server = Server(args.binary, tpl, pin=False).start()
    try:
        admin_totp = server.sign_in("demo.admin", admin_pw)
        routing = {"wrap_up_s": 0, "wrap_up_after_concern_s": 0, "overflow_after_s": None,
                   "announce_every_s": None, "ring_timeout_s": 20, "strategy": "longest_idle"}
        status, reply, _ = server.http("PATCH", f"/api/v1/lines/{LINE}", {"routing": routing})
        if status != 200:
            raise RuntimeError(f"PATCH routing: {status} {reply}")
        log("setup: line routing", reply.get("routing"))
    finally:
        server.stop()
    meta = {"phones": phones, "admin_password": admin_pw, "admin_totp": admin_totp, "binary": args.binary,
            "staff_password": STAFF_PASSWORD}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    os.remove(os.path.join(tpl, "server.log"))
    return meta


def fresh_data(args, meta, choice_wait_s, rtp_timeout_s=30, tls=False, encryption=None):
    """A copy of the template; with tls, a test CA in it and SIP over TLS on a free port (data["tls"]);
    encryption: the trunk's policy ("required", "preferred", "off"; None: the server's default)."""
    data = tempfile.mkdtemp(prefix="crisisline-telbench-")
    shutil.rmtree(data)
    shutil.copytree(args.template, data)
    sip_port = free_port()
    tls_conf = None
    if tls:
        os.makedirs(os.path.join(data, "test-ca"))
        ca = TestCA(os.path.join(data, "test-ca"))
        cert, key = ca.issue(os.path.join(data, "test-ca", "server"), "sip-server")
        tls_conf = {"port": free_port(), "cert": cert, "key": key, "ca": ca.cert, "encryption": encryption}
    write_telephony(data, sip_port, choice_wait_s, rtp_timeout_s, tls_conf)
    if tls:
        return data, sip_port, tls_conf
    return data, sip_port


def register_all(phones, users, timeout=60):
    for u in users:
        phones.register(u)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(phones.registered) + len(phones.register_failed) >= len(users):
            break
        time.sleep(0.05)
    if phones.register_failed or len(phones.registered) < len(users):
        raise RuntimeError(f"registration: {len(phones.registered)}/{len(users)} ok, failed: "
                           f"{dict(list(phones.register_failed.items())[:5])}")


def udp_errors():
    """Udp RcvbufErrors/InErrors/SndbufErrors from /proc/net/snmp (the whole machine: loopback drops show here)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    names, values = rows[0][1:], [int(v) for v in rows[1][1:]]
    d = dict(zip(names, values))
    return {k: d.get(k, 0) for k in ("InErrors", "RcvbufErrors", "SndbufErrors")}


def udp_socket_drops():
    """{local port: drops} for UDP sockets on 127.0.0.1 that dropped datagrams (/proc/net/udp 'drops')."""
    out = {}
    with open("/proc/net/udp") as f:
        next(f)
        for line in f:
            parts = line.split()
            ip, port = parts[1].split(":")
            drops = int(parts[-1])
            if drops:
                out[int(port, 16)] = out.get(int(port, 16), 0) + drops
    return out


def udp_delta(a, b):
    return {k: b[k] - a[k] for k in a}


def udp_drops_labelled(sip_port, phones_port, callers_port, caller_ports, phone_ports):
    labels = {sip_port: "server SIP", phones_port: "phones SIP", callers_port: "callers SIP"}
    labels.update({p: "rtp_load caller side" for p in caller_ports})
    labels.update({p: "rtp_load phone side" for p in phone_ports})
    out = {}
    for port, n in udp_socket_drops().items():
        label = labels.get(port, "server RTP" if 20000 <= port <= 31999 else "other")
        out[label] = out.get(label, 0) + n
    return out


def metric_delta(before, after, *names):
    return {n.replace("crisisline_", ""): int(after.get(n, 0) - before.get(n, 0)) for n in names}


# ---------------------------------------------------------------------------------------------------------
# (a) call set-up rate

TRANSPORTS = {  # --transports: SIPp's -t, and whether its TCP goes through sip_tls_relay to the TLS port
    "udp": ("u1", False), "tcp-1": ("t1", False), "tcp-n": ("tn", False), "tls-1": ("t1", True), "tls-n": ("tn", True)}


def setup_rate(args, meta):
    results = []
    for transport in args.transports.split(","):
        if transport not in TRANSPORTS:
            sys.exit(f"telbench: unknown transport {transport} ({', '.join(TRANSPORTS)})")
        for rate in [int(r) for r in args.rates.split(",")]:
            results.append(one_rate(args, meta, rate, transport))
            print(json.dumps(results[-1]), flush=True)
    print("\n(a) call set-up rate: SIPp callers on CPU 0, server on CPU 1")
    print("| transport | calls/s | calls | failed | not bridged | answer p50 ms | p99 ms | max ms | answers >= 100 ms "
          "| server CPU % | load CPU % (SIPp+relay) | RSS peak MiB | load avg | clean |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        print(f"| {r['transport']} | {r['rate']} | {r['calls']} | {r['failed']} | {r['not_bridged']} "
              f"| {r['answer_ms'].get('p50')} | {r['answer_ms'].get('p99')} | {r['answer_ms'].get('max')} "
              f"| {r['answers_over_100ms']} | {r['server_cpu_pct']} | {r['load_core_children_cpu_pct']} "
              f"| {r['rss_peak_mib']} | {r['loadavg_before']} -> {r['loadavg_after']} "
              f"| {'yes' if r['clean'] else 'NO'} |")
    return results


class TlsRelay:
    """build/bench/sip_tls_relay on the load core: SIPp's TCP in, one TLS connection to the server out for each."""

    def __init__(self, binary, tls_port, ca):
        cmd = ["taskset", "-c", LOAD_CPU, binary, "--listen", "127.0.0.1:0", "--connect", f"127.0.0.1:{tls_port}",
               "--ca", ca]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "ready":
            raise RuntimeError(f"sip_tls_relay did not start: {line}")
        self.port = int(line[1])

    def ticks(self):
        return simsip.cpu_ticks(self.proc.pid)

    def finish(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=10)
        for line in out.splitlines():
            if line.startswith("report "):
                return json.loads(line[7:])
        return {"error": "no report"}


def one_rate(args, meta, rate, transport="udp"):
    sipp_t, via_tls = TRANSPORTS[transport]
    tls = None
    if via_tls:
        data, sip_port, tls = fresh_data(args, meta, choice_wait_s=0, tls=True)
    else:
        data, sip_port = fresh_data(args, meta, choice_wait_s=0)
    server = Server(args.binary, data, sip_port).start()
    sampler = Sampler(server.pid)
    loop = simsip.Loop().start()
    run_dir = tempfile.mkdtemp(prefix="telbench-a-")
    relay = None
    try:
        bridged_s = args.call_s
        talk_s = bridged_s + 2.0 + args.greeting_slack  # the caller stays: greeting (2 s) + queue + bridged
        needed = int(rate * (bridged_s + 1.5)) + 20
        users = sorted(meta["phones"])[:needed]
        if len(users) < needed:
            log(f"(a) {rate}/s: only {len(users)} counsellors for ~{needed} needed: run setup --counsellors")
        sink = simsip.Sink(loop)
        phones = simsip.Phones(loop, ("127.0.0.1", sip_port),
                               {u: {"password": meta["phones"][u], "rtp_port": sink.port} for u in users},
                               ring_s=args.ring_s)
        register_all(phones, users)
        time.sleep(1.0)
        calls = int(rate * args.duration)
        m0 = server.metrics()
        s0 = sampler.snapshot()
        u0 = udp_errors()
        log(f"(a) {transport} {rate} calls/s x {args.duration} s = {calls} calls, {len(users)} phones, talk {talk_s} s")
        with open(os.path.join(ROOT, "tests", "sip", "scenarios", "caller.xml")) as f:
            scenario = f.read()
        if via_tls:  # what reaches the server is SIP over TLS: say so in Via and Contact
            scenario = scenario.replace("SIP/2.0/[transport]", "SIP/2.0/TLS").replace("transport=[transport]",
                                                                                  "transport=tls")
        with open(os.path.join(run_dir, "caller.xml"), "w") as f:
            f.write(scenario)
        target = f"127.0.0.1:{sip_port}"
        if via_tls:
            relay = TlsRelay(args.tls_relay, tls["port"], tls["ca"])
            target = f"127.0.0.1:{relay.port}"
        alive = int(rate * (talk_s + 5)) + 50
        loadavg_before = round(os.getloadavg()[0], 2)
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        relay_ticks0 = relay.ticks() if relay else 0
        cmd = ["taskset", "-c", LOAD_CPU, "sipp", "-sf", "caller.xml", "-i", "127.0.0.1", "-p", str(free_port()),
               "-t", sipp_t, "-r", str(rate), "-rp", "1000", "-m", str(calls), "-l", str(alive),
               "-nostdin", "-key", "number", NUMBER, "-key", "caller_id", "01632960000",
               "-key", "rtp_port", str(sink.port), "-key", "media", "python", "-key", "talk_ms",
               str(int(talk_s * 1000)), "-trace_rtt", "-rtt_freq", "1", "-trace_stat", "-fd", "1",
               "-trace_err", "-trace_screen", "-timeout", f"{int(args.duration + talk_s + 60)}s",
               "-max_socket", str(max(100, alive + 100)), "-buff_size", str(8 << 20), target]
        t_start = time.monotonic()
        p = subprocess.run(cmd, cwd=run_dir, capture_output=True, text=True)
        elapsed = time.monotonic() - t_start
        s1 = sampler.snapshot()
        loadavg_after = round(os.getloadavg()[0], 2)
        children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        relay_ticks = (relay.ticks() - relay_ticks0) if relay else 0
        load_cpu_s = (children1.ru_utime + children1.ru_stime - children0.ru_utime - children0.ru_stime +
                      relay_ticks / simsip.CLK_TCK)
        relay_report = relay.finish() if relay else None
        relay = None
        time.sleep(1.0)
        m1 = server.metrics()
        answer = []
        for name in os.listdir(run_dir):
            if name.endswith("_rtt.csv"):
                with open(os.path.join(run_dir, name)) as f:
                    for line in f.readlines()[1:]:
                        parts = line.strip().split(";")
                        if len(parts) >= 3 and parts[2].strip() == "1":
                            answer.append(float(parts[1]) / 1000.0)
        failed = None
        screen = ""
        for name in os.listdir(run_dir):
            if name.endswith("_screen.log"):
                with open(os.path.join(run_dir, name)) as f:
                    screen = f.read()
                m = re.search(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", screen)
                if m:
                    failed = int(m.group(1))
        if failed is None:
            failed = 0 if p.returncode == 0 else -1
        # each phone INVITE after its caller: the ring time relative to the answer is the greeting (~2 s) + routing
        invites = [d for d in phones.dialogs.values()]
        acked = sum(1 for d in invites if d["acked"] is not None)
        byes = sum(1 for d in invites if d["bye_at"] is not None)
        delta = metric_delta(m0, m1, "crisisline_calls_offered_total", "crisisline_calls_answered_total",
                             "crisisline_calls_abandoned_total", "crisisline_calls_refused_total")
        not_bridged = calls - min(delta["calls_answered_total"], acked)
        result = {
            "transport": transport, "sipp_t": sipp_t, "rate": rate, "calls": calls, "sipp_exit": p.returncode,
            "failed": failed,
            "loadavg_before": loadavg_before, "loadavg_after": loadavg_after,
            "load_core_children_cpu_pct": round(100.0 * load_cpu_s / max(1e-9, elapsed), 1),
            "tls_relay": relay_report,
            "server_sip": {k.replace("crisisline_", ""): int(m1[k] - m0.get(k, 0)) for k in m1
                           if k.startswith("crisisline_sip") and m1[k] - m0.get(k, 0)},
            "not_bridged": not_bridged, "phone_invites": len(invites), "phone_acked": acked, "phone_byes": byes,
            "answer_ms": summary_ms(answer), "answer_samples": len(answer),
            "server": delta, "udp_errors": udp_delta(u0, udp_errors()),
            "udp_drops_by_port": {f"{port} ({label})": n for port, n in udp_socket_drops().items()
                                  for label in [{sip_port: "server SIP", phones.port: "phones", sink.port: "RTP sink"}
                                                .get(port, "other")]},
            "elapsed_s": round(elapsed, 1), "server_cpu_pct": Sampler.cpu_pct(s0, s1),
            "rss_before_mib": round(s0["rss_kib"] / 1024, 1), "rss_peak_mib": round(sampler.peak_kib / 1024, 1),
            "phones": len(users),
        }
        over = sum(1 for a in answer if a >= 0.1)
        result["answers_over_100ms"] = over
        result["clean"] = (p.returncode == 0 and failed == 0 and not_bridged == 0 and over == 0
                           and len(answer) == calls)
        if p.returncode != 0:
            result["sipp_stderr"] = p.stderr[-1500:]
            errs = [n for n in os.listdir(run_dir) if n.endswith("_errors.log")]
            if errs:
                with open(os.path.join(run_dir, errs[0])) as f:
                    result["sipp_errors"] = f.read()[-1500:]
        if relay_report is not None and (relay_report.get("handshake_failures") or "error" in relay_report):
            result["clean"] = False
        return result
    finally:
        if relay:
            relay.finish()
        loop.stop()
        sampler.close()
        server.stop()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            log(f"kept {data} {run_dir}")


# ---------------------------------------------------------------------------------------------------------
# (b) concurrent bridged calls with RTP both ways

class RtpLoad:
    def __init__(self, binary, per_flow=False):
        cmd = ["taskset", "-c", LOAD_CPU, binary, "--control", "--drain-ms", "1000"]
        if per_flow:
            cmd.append("--per-flow")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Lock()
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def send(self, line):
        with self.lock:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()

    def report(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.lines:
                if line.startswith("report "):
                    return json.loads(line[7:])
            time.sleep(0.05)
        raise RuntimeError("rtp_load gave no report: " + "\n".join(self.lines[-5:]))

    def errors(self):
        return [line for line in self.lines if line.startswith("error")]

    def close(self):
        try:
            self.send("quit")
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def concurrent(args, meta):
    results = []
    for n in [int(x) for x in args.calls.split(",")]:
        results.append(one_concurrent(args, meta, n))
        print(json.dumps(results[-1]), flush=True)
    print(f"\n(b) concurrent bridged PCMU calls, RTP both ways (rtp_load on CPU 0), hold {args.hold} s")
    print("| calls | bridged | dropped | RTP sent | received | delivered % | delay p50 ms | p99 ms | max ms "
          "| server CPU % (hold) | RSS before MiB | RSS held MiB | KiB per call |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rtp = r.get("rtp") or {}
        d = rtp.get("delay_us") or {}
        print(f"| {r['calls']} | {r['bridged']} | {r['dropped']} | {rtp.get('sent')} | {rtp.get('received')} "
              f"| {r.get('delivered_pct')} | {d.get('p50', 0) / 1000:.2f} | {d.get('p99', 0) / 1000:.2f} "
              f"| {d.get('max', 0) / 1000:.2f} | {r.get('server_cpu_pct_hold')} | {r.get('rss_before_mib')} "
              f"| {r.get('rss_held_mib')} | {r.get('kib_per_call')} |")
    return results


def free_udp_ports(start, count):
    """count loopback UDP ports from start up that nothing holds now (another process's port on the machine
    would silence the flows given it: seen once, 3 phone flows of 2,000)."""
    out = []
    port = start
    while len(out) < count and port < start + count + 700:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
                out.append(port)
            except OSError:
                pass
        port += 1
    if len(out) < count:
        raise RuntimeError(f"fewer than {count} free UDP ports from {start}")
    return out


def plaintext_probe(loop, sip_port, meta, users):
    """With encryption required: a plain INVITE from the trunk over UDP (RTP/AVP) and a REGISTER over UDP of a
    phone account not in the run; {"invite": final status, "register": status} (488 and 403 expected)."""
    callers = simsip.Callers(loop, ("127.0.0.1", sip_port), NUMBER)
    callers.place(999999, 9)  # port 9 (discard): no media follows a refusal
    spare = [u for u in sorted(meta["phones"]) if u not in set(users)][:1]
    phones = simsip.Phones(loop, ("127.0.0.1", sip_port), {u: {"password": meta["phones"][u], "rtp_port": 9}
                                                            for u in spare})
    for u in spare:
        phones.register(u)
    deadline = time.monotonic() + 10
    out = {}
    while time.monotonic() < deadline:
        call = next(iter(list(callers.calls.values())), None)
        if call and call["status"] and call["status"] >= 200:
            out["invite"] = call["status"]
        if spare and (spare[0] in phones.register_failed or spare[0] in phones.registered):
            out["register"] = phones.register_failed.get(spare[0], 200)
        if "invite" in out and ("register" in out or not spare):
            break
        time.sleep(0.05)
    for c in list(callers.calls.values()):
        if c["answered_at"]:  # accepted in clear: the policy did not hold; end it
            callers.hangup(c["call_id"])
    log(f"(b) plaintext refused? INVITE over UDP -> {out.get('invite')}, REGISTER over UDP -> {out.get('register')}")
    return out


def one_concurrent(args, meta, n, secure=False):
    """N bridged calls held args.hold s with RTP both ways. secure: both legs SRTP (SDES) over SIP over TLS —
    the trunk and (in meta's template, bench/sip/srtpbench.py) every phone account with encryption "required",
    callers on one TLS connection, each phone on its own, keys per call handed to rtp_load (`srtp`)."""
    rtp_timeout_s = max(30, int(args.hold) + 60)
    tls = None
    if secure:
        data, sip_port, tls = fresh_data(args, meta, choice_wait_s=0, rtp_timeout_s=rtp_timeout_s, tls=True,
                                         encryption="required")
    else:
        data, sip_port = fresh_data(args, meta, choice_wait_s=0, rtp_timeout_s=rtp_timeout_s)
    server = Server(args.binary, data, sip_port).start()
    sampler = Sampler(server.pid)
    loop = simsip.Loop().start()
    rtp = RtpLoad(args.rtp_load, per_flow=args.per_flow)
    try:
        users = sorted(meta["phones"])[:n]
        if len(users) < n:
            raise RuntimeError(f"{n} calls need {n} counsellors; the template has {len(meta['phones'])}")
        k = max(1, args.rtp_sockets)
        caller_ports = free_udp_ports(args.rtp_base, k)
        phone_ports = free_udp_ports(args.rtp_base + 1000, k)
        # Caller flows exist from the start (their sockets bound) and send once their remote is known. The
        # server tells calls on one of its media sockets apart by their source address, as it would calls
        # from distinct carrier ports or phones: each phone flow gets, when its INVITE arrives, a local port
        # no other phone flow uses towards the same server port (the port goes into the phone's answer).
        for i in range(n):
            rtp.send(f"add {2 * i} {caller_ports[i % k]}")
        phone_flow = {u: 2 * i + 1 for i, u in enumerate(users)}
        phone_info = {u: {"password": meta["phones"][u], "rtp_port": phone_ports[i % k]} for i, u in enumerate(users)}
        in_use = set()  # (server port, phone port)
        unkeyed = {"phones": 0, "callers": 0}  # secure: legs whose SDP carried no usable a=crypto

        def on_invite(user, call_id, server_rtp, now, **keyed):
            if not server_rtp:
                return None
            start = phone_flow[user] // 2
            for j in range(k):
                port = phone_ports[(start + j) % k]
                if (server_rtp[1], port) not in in_use:
                    break
            in_use.add((server_rtp[1], port))
            flow = phone_flow[user]
            if keyed.get("srtp"):  # keyed before it has a remote: nothing leaves in clear
                rtp.send(f"add {flow} {port}")
                rtp.send(f"srtp {flow} {' '.join(keyed['srtp'])}")
                rtp.send(f"remote {flow} {server_rtp[0]}:{server_rtp[1]}")
            else:
                if secure:
                    unkeyed["phones"] += 1
                rtp.send(f"add {flow} {port} {server_rtp[0]}:{server_rtp[1]}")
            return port

        def on_answer(call):
            if call["server_rtp"]:
                ip, port = call["server_rtp"]
                if call.get("srtp"):
                    rtp.send(f"srtp {2 * call['index']} {' '.join(call['srtp'])}")
                elif secure:
                    unkeyed["callers"] += 1
                rtp.send(f"remote {2 * call['index']} {ip}:{port}")

        phone_tls = caller_tls = None
        if secure:
            address = ("127.0.0.1", tls["port"])
            phone_tls = simsip.TlsOptions(address, tls["ca"], connections=n)  # each phone its own connection
            caller_tls = simsip.TlsOptions(address, tls["ca"], connections=1)  # the trunk: one connection
        phones = simsip.Phones(loop, ("127.0.0.1", sip_port), phone_info, on_invite=on_invite, ring_s=args.ring_s,
                               tls=phone_tls)
        callers = simsip.Callers(loop, ("127.0.0.1", sip_port), NUMBER, on_answer=on_answer, tls=caller_tls)
        register_all(phones, users, timeout=120)
        plaintext_refused = plaintext_probe(loop, sip_port, meta, users) if secure else None
        time.sleep(1.0)
        if rtp.errors():
            raise RuntimeError(f"rtp_load: {rtp.errors()[:3]}")
        s_idle = sampler.snapshot()
        m0 = server.metrics()
        u0 = udp_errors()
        log(f"(b) {n} calls: ramp at {args.ramp} calls/s; server RSS idle {s_idle['rss_kib'] / 1024:.1f} MiB")
        t0 = time.monotonic()
        for i in range(n):
            callers.place(i, caller_ports[i % k])
            delay = t0 + (i + 1) / args.ramp - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        # Wait until every call is bridged (its phone ACKed the 200) or the deadline passes.
        deadline = time.monotonic() + 30 + n / args.ramp
        while time.monotonic() < deadline:
            acked = sum(1 for d in list(phones.dialogs.values()) if d["acked"] is not None)
            if acked >= n:
                break
            time.sleep(0.2)
        ramp_s = time.monotonic() - t0
        acked = sum(1 for d in list(phones.dialogs.values()) if d["acked"] is not None)
        answered = sum(1 for c in list(callers.calls.values()) if c["answered_at"] is not None)
        log(f"(b) ramp done in {ramp_s:.1f} s: {answered} answered, {acked} bridged; settling 3 s")
        time.sleep(3.0)
        rtp.send("mark")
        loadavg_hold0 = round(os.getloadavg()[0], 2)
        s_hold0 = sampler.snapshot()
        m_hold0 = server.metrics()
        hold_end = time.monotonic() + args.hold
        rss_samples = []
        while time.monotonic() < hold_end:
            time.sleep(min(5.0, max(0.0, hold_end - time.monotonic())))
            rss_samples.append(simsip.rss_kib(server.pid))
        s_hold1 = sampler.snapshot()
        loadavg_hold1 = round(os.getloadavg()[0], 2)
        rtp.send("stop")
        report = rtp.report(timeout=30)
        m_hold1 = server.metrics()
        dropped = sum(1 for c in list(callers.calls.values()) if c["ended_by"] == "server")
        log(f"(b) hold done: RTP {report.get('received')}/{report.get('sent')}; hanging up")
        for c in list(callers.calls.values()):
            callers.hangup(c["call_id"])
            time.sleep(1.0 / max(args.ramp, 1))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(c["ended_at"] is not None for c in callers.calls.values() if c["answered_at"] is not None):
                break
            time.sleep(0.2)
        time.sleep(2.0)
        s_after = sampler.snapshot()
        m1 = server.metrics()
        delivered_pct = (round(100.0 * report["received"] / report["sent"], 3) if report.get("sent") else None)
        rss_held = max(rss_samples) if rss_samples else s_hold1["rss_kib"]
        result = {
            "calls": n, "answered": answered, "bridged": acked, "dropped": dropped, "ramp_s": round(ramp_s, 1),
            "hold_s": args.hold, "rtp_sockets": k, "rtp": report, "delivered_pct": delivered_pct,
            "server_cpu_pct_hold": Sampler.cpu_pct(s_hold0, s_hold1),
            "rss_before_mib": round(s_idle["rss_kib"] / 1024, 1), "rss_held_mib": round(rss_held / 1024, 1),
            "rss_after_hangup_mib": round(s_after["rss_kib"] / 1024, 1),
            "rss_peak_mib": round(sampler.peak_kib / 1024, 1),
            "kib_per_call": round((rss_held - s_idle["rss_kib"]) / max(1, acked), 1),
            "server_hold": metric_delta(m_hold0, m_hold1, "crisisline_rtp_packets_relayed_total",
                                        "crisisline_rtp_packets_lost_total", "crisisline_rtp_packets_ignored_total",
                                        "crisisline_rtp_packets_played_total"),
            "server_run": metric_delta(m0, m1, "crisisline_calls_offered_total", "crisisline_calls_answered_total",
                                       "crisisline_calls_abandoned_total", "crisisline_calls_refused_total"),
            "active_calls_at_hold": m_hold0.get("crisisline_active_calls"),
            "rtp_load_errors": rtp.errors()[:5], "udp_errors": udp_delta(u0, udp_errors()),
            "udp_drops_by_port": udp_drops_labelled(sip_port, phones.port, callers.port, caller_ports, phone_ports),
            "loadavg_hold": [loadavg_hold0, loadavg_hold1], "secure": secure,
        }
        if secure:
            result["plaintext_refused"] = plaintext_refused
            result["unkeyed_legs"] = unkeyed
            result["server_srtp_hold"] = {k.replace("crisisline_", ""): int(m_hold1[k] - m_hold0.get(k, 0))
                                          for k in m_hold1 if k.startswith("crisisline_srtp")}
            result["server_bridged_legs"] = {k.replace("crisisline_", ""): int(m1[k] - m0.get(k, 0))
                                             for k in m1 if k.startswith("crisisline_bridged_legs")
                                             and m1[k] - m0.get(k, 0)}
        if report.get("sent") and args.hold:
            result["relay_pps"] = round(result["server_hold"]["rtp_packets_relayed_total"] / args.hold)
        return result
    finally:
        rtp.close()
        loop.stop()
        sampler.close()
        server.stop()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
        else:
            log(f"kept {data}")


# ---------------------------------------------------------------------------------------------------------
# (c) routing latency

def routing_histogram(server):
    """crisisline_routing_seconds from /metrics: the server's own timing of each ring, from the event that
    caused it (caller queued, counsellor available, timer) to the INVITE handed to the transport.
    Returns the cumulative share of rings at or under each bound, and an upper bound for p50/p99."""
    status, text, _ = server.http("GET", "/metrics")
    buckets = []
    count = 0
    for line in (text if isinstance(text, str) else "").splitlines():
        m = re.match(r'crisisline_routing_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
        if m:
            buckets.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), int(m.group(2))))
        elif line.startswith("crisisline_routing_seconds_count "):
            count = int(line.split()[1])
    out = {"rings": count, "share_at_or_under": {}}
    for bound, cumulative in buckets:
        if count:
            out["share_at_or_under"][f"{bound * 1000:g} ms"] = round(cumulative / count, 4)
    for q in (0.5, 0.99):
        for bound, cumulative in buckets:
            if count and cumulative >= q * count:
                out[f"p{int(q * 100)}_at_most_ms"] = bound * 1000
                break
    return out


def routing(args, meta):
    data, sip_port = fresh_data(args, meta, choice_wait_s=30)
    server = Server(args.binary, data, sip_port).start()
    loop = simsip.Loop().start()
    result = {}
    try:
        sink = simsip.Sink(loop)  # the callers' RTP socket: DTMF leaves from here, prompts arrive here
        invites = {}
        invite_event = threading.Event()

        def on_invite(user, call_id, server_rtp, now):
            invites[call_id] = (user, now)
            invite_event.set()

        users = sorted(meta["phones"])[:args.phones]
        phones = simsip.Phones(loop, ("127.0.0.1", sip_port),
                               {u: {"password": meta["phones"][u], "rtp_port": sink.port} for u in users},
                               on_invite=on_invite)
        callers = simsip.Callers(loop, ("127.0.0.1", sip_port), NUMBER)
        register_all(phones, users)
        time.sleep(0.5)

        # Floor of the method: an OPTIONS round trip to the server through the same kind of socket.
        floor = []
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        probe.settimeout(2)
        for i in range(200):
            req = (f"OPTIONS sip:127.0.0.1:{sip_port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{probe.getsockname()[1]};"
                   f"branch=z9hG4bKopt{i}x{os.getpid()}\r\nFrom: <sip:probe@127.0.0.1>;tag=p{i}\r\n"
                   f"To: <sip:127.0.0.1:{sip_port}>\r\nCall-ID: opt{i}-{os.getpid()}\r\nCSeq: 1 OPTIONS\r\n"
                   f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
            t = time.monotonic()
            probe.sendto(req, ("127.0.0.1", sip_port))
            try:
                probe.recvfrom(4096)
                floor.append(time.monotonic() - t)
            except socket.timeout:
                pass
            time.sleep(0.005)
        probe.close()
        result["options_round_trip_ms"] = summary_ms(floor)

        def one_call(i, trigger):
            """Places a call, waits for the 200, then trigger() returns the time the routing event was sent;
            returns (latency s, call) once the INVITE reached a phone."""
            before = set(invites)
            invite_event.clear()
            callers.place(i, sink.port)
            deadline = time.monotonic() + 10
            call = None
            while time.monotonic() < deadline:
                call = next((c for c in list(callers.calls.values()) if c["index"] == i), None)
                if call and (call["answered_at"] or call["failed"]):
                    break
                time.sleep(0.002)
            if not call or not call["answered_at"]:
                return None, call
            time.sleep(0.05)
            t_event = trigger(call)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                new = [k for k in list(invites) if k not in before]
                if new:
                    return invites[new[0]][1] - t_event, call
                invite_event.wait(0.01)
            return None, call

        ssrc = 0x1234abcd

        def send_digit(call):
            ip, port = call["server_rtp"]
            packets = simsip.dtmf_packets("2", ssrc, 1000 + call["index"] * 10, 8000 + call["index"] * 16000)
            t = time.monotonic()
            for pkt in packets:
                sink.send_to(pkt, (ip, port))
            return t

        def finish(call):
            callers.hangup(call["call_id"])
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and call["ended_at"] is None:
                time.sleep(0.005)
            time.sleep(0.05)

        # Method 1: idle registered phones, the caller presses 2 (English): digit -> queue -> route -> INVITE.
        lat = []
        misses = 0
        for i in range(args.samples):
            latency, call = one_call(i, send_digit)
            if latency is None:
                misses += 1
            else:
                lat.append(latency)
            if call:
                # wait for the phone to have the call (bridged), then hang up
                time.sleep(0.02)
                finish(call)
        result["digit_to_invite_ms"] = summary_ms(lat)
        result["digit_to_invite_misses"] = misses
        log("(c) digit -> INVITE", result["digit_to_invite_ms"], "misses", misses)

        # Method 2: the call waits in the queue; the counsellor says "available" (PUT /api/v1/me/availability):
        # request sent -> INVITE at the phone. Only cn0001's phone is registered and on break; others offline.
        user = users[0]
        for u in users[1:]:
            phones.register(u, expires=0)
        time.sleep(0.5)
        admin_pw = meta["staff_password"]
        server.sign_in(user, admin_pw)
        st, reply, _ = server.http("PUT", "/api/v1/me/availability", {"state": "break"})
        if st != 200:
            raise RuntimeError(f"availability: {st} {reply}")
        http_ms = []
        lat2 = []
        misses2 = 0
        for j in range(args.samples_api):
            i = 100000 + j
            server.http("PUT", "/api/v1/me/availability", {"state": "break"})

            def make_available(call):
                send_digit(call)  # queue the call (English) while nobody is available
                time.sleep(0.05)
                t = time.monotonic()
                st, reply, _ = server.http("PUT", "/api/v1/me/availability", {"state": "available"})
                http_ms.append(time.monotonic() - t)
                if st != 200:
                    log("availability:", st, reply)
                return t

            latency, call = one_call(i, make_available)
            if latency is None:
                misses2 += 1
            else:
                lat2.append(latency)
            if call:
                time.sleep(0.02)
                finish(call)
        result["available_to_invite_ms"] = summary_ms(lat2)
        result["available_http_round_trip_ms"] = summary_ms(http_ms)
        result["available_to_invite_misses"] = misses2
        log("(c) availability -> INVITE", result["available_to_invite_ms"], "http", result["available_http_round_trip_ms"])
        result["phones"] = len(users)
        result["server_routing_histogram"] = routing_histogram(server)
        log("(c) inside the server (event -> INVITE sent):", result["server_routing_histogram"])
        print(json.dumps(result, indent=1))
        return result
    finally:
        loop.stop()
        server.stop()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
        else:
            log(f"kept {data}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("CRISISLINE_BINARY",
                                                       os.path.join(ROOT, "build", "apps", "crisisline", "crisisline")))
    ap.add_argument("--rtp-load", default=os.environ.get("RTP_LOAD", os.path.join(ROOT, "build", "bench", "rtp_load")))
    ap.add_argument("--tls-relay", default=os.environ.get("TLS_RELAY",
                                                          os.path.join(ROOT, "build", "bench", "sip_tls_relay")))
    ap.add_argument("--template", default="/tmp/crisisline-telbench-template")
    ap.add_argument("--keep", action="store_true", help="keep the run's data directory")
    ap.add_argument("--out", help="also write the results as JSON here")
    ap.add_argument("--media-sockets", type=int, help="the server's telephony.media_sockets (default: its own)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--counsellors", type=int, default=1100)
    s.add_argument("--force", action="store_true")
    a = sub.add_parser("setup-rate")
    a.add_argument("--rates", default="20,50,100")
    a.add_argument("--duration", type=float, default=20, help="seconds of arrivals at each rate")
    a.add_argument("--call-s", type=float, default=5, help="seconds each call stays bridged")
    a.add_argument("--greeting-slack", type=float, default=0.2)
    a.add_argument("--ring-s", type=float, default=0.0)
    a.add_argument("--transports", default="udp", help="comma list of " + ", ".join(TRANSPORTS))
    b = sub.add_parser("concurrent")
    b.add_argument("--calls", default="100")
    b.add_argument("--hold", type=float, default=90)
    b.add_argument("--ramp", type=float, default=50, help="calls placed per second while ramping up")
    b.add_argument("--rtp-sockets", type=int, default=256, help="local RTP ports per side shared by the flows")
    b.add_argument("--rtp-base", type=int, default=40000)
    b.add_argument("--ring-s", type=float, default=0.0)
    b.add_argument("--per-flow", action="store_true")
    c = sub.add_parser("routing")
    c.add_argument("--samples", type=int, default=200)
    c.add_argument("--samples-api", type=int, default=50)
    c.add_argument("--phones", type=int, default=20)
    args = ap.parse_args()
    global MEDIA_SOCKETS
    MEDIA_SOCKETS = args.media_sockets
    # This process (the simulated phones and callers) is load generation: keep it off the server's core.
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    args.binary = os.path.abspath(args.binary)
    if not os.path.exists(args.binary):
        sys.exit(f"telbench: no server binary at {args.binary} (--binary)")
    meta = setup(args if args.cmd == "setup" else argparse.Namespace(**{**vars(args), "counsellors": 0,
                                                                       "force": False}))
    if args.cmd == "setup":
        return
    if args.cmd == "setup-rate":
        res = setup_rate(args, meta)
    elif args.cmd == "concurrent":
        if not os.path.exists(args.rtp_load):
            sys.exit(f"telbench: no rtp_load at {args.rtp_load} (cmake --build BUILD --target rtp_load)")
        res = concurrent(args, meta)
    else:
        res = routing(args, meta)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
