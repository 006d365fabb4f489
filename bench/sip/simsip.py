"""A light SIP simulator for the telephony benchmark: many counsellor phones and many callers, one thread.

Standard library only. Why not SIPp for everything: a SIPp phone is two processes (one registers, one takes
the INVITE; see tests/sip/README.md), so 1,000 phones would be 2,000 SIPp processes. Here one UDP socket
registers N SIP users (digest auth, qop=auth) with Contacts that all point at itself and auto-answers the
server's INVITEs with an SDP that advertises the RTP port chosen for that phone; a second socket places
carrier calls (INVITE with SDP, ACK, BYE; RFC 3261 retransmission of INVITE and BYE while unanswered).

Over SIP over TLS (tls=TlsOptions(...)): the phones register on TLS connections to the server's tls_listen (each
phone on one of `connections`, rung on the connection it registered on) and the callers place their calls on
one TLS connection, as a carrier's trunk does; with srtp the callers offer RTP/SAVP with an a=crypto line
(AES_CM_128_HMAC_SHA1_80, a fresh key per call) and the phones answer the server's a=crypto offer with a fresh
key of their own. The keys go to the hooks (on_invite, on_answer) so that an RTP generator can protect and
unprotect each leg's media. Requests are not retransmitted over TLS (a reliable transport), 2xx are.

Timestamps are time.monotonic() taken when a datagram is read or just before it is sent, so the latencies
computed from them include this process's own scheduling (it runs pinned to the other core).
"""
import base64
import hashlib
import heapq
import os
import random
import re
import selectors
import socket
import ssl
import threading
import time

T1 = 0.5
SRTP_SUITE = "AES_CM_128_HMAC_SHA1_80"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Msg:
    __slots__ = ("first", "headers", "body", "is_request", "method", "uri", "status", "raw")

    def __init__(self, data):
        self.raw = data
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.first = lines[0]
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))
        self.body = body.decode("utf-8", "replace")
        parts = self.first.split(" ", 2)
        if parts[0].startswith("SIP/2.0"):
            self.is_request = False
            self.status = int(parts[1])
            self.method = None
            self.uri = None
        else:
            self.is_request = True
            self.method = parts[0]
            self.uri = parts[1] if len(parts) > 1 else ""
            self.status = None

    COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
               "c": "content-type"}

    def all(self, name):
        name = name.lower()
        return [v for n, v in self.headers if n == name or self.COMPACT.get(n) == name]

    def get(self, name, default=""):
        values = self.all(name)
        return values[0] if values else default

    @property
    def call_id(self):
        return self.get("call-id")

    @property
    def cseq(self):
        number, _, method = self.get("cseq").partition(" ")
        return int(number or 0), method.strip()

    def sdp_audio(self):
        """(ip, port) of the SDP's audio, or None."""
        c = re.search(r"c=IN IP4 ([0-9.]+)", self.body)
        m = re.search(r"m=audio ([0-9]+)", self.body)
        if c and m:
            return c.group(1), int(m.group(1))
        return None

    def sdp_crypto(self):
        """[(tag, suite, key base64)] of the SDP's a=crypto lines (inline keys; lifetime/MKI dropped)."""
        return [(int(t), suite, key) for t, suite, key in
                re.findall(r"a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)", self.body)]


def tag_of(header):
    m = re.search(r";\s*tag=([^;>\s]+)", header)
    return m.group(1) if m else None


def uri_of(header):
    m = re.search(r"<([^>]+)>", header)
    return m.group(1) if m else header.split(";")[0].strip()


def sdp(ip, port, session_id, crypto=None):
    """PCMU + telephone-event; with crypto ("TAG SUITE inline:KEY"), RTP/SAVP with that a=crypto line."""
    proto = "RTP/SAVP" if crypto else "RTP/AVP"
    extra = f"a=crypto:{crypto}\r\n" if crypto else ""
    return (f"v=0\r\no=bench {session_id} 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
            f"m=audio {port} {proto} 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            f"a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n{extra}")


def srtp_key():
    """A fresh AES_CM_128 master key and salt (30 bytes) as a=crypto's inline: base64."""
    return base64.b64encode(os.urandom(30)).decode()


class TlsOptions:
    """SIP over TLS for an Endpoint: the server's TLS address, the CA its certificate chains to, how many
    connections (phones: spread over them; callers: one), and whether media is SRTP (SDES)."""

    def __init__(self, address, ca, connections=1, srtp=True):
        self.address = address
        self.context = ssl.create_default_context(cafile=ca)
        self.context.check_hostname = False  # the test certificate names "sip-server" / 127.0.0.1
        self.connections = max(1, connections)
        self.srtp = srtp


class TlsConn:
    """One TLS connection to the server, read in the loop; SIP messages framed by Content-Length (RFC 3261
    section 18.3). Opened (TCP + handshake, blocking) by the caller's thread, then read by the loop."""

    def __init__(self, loop, address, context, on_message):
        raw = socket.create_connection(address, timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = context.wrap_socket(raw, server_hostname=address[0])
        self.sock.setblocking(False)
        self.local = self.sock.getsockname()
        self.on_message = on_message
        self.buf = b""
        self.closed = False
        loop.call_soon(loop.add_reader, self.sock, self._readable)

    def send(self, data):
        if self.closed:
            return
        try:
            self.sock.settimeout(5)  # loopback: a short block rather than a write queue
            self.sock.sendall(data)
        except (OSError, ssl.SSLError):
            self.closed = True
        finally:
            try:
                self.sock.setblocking(False)
            except OSError:
                pass

    def _readable(self, sock):
        while True:
            try:
                data = sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                break
            except (OSError, ssl.SSLError):
                data = b""
            if not data:
                self.closed = True
                break
            self.buf += data
        now = time.monotonic()
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if not sep:
                return
            m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
            length = int(m.group(1)) if m else 0
            if len(rest) < length:
                return
            self.buf = rest[length:]
            if head.strip():
                self.on_message(head + sep + rest[:length], self, now)


class Loop:
    """selectors + a timer heap, run in one background thread. call_soon() is thread-safe."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.timers = []
        self.seq = 0
        self.lock = threading.Lock()
        self.pending = []
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.sel.register(self.wake_r, selectors.EVENT_READ, self._drain_wake)
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)

    def _drain_wake(self, sock):
        try:
            sock.recv(4096)
        except BlockingIOError:
            pass

    def add_reader(self, sock, callback):
        self.sel.register(sock, selectors.EVENT_READ, callback)

    def call_later(self, delay, fn, *args):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + delay, self.seq, fn, args))

    def call_soon(self, fn, *args):
        with self.lock:
            self.pending.append((fn, args))
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass

    def run(self):
        while self.running:
            with self.lock:
                pending, self.pending = self.pending, []
            for fn, args in pending:
                fn(*args)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, fn, args = heapq.heappop(self.timers)
                fn(*args)
            timeout = 0.05
            if self.timers:
                timeout = max(0.0, min(timeout, self.timers[0][0] - time.monotonic()))
            for key, _ in self.sel.select(timeout):
                key.data(key.fileobj)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.running = False
        self.call_soon(lambda: None)
        self.thread.join(timeout=5)


class Endpoint:
    """One UDP socket with SIP parsing and retransmission of requests until answered."""

    def __init__(self, loop, server, ip="127.0.0.1", port=0, rcvbuf=8 << 20, tls=None):
        self.loop = loop
        self.server = server
        self.ip = ip
        self.tls = tls
        self.tx = {}   # branch -> [data, deadline, interval, callback] for requests awaiting a response
        self.counter = 0
        self.rx_count = 0
        self.parse_errors = 0
        self.conns = []
        if tls:  # SIP over TLS: connections instead of the UDP socket; self.port is the first one's
            self.server = tls.address
            self.sock = None
            self.tp, self.scheme = "TLS", "sips"
            for _ in range(self._connections_wanted()):
                self.conns.append(TlsConn(loop, tls.address, tls.context, self._message))
            self.port = self.conns[0].local[1]
            return
        self.tp, self.scheme = "UDP", "sip"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, opt, rcvbuf)
            except OSError:
                pass
        self.sock.bind((ip, port))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        loop.add_reader(self.sock, self._readable)

    def _connections_wanted(self):
        return 1

    def local_of(self, conn=None):
        """(ip, port) for Via and Contact: the UDP socket's, or the TLS connection's."""
        if self.tls:
            return (conn or self.conns[0]).local
        return self.ip, self.port

    def via(self, branch, conn=None):
        ip, port = self.local_of(conn)
        return f"Via: SIP/2.0/{self.tp} {ip}:{port};branch={branch};rport\r\n"

    def contact_uri(self, user, conn=None):
        ip, port = self.local_of(conn)
        return f"sip:{user}@{ip}:{port};transport={self.tp.lower()}"

    def new_id(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}x{random.getrandbits(40):x}"

    def send(self, data, addr=None):
        """To addr (UDP: an address; TLS: a TlsConn), by default the server (TLS: the first connection)."""
        data = data.encode() if isinstance(data, str) else data
        if self.tls:
            (addr if isinstance(addr, TlsConn) else self.conns[0]).send(data)
            return
        try:
            self.sock.sendto(data, addr or self.server)
        except (BlockingIOError, OSError):
            pass

    def send_request(self, data, branch, on_response, final_timeout=32.0, addr=None):
        """Send; retransmit at T1, 2*T1, ... (max 4 s) until any response (over TLS: never, a reliable
        transport); on_response(msg) per response, on_response(None) when none came in final_timeout."""
        self.send(data, addr)
        entry = {"data": data, "interval": T1, "on_response": on_response, "answered": False,
                 "give_up": time.monotonic() + final_timeout, "addr": addr}
        self.tx[branch] = entry
        self.loop.call_later(final_timeout if self.tls else T1, self._retransmit, branch)

    def _retransmit(self, branch):
        entry = self.tx.get(branch)
        if not entry or entry["answered"]:
            return
        if time.monotonic() > entry["give_up"] - 0.001:
            del self.tx[branch]
            entry["on_response"](None)  # timeout
            return
        self.send(entry["data"], entry["addr"])
        entry["interval"] = min(entry["interval"] * 2, 4.0)
        self.loop.call_later(entry["interval"], self._retransmit, branch)

    def _readable(self, sock):
        for _ in range(256):
            try:
                data, addr = sock.recvfrom(65535)
            except BlockingIOError:
                return
            except OSError:
                return
            self._message(data, addr, time.monotonic())

    def _message(self, data, addr, now):
        """One SIP message from addr (UDP: an address; TLS: its TlsConn)."""
        self.rx_count += 1
        if len(data) < 8 or data.strip() == b"":
            return
        try:
            msg = Msg(data)
        except Exception:
            self.parse_errors += 1
            return
        if msg.is_request:
            self.on_request(msg, addr, now)
        else:
            m = re.search(r"branch=([^;,\s]+)", msg.get("via"))
            branch = m.group(1) if m else None
            entry = self.tx.get(branch)
            if entry is None:
                self.on_stray_response(msg, addr, now)
                return
            entry["answered"] = True
            if msg.status >= 200:
                del self.tx[branch]
            entry["on_response"](msg, now)

    def on_request(self, msg, addr, now):
        pass

    def on_stray_response(self, msg, addr, now):
        pass

    def reply(self, msg, addr, status, reason, extra="", body="", to_tag=None):
        to = msg.get("to")
        if to_tag and not tag_of(to):
            to = f"{to};tag={to_tag}"
        vias = "".join(f"Via: {v}\r\n" for v in msg.all("via"))
        ctype = "Content-Type: application/sdp\r\n" if body else ""
        data = (f"SIP/2.0 {status} {reason}\r\n{vias}From: {msg.get('from')}\r\nTo: {to}\r\n"
                f"Call-ID: {msg.call_id}\r\nCSeq: {msg.get('cseq')}\r\n{extra}{ctype}"
                f"Content-Length: {len(body.encode())}\r\n\r\n{body}")
        self.send(data, addr)
        return data


class Phones(Endpoint):
    """N counsellor phones behind one socket. phones: {user: {"password": .., "rtp_port": ..}}.

    on_invite(user, call_id, server_rtp(ip, port), t_received) is called for each new INVITE, before the 200;
    when it returns a port number, the answer's SDP names that port instead of the phone's rtp_port. With
    tls.srtp it gets srtp=(send key, receive key, suite) too (base64 as in a=crypto), or srtp=None when the
    server offered no AES_CM_128_HMAC_SHA1_80 line (the phone then answers plain RTP/AVP).
    """

    def __init__(self, loop, server, phones, on_invite=None, ring_s=0.0, expires=3600, **kw):
        self.phones = phones
        super().__init__(loop, server, **kw)
        users = sorted(phones)
        self.user_conn = {u: self.conns[i % len(self.conns)] for i, u in enumerate(users)} if self.tls else {}
        self.on_invite = on_invite
        self.ring_s = ring_s
        self.expires = expires
        self.registered = {}      # user -> time of the 200
        self.register_sent = {}   # user -> time the authenticated REGISTER was sent
        self.register_failed = {}
        self.dialogs = {}         # call-id -> {"user", "answer", "invite_at", "acked", "bye_at"}
        self.invites = 0
        self.byes = 0
        self.cancels = 0

    def _connections_wanted(self):
        return min(self.tls.connections, max(1, len(self.phones)))

    # ---- registration
    def register(self, user, expires=None):
        self.loop.call_soon(self._register, user, self.expires if expires is None else expires)

    def _register(self, user, expires, auth=None, cseq=1, call_id=None, from_tag=None):
        call_id = call_id or self.new_id("reg")
        from_tag = from_tag or self.new_id("t")
        branch = "z9hG4bK" + self.new_id("b")
        host, port = self.server
        uri = f"{self.scheme}:{host}:{port}"
        conn = self.user_conn.get(user)
        data = (f"REGISTER {uri} SIP/2.0\r\n{self.via(branch, conn)}"
                f"From: <sip:{user}@{host}>;tag={from_tag}\r\nTo: <sip:{user}@{host}>\r\n"
                f"Call-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\n"
                f"Contact: <{self.contact_uri(user, conn)}>\r\nExpires: {expires}\r\n"
                f"{auth or ''}Max-Forwards: 70\r\nUser-Agent: crisisline-bench-phone\r\nContent-Length: 0\r\n\r\n")

        def on_response(msg, now=None):
            if msg is None:
                self.register_failed[user] = "timeout"
                return
            if msg.status < 200:
                return
            if msg.status == 401 and auth is None:
                challenge = msg.get("www-authenticate")
                params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
                realm, nonce = params.get("realm", ""), params.get("nonce", "")
                cnonce = f"{random.getrandbits(64):x}"
                ha1 = md5(f"{user}:{realm}:{self.phones[user]['password']}")
                ha2 = md5(f"REGISTER:{uri}")
                qop = "auth" if "auth" in params.get("qop", "") else None
                if qop:
                    resp = md5(f"{ha1}:{nonce}:00000001:{cnonce}:{qop}:{ha2}")
                    hdr = (f'Authorization: Digest username="{user}", realm="{realm}", nonce="{nonce}", '
                           f'uri="{uri}", response="{resp}", algorithm=MD5, qop={qop}, nc=00000001, '
                           f'cnonce="{cnonce}"')
                else:
                    resp = md5(f"{ha1}:{nonce}:{ha2}")
                    hdr = (f'Authorization: Digest username="{user}", realm="{realm}", nonce="{nonce}", '
                           f'uri="{uri}", response="{resp}", algorithm=MD5')
                if "opaque" in params:
                    hdr += f', opaque="{params["opaque"]}"'
                self.register_sent[user] = time.monotonic()
                self._register(user, expires, auth=hdr + "\r\n", cseq=cseq + 1, call_id=call_id, from_tag=from_tag)
                return
            if msg.status == 200:
                if expires:
                    self.registered[user] = now
                else:
                    self.registered.pop(user, None)
                return
            self.register_failed[user] = msg.status

        self.send_request(data, branch, on_response, addr=conn)

    # ---- calls from the server
    def on_request(self, msg, addr, now):
        method = msg.method
        if method == "INVITE":
            d = self.dialogs.get(msg.call_id)
            if d is not None:
                if d.get("answer"):
                    self.send(d["answer"], addr)  # a retransmitted INVITE: the same answer again
                return
            m = re.match(r"sips?:([^@;>]+)@", msg.uri)
            user = m.group(1) if m else None
            if user not in self.phones:
                self.reply(msg, addr, 404, "Not Found")
                return
            self.invites += 1
            d = {"user": user, "invite_at": now, "answer": None, "acked": None, "bye_at": None}
            self.dialogs[msg.call_id] = d
            server_rtp = msg.sdp_audio()
            rtp_port = self.phones[user]["rtp_port"]
            crypto = None
            extra = {}
            if self.tls and self.tls.srtp:
                offered = [c for c in msg.sdp_crypto() if c[1] == SRTP_SUITE]
                keys = None
                if offered:
                    tag_no, suite, server_key = offered[0]
                    own = srtp_key()
                    crypto = f"{tag_no} {suite} inline:{own}"
                    keys = (own, server_key, suite)
                d["srtp"] = keys
                extra = {"srtp": keys}
            if self.on_invite:
                chosen = self.on_invite(user, msg.call_id, server_rtp, now, **extra)
                if isinstance(chosen, int):
                    rtp_port = chosen  # the hook chose this call's media port
            tag = self.new_id("p")
            body = sdp(self.ip, rtp_port, random.getrandbits(30), crypto)
            conn = addr if isinstance(addr, TlsConn) else None
            contact = (f"Contact: <{self.contact_uri(user, conn)}>\r\n"
                       f"Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n")

            def answer():
                if d.get("cancelled"):
                    return
                d["answer"] = self.reply(msg, addr, 200, "OK", contact, body, to_tag=tag)
                d["answered_at"] = time.monotonic()
                self.loop.call_later(T1, self._resend_answer, msg.call_id, addr, T1)

            if self.ring_s > 0:
                self.reply(msg, addr, 180, "Ringing", contact, to_tag=tag)
                self.loop.call_later(self.ring_s, answer)
            else:
                answer()
        elif method == "ACK":
            d = self.dialogs.get(msg.call_id)
            if d is not None and d["acked"] is None:
                d["acked"] = now
        elif method == "BYE":
            self.byes += 1
            d = self.dialogs.get(msg.call_id)
            if d is not None:
                d["bye_at"] = now
            self.reply(msg, addr, 200, "OK")
        elif method == "CANCEL":
            self.cancels += 1
            d = self.dialogs.get(msg.call_id)
            self.reply(msg, addr, 200, "OK")
            if d is not None:
                d["cancelled"] = now
        elif method in ("OPTIONS", "NOTIFY", "INFO", "UPDATE"):
            self.reply(msg, addr, 200, "OK")
        else:
            self.reply(msg, addr, 405, "Method Not Allowed")

    def _resend_answer(self, call_id, addr, interval):
        d = self.dialogs.get(call_id)
        if not d or d["acked"] is not None or d.get("bye_at") or interval > 16:
            return
        self.send(d["answer"], addr)
        self.loop.call_later(min(interval * 2, 4.0), self._resend_answer, call_id, addr, min(interval * 2, 4.0))


class Callers(Endpoint):
    """Carrier calls into the server: INVITE (SDP on the given RTP port), ACK the 200, BYE on hangup().

    on_answer(call) is called at the 200 (call["server_rtp"] is the server's media address for this leg; with
    tls.srtp, call["srtp"] is (send key, receive key, suite) from our offer and the answer's a=crypto line, or
    None when the answer had none).
    """

    def __init__(self, loop, server, number, on_answer=None, on_end=None, **kw):
        super().__init__(loop, server, **kw)
        self.number = number
        self.on_answer = on_answer
        self.on_end = on_end
        self.calls = {}  # call-id -> dict

    def place(self, index, rtp_port, talk_s=None, caller_id=None):
        self.loop.call_soon(self._place, index, rtp_port, talk_s, caller_id)

    def _place(self, index, rtp_port, talk_s, caller_id):
        call_id = self.new_id("call")
        tag = self.new_id("c")
        branch = "z9hG4bK" + self.new_id("b")
        host, port = self.server
        caller_id = caller_id or f"01632{960000 + index % 1000:06d}"
        send_key = srtp_key() if self.tls and self.tls.srtp else None
        body = sdp(self.ip, rtp_port, random.getrandbits(30), send_key and f"1 {SRTP_SUITE} inline:{send_key}")
        lip, lport = self.local_of()
        from_h = f'"Caller" <sip:{caller_id}@{lip}:{lport}>;tag={tag}'
        ruri = f"{self.scheme}:{self.number}@{host}:{port}"
        to_h = f"<{ruri}>"
        data = (f"INVITE {ruri} SIP/2.0\r\n{self.via(branch)}"
                f"From: {from_h}\r\nTo: {to_h}\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
                f"Contact: <{self.contact_uri('caller')}>\r\nMax-Forwards: 70\r\n"
                f"Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\nContent-Type: application/sdp\r\n"
                f"Content-Length: {len(body)}\r\n\r\n{body}")
        call = {"index": index, "call_id": call_id, "from": from_h, "to": to_h, "rtp_port": rtp_port,
                "invite_at": time.monotonic(), "answered_at": None, "status": None, "server_rtp": None,
                "ended_at": None, "ended_by": None, "failed": None, "remote_target": None, "to_full": None,
                "srtp_send": send_key, "srtp": None}
        self.calls[call_id] = call

        def on_response(msg, now=None):
            if msg is None:
                call["failed"] = "INVITE timeout"
                if self.on_end:
                    self.on_end(call)
                return
            if msg.status < 200:
                call.setdefault("provisional_at", now)
                return
            call["status"] = msg.status
            if msg.status >= 300:
                call["failed"] = f"final {msg.status}"
                ack = (f"ACK {ruri} SIP/2.0\r\n{self.via(branch)}From: {from_h}\r\n"
                       f"To: {msg.get('to')}\r\nCall-ID: {call_id}\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
                       f"Content-Length: 0\r\n\r\n")
                self.send(ack)
                if self.on_end:
                    self.on_end(call)
                return
            self._answered(call, msg, now)

        self.send_request(data, branch, on_response)
        if talk_s is not None:
            call["talk_s"] = talk_s

    def _answered(self, call, msg, now):
        first = call["answered_at"] is None
        if first:
            call["answered_at"] = now
            call["to_full"] = msg.get("to")
            call["remote_target"] = uri_of(msg.get("contact")) or f"sip:{self.number}@{self.server[0]}:{self.server[1]}"
            call["server_rtp"] = msg.sdp_audio()
            if call["srtp_send"]:
                answered = [c for c in msg.sdp_crypto() if c[0] == 1 and c[1] == SRTP_SUITE]
                call["srtp"] = (call["srtp_send"], answered[0][2], SRTP_SUITE) if answered else None
        ack = (f"ACK {call['remote_target']} SIP/2.0\r\n{self.via('z9hG4bK' + self.new_id('a'))}"
               f"From: {call['from']}\r\nTo: {call['to_full']}\r\nCall-ID: {call['call_id']}\r\nCSeq: 1 ACK\r\n"
               f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        self.send(ack)
        if first:
            if self.on_answer:
                self.on_answer(call)
            if call.get("talk_s") is not None:
                self.loop.call_later(call["talk_s"], self._hangup, call["call_id"])

    def on_stray_response(self, msg, addr, now):
        # A retransmitted 200 to the INVITE (our ACK was lost or late): ACK it again.
        if msg.status == 200 and msg.cseq[1] == "INVITE":
            call = self.calls.get(msg.call_id)
            if call and call["answered_at"] is not None:
                self._answered(call, msg, now)

    def hangup(self, call_id):
        self.loop.call_soon(self._hangup, call_id)

    def _hangup(self, call_id):
        call = self.calls.get(call_id)
        if not call or call["answered_at"] is None or call["ended_at"] is not None:
            return
        branch = "z9hG4bK" + self.new_id("b")
        data = (f"BYE {call['remote_target']} SIP/2.0\r\n{self.via(branch)}"
                f"From: {call['from']}\r\nTo: {call['to_full']}\r\nCall-ID: {call_id}\r\nCSeq: 2 BYE\r\n"
                f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        call["bye_sent_at"] = time.monotonic()

        def on_response(msg, now=None):
            if msg is None:
                call["bye_failed"] = "timeout"
            elif msg.status >= 200:
                call["bye_status"] = msg.status
            else:
                return
            call["ended_at"] = time.monotonic()
            call["ended_by"] = call.get("ended_by") or "caller"
            if self.on_end:
                self.on_end(call)

        self.send_request(data, branch, on_response)

    def on_request(self, msg, addr, now):
        call = self.calls.get(msg.call_id)
        if msg.method == "BYE":
            self.reply(msg, addr, 200, "OK")
            if call and call["ended_at"] is None:
                call["ended_at"] = now
                call["ended_by"] = "server"
                if self.on_end:
                    self.on_end(call)
        elif msg.method in ("OPTIONS", "INFO", "NOTIFY", "UPDATE"):
            self.reply(msg, addr, 200, "OK")
        elif msg.method == "INVITE" and call:
            # A re-INVITE (not expected in the benchmark): accept with the same SDP.
            body = sdp(self.ip, call["rtp_port"], 1, call["srtp_send"] and f"1 {SRTP_SUITE} inline:{call['srtp_send']}")
            self.reply(msg, addr, 200, "OK", f"Contact: <{self.contact_uri('caller')}>\r\n", body)
        elif msg.method != "ACK":
            self.reply(msg, addr, 481, "Call/Transaction Does Not Exist")


class Sink:
    """A UDP socket that reads and counts whatever arrives (RTP sent to callers/phones that nobody measures)."""

    def __init__(self, loop, ip="127.0.0.1", port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        except OSError:
            pass
        self.sock.bind((ip, port))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.packets = 0
        loop.add_reader(self.sock, self._readable)

    def _readable(self, sock):
        for _ in range(512):
            try:
                sock.recv(4096)
            except (BlockingIOError, OSError):
                return
            self.packets += 1

    def send_to(self, data, addr):
        try:
            self.sock.sendto(data, addr)
        except OSError:
            pass


def dtmf_packets(digit, ssrc, seq, ts):
    """RFC 4733 telephone-event packets for one digit: a start packet then three end packets (pt 101)."""
    event = "0123456789*#".index(digit)
    out = []
    for i, (end, duration) in enumerate([(False, 160), (True, 800), (True, 800), (True, 800)]):
        header = bytes([0x80, 101 | (0x80 if i == 0 else 0)]) + (seq + i & 0xFFFF).to_bytes(2, "big") + \
            (ts & 0xFFFFFFFF).to_bytes(4, "big") + ssrc.to_bytes(4, "big")
        payload = bytes([event, (0x80 if end else 0) | 10]) + duration.to_bytes(2, "big")
        out.append(header + payload)
    return out


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15 of stat)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


CLK_TCK = os.sysconf("SC_CLK_TCK")
