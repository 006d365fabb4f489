"""What an administrator changes in the console reaches the running telephony for the next call, with no
restart: trunks added, changed and removed, and prompt recordings replaced. Also: a trunk's digest answer counts
only for the Request-URI it names."""
import audioop  # deprecated in 3.11 but present; only to know how G.711 writes the test's constant sample
import hashlib
import io
import random
import re
import socket
import time
import wave
import warnings

import sip_harness as sh
import siptest

# Linux answers for all of 127.0.0.0/8 on lo: a carrier that crisisline.toml's trunk (127.0.0.1) does not name.
OTHER_IP = "127.0.0.2"
UNKNOWN_NUMBER = "+441632960999"  # not a line's number: an admitted call gets 404, a refused one 403
USER = "carrier-b-user"
FIRST_PASSWORD = "first-trunk-password-31"
SECOND_PASSWORD = "second-trunk-password-77"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class RawCarrier:
    """A carrier that writes its own INVITEs over UDP, so a test can send a digest answer SIPp never would."""

    def __init__(self, server, ip=OTHER_IP):
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 0))
        self.sock.settimeout(5)
        self.ip, self.port = self.sock.getsockname()
        self.call_id = f"{random.getrandbits(64):x}@{ip}"
        self.cseq = 0

    def invite(self, request_uri, auth_header=""):
        """Sends an INVITE; returns (status, headers text) of the final answer, after ACKing it."""
        self.cseq += 1
        branch = f"z9hG4bK{random.getrandbits(48):x}"
        via = f"SIP/2.0/UDP {self.ip}:{self.port};branch={branch}"
        sdp = (f"v=0\r\no=carrier 1 1 IN IP4 {self.ip}\r\ns=-\r\nc=IN IP4 {self.ip}\r\nt=0 0\r\n"
               f"m=audio {sh.free_rtp_port(self.ip)} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
        head = (f"INVITE {request_uri} SIP/2.0\r\nVia: {via}\r\n"
                f"From: <sip:01632960000@{self.ip}>;tag=raw{self.cseq}\r\nTo: <{request_uri}>\r\n"
                f"Call-ID: {self.call_id}\r\nCSeq: {self.cseq} INVITE\r\nContact: <sip:carrier@{self.ip}:{self.port}>\r\n"
                f"Max-Forwards: 70\r\n{auth_header}Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n")
        self.sock.sendto((head + sdp).encode(), self.server)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            data = self.sock.recv(65535).decode(errors="replace")
            m = re.match(r"SIP/2\.0 (\d{3}) ", data)
            if not m or f"CSeq: {self.cseq} INVITE" not in data or int(m.group(1)) < 200:
                continue
            to = re.search(r"^To: (.*)$", data, re.M).group(1).strip()
            ack = (f"ACK {request_uri} SIP/2.0\r\nVia: {via}\r\nFrom: <sip:01632960000@{self.ip}>;tag=raw{self.cseq}\r\n"
                   f"To: {to}\r\nCall-ID: {self.call_id}\r\nCSeq: {self.cseq} ACK\r\nMax-Forwards: 70\r\n"
                   f"Content-Length: 0\r\n\r\n")
            self.sock.sendto(ack.encode(), self.server)
            return int(m.group(1)), data
        raise AssertionError("no final answer to the INVITE")

    def close(self):
        self.sock.close()


@siptest.require_sipp
class ConsoleTrunksTest(siptest.SipTestCase):
    """crisisline.toml allows only 127.0.0.1; every other trunk here is added through the API."""

    def expect(self, scenario, auth=None):
        keys = {"number": UNKNOWN_NUMBER, "caller_id": "01632960000", "rtp_port": sh.free_rtp_port(OTHER_IP),
                "media": "python", "talk_ms": 1000}
        return sh.run_sipp(scenario, self.srv.sip, keys, timeout_s=15, auth=auth, ip=OTHER_IP)

    def admin(self, method, path, body=None, expect=200):
        status, answer, _ = self.srv.sign_in("demo.admin").call(method, path, body)
        self.assertEqual(status, expect, answer)
        return answer

    def tearDown(self):
        listed = self.admin("GET", "/api/v1/telephony/trunks")
        for trunk in listed["trunks"]:
            if trunk["source"] == "console":
                self.admin("DELETE", f"/api/v1/telephony/trunks/{trunk['name']}", expect=204)
        super().tearDown()

    def test_trunks_added_changed_and_removed_in_the_console_count_for_the_next_call(self):
        self.ok(self.expect("caller_expect_403.xml"), "before: 127.0.0.2 is no trunk's address")

        self.admin("POST", "/api/v1/telephony/trunks",
                   {"name": "carrier-b", "username": USER, "password": FIRST_PASSWORD}, expect=201)
        self.ok(self.expect("caller_auth_expect_404.xml", auth=(USER, FIRST_PASSWORD)),
                "added: the credentials are admitted at once (407, then 404 for a number that is no line)")

        self.admin("PUT", "/api/v1/telephony/trunks/carrier-b", {"password": SECOND_PASSWORD})
        self.ok(self.expect("caller_auth_expect_403.xml", auth=(USER, FIRST_PASSWORD)),
                "changed: the old password is refused")
        self.ok(self.expect("caller_auth_expect_404.xml", auth=(USER, SECOND_PASSWORD)),
                "changed: the new password is admitted")

        self.admin("POST", "/api/v1/telephony/trunks", {"name": "carrier-c", "allow": [OTHER_IP]}, expect=201)
        self.ok(self.expect("caller_expect_404.xml"), "an added address is admitted without credentials")

        self.admin("DELETE", "/api/v1/telephony/trunks/carrier-c", expect=204)
        self.admin("DELETE", "/api/v1/telephony/trunks/carrier-b", expect=204)
        self.ok(self.expect("caller_expect_403.xml"), "removed: refused again, with no challenge")
        self.assertEqual(self.srv.options(), 200)

    def test_a_digest_answer_counts_only_for_the_request_uri_it_names(self):
        self.admin("POST", "/api/v1/telephony/trunks",
                   {"name": "carrier-d", "username": USER, "password": FIRST_PASSWORD}, expect=201)
        carrier = self.track(RawCarrier(self.srv.sip))
        host, port = self.srv.sip
        asked = f"sip:{UNKNOWN_NUMBER}@{host}:{port}"
        other = f"sip:+441632960998@{host}:{port}"

        status, challenge = carrier.invite(asked)
        self.assertEqual(status, 407, challenge)
        params = dict(re.findall(r'(\w+)="([^"]*)"', re.search(r"^Proxy-Authenticate: (.*)$", challenge,
                                                                 re.M).group(1)))

        def answer(digest_uri):
            ha1 = md5(f"{USER}:{params['realm']}:{FIRST_PASSWORD}")
            ha2 = md5(f"INVITE:{digest_uri}")
            response = md5(f"{ha1}:{params['nonce']}:00000001:0a4f113b:auth:{ha2}")
            return (f'Proxy-Authorization: Digest username="{USER}", realm="{params["realm"]}", '
                    f'nonce="{params["nonce"]}", uri="{digest_uri}", response="{response}", algorithm=MD5, '
                    f'qop=auth, nc=00000001, cnonce="0a4f113b"\r\n')

        # A correct answer, but computed for another request: refused.
        status, reply = carrier.invite(asked, answer(other))
        self.assertEqual(status, 403, reply)
        # The same answer for the Request-URI it names is admitted (404: the number is no line's).
        status, reply = carrier.invite(asked, answer(asked))
        self.assertEqual(status, 404, reply)


def constant_wav(seconds, sample=2048):
    """A WAV of one constant 16-bit sample: every G.711 frame made from it is a single repeated byte."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(sample.to_bytes(2, "little", signed=True) * int(8000 * seconds))
    return buf.getvalue()


@siptest.require_sipp
class PromptReplacedTest(siptest.SipTestCase):
    def test_the_next_call_hears_a_greeting_replaced_in_the_console(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            sample = (2048).to_bytes(2, "little", signed=True)
            marks = (audioop.lin2ulaw(sample, 2)[0], audioop.lin2alaw(sample, 2)[0])  # the answer picks the law

        before = self.caller(talk_ms=2500)  # PCMA, no digit: greeting, then the queue
        self.ok(before.wait(30), "a call before the change")
        heard_before = sum(before.rtp.received_fill(m) for m in marks)

        admin = self.srv.sign_in("demo.admin")
        status, _, payload = self.srv.server.raw("PUT", "/api/v1/prompts/greeting_en", constant_wav(2.0), {
            "Content-Type": "audio/wav", "Cookie": admin.cookie, "X-CSRF-Token": admin.csrf})
        self.assertEqual(status, 200, payload)

        after = self.caller(talk_ms=2500)
        self.ok(after.wait(30), "a call after the change")
        heard_after = sum(after.rtp.received_fill(m) for m in marks)
        self.assertLess(heard_before, 10, before.rtp.stats())
        self.assertGreater(heard_after, 60, f"2 s of the new greeting is 100 frames: {after.rtp.stats()}")
