"""A small SIP user agent on a raw UDP socket, for tests that need to say what SIPp cannot: requests from a
second address inside someone else's dialog, replayed digest answers, a 200 never ACKed, malformed INVITEs.

Standard library only. One Peer is one UDP socket on one address (127.0.0.1, or 127.0.0.2 for an outsider:
Linux answers for all of 127.0.0.0/8 on lo). A background thread reads it: responses go to a queue for the
request that is waiting; requests from the server (INVITE to a phone, BYE, NOTIFY, ACK) are answered as a phone or a
caller would (see Peer.on_invite) and recorded in Peer.requests.
"""
import hashlib
import os
import queue
import re
import socket
import threading
import time

SDP_TEMPLATE = ("v=0\r\no=test 1 {version} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
                "m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na={direction}\r\n")


def sdp(ip, port, direction="sendrecv", version=1):
    return SDP_TEMPLATE.format(ip=ip, port=port, direction=direction, version=version)


def token():
    return os.urandom(6).hex()


class Message:
    """A parsed SIP message: status (responses) or method (requests), headers by lower-case name, body."""

    def __init__(self, raw):
        self.raw = raw
        head, _, self.body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        self.status = None
        self.method = None
        m = re.match(r"SIP/2\.0 (\d{3}) ", self.first + " ")
        if m:
            self.status = int(m.group(1))
        else:
            self.method = self.first.split(" ", 1)[0]
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))

    def header(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def tag(self, name):
        m = re.search(r";\s*tag=([^;>\s]+)", self.header(name) or "")
        return m.group(1) if m else None

    @property
    def cseq(self):
        return self.header("cseq")

    def __repr__(self):
        return self.first


class Dialog:
    """Our side of a dialog: enough to write requests inside it."""

    def __init__(self, call_id, local_uri, local_tag, remote_uri, remote_tag, target, cseq):
        self.call_id = call_id
        self.local_uri = local_uri
        self.local_tag = local_tag
        self.remote_uri = remote_uri
        self.remote_tag = remote_tag
        self.target = target  # the Request-URI: the other side's Contact
        self.cseq = cseq


class Peer:
    """One UDP SIP socket on `ip`, talking to `server` (host, port)."""

    def __init__(self, server, ip="127.0.0.1", answer_invites=False, rtp_port=None, ring_invites=False):
        self.server = server
        self.ip = ip
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.1)
        self.responses = queue.Queue()
        self.requests = []           # Messages the server sent us
        self.lock = threading.Lock()
        self.answer_invites = answer_invites  # answer INVITEs as a phone (180, 200 with SDP for rtp_port)
        self.rtp_port = rtp_port
        self.phone_dialogs = []      # Dialogs of the INVITEs we answered
        # ring_invites: a phone left ringing. A new INVITE gets 180 and waits in `ringing` (Call-ID -> (INVITE,
        # address, to-tag)) until decline() or the server's CANCEL (200, then 487 to the INVITE).
        self.ring_invites = ring_invites
        self.ringing = {}
        self._acked = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    # -- plumbing
    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def send(self, text):
        self.sock.sendto(text.encode(), self.server)

    def _run(self):
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            msg = Message(data.decode("utf-8", "replace"))
            if msg.status is not None:
                self.responses.put(msg)
                continue
            with self.lock:
                self.requests.append(msg)
            if msg.method == "INVITE" and self.ring_invites and msg.tag("to") is None:
                self._ring(msg, addr)
            elif msg.method == "CANCEL" and self.ring_invites:
                self._reply(msg, addr, 200, "OK")
                with self.lock:
                    pending = self.ringing.pop(msg.header("call-id"), None)
                if pending:
                    self._reply(pending[0], pending[1], 487, "Request Terminated", to_tag=pending[2])
            elif msg.method == "INVITE" and self.answer_invites:
                self._answer_invite(msg, addr)
            elif msg.method in ("BYE", "OPTIONS", "INFO", "INVITE", "UPDATE", "NOTIFY"):
                self._reply(msg, addr, 200, "OK")
            elif msg.method == "CANCEL":
                self._reply(msg, addr, 200, "OK")
            elif msg.method == "ACK":
                self._acked.set()

    def _reply(self, req, addr, status, reason, extra="", body="", to_tag=None):
        lines = [f"SIP/2.0 {status} {reason}"]
        for v in req.all("via"):
            lines.append(f"Via: {v}")
        to = req.header("to")
        if to_tag and ";tag=" not in to:
            to += f";tag={to_tag}"
        lines += [f"From: {req.header('from')}", f"To: {to}", f"Call-ID: {req.header('call-id')}",
                  f"CSeq: {req.cseq}"]
        if extra:
            lines.append(extra.rstrip("\r\n"))
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), addr)

    def _answer_invite(self, req, addr):
        tag = req.tag("to") or token()
        contact = f"Contact: <sip:phone@{self.ip}:{self.port}>"
        if req.tag("to") is None:  # a new call: ring first
            self._reply(req, addr, 180, "Ringing", to_tag=tag)
            m = re.search(r"<([^>]+)>", req.header("contact") or "")
            with self.lock:
                self.phone_dialogs.append(Dialog(req.header("call-id"), req.header("to").split(";")[0], tag,
                                                 req.header("from").split(";")[0], req.tag("from"),
                                                 m.group(1) if m else None, 1))
        body = sdp(self.ip, self.rtp_port) if self.rtp_port and (req.body or req.tag("to") is None) else ""
        self._reply(req, addr, 200, "OK", extra=contact, body=body, to_tag=tag)

    def _ring(self, req, addr):
        call_id = req.header("call-id")
        with self.lock:
            if call_id in self.ringing:  # a retransmission: ringing already
                tag = self.ringing[call_id][2]
            else:
                tag = token()
                self.ringing[call_id] = (req, addr, tag)
        self._reply(req, addr, 180, "Ringing", to_tag=tag)

    def decline(self, call_id, status=486, reason="Busy Here"):
        """Declines the ringing INVITE with that Call-ID; False when it is not ringing (cancelled, say)."""
        with self.lock:
            pending = self.ringing.pop(call_id, None)
        if not pending:
            return False
        self._reply(pending[0], pending[1], status, reason, to_tag=pending[2])
        return True

    def ringing_calls(self):
        """The Call-IDs of the INVITEs ringing now, oldest first."""
        with self.lock:
            return list(self.ringing)

    def requests_of(self, method):
        with self.lock:
            return [r for r in self.requests if r.method == method]

    def wait_request(self, method, timeout=10, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests_of(method)) >= count:
                return self.requests_of(method)[count - 1]
            time.sleep(0.02)
        return None

    def wait_dialog(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.phone_dialogs:
                    return self.phone_dialogs[-1]
            time.sleep(0.02)
        return None

    # -- requests
    def transact(self, text, timeout=4.0, final=True):
        """Sends `text` (retransmitting every 0.5 s until any answer) and returns the first final response
        (final=True) or the first response; None when nothing came within timeout."""
        while not self.responses.empty():
            self.responses.get_nowait()
        branch = re.search(r"branch=([^;\s]+)", text)
        deadline = time.monotonic() + timeout
        next_send = 0
        answered = False
        while time.monotonic() < deadline:
            if not answered and time.monotonic() >= next_send:
                self.send(text)
                next_send = time.monotonic() + 0.5
            try:
                msg = self.responses.get(timeout=0.05)
            except queue.Empty:
                continue
            if branch and branch.group(1) not in (msg.header("via") or ""):
                continue  # a retransmitted answer to an earlier request
            answered = True
            if not final or msg.status >= 200:
                return msg
        return None

    def via(self):
        return f"Via: SIP/2.0/UDP {self.ip}:{self.port};branch=z9hG4bK{token()};rport"

    def request(self, method, ruri, headers, body="", content_type="application/sdp"):
        lines = [f"{method} {ruri} SIP/2.0", self.via()] + list(headers)
        if body:
            lines.append(f"Content-Type: {content_type}")
        if not any(h.lower().startswith("content-length:") for h in headers):
            lines.append(f"Content-Length: {len(body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def in_dialog(self, dialog, method, body="", extra=(), cseq=None):
        """A request inside `dialog` (from this socket: it need not be the dialog's own peer)."""
        if cseq is None and method != "ACK":
            dialog.cseq += 1
        n = dialog.cseq if cseq is None else cseq
        headers = [f"From: <{dialog.local_uri}>;tag={dialog.local_tag}",
                   f"To: <{dialog.remote_uri}>;tag={dialog.remote_tag}",
                   f"Call-ID: {dialog.call_id}", f"CSeq: {n} {method}", "Max-Forwards: 70",
                   f"Contact: <sip:peer@{self.ip}:{self.port}>", *extra]
        return self.request(method, dialog.target, headers, body)

    def ack(self, dialog, body=""):
        self.send(self.in_dialog(dialog, "ACK", body=body))

    def invite(self, number, rtp_port, direction="sendrecv", ack=True, caller_id="01632960000", extra=()):
        """A call to `number` offering media on (this ip, rtp_port). Returns (final response, Dialog or None);
        the 200 is ACKed unless ack=False."""
        call_id = f"{token()}@{self.ip}"
        tag = token()
        local_uri = f"sip:{caller_id}@{self.ip}:{self.port}"
        ruri = f"sip:{number}@{self.server[0]}:{self.server[1]}"
        headers = [f"From: \"Caller\" <{local_uri}>;tag={tag}", f"To: <{ruri}>", f"Call-ID: {call_id}",
                   "CSeq: 1 INVITE", f"Contact: <sip:caller@{self.ip}:{self.port}>", "Max-Forwards: 70", *extra]
        resp = self.transact(self.request("INVITE", ruri, headers, sdp(self.ip, rtp_port, direction)), timeout=8)
        if resp is None or resp.status != 200:
            if resp is not None and resp.status >= 300:
                self.send(self.request("ACK", ruri, [f"From: \"Caller\" <{local_uri}>;tag={tag}",
                                                     f"To: {resp.header('to')}", f"Call-ID: {call_id}",
                                                     "CSeq: 1 ACK", "Max-Forwards: 70"]))
            return resp, None
        m = re.search(r"<([^>]+)>", resp.header("contact") or "")
        dialog = Dialog(call_id, local_uri, tag, ruri, resp.tag("to"), m.group(1) if m else ruri, 1)
        if ack:
            self.ack(dialog)
        return resp, dialog


def media_port(body):
    m = re.search(r"m=audio (\d+)", body or "")
    return int(m.group(1)) if m else None


def direction(body):
    m = re.search(r"a=(sendrecv|sendonly|recvonly|inactive)", body or "")
    return m.group(1) if m else None


# -- digest (RFC 2617 with qop=auth)

def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def challenge_params(header):
    return dict(re.findall(r'(\w+)="?([^",]+)"?', header or ""))


def digest_header(username, password, realm, nonce, method, uri, nc=1, cnonce=None, qop="auth"):
    cnonce = cnonce or token()
    ha1 = md5(f"{username}:{realm}:{password}")
    ha2 = md5(f"{method}:{uri}")
    if qop:
        response = md5(f"{ha1}:{nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}")
        return (f'Authorization: Digest username="{username}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                f'response="{response}", algorithm=MD5, qop={qop}, nc={nc:08x}, cnonce="{cnonce}"')
    response = md5(f"{ha1}:{nonce}:{ha2}")
    return (f'Authorization: Digest username="{username}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{response}", algorithm=MD5')


class Registration:
    """REGISTERs for one account from one Peer; keeps the last challenge so answers can be replayed."""

    def __init__(self, peer, username, password):
        self.peer = peer
        self.username = username
        self.password = password
        self.call_id = f"{token()}@{peer.ip}"
        self.tag = token()
        self.cseq = 0
        self.ruri = f"sip:{peer.server[0]}:{peer.server[1]}"
        self.challenge = None  # (realm, nonce)
        self.last = None       # the text of the last REGISTER sent

    def message(self, contact, expires="300", auth=None, extra=()):
        self.cseq += 1
        aor = f"sip:{self.username}@{self.peer.server[0]}"
        headers = [f"From: <{aor}>;tag={self.tag}", f"To: <{aor}>", f"Call-ID: {self.call_id}",
                   f"CSeq: {self.cseq} REGISTER", f"Contact: {contact}", "Max-Forwards: 70", *extra]
        if expires is not None:
            headers.append(f"Expires: {expires}")
        if auth:
            headers.append(auth)
        self.last = self.peer.request("REGISTER", self.ruri, headers)
        return self.last

    def challenged(self, contact, expires="300"):
        """REGISTER without credentials; returns the 401 (and keeps its realm and nonce)."""
        resp = self.peer.transact(self.message(contact, expires))
        assert resp is not None and resp.status == 401, resp
        params = challenge_params(resp.header("www-authenticate"))
        self.challenge = (params["realm"], params["nonce"])
        return resp

    def answer(self, contact, expires="300", nc=1, password=None, fresh=True):
        """REGISTER with a digest answer (to a fresh challenge unless fresh=False); returns the response."""
        if fresh or not self.challenge:
            self.challenged(contact, expires)
        realm, nonce = self.challenge
        auth = digest_header(self.username, password or self.password, realm, nonce, "REGISTER", self.ruri, nc=nc)
        return self.peer.transact(self.message(contact, expires, auth))

    def contact(self, port=None, ip=None):
        return f"<sip:{self.username}@{ip or self.peer.ip}:{port or self.peer.port}>"
