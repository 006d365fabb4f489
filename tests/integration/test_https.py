"""The console served over TLS by crisisline itself: the real binary with a certificate from a test CA that the
openssl command line makes for this run, and clients that verify the server's certificate against that CA."""
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import harness


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def peer_certificate(ssl_socket):
    return ssl_socket.getpeercert(binary_form=True)


def certificate_der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class HttpsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = harness.TestCA()

    @classmethod
    def tearDownClass(cls):
        cls.ca.close()

    def setUp(self):
        self.server = harness.Server(tls=self.ca).init()
        self.server.add_staff("alex", ["counsellor"], lines=())
        self.server.start()

    def tearDown(self):
        self.server.close()

    def handshake(self, context):
        """A TLS connection to the server with `context`; the ssl socket, or the ssl.SSLError it raised."""
        raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            return context.wrap_socket(raw, server_hostname="127.0.0.1")
        except ssl.SSLError as e:
            raw.close()
            return e

    def legacy_client(self, version, ciphers="DEFAULT:@SECLEVEL=0"):
        """A client that may offer old versions and ciphers, so that a refusal is the server's, not its own."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(self.ca.cert)
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = version
        context.set_ciphers(ciphers)
        return context

    def test_sign_in_and_api_over_https_with_hsts_and_secure_cookie(self):
        console = self.server.client().sign_in("alex")
        status, reply, headers = console.call("GET", "/api/v1/session")
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["staff"]["username"], "alex")
        self.assertEqual(headers.get("Strict-Transport-Security"), "max-age=63072000")
        # No [turn] in this server's configuration: the browser phone gets no ICE servers (and no credential).
        status, reply, headers = console.call("GET", "/api/v1/session/ice-servers")
        self.assertEqual((status, reply), (200, {"ice_servers": []}))
        self.assertEqual(headers.get("Cache-Control"), "no-store")

        # A first sign-in (before the authenticator is enrolled) sets the session cookie: see it as sent.
        self.server.add_staff("sam", ["counsellor"], lines=())
        conn = self.server.connection()
        conn.request("POST", "/api/v1/session", body='{"username": "sam", "password": "%s"}' % harness.PASSWORD,
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("Set-Cookie")
        self.assertEqual(resp.status, 200)
        attributes = [part.strip().lower() for part in cookie.split(";")]
        for wanted in ("secure", "httponly", "samesite=strict"):
            self.assertIn(wanted, attributes, cookie)
        self.assertEqual(resp.getheader("Strict-Transport-Security"), "max-age=63072000")
        conn.close()

        # Every response under TLS, the server's own refusals included.
        for method, path in (("GET", "/healthz"), ("GET", "/api/v1/no-such-thing"), ("DELETE", "/healthz"),
                             ("GET", "/api/v1/session")):
            status, headers, _ = self.server.raw(method, path)
            self.assertIn(status, (200, 401, 404, 405), path)
            self.assertEqual(headers.get("Strict-Transport-Security"), "max-age=63072000", (method, path))

    def test_the_certificate_is_verified_and_plain_http_gets_no_answer(self):
        sock = self.handshake(self.ca.client_context())
        self.assertIsInstance(sock, ssl.SSLSocket, sock)
        self.assertEqual(peer_certificate(sock), certificate_der(self.server.tls_files[0]))
        self.assertIn(sock.version(), ("TLSv1.2", "TLSv1.3"))
        sock.close()
        # A client that does not trust the test CA refuses the server: verification is real.
        untrusted = self.handshake(ssl.create_default_context())
        self.assertIsInstance(untrusted, ssl.SSLCertVerificationError)
        # Plain HTTP to the TLS port is not served.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            try:
                while chunk := s.recv(4096):
                    data += chunk
            except ConnectionResetError:
                pass
            self.assertNotIn(b"HTTP/1.1 200", data)

    def test_tls_1_1_and_ciphers_without_aead_are_refused(self):
        accepted = self.handshake(self.legacy_client(ssl.TLSVersion.TLSv1_2))
        self.assertIsInstance(accepted, ssl.SSLSocket, accepted)
        accepted.close()
        refused = self.handshake(self.legacy_client(ssl.TLSVersion.TLSv1_1))
        self.assertIsInstance(refused, ssl.SSLError)
        # The server's alert, not the client's own refusal to offer the version.
        self.assertIn("protocol version", str(refused).lower())
        cbc_only = self.legacy_client(ssl.TLSVersion.TLSv1_2,
                                      "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0")
        refused = self.handshake(cbc_only)
        self.assertIsInstance(refused, ssl.SSLError)
        self.assertIn("handshake failure", str(refused).lower())
        aead = self.handshake(self.legacy_client(ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-CHACHA20-POLY1305"))
        self.assertIsInstance(aead, ssl.SSLSocket, aead)
        self.assertEqual(aead.cipher()[0], "ECDHE-ECDSA-CHACHA20-POLY1305")
        aead.close()

    def test_websocket_events_over_wss(self):
        console = self.server.client().sign_in("alex")
        ws = self.server.websocket("/api/v1/events", cookie=console.cookie,
                                   origin=f"https://127.0.0.1:{self.server.port}")
        self.assertEqual(ws.status, 101, ws.body)
        self.assertEqual(ws.headers.get("strict-transport-security"), "max-age=63072000")
        self.assertEqual(ws.recv_json()["type"], "hello")
        ws.close()
        # Under TLS the console's own origin is https: an http:// page is another site.
        refused = self.server.websocket("/api/v1/events", cookie=console.cookie,
                                        origin=f"http://127.0.0.1:{self.server.port}")
        self.assertEqual(refused.status, 403, refused.body)

    def test_body_over_the_limit_is_answered_413_while_the_client_still_sends(self):
        console = self.server.client().sign_in("alex")
        sock = self.handshake(self.ca.client_context())
        body = b"x" * (3 << 20)
        head = (f"POST /api/v1/lines/police/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {console.cookie}\r\n"
                f"X-CSRF-Token: {console.csrf}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        sock.sendall(head + body)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        self.assertIn(b"Strict-Transport-Security: max-age=63072000", reply)
        sock.close()

    def test_sighup_reload_keeps_open_connections_and_new_ones_get_the_new_certificate(self):
        old_der = certificate_der(self.server.tls_files[0])
        keep_alive = self.server.connection()
        keep_alive.request("GET", "/healthz")
        first = keep_alive.getresponse()
        first.read()
        self.assertEqual(first.status, 200)
        first_socket = keep_alive.sock
        self.assertEqual(peer_certificate(first_socket), old_der)
        console = self.server.client().sign_in("alex")
        ws = self.server.websocket("/api/v1/events", cookie=console.cookie)
        self.assertEqual(ws.recv_json()["type"], "hello")

        # A bad key first: the reload is refused and the old certificate stays.
        cert_path, key_path = self.server.tls_files
        os.chmod(key_path, 0o644)
        self.server.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "tls certificate not reloaded" in self.server.log(), 10, "the refused reload")
        os.chmod(key_path, 0o600)
        sock = self.handshake(self.ca.client_context())
        self.assertEqual(peer_certificate(sock), old_der)
        sock.close()

        # A new certificate and key in the same files.
        staging = tempfile.mkdtemp(prefix="crisisline-reissue-")
        try:
            new_cert, new_key = self.ca.issue(staging, "renewed")
            shutil.copyfile(new_key, key_path)
            shutil.copyfile(new_cert, cert_path)
            new_der = certificate_der(new_cert)
        finally:
            shutil.rmtree(staging)
        self.assertNotEqual(new_der, old_der)
        self.server.proc.send_signal(signal.SIGHUP)

        def new_connection_certificate():
            s = self.handshake(self.ca.client_context())
            if not isinstance(s, ssl.SSLSocket):
                raise AssertionError(f"handshake failed after reload: {s}")
            der = peer_certificate(s)
            s.close()
            return der == new_der

        wait_until(new_connection_certificate, 10, "new connections to present the new certificate")

        # The connection opened before the reload goes on, on the same socket and the old certificate.
        keep_alive.request("GET", "/healthz")
        resp = keep_alive.getresponse()
        resp.read()
        self.assertEqual(resp.status, 200)
        self.assertIs(keep_alive.sock, first_socket, "http.client reconnected: the old connection was dropped")
        self.assertEqual(peer_certificate(keep_alive.sock), old_der)
        keep_alive.close()
        # And so does the WebSocket: a ping is answered.
        ws._send_frame(0x9, b"still there?")
        ws.sock.settimeout(5)
        while True:
            first_byte, second = ws._read(2)
            payload = ws._read(second & 0x7F)
            if first_byte & 0x0F == 0xA:
                self.assertEqual(payload, b"still there?")
                break
        ws.close()
        self.assertIn("tls certificate reloaded", self.server.log())


class StartRefusalTest(unittest.TestCase):
    """What `serve` refuses: one line on stderr, a non-zero exit, nothing served."""

    @classmethod
    def setUpClass(cls):
        cls.ca = harness.TestCA()

    @classmethod
    def tearDownClass(cls):
        cls.ca.close()

    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="crisisline-it-")
        harness.run_cli(self.data, "init")
        self.cert, self.key = self.ca.issue(os.path.join(self.data, "tls"))

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def serve(self, *args, listen="127.0.0.1"):
        port = harness.free_port()
        return subprocess.run([harness.BINARY, "--data", self.data, "serve", "--listen", f"{listen}:{port}",
                               "--sip-listen", "off", *args], capture_output=True, text=True, timeout=60)

    def assert_refused(self, result, says):
        self.assertNotEqual(result.returncode, 0, result.stdout)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(says, lines[0])
        self.assertNotIn("listening", result.stdout)

    def test_a_key_group_or_others_may_read_is_refused(self):
        for mode in (0o640, 0o644):
            os.chmod(self.key, mode)
            result = self.serve("--tls-certificate", self.cert, "--tls-key", self.key)
            self.assert_refused(result, "chmod 600 " + self.key)

    def test_a_key_that_is_not_the_certificates_is_refused(self):
        _, other_key = self.ca.issue(os.path.join(self.data, "tls"), "other")
        result = self.serve("--tls-certificate", self.cert, "--tls-key", other_key)
        self.assert_refused(result, "is not the key of the certificate")

    def test_plain_http_on_every_address_is_refused_unless_allowed(self):
        self.assert_refused(self.serve(listen="0.0.0.0"), "refusing plain HTTP on 0.0.0.0")
        self.set_server_settings('allow_plain_http = true')
        self.assert_serves("http", listen="0.0.0.0")

    def test_https_from_the_configuration_file_on_every_address(self):
        self.set_server_settings('tls_certificate = "tls/server.pem"\ntls_key = "tls/server-key.pem"')
        self.assert_serves("https", listen="0.0.0.0")

    def set_server_settings(self, lines):
        path = os.path.join(self.data, "crisisline.toml")
        with open(path) as f:
            text = f.read()
        self.assertIn("[server]\n", text)
        with open(path, "w") as f:
            f.write(text.replace("[server]\n", "[server]\n" + lines + "\n", 1))

    def assert_serves(self, scheme, listen):
        """`serve` on `listen` answers /healthz on 127.0.0.1 over `scheme`. On every address, a port that was free
        on loopback may be a client socket's elsewhere (parallel tests): then it tries another port."""
        for _ in range(5):
            port = harness.free_port()
            log_path = os.path.join(self.data, "server.log")
            with open(log_path, "wb") as log:
                proc = subprocess.Popen([harness.BINARY, "--data", self.data, "serve", "--listen", f"{listen}:{port}",
                                         "--sip-listen", "off"], stdout=log, stderr=subprocess.STDOUT)
            try:
                if self.healthy_or_taken(proc, port, scheme, log_path):
                    return
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        self.fail("no free port to listen on every address")

    def healthy_or_taken(self, proc, port, scheme, log_path):
        """True once healthy; False when the port was taken; fails when the server exits for another reason."""
        def answered():
            if proc.poll() is not None:
                return "exited"
            try:
                if scheme == "https":
                    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=self.ca.client_context())
                else:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
                return "healthy" if ok else None
            except OSError:
                return None
        outcome = wait_until(answered, 30, f"{scheme} on port {port}")
        if outcome == "healthy":
            return True
        with open(log_path) as f:
            log = f.read()
        self.assertIn("Address already in use", log, f"server exited with {proc.returncode}: {log}")
        return False

if __name__ == "__main__":
    unittest.main()
