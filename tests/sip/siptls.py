"""SIP over TLS for the tests: a counsellor phone that registers and is rung on one TLS connection, a TCP relay
that records the bytes of the TLS connections through it (the capture of port 5061), and a check that recorded
bytes are TLS records and nothing else.

Standard library only. Certificates come from tests/integration/harness.py's TestCA (fictional names).
"""
import re
import socket
import ssl
import threading
import time

import rawsip

TLS_CONTENT_TYPES = {20, 21, 22, 23}  # change_cipher_spec, alert, handshake, application_data


def tls_records_only(data):
    """True when data is a sequence of TLS records (a last one may be cut short by the capture's end)."""
    i = 0
    while i + 5 <= len(data):
        kind, major, length = data[i], data[i + 1], int.from_bytes(data[i + 3:i + 5], "big")
        if kind not in TLS_CONTENT_TYPES or major != 3 or length > 18432:
            return False
        i += 5 + length
    return len(data) > 0


class Recorder:
    """Listens on a free loopback port and relays each connection to target, keeping what passes each way."""

    def __init__(self, target):
        self.target = target
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.to_server = []   # one bytearray per connection
        self.to_client = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            up, down = bytearray(), bytearray()
            with self.lock:
                self.to_server.append(up)
                self.to_client.append(down)
            threading.Thread(target=self._pipe, args=(client, server, up), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, down), daemon=True).start()

    def _pipe(self, src, dst, kept):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return
            with self.lock:
                kept.extend(data)
            try:
                dst.sendall(data)
            except OSError:
                return

    def streams(self):
        with self.lock:
            return [bytes(b) for b in self.to_server], [bytes(b) for b in self.to_client]

    def close(self):
        self._stop.set()
        self.sock.close()


def client_context(ca=None, maximum=None):
    """A TLS client context: trusting the test CA (name 127.0.0.1 checked), or trusting nothing checked."""
    if ca:
        context = ssl.create_default_context(cafile=ca)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if maximum:
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = maximum
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def peer_certificate(port, ca):
    """The DER certificate the server presents on a new TLS handshake to 127.0.0.1:port."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with client_context(ca).wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


class TlsPhone:
    """A counsellor phone on one TLS connection (RFC 5626's flow): REGISTER with digest, then answers the
    INVITEs that arrive on that same connection with 200 and an SDP for `rtp` (an sh.RtpEndpoint), and BYEs with
    200. Its Contact names a port where nothing listens: it can only be rung over its connection."""

    def __init__(self, port, username, password, rtp, ca, ring_s=0.3):
        self.username = username
        self.password = password
        self.rtp = rtp
        self.ring_s = ring_s
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock = client_context(ca).wrap_socket(raw, server_hostname="127.0.0.1")
        self.sock.settimeout(0.05)
        self.io = threading.Lock()  # one SSL object: never read and written from two threads at once
        self.local = self.sock.getsockname()
        self.server = ("127.0.0.1", port)
        self.buf = b""
        self.lock = threading.Lock()
        self.responses = []
        self.requests = []   # (rawsip.Message) every request the server sent
        self.answered = threading.Event()
        self.bye = threading.Event()
        self._stop = threading.Event()
        self.call_id = f"{rawsip.token()}@tlsphone"
        self.tag = rawsip.token()
        self.cseq = 0
        threading.Thread(target=self._run, daemon=True).start()

    # -- the connection
    def _send(self, text):
        with self.io:
            self.sock.settimeout(5)
            try:
                self.sock.sendall(text.encode())
            finally:
                self.sock.settimeout(0.05)

    def _messages(self):
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if not sep:
                return
            m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
            length = int(m.group(1)) if m else 0
            if len(rest) < length:
                return
            self.buf = rest[length:]
            yield rawsip.Message((head + sep + rest[:length]).decode("utf-8", "replace"))

    def _run(self):
        while not self._stop.is_set():
            try:
                with self.io:
                    data = self.sock.recv(65536)
            except socket.timeout:
                time.sleep(0.005)  # let a sender take the connection
                continue
            except (OSError, ssl.SSLError):
                return
            if not data:
                return
            self.buf += data
            for msg in self._messages():
                if msg.status is not None:
                    with self.lock:
                        self.responses.append(msg)
                else:
                    with self.lock:
                        self.requests.append(msg)
                    self._on_request(msg)

    def _reply(self, req, status, reason, extra=(), body="", to_tag=None):
        to = req.header("to") or ""
        if to_tag and ";tag=" not in to:
            to += f";tag={to_tag}"
        lines = [f"SIP/2.0 {status} {reason}"] + [f"Via: {v}" for v in req.all("via")] + [
            f"From: {req.header('from')}", f"To: {to}", f"Call-ID: {req.header('call-id')}",
            f"CSeq: {req.header('cseq')}", *extra]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self._send("\r\n".join(lines) + "\r\n\r\n" + body)

    def _on_request(self, req):
        if req.method == "INVITE":
            tag = rawsip.token()
            contact = f"Contact: <sip:{self.username}@{self.local[0]}:{self.local[1]};transport=tls>"
            self._reply(req, 180, "Ringing", [contact], to_tag=tag)
            time.sleep(self.ring_s)
            m = re.search(r"c=IN IP4 (\S+)", req.body)
            port = rawsip.media_port(req.body)
            if m and port:
                self.rtp.set_target((m.group(1), port))
            self._reply(req, 200, "OK", [contact], body=rawsip.sdp("127.0.0.1", self.rtp.port), to_tag=tag)
            self.answered.set()
        elif req.method == "BYE":
            self._reply(req, 200, "OK")
            self.bye.set()
        elif req.method not in ("ACK",):
            self._reply(req, 200, "OK")

    # -- registering
    def _transact(self, text, timeout=5):
        with self.lock:
            seen = len(self.responses)
        self._send(text)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                final = [r for r in self.responses[seen:] if r.status >= 200]
            if final:
                return final[0]
            time.sleep(0.02)
        return None

    def _register_message(self, auth=None, expires=300):
        self.cseq += 1
        aor = f"sip:{self.username}@{self.server[0]}"
        # A port nobody listens on (9, discard): only the connection reaches this phone.
        lines = [f"REGISTER sips:{self.server[0]}:{self.server[1]} SIP/2.0",
                 f"Via: SIP/2.0/TLS {self.local[0]}:{self.local[1]};branch=z9hG4bK{rawsip.token()};rport",
                 f"From: <{aor}>;tag={self.tag}", f"To: <{aor}>", f"Call-ID: {self.call_id}",
                 f"CSeq: {self.cseq} REGISTER",
                 f"Contact: <sip:{self.username}@{self.local[0]}:9;transport=tls>", "Max-Forwards: 70",
                 f"Expires: {expires}"]
        if auth:
            lines.append(auth)
        return "\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n"

    def register(self, expires=300):
        """REGISTER, answer the challenge; returns the final response to the answer (or to the first try)."""
        first = self._transact(self._register_message(expires=expires))
        if first is None or first.status != 401:
            return first
        params = rawsip.challenge_params(first.header("www-authenticate"))
        uri = f"sips:{self.server[0]}:{self.server[1]}"
        auth = rawsip.digest_header(self.username, self.password, params["realm"], params["nonce"], "REGISTER", uri)
        return self._transact(self._register_message(auth=auth, expires=expires))

    def invites(self):
        with self.lock:
            return [r for r in self.requests if r.method == "INVITE"]

    def close(self):
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass
