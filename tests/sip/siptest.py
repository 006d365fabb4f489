"""Shared fixtures for the end-to-end SIP suites (test_calls, test_routing, test_robustness).

A SipServer is the real crisisline binary with demo data (`init --demo`), its own HTTP and SIP ports and
its own RTP port range, the [telephony] section rewritten for tests, and the demo line's routing set
before the server that takes calls starts (the server reads lines at start and only every 30 s after).
Standard library only; the HTTP side comes from tests/integration/harness.py.
"""
import json
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
import sip_harness as sh  # noqa: E402
import torture  # noqa: E402

LINE = "police"
NUMBER = sh.DEMO_NUMBER
STAFF_LINE = re.compile(r"^\s+(demo\.[a-z]+)\s+.*?password:\s+(\S+)\s*$")


def wait_until(what, predicate, timeout=20, interval=0.05):
    """Polls predicate() every `interval` s until it returns something truthy, and returns that; fails naming
    `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for(check, timeout=10, what="condition", interval=0.1):
    """wait_until with the check first, as the TLS and SRTP suites write it."""
    return wait_until(what, check, timeout, interval)


def labelled(text, name, **labels):
    """The value of the first series of `name` in a /metrics text whose labels include `labels` (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rpartition(" ")[2])
    return 0.0


def require_sipp(test_case_class):
    """Skip a whole TestCase cleanly when sipp is not installed."""
    if not sh.sipp_available():
        return unittest.skip("sipp is not installed (Debian package sip-tester): SIP end-to-end tests skipped")(
            test_case_class)
    return test_case_class


def rtp_port_range(span=100):
    """A block of UDP ports below the ephemeral range, all free right now (servers run in parallel)."""
    rng = random.Random(os.getpid() * 7919 + time.monotonic_ns())
    for _ in range(200):
        lo = 10000 + rng.randrange(0, 200) * span
        hi = lo + span - 1
        try:
            socks = []
            for port in range(lo, hi + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return lo, hi
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free RTP port block")


class SipServer:
    """crisisline with demo data and SIP on its own ports.

    routing: a dict PATCHed as the demo line's "routing" before the server that takes calls starts.
    trunks: [{"name", "allow": [...], "username", "password"}] (default: 127.0.0.1 allowed).
    telephony: extra [telephony] settings (e.g. {"rtp_timeout_s": 5}).
    tls: a harness.TestCA (or True): the console and API over HTTPS (harness.Server's tls).
    """

    def __init__(self, routing=None, trunks=None, telephony=None, extra_args=(), tls=None, extra_toml="",
                 files=None):
        self.routing = routing
        self.extra_toml = extra_toml  # more crisisline.toml sections after [telephony], e.g. [turn]
        self.files = files or {}      # {path under the data directory: text}, written 0600 with the config
        self.tls = tls
        self.extra_args = list(extra_args)  # more `serve` flags, e.g. ["--static", "web/dist"]
        self.trunks = trunks or [{"name": "loopback-test-carrier", "allow": ["127.0.0.1"]}]
        self.telephony = {"choice_wait_s": 1, "rtp_timeout_s": 30, "available_on_register": True}
        self.telephony.update(telephony or {})
        self.server = None
        self.sip_port = None
        self.passwords = {}      # staff sign-in passwords
        self.sip_passwords = {}  # SIP account passwords
        self.staff_ids = {}
        self.clients = {}
        self.totp = {}  # username -> (TOTP secret, last step used), kept across the restart after routing

    # -- lifecycle
    def start(self):
        self.server = harness.Server(tls=self.tls)
        data = self.server.data_dir
        out = harness.run_cli(data, "init", "--demo").stdout
        for line in out.splitlines():
            m = STAFF_LINE.match(line)
            if m:
                self.passwords[m.group(1)] = m.group(2)
        self.sip_passwords = sh.parse_sip_passwords(out, ["demo.counsellor", "demo.welsh", "demo.supervisor"])
        assert {"demo.counsellor", "demo.welsh", "demo.supervisor"} <= set(self.sip_passwords), out
        assert {"demo.admin", "demo.manager", "demo.counsellor"} <= set(self.passwords), out
        listing = harness.run_cli(data, "staff", "list").stdout
        for line in listing.splitlines():
            if line.strip().startswith("{"):
                row = json.loads(line)
                self.staff_ids[row["username"]] = row["id"]
        self.sip_port = sh.free_port()
        self.write_config()
        self.server.extra_args = ["--sip-listen", f"127.0.0.1:{self.sip_port}", *self.extra_args]
        if self.routing:
            self.server.start()
            admin = self.sign_in("demo.admin")
            status, body, _ = admin.call("PATCH", f"/api/v1/lines/{LINE}", {"routing": self.routing})
            assert status == 200, (status, body)
            for key, value in self.routing.items():
                assert body["routing"][key] == value, (key, body["routing"])
            self.server.stop()
            for name, client in self.clients.items():
                self.totp[name] = (client.totp_secret, client.last_step)
            self.clients.clear()
        self.server.start()
        self.wait_sip()
        return self

    def write_config(self):
        path = os.path.join(self.server.data_dir, "crisisline.toml")
        with open(path) as f:
            text = f.read()
        head = text.split("[telephony]")[0]
        lo, hi = rtp_port_range()
        self.rtp_ports = (lo, hi)
        rtp_address = self.telephony.get("rtp_address", "127.0.0.1")  # media on another local address if asked
        lines = ["[telephony]", f'listen = "127.0.0.1:{self.sip_port}"', f'rtp_address = "{rtp_address}"',
                 f"rtp_ports = [{lo}, {hi}]"]
        for key, value in self.telephony.items():
            if key != "rtp_address":
                lines.append(f"{key} = {json.dumps(value)}")
        for trunk in self.trunks:
            lines += ["", "[[telephony.trunk]]", f'name = "{trunk["name"]}"',
                      f"allow = [{', '.join(json.dumps(a) for a in trunk.get('allow', []))}]"]
            if trunk.get("username"):
                lines += [f'username = "{trunk["username"]}"', f'password = "{trunk["password"]}"']
            for key in ("encryption", "outbound", "tls_ca", "tls_name", "tls_certificate", "tls_key"):
                if trunk.get(key):
                    lines.append(f"{key} = {json.dumps(trunk[key])}")
        with open(path, "w") as f:
            f.write(head + "\n".join(lines) + "\n" + self.extra_toml)
        for name, text in self.files.items():
            file_path = os.path.join(self.server.data_dir, name)
            with open(file_path, "w") as f:
                f.write(text)
            os.chmod(file_path, 0o600)

    def wait_sip(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.options() is not None:
                return
            time.sleep(0.1)
        raise AssertionError("the SIP side did not answer OPTIONS:\n" + self.log_tail())

    def restart(self):
        """Stops the server (SIGTERM) and starts it again on the same HTTP and SIP ports and data. Sessions
        and phone registrations survive (they are stored); calls do not."""
        self.server.stop()
        self.server.start(port=self.server.port)
        self.wait_sip()

    def close(self):
        if self.server:
            self.server.close()

    @property
    def sip(self):
        return ("127.0.0.1", self.sip_port)

    def log(self):
        return self.server.log() if self.server else ""

    def log_tail(self, lines=60):
        return "\n".join(self.log().splitlines()[-lines:])

    def alive(self):
        return self.server.proc is not None and self.server.proc.poll() is None

    # -- HTTP
    def sign_in(self, username):
        """A signed-in client for a demo user (signed in once per server process: TOTP codes are single use)."""
        if username not in self.clients:
            client = self.server.client()
            if username in self.totp:  # enrolled before the restart: the next unused code
                client.totp_secret, client.last_step = self.totp[username]
            self.clients[username] = client.sign_in(username, self.passwords[username])
        return self.clients[username]

    def live(self):
        status, body, _ = self.sign_in("demo.manager").call("GET", "/api/v1/live")
        assert status == 200, (status, body)
        return body

    def counsellor(self, username):
        """The counsellor's entry in GET /api/v1/live (or None)."""
        sid = self.staff_ids[username]
        for c in self.live()["counsellors"]:
            if c["counsellor"] == sid:
                return c
        return None

    def wait_counsellor(self, username, predicate, timeout=10):
        """Poll /live until predicate(entry) holds; returns the entry (or fails with the last one seen)."""
        deadline = time.monotonic() + timeout
        entry = None
        while time.monotonic() < deadline:
            entry = self.counsellor(username)
            if entry is not None and predicate(entry):
                return entry
            time.sleep(0.1)
        raise AssertionError(f"{username} never reached the expected state; last /live entry: {entry}\n"
                             + self.log_tail())

    def wait_live(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        live = None
        while time.monotonic() < deadline:
            live = self.live()
            if predicate(live):
                return live
            time.sleep(0.1)
        raise AssertionError(f"/live never matched; last: {json.dumps(live)}\n" + self.log_tail())

    def contacts(self):
        status, body, _ = self.sign_in("demo.supervisor").call("GET", f"/api/v1/lines/{LINE}/contacts?limit=500")
        assert status == 200, (status, body)
        return body["contacts"]

    def wait_contact(self, predicate, timeout=10, known=()):
        """The first phone contact (not in `known` ids) matching predicate, polling (writes are asynchronous)."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            seen = [c for c in self.contacts() if c.get("channel") == "phone" and c["id"] not in known]
            for c in seen:
                if predicate(c):
                    return c
            time.sleep(0.2)
        raise AssertionError(f"no matching contact; phone contacts seen: {json.dumps(seen, indent=1)}")

    def contact_ids(self):
        return {c["id"] for c in self.contacts()}

    def metrics(self):
        status, text = self.server.metrics()
        assert status == 200, status
        values = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            base = name.split("{")[0]
            try:
                values[base] = values.get(base, 0.0) + float(value)
            except ValueError:
                pass
        return values

    def metric(self, name, **labels):
        """One series from /metrics, by name and labels (siptest.labelled; 0 when absent)."""
        status, text = self.server.metrics()
        assert status == 200, status
        return labelled(text, name, **labels)

    def browser_drops(self):
        """crisisline_browser_media_dropped_total by reason."""
        status, text = self.server.metrics()
        assert status == 200, status
        return {m.group(1): float(m.group(2)) for m in
                re.finditer(r'^crisisline_browser_media_dropped_total\{reason="([a-z_]+)"\} (\S+)$', text, re.M)}

    # -- SIP
    def options(self, transport="udp"):
        return torture.options("127.0.0.1", self.sip_port, transport, timeout=1.0)

    def register(self, username, **kwargs):
        phone = sh.register_phone(self.sip, username, self.sip_passwords[username], **kwargs)
        assert phone.registered, phone.register_result.explain()
        return phone

    def wait_registered(self, username, registered=True, timeout=10):
        return self.wait_counsellor(username, lambda c: bool(c.get("phone_registered")) == registered, timeout)

    def unregister(self, username, phone):
        sh.unregister_phone(self.sip, username, self.sip_passwords[username], phone.uas.local_port)

    def set_availability(self, username, state):
        status, body, _ = self.sign_in(username).call("PUT", "/api/v1/me/availability", {"state": state})
        assert status in (200, 204), (status, body)
        return body

    def reset_counsellor(self, username):
        """After a test: the phone unregistered and the counsellor offline (a phone that unregisters does not
        by itself take its counsellor out of routing), so the next test starts from nobody available."""
        try:
            self.wait_registered(username, registered=False, timeout=5)
        except AssertionError:
            sh.unregister_phone(self.sip, username, self.sip_passwords[username], 9)
        self.set_availability(username, "offline")
        self.wait_counsellor(username, lambda c: c["state"] == "offline" and not c["phone_registered"], 5)

    def call(self, **kwargs):
        return sh.place_call(self.sip, NUMBER, **kwargs)


class SipTestCase(unittest.TestCase):
    """One SipServer per class; cleans up the SIPp processes and endpoints a test registers."""

    routing = None
    trunks = None
    telephony = None

    @classmethod
    def setUpClass(cls):
        cls.srv = SipServer(routing=cls.routing, trunks=cls.trunks, telephony=cls.telephony)
        try:
            cls.srv.start()
        except Exception:
            cls.srv.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def setUp(self):
        self._phones = []   # (username or None, Phone)
        self._cleanups_sip = []

    def tearDown(self):
        for username, phone in self._phones:
            if username:
                try:
                    self.srv.unregister(username, phone)
                except Exception:
                    pass
            phone.close()
        for thing in self._cleanups_sip:
            (getattr(thing, "close", None) or thing.cleanup)()
        for username in {u for u, _ in self._phones if u}:
            self.srv.reset_counsellor(username)
        self.assertTrue(self.srv.alive(), "the server exited:\n" + self.srv.log_tail())

    def phone(self, username, **kwargs):
        phone = self.srv.register(username, **kwargs)
        self._phones.append((username, phone))
        return phone

    def caller(self, **kwargs):
        call = self.srv.call(**kwargs)
        self._cleanups_sip.append(call)
        return call

    def track(self, thing):
        self._cleanups_sip.append(thing)
        return thing

    def ok(self, result, what):
        self.assertTrue(result is not None and result.ok,
                        f"{what}: {result.explain() if result else 'no result'}\n--- server log\n"
                        + self.srv.log_tail())

    def follow_up_due(self, username, number="07700 900123"):
        """A contact of `username`'s with a follow-up call to `number`, with consent, due now, in the pool:
        (their client, the follow-up)."""
        counsellor = self.srv.sign_in(username)
        status, contact, _ = counsellor.call("POST", "/api/v1/lines/police/contacts", {"caller_role": "police_officer"})
        self.assertEqual(status, 201, contact)
        now = time.time()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        status, fu, _ = counsellor.call(
            "POST", f"/api/v1/lines/police/contacts/{contact['id']}/follow-ups",
            {"earliest": iso(now - 60), "latest": iso(now + 3600), "method": "phone", "number": number,
             "consent": True, "assigned_to": "pool"})
        self.assertEqual(status, 201, fu)
        return counsellor, fu

    def got_invite(self, sipp, timeout=0):
        """True if the phone's SIPp logged an INVITE (within timeout seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            if sipp.log_lines("INVITE"):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


class TlsSipTestCase(SipTestCase):
    """A SipTestCase whose server also takes SIP over TLS on `tls_port`, with a certificate (`cert`, `key`) from a
    test CA made for the class (`ca`, its files under `dir`), which also issues a carrier's (`carrier_cert`,
    `carrier_key`). A subclass sets its trunks, telephony and routing in configure(), with tls_telephony() for the
    server's TLS settings; the CA and its files go in tearDownClass."""

    tls_prefix = "siptls"  # names the class's folder: crisisline-PREFIX-...

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix=f"crisisline-{cls.tls_prefix}-")
        os.makedirs(os.path.join(cls.dir, "ca"))
        cls.ca = harness.TestCA(os.path.join(cls.dir, "ca"))
        cls.cert, cls.key = cls.ca.issue(os.path.join(cls.dir, "server"), "sip-server")
        cls.carrier_cert, cls.carrier_key = cls.ca.issue(os.path.join(cls.dir, "carrier"), "carrier")
        cls.tls_port = sh.free_port()
        cls.configure()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.ca.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def configure(cls):
        """Sets cls.trunks, cls.telephony and cls.routing before the server starts (here: the TLS settings only)."""
        cls.telephony = cls.tls_telephony()

    @classmethod
    def tls_telephony(cls, **more):
        """[telephony] with the TLS listener on tls_port and the class's certificate, and `more` settings."""
        return {"tls_listen": f"127.0.0.1:{cls.tls_port}", "tls_certificate": cls.cert, "tls_key": cls.key, **more}

    def srtp_caller(self):
        """A carrier calling over TLS with SRTP (srtp_peer.SrtpCaller) with the carrier's certificate; closed after
        the test."""
        import srtp_peer  # here, not above: only the TLS suites need its cryptography package

        caller = srtp_peer.SrtpCaller(self.tls_port, NUMBER, self.ca.cert, self.carrier_cert, self.carrier_key)
        self.addCleanup(caller.close)
        return caller
