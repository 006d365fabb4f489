"""A mixed call: a carrier's call over SIP-TLS with SRTP keyed by SDES (RFC 4568) answered by a counsellor in
the browser (DTLS-SRTP), against the real server. The caller is siptls.TlsCaller with an srtp_peer endpoint
(AES_CM_128_HMAC_SHA1_80, its own payload byte); the browser leg is build/bench/webrtc_load's (full ICE, DTLS
active, SRTP, rtcp-mux), sending its marked payload. The relay decrypts each leg's SRTP and encrypts it again
for the other with that leg's own keys, without transcoding: each side must receive the other's payloads,
and neither side nor the server may refuse a packet.
"""
import os
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "sip"))
import browsers  # noqa: E402
import siptest  # noqa: E402
from siptest import wait_for  # noqa: E402
import siptls  # noqa: E402
import srtp_peer  # noqa: E402

WEBRTC_LOAD = os.environ.get("WEBRTC_LOAD", os.path.join(HERE, "..", "..", "build", "bench", "webrtc_load"))
TAB = "tab-sdes-0001"
CALLER_FILL = 0x2A
BROWSER_FIRST_BYTE = 0x43  # webrtc_load's payload marker "CLRT" begins every browser packet
PACKETS = 100              # 2 s of audio each way once the browser leg is ready


@siptest.require_sipp
class SdesCarrierToBrowserTest(siptest.TlsSipTestCase):
    tls_prefix = "sdes-browser"

    @classmethod
    def configure(cls):
        cls.trunks = [{"name": "tls-carrier", "allow": ["127.0.0.1"], "encryption": "required"}]
        cls.telephony = cls.tls_telephony(available_on_register=False, choice_wait_s=0)

    def test_an_sdes_srtp_carrier_call_answered_in_the_browser_carries_audio_both_ways(self):
        self.assertTrue(os.path.exists(WEBRTC_LOAD), f"no {WEBRTC_LOAD}: cmake --build build --target webrtc_load")
        gen = browsers.WebrtcLoad(WEBRTC_LOAD)
        self.addCleanup(gen.close)
        me = self.srv.sign_in("demo.counsellor")
        status, body, _ = me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})
        self.assertEqual(status, 200, body)
        self.addCleanup(me.call, "PUT", "/api/v1/session/phone", {"mode": "desk", "tab": TAB})
        self.addCleanup(me.call, "PUT", "/api/v1/me/availability", {"state": "offline"})
        status, body, _ = me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        drops_before = self.srv.browser_drops()
        sdes_drops = lambda: sum(self.srv.metric("crisisline_srtp_packets_dropped_total", reason=r)  # noqa: E731
                                 for r in ("auth", "replay", "malformed"))
        sdes_drops_before = sdes_drops()

        rtp = srtp_peer.srtp_endpoint(fill=CALLER_FILL)
        self.addCleanup(rtp.close)
        caller = siptls.TlsCaller(self.tls_port, siptest.NUMBER, rtp)
        self.addCleanup(caller.close)
        thread = threading.Thread(target=caller.call, kwargs={"talk_s": 60.0, "pt": 0}, daemon=True)
        thread.start()
        call_id = self.srv.wait_counsellor("demo.counsellor",
                                           lambda c: c["state"] == "ringing" and c.get("call"), 20)["call"]
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": gen.offer(1)})
        self.assertEqual(status, 200, body)
        gen.answer(1, body["sdp"])
        gen.wait_ready(1, timeout=10)
        self.assertEqual(caller.answer_proto, "RTP/SAVP", "the carrier's leg is not SRTP")
        self.assertIsNotNone(rtp.inbound, "the server's answer to the carrier carried no a=crypto key")
        at_caller = rtp.by_first_byte.get(BROWSER_FIRST_BYTE, 0)
        at_browser = gen.report()["foreign_received"]  # the caller's payloads carry no webrtc_load marker

        wait_for(lambda: rtp.by_first_byte.get(BROWSER_FIRST_BYTE, 0) >= at_caller + PACKETS, 20,
                 f"the browser's audio at the SRTP caller ({rtp.stats()})")
        wait_for(lambda: gen.report()["foreign_received"] >= at_browser + PACKETS, 20,
                 "the SRTP caller's audio at the browser")
        final = gen.report()
        self.assertEqual(final["srtp_refused"], {"auth": 0, "replay": 0, "malformed": 0}, final)
        self.assertEqual(rtp.refused, 0, "the caller refused SRTP from the server")
        for reason in ("srtp_auth", "srtcp_auth", "before_keys", "stun_wrong_credentials", "dtls_failed"):
            self.assertEqual(self.srv.browser_drops().get(reason, 0), drops_before.get(reason, 0), reason)
        self.assertEqual(sdes_drops(), sdes_drops_before, "the server dropped the carrier's SRTP")
        active = [a for a in self.srv.live().get("active", []) if a["call"] == call_id]
        self.assertEqual(len(active), 1, active)
        self.assertEqual(active[0]["legs"], {"caller": "srtp", "counsellor": "dtls-srtp"}, active)
        self.assertTrue(active[0]["encrypted"], active)

        # The carrier hangs up (its BYE on its TLS connection): the counsellor's desk goes to wrap-up.
        bye = caller._transact(caller._request("BYE", 2, to_tag=caller.final.tag("to")))
        self.assertIsNotNone(bye, "no answer to the carrier's BYE")
        self.assertEqual(bye.status, 200, bye.raw)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up", 20)
        me.call("POST", "/api/v1/me/wrap-up-done")


if __name__ == "__main__":
    unittest.main()
