#!/usr/bin/env python3
"""Browser-phone benchmark of crisisline: N bridged calls whose counsellor leg is a browser phone (ICE,
DTLS-SRTP) and whose caller leg is plain RTP, through the real server pinned to CPU 1, the load on CPU 0.

  webrtcbench.py [--binary B] [--webrtc-load W] calls --calls 100,800 --hold 60 --ramp 50

For each N: a copy of telbench's template (counsellors cn0001... with phone accounts, wrap-up 0); N counsellors
sign in over the API (password, then TOTP enrolment, as the console does), hold the browser phone (PUT
/api/v1/session/phone, renewed every 15 s as the console does) and go available. A supervisor's WebSocket on
/api/v1/events sees each `call.ringing` (browser: true); the driver then has build/bench/webrtc_load make
that counsellor's browser offer, POSTs it to .../answer under the counsellor's session and hands the server's
answer back; the generator runs full ICE (controlling), the DTLS handshake (active) and 20 ms PCMU over SRTP
(AES_CM_128_HMAC_SHA1_80), and the callers' plain RTP (SIP callers from simsip.py, at --ramp calls/s).
Measured: set-ups (ring -> DTLS done) and their latency, packets delivered each way in a --hold s window,
one-way delay through the relay, the server's CPU in the window and its RSS per call. docs/benchmarks.md,
"Browser phone calls end to end", has the method and the results.
"""
import argparse
import concurrent.futures
import http.client
import itertools
import json
import os
import re
import shutil
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import telbench  # noqa: E402  (puts tests/integration and tests/sip on the path)
import browsers  # noqa: E402
import simsip  # noqa: E402
from harness import WebSocket, WebSocketClosed, totp  # noqa: E402

SUPERVISOR = "bench.supervisor"
RENEW_EVERY_S = 15  # as the console renews its hold on the phone
CALLER_FLOW_BASE = 1_000_000
log = telbench.log


class Session:
    """One signed-in person's API session (cookie + CSRF header), a connection per request. `source`: the
    loopback address it connects from (each counsellor its own machine, so the sign-in limit per address
    applies to each as in service)."""

    def __init__(self, port, username, password, source="127.0.0.1"):
        self.port = port
        self.source = source
        self.username = username
        self.cookie = self.csrf = None
        status, reply, headers = self.call("POST", "/api/v1/session", {"username": username, "password": password})
        if status != 200:
            raise RuntimeError(f"sign-in {username}: {status} {reply}")
        self.cookie = headers["Set-Cookie"].split(";")[0]
        self.csrf = reply["csrf_token"]
        self.staff_id = reply["staff"]["id"]
        if "totp_enrolment" in reply:  # a fresh copy of the template: the first sign-in enrols
            status, confirm, _ = self.call("POST", "/api/v1/session/totp",
                                           {"code": totp(reply["totp_enrolment"]["secret"])})
            if status != 200:
                raise RuntimeError(f"TOTP enrolment {username}: {status} {confirm}")

    def call(self, method, path, body=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(self.source, 0))
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
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


def labelled_metrics(server):
    """Every crisisline_* sample of /metrics, labels kept in the name."""
    status, text, _ = server.http("GET", "/metrics")
    out = {}
    for line in (text if isinstance(text, str) else "").splitlines():
        if line.startswith("crisisline_"):
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


def deltas(before, after, prefixes):
    return {k.replace("crisisline_", ""): int(after[k] - before.get(k, 0)) for k in sorted(after)
            if k.startswith(prefixes) and after[k] - before.get(k, 0)}


class RingFeed:
    """The supervisor's live feed: calls on_ring(counsellor staff id, call id, monotonic time) for each
    call.ringing of a browser phone."""

    def __init__(self, port, session, on_ring):
        self.ws = WebSocket(port, "/api/v1/events", cookie=session.cookie, timeout=10)
        if self.ws.status != 101:
            raise RuntimeError(f"/api/v1/events: {self.ws.status} {self.ws.body}")
        self.on_ring = on_ring
        self.events = 0
        self.closed = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            while True:
                message = json.loads(self.ws.recv(timeout=3600))
                self.events += 1
                if message.get("type") == "call.ringing" and message.get("data", {}).get("browser"):
                    self.on_ring(message.get("counsellor"), message["data"]["call"], time.monotonic())
        except (WebSocketClosed, OSError, ValueError) as e:
            self.closed = repr(e)

    def close(self):
        self.ws.close()


def one_run(args, meta, n):
    data, sip_port = telbench.fresh_data(args, meta, choice_wait_s=0, rtp_timeout_s=max(30, int(args.hold) + 60))
    telbench.cli(args.binary, data, "staff", "add", "--username", SUPERVISOR, "--display-name", "Bench supervisor",
                 "--roles", "supervisor", "--lines", telbench.LINE, "--languages", "en",
                 env={"CRISISLINE_PASSWORD": meta["staff_password"]})
    server = telbench.Server(args.binary, data, sip_port).start()
    sampler = telbench.Sampler(server.pid)
    loop = simsip.Loop().start()
    gen = browsers.WebrtcLoad(args.webrtc_load, cpu=telbench.LOAD_CPU, profile=args.profile,
                              seq_start=args.seq_start)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.workers)
    stop = threading.Event()
    feed = None
    try:
        users = sorted(meta["phones"])[:n]
        if len(users) < n:
            raise RuntimeError(f"{n} calls need {n} counsellors; the template has {len(meta['phones'])}")
        t0 = time.monotonic()
        sessions = list(pool.map(lambda iu: Session(server.http_port, iu[1], meta["staff_password"],
                                                    f"127.1.{iu[0] // 250}.{iu[0] % 250 + 1}"), enumerate(users)))
        by_id = {s.staff_id: s for s in sessions}
        sign_in_s = time.monotonic() - t0

        def hold(s):
            status, body, _ = s.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": f"bench-{s.username}"})
            if status != 200:
                raise RuntimeError(f"hold the phone {s.username}: {status} {body}")

        def available(s):
            status, body, _ = s.call("PUT", "/api/v1/me/availability", {"state": "available"})
            if status != 200:
                raise RuntimeError(f"available {s.username}: {status} {body}")

        list(pool.map(hold, sessions))
        renew_errors = []

        def renew():  # every tab renews its hold every 15 s, spread over the period
            while not stop.is_set():
                for s in sessions:
                    if stop.wait(RENEW_EVERY_S / len(sessions)):
                        return
                    try:
                        hold(s)
                    except (RuntimeError, OSError) as e:
                        renew_errors.append(str(e))

        threading.Thread(target=renew, daemon=True).start()
        list(pool.map(available, sessions))
        log(f"webrtc {n}: {n} counsellors signed in with TOTP in {sign_in_s:.1f} s, holding browser phones")

        rings, answers, answer_errors = {}, {}, []
        leg_ids = itertools.count(1)

        answering = threading.Event()
        answering.set()

        def answer(staff_id, call_id, t_ring):
            s = by_id.get(staff_id)
            if s is None or not answering.is_set():
                return  # after the window: a re-queued caller is not answered again
            leg = next(leg_ids)
            rings[leg] = (call_id, t_ring)
            offer = gen.offer(leg)
            t = time.monotonic()
            status, body, _ = s.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": offer})
            if status != 200:
                answer_errors.append(f"{status} {body}")
                return
            answers[leg] = time.monotonic() - t
            gen.answer(leg, body["sdp"])

        supervisor = Session(server.http_port, SUPERVISOR, meta["staff_password"])
        feed = RingFeed(server.http_port, supervisor, lambda *a: pool.submit(answer, *a))

        # Each caller's RTP from a free port of its own (fixed ports may be another process's on a shared machine).
        caller_ports = [gen.caller(CALLER_FLOW_BASE + i) for i in range(n)]

        def on_answer(call):
            if call["server_rtp"]:
                gen.remote(CALLER_FLOW_BASE + call["index"], call["server_rtp"])

        callers = simsip.Callers(loop, ("127.0.0.1", sip_port), telbench.NUMBER, on_answer=on_answer)
        time.sleep(1.0)
        s_idle = sampler.snapshot()
        m0 = labelled_metrics(server)
        u0 = telbench.udp_errors()
        log(f"webrtc {n}: ramp at {args.ramp} calls/s; server RSS idle {s_idle['rss_kib'] / 1024:.1f} MiB")
        t0 = time.monotonic()
        for i in range(n):
            callers.place(i, caller_ports[i])
            delay = t0 + (i + 1) / args.ramp - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        deadline = time.monotonic() + 30 + n / args.ramp
        while time.monotonic() < deadline and len(gen.ready) + len(gen.failed) + len(answer_errors) < n:
            time.sleep(0.1)
        ramp_s = time.monotonic() - t0
        s_ramp = sampler.snapshot()
        ready_after_ramp = len(gen.ready)
        log(f"webrtc {n}: {len(rings)} rings, {len(answers)} answered, {len(gen.ready)} ready, "
            f"{len(gen.failed)} failed in {ramp_s:.1f} s; settling 3 s")
        setup_ms = [1000 * (gen.ready[leg][0] - t_ring) for leg, (_, t_ring) in list(rings.items()) if leg in gen.ready]
        time.sleep(3.0)
        gen.mark()
        load_hold0 = round(os.getloadavg()[0], 2)
        gen_ticks0 = simsip.cpu_ticks(gen.proc.pid)
        s_hold0 = sampler.snapshot()
        m_hold0 = labelled_metrics(server)
        rss = []
        hold_end = time.monotonic() + args.hold
        while time.monotonic() < hold_end:
            time.sleep(min(5.0, max(0.0, hold_end - time.monotonic())))
            rss.append(simsip.rss_kib(server.pid))
        s_hold1 = sampler.snapshot()
        gen_cpu_pct = round(100.0 * (simsip.cpu_ticks(gen.proc.pid) - gen_ticks0) / simsip.CLK_TCK
                            / max(1e-9, s_hold1["t"] - s_hold0["t"]), 1)
        load_hold1 = round(os.getloadavg()[0], 2)
        report = gen.stop()
        m_hold1 = labelled_metrics(server)
        dropped = sum(1 for c in list(callers.calls.values()) if c["ended_by"] == "server")
        answering.clear()
        # The browsers close their peer connections and the callers hang up, fast: after
        # counsellor_media_timeout_s (10 s) without media the server would carry a caller back to the queue.
        for leg in list(gen.offers):
            gen.close_leg(leg)
        for c in list(callers.calls.values()):
            callers.hangup(c["call_id"])
            time.sleep(1.0 / 400)
        time.sleep(2.0)
        m1 = labelled_metrics(server)
        rss_held = max(rss) if rss else s_hold1["rss_kib"]
        ready = ready_after_ramp
        result = {
            "calls": n, "ramp_per_s": args.ramp, "hold_s": args.hold, "profile": args.profile,
            "sign_in_s": round(sign_in_s, 1), "rings": len(rings), "answered": len(answers),
            "answer_errors": answer_errors[:5], "ready": ready, "ready_in_all": len(gen.ready), "failed": dict(list(gen.failed.items())[:5]),
            "dropped_by_server": dropped, "ramp_s": round(ramp_s, 1),
            "setup_ring_to_dtls_ms": telbench.summary_ms([x / 1000 for x in setup_ms]),
            "answer_post_ms": telbench.summary_ms(list(answers.values())),
            "checks_us_p50": telbench.percentile([r[1] for r in gen.ready.values()], 0.5),
            "handshake_us_p50": telbench.percentile([r[2] for r in gen.ready.values()], 0.5),
            "server_cpu_pct_ramp": telbench.Sampler.cpu_pct(s_idle, s_ramp),
            "server_cpu_pct_hold": telbench.Sampler.cpu_pct(s_hold0, s_hold1),
            "generator_cpu_pct_hold": gen_cpu_pct, "loadavg_hold": [load_hold0, load_hold1],
            "rss_idle_mib": round(s_idle["rss_kib"] / 1024, 1), "rss_held_mib": round(rss_held / 1024, 1),
            "kib_per_call": round((rss_held - s_idle["rss_kib"]) / max(1, ready), 1),
            "generator": report,
            "server_hold": deltas(m_hold0, m_hold1, ("crisisline_rtp_packets", "crisisline_browser_media_dropped")),
            "server_run": deltas(m0, m1, ("crisisline_calls_", "crisisline_browser_")),
            "renew_errors": renew_errors[:3], "feed_events": feed.events, "feed_closed": feed.closed,
            "udp_errors": telbench.udp_delta(u0, telbench.udp_errors()), "generator_errors": gen.errors[:5],
        }
        return result
    finally:
        stop.set()
        if feed:
            feed.close()
        gen.close()
        pool.shutdown(wait=False, cancel_futures=True)
        loop.stop()
        sampler.close()
        server.stop()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
        else:
            log(f"kept {data}")


def table(results):
    print("\n| calls | ramp /s | ready | failed | set-up p50 ms | p99 ms | to caller % | to browser % "
          "| delay p50 ms | p99 ms | server CPU % (hold) | CPU % (ramp) | KiB per call | generator CPU % | load avg |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        g = r["generator"]
        d = [(g[w].get("delay_us") or {}) for w in ("to_caller", "to_browser")]
        print(f"| {r['calls']} | {r['ramp_per_s']} | {r['ready']} | {len(r['failed']) + len(r['answer_errors'])} "
              f"| {r['setup_ring_to_dtls_ms'].get('p50')} | {r['setup_ring_to_dtls_ms'].get('p99')} "
              f"| {g['to_caller']['delivered_pct']} | {g['to_browser']['delivered_pct']} "
              f"| {max(x.get('p50', 0) for x in d) / 1000:.2f} | {max(x.get('p99', 0) for x in d) / 1000:.2f} "
              f"| {r['server_cpu_pct_hold']} | {r['server_cpu_pct_ramp']} | {r['kib_per_call']} "
              f"| {r['generator_cpu_pct_hold']} | {r['loadavg_hold'][0]} -> {r['loadavg_hold'][1]} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("CRISISLINE_BINARY", os.path.join(
        telbench.ROOT, "build", "apps", "crisisline", "crisisline")))
    ap.add_argument("--webrtc-load", default=os.environ.get("WEBRTC_LOAD", os.path.join(
        telbench.ROOT, "build", "bench", "webrtc_load")))
    ap.add_argument("--template", default="/tmp/crisisline-telbench-template")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--media-sockets", type=int)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("calls")
    c.add_argument("--calls", default="100")
    c.add_argument("--hold", type=float, default=60)
    c.add_argument("--ramp", type=float, default=50, help="calls placed per second (browser set-ups per second)")
    c.add_argument("--profile", choices=("cm", "gcm"), default="cm")
    c.add_argument("--seq-start", type=int, help="every flow's first RTP sequence number (default random)")
    c.add_argument("--workers", type=int, default=16, help="driver threads for sign-ins and answers")
    args = ap.parse_args()
    telbench.MEDIA_SOCKETS = args.media_sockets
    os.sched_setaffinity(0, {int(telbench.LOAD_CPU)})
    args.binary = os.path.abspath(args.binary)
    for path in (args.binary, args.webrtc_load):
        if not os.path.exists(path):
            sys.exit(f"webrtcbench: no {path}")
    meta = telbench.setup(argparse.Namespace(**{**vars(args), "counsellors": 0, "force": False}))
    results = []
    for n in [int(x) for x in args.calls.split(",")]:
        results.append(one_run(args, meta, n))
        print(json.dumps(results[-1]), flush=True)
    table(results)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
