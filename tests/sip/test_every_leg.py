"""A line that requires every leg of its calls encrypted (routing.every_leg_encrypted, issue 13).

The demo line has the setting on and rings all available counsellors (ring_all), so a plain desk phone that were
eligible would be rung at once. Its trunk's own encryption is the default ("preferred"): what is refused here is
refused by the line.

- A bad type for the setting is refused 400 naming routing.every_leg_encrypted.
- A plaintext (UDP) INVITE is refused 488 with a Warning naming the line; the log names the trunk and line; an
  INVITE over TLS with plain RTP/AVP is refused 488 too; neither leaves a call waiting; both are counted.
- An SRTP carrier over TLS (srtp_peer.SrtpCaller) waits in the queue while only a plain desk phone (UDP, no
  SRTP) is available, and is answered by baresip registered over TLS with mediaenc=srtp-mand once it registers;
  the plain phone is never sent an INVITE. /api/v1/live shows the call encrypted, both legs "srtp", as does the
  call.bridged event; /metrics counts the call among those encrypted now.
- A counsellor answering in the browser (DTLS-SRTP) is rung for the line's call.
- A follow-up call on the line from a counsellor whose phone is plain is refused (503) before anything rings; from
  an SRTP phone over TLS it goes to the carrier over TLS with SRTP, though the trunk only prefers encryption.
"""
import time
import unittest

import sip_harness as sh
import siptest  # puts tests/integration on the path, for harness
from siptest import labelled, wait_for
import srtp_peer

import rawsip  # noqa: E402
import siptls  # noqa: E402

TRUNK = "loopback-test-carrier"
CALLER_FILL = 0x2A


@siptest.require_sipp
class EveryLegEncryptedTest(siptest.TlsSipTestCase):
    tls_prefix = "everyleg"

    @classmethod
    def configure(cls):
        # The carrier's own SIP server for follow-up calls (siptls.TlsCallee, when a test starts one). The trunk's
        # encryption is the default, "preferred": over TLS only because the line says so.
        cls.carrier_port = sh.free_listen_port()
        cls.trunks = [{"name": TRUNK, "allow": ["127.0.0.1"], "outbound": f"127.0.0.1:{cls.carrier_port}"}]
        # The SRTP caller sends no media until it is answered (greeting, queue, a phone registering): 60 s of it.
        cls.telephony = cls.tls_telephony(rtp_timeout_s=60)
        cls.routing = {"wrap_up_s": 0, "ring_timeout_s": 30, "strategy": "ring_all", "every_leg_encrypted": True}

    def plain_phone(self, username):
        """A desk phone registered over UDP without SRTP that records (and never answers) what it is sent."""
        peer = rawsip.Peer(self.srv.sip)
        self.addCleanup(peer.close)
        registration = rawsip.Registration(peer, username, self.srv.sip_passwords[username])
        answer = registration.answer(registration.contact())
        self.assertEqual(answer.status if answer else None, 200, answer.raw if answer else "no answer")
        self.addCleanup(self.srv.reset_counsellor, username)
        self.addCleanup(lambda: registration.answer(registration.contact(), expires="0"))
        self.srv.wait_counsellor(username, lambda c: c["state"] == "available" and c["phone_registered"])
        return peer

    def test_a_bad_type_for_the_setting_names_the_field(self):
        admin = self.srv.sign_in("demo.admin")
        status, body, _ = admin.call("PATCH", f"/api/v1/lines/{siptest.LINE}",
                                     {"routing": {"every_leg_encrypted": "yes"}})
        self.assertEqual((status, body["error"]["field"]), (400, "routing.every_leg_encrypted"), body)
        status, body, _ = admin.call("PATCH", f"/api/v1/lines/{siptest.LINE}",
                                     {"routing": {"overflow_to": "sip:overflow@partner.example"}})
        self.assertEqual((status, body["error"]["field"]), (400, "routing.overflow_to"), body)
        status, body, _ = admin.call("GET", f"/api/v1/lines/{siptest.LINE}")
        self.assertEqual(status, 200, body)
        self.assertIs(body["routing"]["every_leg_encrypted"], True)

    def test_a_plaintext_invite_and_a_plain_rtp_offer_over_tls_are_refused_488_naming_the_line(self):
        before = self.srv.server.metrics()[1]
        peer = rawsip.Peer(self.srv.sip)
        self.addCleanup(peer.close)
        response, dialog = peer.invite(siptest.NUMBER, sh.free_rtp_port())
        self.assertIsNone(dialog)
        self.assertIsNotNone(response, "no answer to the plaintext INVITE")
        self.assertEqual(response.status, 488, response.raw)
        self.assertRegex(response.header("warning") or "",
                         r'^399 127\.0\.0\.1 "line police requires every leg encrypted: send calls over TLS')
        wait_for(lambda: f"INVITE from trunk {TRUNK} for line police over UDP refused 488" in self.srv.log(),
                 what="the log line naming the trunk and the line")
        plain = self.srtp_caller().invite(plain=True)
        self.assertIsNotNone(plain, "no answer to the plain RTP/AVP offer over TLS")
        self.assertEqual(plain.status, 488, plain.raw)
        self.assertIn("line police requires encryption: offer RTP/SAVP", plain.header("warning") or "", plain.raw)
        self.assertFalse(self.srv.live()["waiting"], "a refused call waits")
        after = self.srv.server.metrics()[1]
        self.assertEqual(labelled(after, "crisisline_line_encryption_refused_total")
                         - labelled(before, "crisisline_line_encryption_refused_total"), 2)

    @unittest.skipUnless(sh.baresip_available(), "needs baresip")
    def test_an_srtp_call_waits_past_a_plain_phone_and_is_answered_by_an_srtp_desk_phone(self):
        plain = self.plain_phone("demo.welsh")
        caller = self.srtp_caller()
        answer = caller.invite()
        self.assertIsNotNone(answer, "no answer to the SRTP INVITE over TLS:\n" + self.srv.log_tail())
        self.assertEqual(answer.status, 200, answer.raw)
        # After the greeting and the language choice the call queues; the plain phone, available, is passed over.
        self.srv.wait_live(lambda live: any(w["line"] == siptest.LINE for w in live["waiting"]), timeout=40)
        user = "demo.counsellor"
        phone = sh.Baresip(user=user, registrar=("127.0.0.1", self.tls_port), password=self.srv.sip_passwords[user],
                           transport="tls", mediaenc="srtp-mand", cafile=self.ca.cert)
        self._cleanups_sip.append(phone)
        phone.start()
        self.assertTrue(phone.wait_registered(15), "baresip did not register over TLS:\n" + phone.output()[-3000:]
                        + "\n--- server log\n" + self.srv.log_tail())
        self.addCleanup(self.srv.reset_counsellor, user)
        counsellor = self.srv.staff_ids[user]
        live = self.srv.wait_live(lambda l: any(a["counsellor"] == counsellor for a in l["active"]), timeout=20)
        active = next(a for a in live["active"] if a["counsellor"] == counsellor)
        self.assertIs(active["encrypted"], True, active)
        self.assertEqual(active["legs"], {"caller": "srtp", "counsellor": "srtp"}, active)
        self.assertEqual(plain.requests_of("INVITE"), [], "the plain desk phone was rung for the line's call")
        # The call carries audio: the SRTP caller decrypts baresip's tone (anything but its own fill and silence).
        seq, deadline = 1000, time.monotonic() + 20
        sounds = lambda: sum(1 for p in list(caller.received)  # noqa: E731
                             if len(p) > 12 and p[12] not in (0xFF, 0x7F, 0xD5, CALLER_FILL))
        while time.monotonic() < deadline and sounds() < 50:
            caller.send_raw(caller.out.protect(caller.packet(seq, CALLER_FILL)))
            seq += 1
            time.sleep(0.02)  # the 20 ms media clock of a real sender, not a wait for a result
        self.assertGreaterEqual(sounds(), 50, f"no audio from the SRTP desk phone ({caller.refused} refused)")
        status, events, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, events)
        bridged = [e for e in events["events"] if e["type"] == "call.bridged" and e["data"]["call"] == active["call"]]
        self.assertEqual(len(bridged), 1, events)
        self.assertIs(bridged[0]["data"]["encrypted"], True)
        self.assertEqual(bridged[0]["data"]["legs"], {"caller": "srtp", "counsellor": "srtp"})
        wait_for(lambda: labelled(self.srv.server.metrics()[1], "crisisline_active_calls_by_encryption",
                                  encrypted="true") >= 1, what="the call counted among those encrypted now")
        final = caller.bye()
        self.assertEqual(final.status if final else None, 200)
        self.assertEqual(plain.requests_of("INVITE"), [], "the plain desk phone was rung for the line's call")

    def test_a_browser_phone_is_rung_for_the_line(self):
        user = "demo.welsh"
        client = self.srv.sign_in(user)
        status, body, _ = client.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": "tab-everyleg-1"})
        self.assertEqual(status, 200, body)
        self.addCleanup(self.srv.reset_counsellor, user)
        self.addCleanup(client.call, "PUT", "/api/v1/session/phone", {"mode": "desk", "tab": "tab-everyleg-1"})
        self.srv.wait_counsellor(user, lambda c: c["state"] == "available" and c["phone_registered"])
        caller = self.srtp_caller()
        answer = caller.invite()
        self.assertEqual(answer.status if answer else None, 200, answer.raw if answer else self.srv.log_tail())
        # DTLS-SRTP: the browser phone's leg is encrypted, so its counsellor is offered the call.
        self.srv.wait_counsellor(user, lambda c: c["state"] == "ringing" and c.get("call"), timeout=40)
        final = caller.bye()
        self.assertEqual(final.status if final else None, 200)
        self.srv.wait_counsellor(user, lambda c: c["state"] == "available")

    def test_a_follow_up_call_from_a_plain_phone_is_refused_before_anything_rings(self):
        plain = self.plain_phone("demo.welsh")
        counsellor, fu = self.follow_up_due("demo.welsh")
        status, body, _ = counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/call")
        self.assertEqual(status, 503, body)
        self.assertIn("requires every leg encrypted", body["error"]["message"])
        self.assertEqual(plain.requests_of("INVITE"), [], "the plain phone was rung for the follow-up")

    def test_a_follow_up_call_goes_out_over_tls_with_srtp_though_the_trunk_only_prefers_it(self):
        user = "demo.counsellor"
        rtp = srtp_peer.srtp_endpoint()
        self.addCleanup(rtp.close)
        phone = siptls.TlsPhone(self.tls_port, user, self.srv.sip_passwords[user], rtp, self.ca.cert)
        self.addCleanup(phone.close)
        answer = phone.register()
        self.assertEqual(answer.status if answer else None, 200, answer.raw if answer else self.srv.log_tail())
        self.addCleanup(self.srv.reset_counsellor, user)
        self.addCleanup(lambda: phone.register(expires=0))
        self.srv.wait_counsellor(user, lambda c: c["state"] == "available" and c["phone_registered"])
        callee_rtp = srtp_peer.srtp_endpoint()
        self.addCleanup(callee_rtp.close)
        callee = siptls.TlsCallee(self.carrier_port, self.carrier_cert, self.carrier_key, callee_rtp)
        self.addCleanup(callee.close)
        counsellor, fu = self.follow_up_due(user)
        status, body, _ = counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/call")
        self.assertEqual(status, 202, body)
        rung = wait_for(phone.invites, what="the counsellor's phone rung")[0]
        self.assertRegex(rung.body, r"(?m)^m=audio \d+ RTP/SAVP ", "the counsellor's leg is offered SRTP")
        wait_for(callee.connected.is_set, timeout=20, what="the server's TLS connection to the carrier")
        invite = wait_for(callee.invites, timeout=10, what="the follow-up INVITE over TLS")[0]
        self.assertTrue(invite.header("via").startswith("SIP/2.0/TLS"), invite.header("via"))
        self.assertRegex(invite.body, r"(?m)^m=audio \d+ RTP/SAVP ", invite.body)
        self.assertRegex(invite.body, r"(?m)^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:", invite.body)
        wait_for(callee.hung_up.is_set, timeout=10, what="the callee's hang-up")
        wait_for(lambda: "follow-up " + fu["id"] + ": connected" in self.srv.log(), timeout=15,
                 what="the follow-up connected")
        self.assertIsNotNone(callee_rtp.inbound, "the carrier did not answer with SRTP")


if __name__ == "__main__":
    unittest.main()
