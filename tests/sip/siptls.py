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


def srtp(rtp):
    """Whether rtp is an SRTP endpoint (srtp_peer.srtp_endpoint) rather than a plain sh.RtpEndpoint."""
    return getattr(rtp, "key", None) is not None


def offer_sdp(rtp):
    """The offer for rtp: RTP/SAVP with its a=crypto line for an SRTP endpoint, else plain RTP/AVP."""
    if srtp(rtp):
        import srtp_peer
        return srtp_peer.srtp_sdp(rtp)
    return rawsip.sdp("127.0.0.1", rtp.port)


def answer_sdp(rtp, offer):
    """The answer for rtp to `offer`: SRTP (the offer's AES_CM_128_HMAC_SHA1_80 tag, our key) when rtp is an
    SRTP endpoint and the offer is RTP/SAVP with that suite, else plain RTP/AVP (a phone without SRTP)."""
    if srtp(rtp) and re.search(r"(?m)^m=audio \d+ RTP/SAVP ", offer):
        import srtp_peer
        tag = srtp_peer.take_remote_key(rtp, offer)
        if tag is not None:
            return srtp_peer.srtp_sdp(rtp, tag)
    return rawsip.sdp("127.0.0.1", rtp.port)


class TlsPeer:
    """One SIP user agent on one TLS connection to 127.0.0.1:port: a reader thread keeps responses, and answers
    requests from the server (_on_request)."""

    def __init__(self, port, username, rtp, ca, accepted=None):
        self.username = username
        self.rtp = rtp
        if accepted is None:
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            self.sock = client_context(ca).wrap_socket(raw, server_hostname="127.0.0.1")
        else:
            self.sock = accepted  # a connection the server opened to us (TlsCallee)
        self.sock.settimeout(0.05)
        self.io = threading.Lock()  # one SSL object: never read and written from two threads at once
        self.local = self.sock.getsockname()
        self.server = ("127.0.0.1", port) if accepted is None else self.sock.getpeername()
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
        if req.method != "ACK":
            self._reply(req, 200, "OK")

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

    def requests_of(self, method):
        with self.lock:
            return [r for r in self.requests if r.method == method]

    def close(self):
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass


class TlsPhone(TlsPeer):
    """A counsellor phone on one TLS connection (RFC 5626's flow): REGISTER with digest, then answers the
    INVITEs that arrive on that same connection with 200 and an SDP for `rtp` (an sh.RtpEndpoint), and BYEs with
    200. Its Contact names a port where nothing listens: it can only be rung over its connection."""

    def __init__(self, port, username, password, rtp, ca, ring_s=0.3):
        self.password = password
        self.ring_s = ring_s
        super().__init__(port, username, rtp, ca)

    def _on_request(self, req):
        if req.method == "INVITE":
            tag = self._tag = rawsip.token()
            scheme = getattr(self, "contact_scheme", "sip")
            contact = f"Contact: <{scheme}:{self.username}@{self.local[0]}:{self.local[1]};transport=tls>"
            self._reply(req, 180, "Ringing", [contact], to_tag=tag)
            time.sleep(self.ring_s)
            m = re.search(r"c=IN IP4 (\S+)", req.body)
            port = rawsip.media_port(req.body)
            if m and port:
                self.rtp.set_target((m.group(1), port))
            self._reply(req, 200, "OK", [contact], body=answer_sdp(self.rtp, req.body), to_tag=tag)
            self.answered.set()
        elif req.method == "BYE":
            self._reply(req, 200, "OK")
            self.bye.set()
        elif req.method not in ("ACK",):
            self._reply(req, 200, "OK")

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
        return self.requests_of("INVITE")


class TlsCaller(TlsPeer):
    """A carrier's call over TLS (SIPp in Debian has no TLS): INVITE with an SDP for `rtp` (RTP/SAVP with its
    a=crypto line when it is an srtp_peer.srtp_endpoint), ACK the 200, let
    `rtp` talk to the answer's address for talk_s, then BYE. Run it with call(); it returns the 200's Message."""

    def __init__(self, port, number, rtp, ca=None, caller_id="01632960000"):
        self.number = number
        self.caller_id = caller_id
        super().__init__(port, "carrier", rtp, ca)
        self.final = None
        self.bye_answer = None
        self.answer_proto = None  # the m=audio protocol of the 200's SDP, for an SRTP endpoint

    def _request(self, method, cseq, to_tag=None, body=""):
        ruri = f"sips:{self.number}@{self.server[0]}:{self.server[1]}"
        to = f"<{ruri}>" + (f";tag={to_tag}" if to_tag else "")
        lines = [f"{method} {ruri} SIP/2.0",
                 f"Via: SIP/2.0/TLS {self.local[0]}:{self.local[1]};branch=z9hG4bK{rawsip.token()};rport",
                 f'From: "Caller" <sip:{self.caller_id}@{self.local[0]}>;tag={self.tag}', f"To: {to}",
                 f"Call-ID: {self.call_id}", f"CSeq: {cseq} {method}",
                 f"Contact: <sips:carrier@{self.local[0]}:{self.local[1]};transport=tls>", "Max-Forwards: 70"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def call(self, talk_s=4.0, pt=0, timeout=20):
        """The whole call; returns the final response to the INVITE (None when none came)."""
        self.final = self._transact(self._request("INVITE", 1, body=offer_sdp(self.rtp)), timeout=timeout)
        if self.final is None or self.final.status != 200:
            return self.final
        if srtp(self.rtp):
            import srtp_peer
            self.answer_proto = (re.search(r"(?m)^m=audio \d+ (\S+)", self.final.body) or [None, None])[1]
            srtp_peer.take_remote_key(self.rtp, self.final.body)
        to_tag = self.final.tag("to")
        self._send(self._request("ACK", 1, to_tag=to_tag))
        m = re.search(r"c=IN IP4 (\S+)", self.final.body)
        port = rawsip.media_port(self.final.body)
        if m and port:
            self.rtp.set_target((m.group(1), port))
        self.rtp.start_sending(talk_s, pt=pt)
        end = time.monotonic() + talk_s
        while time.monotonic() < end and not self.requests_of("BYE"):
            time.sleep(0.05)
        if not self.requests_of("BYE"):
            self.bye_answer = self._transact(self._request("BYE", 2, to_tag=to_tag))
        return self.final


class TlsCallee(TlsPhone):
    """The carrier's SIP server for follow-up calls over TLS: listens on `port` with `cert`/`key`, accepts the
    server's connection, answers its INVITE with 200, and hangs up (BYE on that connection) after talk_s."""

    def __init__(self, port, cert, key, rtp, talk_s=2.0, contact_scheme="sip"):
        self.contact_scheme = contact_scheme  # "sips" as a carrier may answer (RFC 3261 section 26)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(1)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.talk_s = talk_s
        self.rtp = rtp
        self.connected = threading.Event()
        self.hung_up = threading.Event()
        self.failed = None
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.listener.settimeout(30)
        try:
            raw, _ = self.listener.accept()
            raw.settimeout(10)
            tls = self.context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError) as e:
            self.failed = e
            return
        self.password = ""
        self.ring_s = 0.2
        TlsPeer.__init__(self, 0, "callee", self.rtp, None, accepted=tls)
        self.connected.set()

    def _on_request(self, req):
        super()._on_request(req)
        if req.method == "INVITE":
            threading.Thread(target=self._hang_up, args=(req,), daemon=True).start()

    def _hang_up(self, invite):
        if self.bye.wait(self.talk_s) or self._stop.is_set():  # the server hung up first, or the test is over
            return
        target = re.search(r"<([^>]+)>", invite.header("contact") or "")
        lines = [f"BYE {target.group(1) if target else invite.first.split()[1]} SIP/2.0",
                 f"Via: SIP/2.0/TLS {self.local[0]}:{self.local[1]};branch=z9hG4bK{rawsip.token()}",
                 f"From: {invite.header('to')};tag={self._tag}", f"To: {invite.header('from')}",
                 f"Call-ID: {invite.header('call-id')}", "CSeq: 1 BYE", "Max-Forwards: 70", "Content-Length: 0"]
        self._send("\r\n".join(lines) + "\r\n\r\n")
        self.hung_up.set()

    def close(self):
        self.listener.close()
        if self.connected.is_set():
            super().close()
