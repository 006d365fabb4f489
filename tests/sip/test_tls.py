"""SIP over TLS end to end: a carrier (SIPp -t l1) calls over TLS, a desk phone registered over TLS is rung on
its own connection, and both legs are bridged with audio both ways; what crosses the TLS port is TLS records
only; the trunk requires encryption, so its calls (in and out) carry SRTP keyed by SDES (srtp_peer's
AES_CM_128_HMAC_SHA1_80 on the test's RTP endpoints), and a desk phone without SRTP is bridged plain; a trunk that requires encryption refuses a plaintext INVITE (488 with a Warning); a phone account that
requires it refuses a plaintext REGISTER (403); TLS older than 1.2 is refused and counted; SIGHUP puts a new
certificate on the next handshake without dropping the call in progress; a carrier whose certificate another CA signed
gets no INVITE, the refusal is counted (reason "untrusted") and the follow-up ends "failed".

Certificates are made for the run by harness.TestCA (fictional names).
"""
import os
import signal
import socket
import ssl
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import rawsip  # noqa: E402
import sip_harness as sh  # noqa: E402
import siptest  # noqa: E402
from siptest import wait_for  # noqa: E402
import siptls  # noqa: E402
import srtp_peer  # noqa: E402

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0
TRUNK = "tls-carrier"


@siptest.require_sipp
class SipOverTlsTest(siptest.TlsSipTestCase):
    @classmethod
    def configure(cls):
        cls.carrier_port = sh.free_listen_port()
        # The carrier's own SIP server for follow-up calls: its certificate is checked against the test CA.
        cls.trunks = [{"name": TRUNK, "allow": ["127.0.0.1"], "encryption": "required",
                       "outbound": f"127.0.0.1:{cls.carrier_port}", "tls_ca": cls.ca.cert, "tls_name": "127.0.0.1"}]
        cls.telephony = cls.tls_telephony()
        cls.routing = {"wrap_up_s": 0, "ring_timeout_s": 10}

    def setUp(self):
        super().setUp()
        self.recorder = siptls.Recorder(("127.0.0.1", self.tls_port))
        self.addCleanup(self.recorder.close)

    def tls_phone(self, username, via_recorder=False, srtp=False):
        """A phone registered over TLS; straight to the server, as its Contact in the dialog names its own end of
        the connection (through the recorder that end is not the one the server sees). With srtp it answers the
        server's RTP/SAVP offer with SRTP, else with plain RTP/AVP (a desk phone without SRTP)."""
        rtp = srtp_peer.srtp_endpoint(fill=PHONE_FILL) if srtp else sh.RtpEndpoint(fill=PHONE_FILL)
        self.addCleanup(rtp.close)
        port = self.recorder.port if via_recorder else self.tls_port
        phone = siptls.TlsPhone(port, username, self.srv.sip_passwords[username], rtp, self.ca.cert)
        self.addCleanup(phone.close)
        answer = phone.register()
        self.assertIsNotNone(answer, "no answer to the REGISTER over TLS\n" + self.srv.log_tail())
        self.assertEqual(answer.status, 200, answer.raw)
        self.addCleanup(self.srv.reset_counsellor, username)
        self.addCleanup(lambda: phone.register(expires=0))
        self.srv.wait_counsellor(username, lambda c: c["state"] == "available" and c["phone_registered"])
        return phone

    def tls_caller(self, talk_s=4.0):
        """A carrier's call over TLS through the recorder, running in the background (Debian's SIPp is built
        without TLS: "To use a TLS transport you must compile SIPp with OpenSSL"). Its media is SRTP: the trunk
        requires encryption, and plain RTP/AVP from it is refused 488."""
        rtp = srtp_peer.srtp_endpoint(fill=CALLER_FILL)
        self.addCleanup(rtp.close)
        caller = siptls.TlsCaller(self.recorder.port, siptest.NUMBER, rtp)
        self.addCleanup(caller.close)
        caller.thread = threading.Thread(target=caller.call, kwargs={"talk_s": talk_s, "pt": PCMU}, daemon=True)
        caller.thread.start()
        return caller

    def finished(self, caller, timeout=30):
        caller.thread.join(timeout)
        self.assertFalse(caller.thread.is_alive(), "the TLS call did not end")
        self.assertIsNotNone(caller.final, "no answer to the INVITE over TLS\n" + self.srv.log_tail())
        self.assertEqual(caller.final.status, 200, caller.final.raw)
        self.assertIsNotNone(caller.bye_answer, "no answer to the caller's BYE")
        self.assertEqual(caller.bye_answer.status, 200, caller.bye_answer.raw)
        self.assertEqual(caller.answer_proto, "RTP/SAVP", caller.final.body)
        self.assertIsNotNone(caller.rtp.inbound, "the answer carries no a=crypto line of the offered suite")

    def test_a_tls_call_is_bridged_to_a_phone_rung_on_its_tls_connection_and_nothing_is_in_clear(self):
        tls_before = self.srv.metric("crisisline_sip_requests_total", transport="tls")
        phone = self.tls_phone("demo.counsellor", srtp=True)
        phone.rtp.start_sending(30, pt=PCMU, wait_target=30)
        call = self.tls_caller(talk_s=8.0)  # the greeting and the language choice come first
        self.finished(call)
        self.assertTrue(phone.answered.is_set(), "the phone was never rung:\n" + self.srv.log_tail())
        wait_for(phone.bye.is_set, what="the server's BYE to the phone over its connection")
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 50, f"phone -> caller: {call.rtp.stats()}")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 50, f"caller -> phone: {phone.rtp.stats()}")
        # RFC 3261 section 26: the server's Contact over TLS is a SIPS URI.
        invite = phone.invites()[0]
        self.assertRegex(invite.body, r"(?m)^m=audio \d+ RTP/SAVP ", "the phone's leg is offered SRTP over TLS")
        self.assertIsNotNone(phone.rtp.inbound, "the phone was offered no AES_CM_128_HMAC_SHA1_80 key")
        self.assertRegex(invite.header("contact"), r"^<sips:crisisline@127\.0\.0\.1:\d+;transport=tls>")
        self.assertIn(";transport=tls;lr", invite.header("route") or "", "rung by its flow, not its Contact")
        self.assertRegex(call.final.header("contact"), r"^<sips:crisisline@127\.0\.0\.1:\d+;transport=tls>")
        # On the wire: every connection through the TLS port carried TLS records and no SIP in clear.
        ups, downs = self.recorder.streams()
        self.assertGreaterEqual(len(ups), 1, "the caller's connection went through the recorder")
        for stream in ups + downs:
            self.assertTrue(stream, "an empty connection")
            self.assertIn(stream[0], (0x16, 0x17), stream[:16])
            self.assertTrue(siptls.tls_records_only(stream), stream[:64])
            for clear in (b"INVITE", b"SIP/2.0", b"REGISTER", b"sip:"):
                self.assertNotIn(clear, stream)
        self.assertGreater(self.srv.metric("crisisline_sip_requests_total", transport="tls"), tls_before)

    def test_when_the_counsellor_hangs_up_first_the_carrier_gets_the_bye_on_its_tls_connection(self):
        # The carrier's Contact is a SIPS URI naming its own client port, and its connection reaches the server
        # through the recorder: only the connection it called on leads back to it (libre 1.1.0 cannot send to a
        # sips: target at all, so this BYE was never sent).
        known = set(self.srv.contact_ids())
        self.phone("demo.counsellor", scenario="phone_answer_hangup.xml", talk_ms=3000, pt=PCMU, fill=PHONE_FILL)
        self.srv.set_availability("demo.counsellor", "available")
        call = self.tls_caller(talk_s=60.0)  # stays until the server hangs up
        byes = wait_for(lambda: call.requests_of("BYE"), timeout=40,
                        what="the server's BYE to the carrier\n" + self.srv.log_tail())
        call.thread.join(10)
        self.assertFalse(call.thread.is_alive())
        self.assertEqual(call.final.status, 200, call.final.raw)
        self.assertIsNone(call.bye_answer, "the carrier hung up itself, so the server's BYE was not what ended it")
        bye = byes[0]
        self.assertEqual(bye.header("call-id"), call.call_id)
        self.assertIn(f";tag={call.tag}", bye.header("to"))
        self.assertRegex(bye.first, r"^BYE sip:carrier@127\.0\.0\.1:\d+;transport=tls SIP/2\.0$")
        self.assertTrue(bye.header("via").startswith("SIP/2.0/TLS"), bye.header("via"))
        self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed", timeout=15, known=known)
        # The BYE went on the carrier's own connection, in TLS records only.
        ups, downs = self.recorder.streams()
        self.assertEqual(len(ups), 1, "one connection from the carrier, none opened back to its Contact")
        self.assertTrue(siptls.tls_records_only(downs[0]), downs[0][:64])
        self.assertNotIn(b"BYE", downs[0])

    def test_a_plaintext_invite_from_a_trunk_that_requires_encryption_is_refused_488_with_a_warning(self):
        refused_before = self.srv.metric("crisisline_sip_plaintext_refused_total")
        peer = rawsip.Peer(self.srv.sip)
        self.addCleanup(peer.close)
        rtp = sh.free_rtp_port()
        response, dialog = peer.invite(siptest.NUMBER, rtp)
        self.assertIsNone(dialog)
        self.assertIsNotNone(response, "no answer to the plaintext INVITE")
        self.assertEqual(response.status, 488, response.raw)
        warning = response.header("warning") or ""
        self.assertRegex(warning, r'^399 127\.0\.0\.1 "trunk tls-carrier requires encryption: send calls over TLS')
        wait_for(lambda: "INVITE from trunk tls-carrier over UDP refused 488" in self.srv.log(), what="the log line")
        self.assertEqual(self.srv.metric("crisisline_sip_plaintext_refused_total"), refused_before + 1)

    def test_a_phone_account_that_requires_encryption_registers_over_tls_only(self):
        admin = self.srv.sign_in("demo.admin")
        staff_id = self.srv.staff_ids["demo.welsh"]
        status, body, _ = admin.call("PUT", f"/api/v1/staff/{staff_id}/sip-account",
                                     {"sip_username": "demo.welsh", "encryption": "sometimes"})
        self.assertEqual((status, body["error"]["field"]), (400, "encryption"), body)
        status, body, _ = admin.call("PUT", f"/api/v1/staff/{staff_id}/sip-account",
                                     {"sip_username": "demo.welsh", "encryption": "required"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["encryption"], "required")
        self.srv.sip_passwords["demo.welsh"] = body["password"]
        peer = rawsip.Peer(self.srv.sip)
        self.addCleanup(peer.close)
        registration = rawsip.Registration(peer, "demo.welsh", body["password"])
        # The reload after the change reaches the telephony loop soon, not necessarily at once.
        def refused():
            r = registration.answer(registration.contact())
            return r if r is not None and r.status == 403 and r.header("warning") else None
        answer = wait_for(refused, what="the plaintext REGISTER refused with a Warning")
        self.assertRegex(answer.header("warning"), r'^399 127\.0\.0\.1 "this phone account requires encryption')
        self.tls_phone("demo.welsh", via_recorder=False)

    def test_a_follow_up_call_through_a_trunk_that_requires_encryption_goes_over_tls_to_a_checked_carrier(self):
        counsellor, fu = self.follow_up_due("demo.counsellor", "07700 900123")
        phone = self.tls_phone("demo.counsellor")
        callee_rtp = srtp_peer.srtp_endpoint()
        self.addCleanup(callee_rtp.close)
        callee = siptls.TlsCallee(self.carrier_port, self.carrier_cert, self.carrier_key, callee_rtp)
        self.addCleanup(callee.close)
        status, body, _ = counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/call")
        self.assertEqual(status, 202, body)
        wait_for(callee.connected.is_set, timeout=20, what="the server's TLS connection to the carrier")
        invite = wait_for(callee.invites, timeout=10, what="the follow-up INVITE over TLS")[0]
        self.assertIn("+447700900123@127.0.0.1", invite.first)
        self.assertTrue(invite.header("via").startswith("SIP/2.0/TLS"), invite.header("via"))
        # The trunk requires encryption: the media to the carrier is offered as SRTP, keys over TLS only.
        self.assertRegex(invite.body, r"(?m)^m=audio \d+ RTP/SAVP ", invite.body)
        self.assertRegex(invite.body, r"(?m)^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:", invite.body)
        self.assertTrue(phone.answered.is_set())
        wait_for(callee.hung_up.is_set, timeout=10, what="the callee's hang-up")
        wait_for(lambda: "follow-up " + fu["id"] + ": connected" in self.srv.log(), timeout=15,
                 what="the follow-up connected")
        self.assertIsNotNone(callee_rtp.inbound, "the carrier did not answer with SRTP")

    def test_a_follow_up_callee_answering_with_a_sips_contact_gets_the_bye_when_the_counsellor_hangs_up(self):
        counsellor, fu = self.follow_up_due("demo.counsellor", "07700 900125")
        # The counsellor's desk phone hangs up a while after it answers; the callee would stay a minute.
        self.phone("demo.counsellor", scenario="phone_answer_hangup.xml", talk_ms=6000, pt=PCMU, fill=PHONE_FILL)
        self.srv.wait_registered("demo.counsellor")
        callee_rtp = srtp_peer.srtp_endpoint()
        self.addCleanup(callee_rtp.close)
        callee = siptls.TlsCallee(self.carrier_port, self.carrier_cert, self.carrier_key, callee_rtp, talk_s=60,
                                  contact_scheme="sips")
        self.addCleanup(callee.close)
        status, body, _ = counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/call")
        self.assertEqual(status, 202, body)
        wait_for(callee.connected.is_set, timeout=20, what="the server's TLS connection to the carrier")
        wait_for(callee.answered.is_set, timeout=20, what="the follow-up answered over TLS\n" + self.srv.log_tail())
        wait_for(callee.bye.is_set, timeout=20, what="the server's BYE to the callee\n" + self.srv.log_tail())
        self.assertFalse(callee.hung_up.is_set(), "the callee hung up itself")
        bye = callee.requests_of("BYE")[0]
        self.assertRegex(bye.first, r"^BYE sip:\+447700900125@127\.0\.0\.1:\d+;transport=tls SIP/2\.0$")
        wait_for(lambda: "follow-up " + fu["id"] + ": connected" in self.srv.log(), timeout=15,
                 what="the follow-up connected")

    def test_a_carrier_whose_certificate_the_trunks_ca_did_not_sign_gets_no_invite_and_the_failure_is_counted(self):
        os.makedirs(os.path.join(self.dir, "impostor-ca"), exist_ok=True)
        impostor_ca = harness.TestCA(os.path.join(self.dir, "impostor-ca"))
        self.addCleanup(impostor_ca.close)
        cert, key = impostor_ca.issue(os.path.join(self.dir, "impostor"), "carrier")  # the same name, another CA
        counsellor, fu = self.follow_up_due("demo.counsellor", "07700 900124")
        self.tls_phone("demo.counsellor")
        callee_rtp = srtp_peer.srtp_endpoint()
        self.addCleanup(callee_rtp.close)
        untrusted = self.srv.metric("crisisline_sip_tls_handshake_failures_total", reason="untrusted")
        callee = siptls.TlsCallee(self.carrier_port, cert, key, callee_rtp)
        self.addCleanup(callee.close)
        status, body, _ = counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/call")
        self.assertEqual(status, 202, body)
        wait_for(lambda: self.srv.metric("crisisline_sip_tls_handshake_failures_total", reason="untrusted") > untrusted,
                 timeout=20, what="the untrusted carrier certificate counted")
        wait_for(lambda: f"follow-up {fu['id']}: failed" in self.srv.log(), timeout=20,
                 what="the follow-up ended as failed\n" + self.srv.log_tail())
        self.assertFalse(callee.connected.is_set(), "the server finished a handshake with an untrusted carrier")
        self.assertIsNotNone(callee.failed, "the impostor's handshake did not fail")
        self.assertNotIn("07700900124", self.srv.log())
        self.assertNotIn("+447700900124", self.srv.log())

    def test_tls_older_than_1_2_is_refused_and_counted(self):
        before = self.srv.metric("crisisline_sip_tls_handshake_failures_total", reason="protocol_version")
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
            with self.assertRaises(ssl.SSLError):
                siptls.client_context(maximum=ssl.TLSVersion.TLSv1_1).wrap_socket(raw, server_hostname="127.0.0.1")
        wait_for(lambda: self.srv.metric("crisisline_sip_tls_handshake_failures_total", reason="protocol_version")
                 > before, what="the protocol_version failure counted")
        # TLS 1.2 itself is accepted.
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
            with siptls.client_context(maximum=ssl.TLSVersion.TLSv1_2).wrap_socket(raw) as tls:
                self.assertEqual(tls.version(), "TLSv1.2")

    def test_sighup_puts_a_new_certificate_on_the_next_handshake_and_the_call_in_progress_goes_on(self):
        # The next certificate is made first, so that the reload falls well inside the call.
        next_cert, next_key = self.ca.issue(os.path.join(self.dir, "next"), "sip-server")
        phone = self.tls_phone("demo.counsellor")
        phone.rtp.start_sending(30, pt=PCMU, wait_target=30)
        call = self.tls_caller(talk_s=8.0)
        wait_for(phone.answered.is_set, timeout=15, what="the TLS call answered")
        old = siptls.peer_certificate(self.tls_port, self.ca.cert)
        # The new pair over the old files (the key stays 0600), then SIGHUP.
        os.replace(next_key, self.key)
        os.replace(next_cert, self.cert)
        self.srv.server.proc.send_signal(signal.SIGHUP)
        new = wait_for(lambda: (lambda c: c if c != old else None)(siptls.peer_certificate(self.tls_port, self.ca.cert)),
                       what="the new certificate on a new handshake")
        self.assertNotEqual(new, old)
        self.assertFalse(phone.bye.is_set(), "the reload must fall inside the call")
        wait_for(lambda: "SIP TLS certificate reloaded" in self.srv.log(), what="the reload logged")
        # The call begun before the reload runs to its end, with audio both ways.
        self.finished(call)
        wait_for(phone.bye.is_set, what="the BYE at the call's normal end")
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 100, call.rtp.stats())
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 100, phone.rtp.stats())


if __name__ == "__main__":
    unittest.main()
