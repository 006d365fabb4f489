"""A carrier that speaks SIP over TLS and SRTP keyed by SDES (RFC 4568, AES_CM_128_HMAC_SHA1_80), for the tests:
one call's INVITE with RTP/SAVP and an a=crypto line, its ACK and BYE on one TLS connection, and an SRTP
sender/receiver whose sequence numbers can start anywhere (near 65535, to cross the wrap).

SRTP (RFC 3711 sections 4.1.1, 4.2, 4.3) with the `cryptography` package's AES (Debian python3-cryptography):
test tooling only, to be the real peer on the other side of crisisline's libre SRTP.
"""
import base64
import hashlib
import hmac
import os
import re
import socket
import struct
import threading
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import rawsip
import siptls


def _aes_cm(key, iv16, n):
    enc = Cipher(algorithms.AES(key), modes.CTR(iv16)).encryptor()
    return enc.update(b"\0" * n) + enc.finalize()


def _derive(master_key, master_salt, label, n):
    # r = index DIV key_derivation_rate = 0: x = (label || 0^48) XOR master salt, the IV is x * 2^16.
    x = int.from_bytes(master_salt, "big") ^ (label << 48)
    return _aes_cm(master_key, (x << 16).to_bytes(16, "big"), n)


class SrtpContext:
    """One direction of AES_CM_128_HMAC_SHA1_80 for one SSRC, with its rollover counter (RFC 3711 3.3.1)."""

    def __init__(self, key_and_salt):
        master_key, master_salt = key_and_salt[:16], key_and_salt[16:30]
        self.key = _derive(master_key, master_salt, 0, 16)
        self.auth = _derive(master_key, master_salt, 1, 20)
        self.salt = _derive(master_key, master_salt, 2, 14)
        self.roc = 0
        self.last_seq = None

    def _crypt(self, ssrc, index, data):
        iv = (int.from_bytes(self.salt, "big") << 16) ^ (ssrc << 64) ^ (index << 16)
        stream = _aes_cm(self.key, iv.to_bytes(16, "big"), len(data))
        return bytes(a ^ b for a, b in zip(data, stream))

    def _tag(self, authenticated, roc):
        return hmac.new(self.auth, authenticated + struct.pack("!I", roc), hashlib.sha1).digest()[:10]

    def protect(self, packet):
        seq, ssrc = struct.unpack("!H", packet[2:4])[0], struct.unpack("!I", packet[8:12])[0]
        if self.last_seq is not None and seq < self.last_seq and self.last_seq - seq > 0x8000:
            self.roc += 1
        self.last_seq = seq
        out = packet[:12] + self._crypt(ssrc, (self.roc << 16) | seq, packet[12:])
        return out + self._tag(out, self.roc)

    def unprotect(self, packet):
        """The clear packet, or None when it does not authenticate."""
        if len(packet) < 22:
            return None
        seq, ssrc = struct.unpack("!H", packet[2:4])[0], struct.unpack("!I", packet[8:12])[0]
        roc = self.roc
        if self.last_seq is not None and seq < self.last_seq and self.last_seq - seq > 0x8000:
            roc += 1
        body, tag = packet[:-10], packet[-10:]
        if not hmac.compare_digest(self._tag(body, roc), tag):
            return None
        if self.last_seq is None or roc > self.roc or seq > self.last_seq:
            self.roc, self.last_seq = roc, seq
        return body[:12] + self._crypt(ssrc, (roc << 16) | seq, body[12:])


class SrtpCaller:
    """One call from a carrier over TLS with SRTP: INVITE (RTP/SAVP, our a=crypto), 200, ACK; then send()."""

    def __init__(self, tls_port, number, ca, cert=None, key=None):
        context = siptls.client_context(ca)
        if cert:
            context.load_cert_chain(cert, key)
        raw = socket.create_connection(("127.0.0.1", tls_port), timeout=10)
        self.sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
        self.local = self.sock.getsockname()
        self.server = ("127.0.0.1", tls_port)
        self.number = number
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(("127.0.0.1", 0))
        self.rtp.settimeout(0.05)
        self.key = os.urandom(30)
        self.out = SrtpContext(self.key)
        self.inbound = None
        self.remote_media = None
        self.call_id = f"{rawsip.token()}@srtp-caller"
        self.tag = rawsip.token()
        self.buf = b""
        self.received = []   # clear RTP packets from the server
        self.refused = 0     # packets from the server that did not authenticate
        self._stop = threading.Event()
        self._reader = None

    def _send(self, text):
        self.sock.sendall(text.encode())

    def _read_message(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
                length = int(m.group(1)) if m else 0
                if len(rest) >= length:
                    self.buf = rest[length:]
                    return rawsip.Message((head + sep + rest[:length]).decode("utf-8", "replace"))
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return None
            self.buf += chunk
        return None

    def _headers(self, method, cseq, to_tag=""):
        ip, port = self.local
        to = f"<sip:{self.number}@127.0.0.1:{self.server[1]}>" + (f";tag={to_tag}" if to_tag else "")
        return (f"{method} sip:{self.number}@127.0.0.1:{self.server[1]};transport=tls SIP/2.0\r\n"
                f"Via: SIP/2.0/TLS {ip}:{port};branch=z9hG4bK{rawsip.token()};rport\r\n"
                f"From: \"Carrier\" <sip:01632960000@{ip}:{port}>;tag={self.tag}\r\n"
                f"To: {to}\r\nCall-ID: {self.call_id}\r\nCSeq: {cseq} {method}\r\n"
                f"Contact: <sip:carrier@{ip}:{port};transport=tls>\r\nMax-Forwards: 70\r\n")

    def invite(self, suite="AES_CM_128_HMAC_SHA1_80", plain=False):
        """Sends the INVITE; returns the final response (rawsip.Message) and ACKs a 200. plain: a plain RTP/AVP
        offer without a=crypto (TLS signalling, plain media)."""
        port = self.rtp.getsockname()[1]
        crypto = base64.b64encode(self.key).decode()
        proto = "RTP/AVP" if plain else "RTP/SAVP"
        body = (f"v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                f"m=audio {port} {proto} 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                + ("" if plain else f"a=crypto:1 {suite} inline:{crypto}\r\n"))
        self._send(self._headers("INVITE", 1) + "Content-Type: application/sdp\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n{body}")
        while True:
            response = self._read_message()
            if response is None or response.status >= 200:
                break
        if response is None:
            return None
        self.to_tag = response.tag("to")
        if response.status == 200:
            self._send(self._headers("ACK", 1, self.to_tag) + "Content-Length: 0\r\n\r\n")
            media = re.search(r"(?m)^m=audio (\d+) (\S+)", response.body)
            line = re.search(r"(?m)^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)", response.body)
            self.answer_proto = media.group(2) if media else None
            if media and line:
                self.remote_media = ("127.0.0.1", int(media.group(1)))
                self.inbound = SrtpContext(base64.b64decode(line.group(1)))
            self._reader = threading.Thread(target=self._read_media, daemon=True)
            self._reader.start()
        else:
            self._send(self._headers("ACK", 1, self.to_tag) + "Content-Length: 0\r\n\r\n")
        return response

    def _read_media(self):
        while not self._stop.is_set():
            try:
                data, _ = self.rtp.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            clear = self.inbound.unprotect(data) if self.inbound else None
            if clear is None:
                self.refused += 1
            else:
                self.received.append(clear)

    def packet(self, seq, fill, ssrc=0x5EC0DE01, pt=0):
        header = struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF, ssrc)
        return header + bytes([fill]) * 160

    def send_raw(self, data):
        self.rtp.sendto(data, self.remote_media)

    def received_fill(self, fill):
        return sum(1 for p in list(self.received) if len(p) > 12 and p[12] == fill and p[12:] == p[12:13] * (len(p) - 12))

    def bye(self):
        self._send(self._headers("BYE", 2, self.to_tag) + "Content-Length: 0\r\n\r\n")
        return self._read_message(5)

    def close(self):
        self._stop.set()
        try:
            self.sock.close()
        finally:
            self.rtp.close()


SUITE = "AES_CM_128_HMAC_SHA1_80"


class _SrtpSocket:
    """The UDP socket of an SrtpEndpoint: protects what is sent, unprotects what is received (a packet that
    does not authenticate, or comes before the remote key is known, is counted and read as nothing)."""

    def __init__(self, sock, endpoint):
        self._sock = sock
        self._endpoint = endpoint

    def recvfrom(self, n):
        data, addr = self._sock.recvfrom(n)
        inbound = self._endpoint.inbound
        clear = inbound.unprotect(data) if inbound else None
        if clear is None:
            self._endpoint.refused += 1
            return b"", addr
        return clear, addr

    def sendto(self, data, addr):
        return self._sock.sendto(self._endpoint.out.protect(data), addr)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def srtp_endpoint(**kwargs):
    """An sh.RtpEndpoint (the same sending and counting) whose media is SRTP AES_CM_128_HMAC_SHA1_80: its own
    random key (srtp_sdp writes it), the other side's from its a=crypto line (take_remote_key)."""
    import sip_harness as sh

    ep = sh.RtpEndpoint(**kwargs)
    ep.key = os.urandom(30)
    ep.out = SrtpContext(ep.key)
    ep.inbound = None
    ep.refused = 0
    ep.sock = _SrtpSocket(ep.sock, ep)
    return ep


def srtp_sdp(ep, tag=1):
    """An RTP/SAVP SDP for ep (srtp_endpoint) with one a=crypto line of our key."""
    crypto = base64.b64encode(ep.key).decode()
    return rawsip.sdp("127.0.0.1", ep.port).replace(" RTP/AVP ", " RTP/SAVP ") + \
        f"a=crypto:{tag} {SUITE} inline:{crypto}\r\n"


def take_remote_key(ep, body):
    """Keys ep's inbound direction from the SDP body's AES_CM_128_HMAC_SHA1_80 line; returns its tag or None."""
    line = re.search(rf"(?m)^a=crypto:(\d+) {SUITE} inline:([A-Za-z0-9+/=]+)", body)
    if not line:
        return None
    ep.inbound = SrtpContext(base64.b64decode(line.group(2))[:30])
    return int(line.group(1))
