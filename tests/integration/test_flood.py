"""A flood of idle connections must not starve the server: the real binary on loopback, under an open-file limit
small enough to reach, with the flood held open while the health endpoint and a signed-in console are used.

Before, ~20,000 idle connections used up the descriptors: accept failed with "Too many open files", /healthz
timed out, and only the 30 s read timeout cleared it. Bounded: about 740 sockets, all on 127.0.0.0/8.
"""
import re
import resource
import select
import socket
import struct
import time
import unittest

import harness

FILES = 640      # the server's open-file limit, hard and soft: it cannot raise it
PER_ADDRESS = 40
CONFIG = f"""
[server]
max_connections_per_address = {PER_ADDRESS}
"""


def limit_files():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


def connect_from(source, port, count):
    """`count` idle connections from `source` (they send nothing)."""
    out = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        out.append(s)
    return out


def closed_by_server(s):
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class FloodTest(unittest.TestCase):
    TLS = False  # TlsFloodTest: the same flood against HTTPS, where an idle connection has not even shaken hands

    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 2048 <= hard or soft < 2048 and hard == resource.RLIM_INFINITY:
            resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
        if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 2048:
            self.skipTest("this test needs 2048 descriptors of its own")
        self.server = harness.Server(preexec_fn=limit_files, tls=True if self.TLS else None).init()
        self.server.write_config(CONFIG)
        self.server.add_staff("alex", ["counsellor"], lines=())
        self.server.start()
        self.flood = []

    def tearDown(self):
        for s in self.flood:
            s.close()
        self.server.close()

    def metric(self, name):
        status, _, body = self.server.raw("GET", "/metrics", timeout=5,
                                          headers={"Authorization": "Bearer " + self.server.metrics_token()})
        self.assertEqual(status, 200)
        return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", body.decode(), re.M))

    def test_health_and_a_signed_in_console_are_served_while_a_flood_is_held(self):
        console = self.server.client().sign_in("alex")
        events = self.server.websocket("/api/v1/events", cookie=console.cookie)
        self.assertEqual(events.status, 101)
        events.recv_json()  # the hello

        # One address over its limit: the excess is closed at once, the rest held.
        first = connect_from("127.0.0.2", self.server.port, 100)
        self.flood += first
        wait_until(lambda: sum(map(closed_by_server, first)) >= 100 - PER_ADDRESS, 5, "the excess to be refused")
        self.assertEqual(sum(map(closed_by_server, first)), 100 - PER_ADDRESS)

        # Many addresses: together more connections than the server has descriptors for.
        for i in range(3, 3 + 16):
            self.flood += connect_from(f"127.0.0.{i}", self.server.port, PER_ADDRESS)
        self.assertGreater(len(self.flood), FILES)

        for _ in range(5):
            status, _, body = self.server.raw("GET", "/healthz", timeout=5)
            self.assertEqual(status, 200, body)
            status, reply, _ = console.call("GET", "/api/v1/session")
            self.assertEqual(status, 200, reply)
        # The console's live socket is still there: a ping is answered with a pong.
        events._send_frame(0x9, b"still there?")
        events.sock.settimeout(5)
        while True:
            first_byte, second = events._read(2)
            payload = events._read(second & 0x7F)
            if first_byte & 0x0F == 0xA:
                self.assertEqual(payload, b"still there?")
                break

        self.assertLessEqual(self.metric("crisisline_http_connections_open"), FILES)
        self.assertGreaterEqual(self.metric('crisisline_http_connections_refused_total'), 100 - PER_ADDRESS)
        self.assertNotIn("Too many open files", self.server.log())
        events.close()


class TlsFloodTest(FloodTest):
    TLS = True


if __name__ == "__main__":
    unittest.main()
