"""Which media addresses a caller's SDP may name, through the real server: raw INVITEs from a trunk's address
(127.0.0.1), and UDP sockets standing for the parties media could be sent to.

- Broadcast, multicast, unspecified and reserved addresses, IPv6 addresses (the media sockets are IPv4) and
  audio ports outside 1-65535 are refused with 488, and no contact is created for them.
- Media never goes to an address the leg's signalling did not come from (no reflection of the relay's RTP
  onto a third party), unless the operator lists that peer in telephony.media_peers.
- A re-INVITE cannot move an established call's media there either (488; the call goes on as it was).
- A private address other than the signalling host (a caller behind NAT) is answered, and its media goes to
  the host the signalling came from.
"""
import os
import re
import socket
import time
import unittest

import sip_harness as sh
import siptest

ALLOWED_PEER = "127.0.0.3"   # listed in telephony.media_peers below
THIRD_PARTY = "127.0.0.4"    # a host that never signalled anything


class Invite:
    """One INVITE sent from a UDP socket on 127.0.0.1 with the given SDP body, and its dialog."""

    def __init__(self, server, sdp):
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.local = self.sock.getsockname()
        self.call_id = os.urandom(8).hex() + "@127.0.0.1"
        self.tag = os.urandom(4).hex()
        self.branch = "z9hG4bK" + os.urandom(6).hex()
        self.to_header = None
        self.status = None
        self.sdp = sdp
        self.cseq = 1

    def headers(self, method, cseq, branch, to=None):
        host, port = self.server
        lh, lp = self.local
        return (f"{method} sip:{siptest.NUMBER}@{host}:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {lh}:{lp};branch={branch}\r\n"
                f"From: \"Carrier\" <sip:01632960000@{lh}:{lp}>;tag={self.tag}\r\n"
                f"To: {to or f'<sip:{siptest.NUMBER}@{host}:{port}>'}\r\n"
                f"Call-ID: {self.call_id}\r\nCSeq: {cseq} {method}\r\n"
                f"Contact: <sip:carrier@{lh}:{lp}>\r\nMax-Forwards: 70\r\n")

    def send(self, timeout=5):
        """Sends the INVITE (retransmitting until an answer) and returns the final status code."""
        code, to = self.transact(1, self.branch, self.sdp, None, timeout)
        self.to_header = to
        self.status = code
        return code

    def reinvite(self, body, timeout=5):
        """A re-INVITE in the established dialog with a new SDP; returns its final status code."""
        assert self.status == 200, self.status
        self.cseq += 1
        code, _ = self.transact(self.cseq, "z9hG4bK" + os.urandom(6).hex(), body, self.to_header, timeout)
        return code

    def transact(self, cseq, branch, body_text, to_header, timeout):
        body = body_text.encode()
        msg = (self.headers("INVITE", cseq, branch, to_header) + "Content-Type: application/sdp\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        deadline = time.monotonic() + timeout
        next_send = 0.0
        self.sock.settimeout(0.1)
        while time.monotonic() < deadline:
            if time.monotonic() >= next_send:
                self.sock.sendto(msg, self.server)
                next_send = time.monotonic() + 0.5
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            m = re.match(rb"SIP/2\.0 (\d{3}) ", data)
            cs = re.search(rb"^CSeq:\s*(\d+) INVITE\r$", data, re.M | re.I)
            if not m or not cs or int(cs.group(1)) != cseq:
                continue  # RTP never reaches this socket; skip other transactions' retransmissions
            code = int(m.group(1))
            if code < 200:
                next_send = deadline  # answered: stop retransmitting
                continue
            to = re.search(rb"^To:\s*(.+?)\r$", data, re.M | re.I)
            to_text = to.group(1).decode() if to else None
            ack_branch = branch if code >= 300 else "z9hG4bK" + os.urandom(6).hex()
            self.sock.sendto((self.headers("ACK", cseq, ack_branch, to_text) + "Content-Length: 0\r\n\r\n")
                             .encode(), self.server)
            return code, to_text
        raise AssertionError("no final response to the INVITE")

    def hang_up(self):
        if self.status == 200:
            self.sock.sendto((self.headers("BYE", self.cseq + 1, "z9hG4bK" + os.urandom(6).hex(), self.to_header)
                              + "Content-Length: 0\r\n\r\n").encode(), self.server)
        self.sock.close()


def sdp(address, port, family="IP4"):
    return (f"v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN {family} {address}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            "a=sendrecv\r\n")


class Listener:
    """A UDP socket counting the packets that reach it."""

    def __init__(self, host):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.count = 0

    def drain(self):
        while True:
            try:
                self.sock.recvfrom(65535)
                self.count += 1
            except BlockingIOError:
                return self.count

    def wait(self, packets, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.drain() >= packets:
                return True
            time.sleep(0.02)
        return False

    def close(self):
        self.sock.close()


@siptest.require_sipp
class MediaAddressesTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}
    telephony = {"media_peers": [ALLOWED_PEER]}

    def invite(self, body):
        inv = Invite(self.srv.sip, body)
        self.addCleanup(inv.hang_up)
        return inv

    def listener(self, host):
        lis = Listener(host)
        self.addCleanup(lis.close)
        return lis

    def test_unusable_media_addresses_and_ports_are_refused_with_488_and_leave_no_record(self):
        known = self.srv.contact_ids()
        cases = [("255.255.255.255", 4000, "IP4"), ("224.0.0.1", 4000, "IP4"), ("239.1.2.3", 4000, "IP4"),
                 ("0.0.0.0", 4000, "IP4"), ("240.0.0.9", 4000, "IP4"), ("::1", 4000, "IP6"),
                 ("127.0.0.1", 99999999999, "IP4"), ("127.0.0.1", 65536, "IP4"), ("127.0.0.1", 0, "IP4")]
        for address, port, family in cases:
            with self.subTest(address=address, port=port):
                self.assertEqual(self.invite(sdp(address, port, family)).send(), 488, self.srv.log_tail())
        # The same INVITE with a usable address is answered: the refusals were about the address.
        ok = self.invite(sdp("127.0.0.1", self.listener("127.0.0.1").port))
        self.assertEqual(ok.send(), 200, self.srv.log_tail())
        created = self.srv.wait_contact(lambda c: True, known=known)
        self.assertEqual(self.srv.contact_ids() - known, {created["id"]}, "only the answered call has a record")

    def test_media_goes_only_where_the_signalling_came_from_or_to_an_allowed_peer(self):
        third_party = self.listener(THIRD_PARTY)
        refused = self.invite(sdp(THIRD_PARTY, third_party.port))
        self.assertEqual(refused.send(), 488, "an SDP naming a host that did not signal is refused")
        peer = self.listener(ALLOWED_PEER)
        self.assertEqual(self.invite(sdp(ALLOWED_PEER, peer.port)).send(), 200, self.srv.log_tail())
        self.assertTrue(peer.wait(10), "the greeting reaches the peer the operator allowed")
        self.assertEqual(third_party.drain(), 0, "nothing was ever sent to the third party")

    def test_a_re_invite_cannot_move_a_call_s_media_onto_a_third_party(self):
        here = self.listener("127.0.0.1")
        call = self.invite(sdp("127.0.0.1", here.port))
        self.assertEqual(call.send(), 200, self.srv.log_tail())
        self.assertTrue(here.wait(5), "the greeting plays to the caller")
        third_party = self.listener(THIRD_PARTY)
        self.assertEqual(call.reinvite(sdp(THIRD_PARTY, third_party.port)), 488)
        self.assertEqual(call.reinvite(sdp("255.255.255.255", third_party.port)), 488)
        before = here.drain()
        self.assertTrue(here.wait(before + 25, 5), "the call goes on, its media still to the caller")
        self.assertEqual(third_party.drain(), 0, "nothing was ever sent to the third party")

    def test_a_caller_behind_nat_gets_its_media_at_the_host_it_signalled_from(self):
        here = self.listener("127.0.0.1")
        nat = self.invite(sdp("192.168.77.20", here.port))  # a private address, not where the INVITE came from
        self.assertEqual(nat.send(), 200, self.srv.log_tail())
        self.assertTrue(here.wait(10), "the greeting goes to the signalling host, at the SDP's port")


if __name__ == "__main__":
    unittest.main()
