"""Starts the real crisisline binary on a loopback port and talks HTTP to it.

Used by the integration tests; standard library only. Every server gets a fresh
data directory under /tmp, removed afterwards.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time

BINARY = os.environ.get("CRISISLINE_BINARY", "build/apps/crisisline/crisisline")
PASSWORD = "integration-test-password"


def totp(secret_b32, at=None, step=30, digits=6):
    """RFC 6238 with HMAC-SHA1, written independently of the server's code."""
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    key = base64.b32decode(padded)
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % (10 ** digits)).zfill(digits)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(data_dir, *args, env=None, check=True):
    full_env = dict(os.environ)
    full_env.update(env or {})
    result = subprocess.run([BINARY, "--data", data_dir, *args], capture_output=True, text=True, env=full_env,
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"crisisline {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


class TestCA:
    """A certificate authority made for one test run with the openssl command line (fictional names), and the
    server certificates it issues: EC P-256, for 127.0.0.1 and localhost, keys mode 0600."""

    def __init__(self, directory=None):
        self.owns_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="crisisline-ca-")
        self.cert = os.path.join(self.dir, "ca.pem")
        self.key = os.path.join(self.dir, "ca-key.pem")
        self.issued = 0
        self._openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", self.key, "-out", self.cert, "-days", "2",
                      "-subj", "/O=crisisline tests (fictional)/CN=crisisline test CA",
                      "-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    @staticmethod
    def _openssl(*args):
        result = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args[:2])} failed: {result.stderr}")
        return result.stdout

    def issue(self, directory, name="server"):
        """A new key and certificate in `directory`: (certificate path, key path)."""
        os.makedirs(directory, exist_ok=True)
        self.issued += 1
        cert = os.path.join(directory, f"{name}.pem")
        key = os.path.join(directory, f"{name}-key.pem")
        csr = os.path.join(directory, f"{name}.csr")
        ext = os.path.join(directory, f"{name}.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                    "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
        self._openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", key, "-out", csr, "-subj", f"/O=crisisline tests (fictional)/CN={name}")
        os.chmod(key, 0o600)
        self._openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                      "-set_serial", str(1000 + self.issued), "-days", "2", "-extfile", ext, "-out", cert)
        os.remove(csr)
        os.remove(ext)
        return cert, key

    def client_context(self):
        """A client context that trusts this CA only and checks the name (127.0.0.1)."""
        context = ssl.create_default_context(cafile=self.cert)
        return context

    @staticmethod
    def spki_sha256(cert_path):
        """base64 SHA-256 of the certificate's public key (Chromium's --ignore-certificate-errors-spki-list)."""
        der = subprocess.run(["openssl", "x509", "-in", cert_path, "-pubkey", "-noout"], capture_output=True,
                             check=True).stdout
        spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=der, capture_output=True,
                              check=True).stdout
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()

    def close(self):
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

def line_manager(server, admin, lines, username="boot.manager"):
    """Signs in a new administrator who is also the service manager of `lines`, made by `admin` (no content role,
    so it applies at once): the two-person rule lets them grant counsellor and supervisor roles on those lines
    directly, where any other administrator's grant waits for a second administrator."""
    status, body, _ = admin.call("POST", "/api/v1/staff", {
        "username": username, "display_name": "Boot Manager (test)", "password": PASSWORD,
        "roles": ["admin", "service_manager"], "lines": list(lines)})
    assert status == 201, body
    return server.client().sign_in(username)


class Server:
    """One crisisline process with its own data directory."""

    def __init__(self, data_dir=None, extra_args=(), preexec_fn=None, tls=None):
        """preexec_fn: run in the child before the binary starts (e.g. to set resource limits).
        tls: a TestCA, or True for one of its own: the server serves HTTPS with a certificate it issues
        (<data>/tls/server.pem and server-key.pem, passed as --tls-certificate and --tls-key)."""
        self.owns_ca = tls is True
        self.ca = TestCA() if tls is True else tls
        self.tls_files = None
        self.owns_dir = data_dir is None
        self.preexec_fn = preexec_fn
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="crisisline-it-")
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    def init(self):
        run_cli(self.data_dir, "init")
        return self

    def add_staff(self, username, roles, lines=("police",), languages=("en",)):
        out = run_cli(self.data_dir, "staff", "add", "--username", username, "--display-name", username.title(),
                      "--roles", ",".join(roles), "--lines", ",".join(lines), "--languages", ",".join(languages),
                      env={"CRISISLINE_PASSWORD": PASSWORD})
        return out.stdout.split("(")[1].split(")")[0]

    def sip_args(self):
        """No SIP side unless a test asks for one: parallel servers would fight over port 5060."""
        return [] if any(a.startswith("--sip-listen") for a in self.extra_args) else ["--sip-listen", "off"]

    @property
    def scheme(self):
        return "https" if self.ca else "http"

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def tls_args(self):
        if not self.ca:
            return []
        if self.tls_files is None:
            self.tls_files = self.ca.issue(os.path.join(self.data_dir, "tls"))
        return ["--tls-certificate", self.tls_files[0], "--tls-key", self.tls_files[1]]

    def start(self, wait=True, port=None):
        """port: the HTTP port to listen on (a restart passes the old one); a free one by default."""
        self.port = port or free_port()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [BINARY, "--data", self.data_dir, "serve", "--listen", f"127.0.0.1:{self.port}", *self.sip_args(),
                 *self.tls_args(), *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, CRISISLINE_LOG_LEVEL="debug"),
                preexec_fn=self.preexec_fn)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                status, _, _ = self.raw("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("server did not become ready")

    def stop(self, sig=15, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def close(self):
        self.stop()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.owns_ca:
            self.ca.close()

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def write_config(self, text):
        """Replaces <data>/crisisline.toml (flags given on the command line still win)."""
        with open(os.path.join(self.data_dir, "crisisline.toml"), "w") as f:
            f.write(text)
        return self

    def raw(self, method, path, body=None, headers=None, source=None, timeout=30):
        """source: the local address to connect from (any of 127.0.0.0/8 on Linux), for tests of per-address
        limits; the kernel's choice by default."""
        conn = self.connection(timeout=timeout, source=source)
        try:
            data = body if isinstance(body, (bytes, type(None))) else body.encode()
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def connection(self, timeout=30, source=None):
        """An http.client connection to the server: HTTPS verified against the test CA when it serves TLS."""
        source_address = (source, 0) if source else None
        if self.ca:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, source_address=source_address,
                                               context=self.ca.client_context())
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=source_address)

    def websocket(self, path, cookie=None, origin=None, timeout=10):
        """A WebSocket to the server (wss when it serves TLS)."""
        return WebSocket(self.port, path, cookie=cookie, origin=origin, timeout=timeout,
                         tls=self.ca.client_context() if self.ca else None)

    def metrics_token(self):
        """The bearer token GET /metrics asks for: the server makes keys/metrics.token on its first start."""
        with open(os.path.join(self.data_dir, "keys", "metrics.token")) as f:
            return f.read().strip()

    def metrics(self):
        """GET /metrics with the server's bearer token: (status, text)."""
        status, _, body = self.raw("GET", "/metrics", headers={"Authorization": "Bearer " + self.metrics_token()})
        return status, body.decode()

    def client(self, headers=None, source=None):
        return Client(self, headers, source)


class Client:
    """A signed-in member of staff: session cookie plus CSRF header."""

    def __init__(self, server, headers=None, source=None):
        """headers: sent with every request (e.g. X-Forwarded-For); source: the local address to connect from."""
        self.server = server
        self.headers = dict(headers or {})
        self.source = source
        self.cookie = None
        self.csrf = None
        self.totp_secret = None
        self.staff = None
        self.last_step = 0

    def call(self, method, path, body=None, csrf=True, raw_body=None):
        headers = {"Content-Type": "application/json", **self.headers}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        data = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
        status, resp_headers, payload = self.server.raw(method, path, data, headers, source=self.source)
        text = payload.decode(errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, parsed, resp_headers

    def sign_in(self, username, password=PASSWORD):
        """Signs in; on the first sign-in enrols TOTP with the secret the server offers."""
        body = {"username": username, "password": password}
        if self.totp_secret:
            # A code may be used once: wait for a time step this client has not used yet.
            while int(time.time() // 30) <= self.last_step:
                time.sleep(0.5)
            body["totp_code"] = totp(self.totp_secret)
            self.last_step = int(time.time() // 30)
        status, reply, headers = self.call("POST", "/api/v1/session", body)
        assert status == 200, (status, reply)
        self.cookie = headers["Set-Cookie"].split(";")[0]
        self.csrf = reply["csrf_token"]
        self.staff = reply["staff"]
        if "totp_enrolment" in reply:
            self.totp_secret = reply["totp_enrolment"]["secret"]
            self.last_step = int(time.time() // 30)
            status, confirm, _ = self.call("POST", "/api/v1/session/totp", {"code": totp(self.totp_secret)})
            assert status == 200, (status, confirm)
        return self


class WebSocketClosed(Exception):
    """The server closed the WebSocket; `code` is its close code (None when the connection just ended)."""

    def __init__(self, code, reason=""):
        super().__init__(f"closed with {code} {reason}")
        self.code = code
        self.reason = reason


class WebSocket:
    """A small RFC 6455 client, written for these tests: text messages in, close and pong out.

    When the server refuses the upgrade, `status` is its HTTP status and `body` the parsed JSON.
    """

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, port, path, cookie=None, origin=None, timeout=10, tls=None):
        """tls: an ssl.SSLContext for wss (the server's name checked as 127.0.0.1)."""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname="127.0.0.1")
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        if origin:
            lines.append(f"Origin: {origin}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WebSocketClosed(None, "closed during the handshake")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        head_lines = head.decode("latin-1").split("\r\n")
        self.status = int(head_lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head_lines[1:])}
        self.body = None
        if self.status != 101:
            length = int(self.headers.get("content-length", "0"))
            while len(self.buf) < length:
                self.buf += self.sock.recv(4096)
            self.body = json.loads(self.buf[:length]) if length else None
            self.sock.close()
            return
        expected = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
        assert self.headers.get("sec-websocket-accept") == expected, self.headers

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise WebSocketClosed(None, "connection ended")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode, payload=b""):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        else:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def recv(self, timeout=10):
        """The next text message; raises WebSocketClosed when the server closes, socket.timeout when quiet."""
        self.sock.settimeout(timeout)
        message = b""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                self.sock.close()
                raise WebSocketClosed(code, payload[2:].decode(errors="replace"))
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def recv_json(self, timeout=10):
        return json.loads(self.recv(timeout))

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def close(self):
        try:
            self._send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()
