"""TURN credentials for the browser phone: crisisline hands a signed-in counsellor a time-limited credential
(coturn's REST API form, use-auth-secret), and a real coturn on loopback accepts it for an allocation. The TURN
client here is written for the test (RFC 5766 Allocate with RFC 5389 long-term credentials)."""
import hashlib
import hmac
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import unittest

import harness

TURNSERVER = shutil.which("turnserver")
SECRET = "fictional-test-secret-0123456789abcdef"
REALM = "crisisline.test"
MAGIC = 0x2112A442


def attribute(kind, value):
    return struct.pack(">HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def parse(message):
    kind, length, _ = struct.unpack(">HHI", message[:8])
    attributes, offset = {}, 20
    while offset < 20 + length:
        a_kind, a_length = struct.unpack(">HH", message[offset:offset + 4])
        attributes[a_kind] = message[offset + 4:offset + 4 + a_length]
        offset += 4 + a_length + (-a_length % 4)
    return kind, attributes


def allocate(sock, port, username=None, password=None, realm=None, nonce=None):
    """One Allocate request over UDP from `sock`: (message type, attributes) of the answer."""
    transaction = os.urandom(12)
    body = attribute(0x0019, bytes([17, 0, 0, 0]))  # REQUESTED-TRANSPORT: UDP
    if username is not None:
        body += attribute(0x0006, username.encode()) + attribute(0x0014, realm) + attribute(0x0015, nonce)
        key = hashlib.md5(f"{username}:{realm.decode()}:{password}".encode()).digest()
        header = struct.pack(">HHI", 0x0003, len(body) + 24, MAGIC) + transaction
        mac = hmac.new(key, header + body, hashlib.sha1).digest()
        body += attribute(0x0008, mac)  # MESSAGE-INTEGRITY
    message = struct.pack(">HHI", 0x0003, len(body), MAGIC) + transaction + body
    sock.sendto(message, ("127.0.0.1", port))
    while True:
        answer, _ = sock.recvfrom(4096)
        if answer[8:20] == transaction:
            return parse(answer)


def allocate_with(port, username, password):
    """The long-term credential dance from one client address (coturn's nonce belongs to it): a first request
    for the realm and nonce, then the signed one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        kind, attrs = allocate(sock, port)
        assert kind == 0x0113, hex(kind)  # Allocate error: 401 with REALM and NONCE
        return allocate(sock, port, username, password, attrs[0x0014], attrs[0x0015])


def error_code(attrs):
    value = attrs.get(0x0009, b"\0\0\0\0")
    return value[2] * 100 + value[3]


@unittest.skipUnless(TURNSERVER, "coturn (turnserver) is not installed: scripts/bootstrap installs it")
class TurnCredentialsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crisisline-turn-")
        self.turn_port = harness.free_port()
        self.coturn_log = os.path.join(self.dir, "coturn.log")
        with open(self.coturn_log, "wb") as log:
            self.coturn = subprocess.Popen(
                [TURNSERVER, "-n", "--listening-ip=127.0.0.1", f"--listening-port={self.turn_port}",
                 "--relay-ip=127.0.0.1", "--min-port=49160", "--max-port=49200", "--use-auth-secret",
                 f"--static-auth-secret={SECRET}", f"--realm={REALM}", "--no-tls", "--no-dtls", "--no-tcp",
                 "--no-cli", "--log-file=stdout", "--simple-log", "--allow-loopback-peers",
                 f"--pidfile={self.dir}/turnserver.pid", f"--db={self.dir}/turndb"],
                stdout=log, stderr=subprocess.STDOUT)
        self.wait_for_coturn()
        self.server = harness.Server().init()
        secret_file = os.path.join(self.server.data_dir, "keys", "turn.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(secret_file, 0o600)
        with open(os.path.join(self.server.data_dir, "crisisline.toml"), "a") as f:
            f.write(f'\n[turn]\nurls = ["turn:127.0.0.1:{self.turn_port}?transport=udp"]\n'
                    'secret_file = "keys/turn.secret"\ncredential_lifetime_s = 600\n')
        self.counsellor_id = self.server.add_staff("alex", ["counsellor"], lines=())
        self.server.add_staff("sam", ["supervisor"], lines=())

    def tearDown(self):
        self.server.close()
        self.coturn.terminate()
        self.coturn.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def wait_for_coturn(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.coturn.poll() is not None:
                with open(self.coturn_log) as f:
                    raise AssertionError(f"coturn exited: {f.read()[-2000:]}")
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                    sock.settimeout(0.5)
                    allocate(sock, self.turn_port)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("coturn did not answer")

    def test_a_counsellors_credential_allocates_a_relay_on_coturn(self):
        self.server.start()
        status, reply, _ = self.server.client().sign_in("alex").call("GET", "/api/v1/session/ice-servers")
        self.assertEqual(status, 200, reply)
        (turn,) = reply["ice_servers"]
        self.assertEqual(turn["urls"], [f"turn:127.0.0.1:{self.turn_port}?transport=udp"])
        expiry, staff_id = turn["username"].split(":")
        self.assertEqual(staff_id, self.counsellor_id)
        self.assertAlmostEqual(int(expiry), time.time() + 600, delta=30)
        self.assertIn("expires_at", reply)
        self.assertEqual(reply["ice_transport_policy"], "all", "relay_only is off by default")

        kind, attrs = allocate_with(self.turn_port, turn["username"], turn["credential"])
        self.assertEqual(kind, 0x0103, f"coturn refused the credential: {error_code(attrs)}")
        self.assertIn(0x0016, attrs, "no XOR-RELAYED-ADDRESS in the allocation")

        # The credential is what coturn checks: a changed password or an expiry moved on is refused.
        tampered = turn["credential"][:-2] + ("A=" if not turn["credential"].endswith("A=") else "B=")
        kind, attrs = allocate_with(self.turn_port, turn["username"], tampered)
        self.assertEqual((kind, error_code(attrs)), (0x0113, 401))
        later = f"{int(expiry) + 3600}:{staff_id}"
        kind, attrs = allocate_with(self.turn_port, later, turn["credential"])
        self.assertEqual((kind, error_code(attrs)), (0x0113, 401))

    def test_relay_only_tells_the_browser_to_send_media_only_through_turn(self):
        with open(os.path.join(self.server.data_dir, "crisisline.toml"), "a") as f:
            f.write("relay_only = true\n")  # [turn] is the file's last section
        self.server.start()
        status, reply, _ = self.server.client().sign_in("alex").call("GET", "/api/v1/session/ice-servers")
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["ice_transport_policy"], "relay")

    def test_only_signed_in_counsellors_get_credentials(self):
        self.server.start()
        status, _, _ = self.server.raw("GET", "/api/v1/session/ice-servers")
        self.assertEqual(status, 401)
        status, reply, _ = self.server.client().sign_in("sam").call("GET", "/api/v1/session/ice-servers")
        self.assertEqual(status, 403, reply)

    def test_a_secret_file_others_may_read_stops_serve(self):
        secret_file = os.path.join(self.server.data_dir, "keys", "turn.secret")
        os.chmod(secret_file, 0o644)
        result = subprocess.run([harness.BINARY, "--data", self.server.data_dir, "serve", "--listen",
                                 f"127.0.0.1:{harness.free_port()}", "--sip-listen", "off"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2, result.stdout)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn("chmod 600 " + secret_file, lines[0])


if __name__ == "__main__":
    unittest.main()
