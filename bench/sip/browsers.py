"""Drives build/bench/webrtc_load (the WebRTC load generator) from Python, for bench/sip/webrtcbench.py and
tests/sip/test_browser_wrap.py: browser legs (offer out, the server's answer in, "ready" when ICE and DTLS
are done), callers' plain RTP flows, and the measurement window. Standard library only.
"""
import json
import subprocess
import threading
import time


class WebrtcLoad:
    def __init__(self, binary, seq_start=None, cpu=None, drain_ms=1000, profile="cm"):
        cmd = [binary, "--drain-ms", str(drain_ms), "--profile", profile]
        if seq_start is not None:
            cmd += ["--seq-start", str(seq_start)]
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu)] + cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Lock()
        self.changed = threading.Condition()
        self.offers = {}    # leg id -> SDP offer
        self.ready = {}     # leg id -> (monotonic time, checks µs, handshake µs)
        self.failed = {}    # leg id -> reason
        self.caller_ports = {}  # caller flow id -> its local port
        self.errors = []
        self.reports = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            word, _, rest = line.rstrip("\n").partition(" ")
            with self.changed:
                if word == "offer":
                    leg, _, sdp = rest.partition(" ")
                    self.offers[int(leg)] = json.loads(sdp)
                elif word == "ready":
                    leg, checks, handshake = rest.split()
                    self.ready[int(leg)] = (time.monotonic(), int(checks), int(handshake))
                elif word == "caller":
                    flow, port = rest.split()
                    self.caller_ports[int(flow)] = int(port)
                elif word == "failed":
                    leg, _, why = rest.partition(" ")
                    self.failed[int(leg)] = why
                elif word == "report":
                    self.reports.append(json.loads(rest))
                elif word == "error":
                    self.errors.append(rest)
                self.changed.notify_all()

    def send(self, line):
        with self.lock:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"webrtc_load: no {what} within {timeout} s (errors: {self.errors[-3:]})")
                self.changed.wait(min(left, 0.5))

    def offer(self, leg, timeout=10):
        """A new browser leg; returns its SDP offer."""
        self.send(f"browser {leg}")
        self.wait(lambda: leg in self.offers, timeout, f"offer for leg {leg}")
        return self.offers[leg]

    def answer(self, leg, sdp):
        self.send(f"answer {leg} {json.dumps(sdp)}")

    def wait_ready(self, leg, timeout=10):
        self.wait(lambda: leg in self.ready or leg in self.failed, timeout, f"ready or failed for leg {leg}")
        if leg in self.failed:
            raise RuntimeError(f"webrtc_load: leg {leg} failed: {self.failed[leg]}")
        return self.ready[leg]

    def caller(self, flow, port=0, remote=None, timeout=10):
        """A caller's plain RTP flow from `port` (0: a free port of its own); returns the port."""
        self.send(f"caller {flow} {port}" + (f" {remote[0]}:{remote[1]}" if remote else ""))
        self.wait(lambda: flow in self.caller_ports or any(e.startswith("caller") for e in self.errors), timeout,
                  f"caller flow {flow}")
        if flow not in self.caller_ports:
            raise RuntimeError(f"webrtc_load: {self.errors[-1]}")
        return self.caller_ports[flow]

    def remote(self, flow, remote):
        self.send(f"remote {flow} {remote[0]}:{remote[1]}")

    def close_leg(self, leg):
        self.send(f"close {leg}")

    def mark(self):
        self.send("mark")

    def report(self, timeout=10):
        """The report now (the generator keeps going)."""
        n = len(self.reports)
        self.send("report")
        self.wait(lambda: len(self.reports) > n, timeout, "report")
        return self.reports[-1]

    def stop(self, timeout=30):
        """Ends the window: stops sending, drains, and returns the final report."""
        n = len(self.reports)
        self.send("stop")
        self.wait(lambda: len(self.reports) > n, timeout, "final report")
        return self.reports[-1]

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
            self.proc.wait()
