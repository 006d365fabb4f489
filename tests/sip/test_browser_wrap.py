"""A browser phone's audio across the 16-bit RTP sequence wrap (the SRTP rollover counter), against the real
server: a caller (bench/sip/simsip.py's SIP caller, its plain RTP from the generator) is answered by the
browser leg of build/bench/webrtc_load (full ICE, DTLS active, SRTP AES_CM_128_HMAC_SHA1_80, rtcp-mux), whose
SRTP sequence starts at 65500 and so wraps to 0 after 36 packets: the server must move its rollover counter
on to keep authenticating it. The caller's flow starts at 65500 too (its wrap passes the relay's rewriting).
Audio must keep reaching both ends after the wrap, with no SRTP refused on either side.
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "sip"))
import browsers  # noqa: E402
import simsip  # noqa: E402
import sip_harness as sh  # noqa: E402
import siptest  # noqa: E402

WEBRTC_LOAD = os.environ.get("WEBRTC_LOAD", os.path.join(HERE, "..", "..", "build", "bench", "webrtc_load"))
TAB = "tab-wrap-0001"
SEQ_START = 65500
AFTER_WRAP = 150  # packets (3 s of audio) each way after the wrap


@unittest.skipUnless(sh.sipp_available(), "sipp (Debian sip-tester) is not installed")
class BrowserWrapTest(siptest.SipTestCase):
    telephony = {"available_on_register": False, "choice_wait_s": 0}

    def test_audio_keeps_flowing_both_ways_across_the_sequence_wrap(self):
        self.assertTrue(os.path.exists(WEBRTC_LOAD), f"no {WEBRTC_LOAD}: cmake --build build --target webrtc_load")
        gen = browsers.WebrtcLoad(WEBRTC_LOAD, seq_start=SEQ_START)
        self.addCleanup(gen.close)
        me = self.srv.sign_in("demo.counsellor")
        status, body, _ = me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})
        self.assertEqual(status, 200, body)
        self.addCleanup(me.call, "PUT", "/api/v1/session/phone", {"mode": "desk", "tab": TAB})
        self.addCleanup(me.call, "PUT", "/api/v1/me/availability", {"state": "offline"})
        status, body, _ = me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        drops_before = self.srv.browser_drops()

        loop = simsip.Loop().start()
        self.addCleanup(loop.stop)
        caller_port = gen.caller(0)  # the caller's RTP, from a free port
        callers = simsip.Callers(loop, ("127.0.0.1", self.srv.sip_port), siptest.NUMBER,
                                 on_answer=lambda c: gen.remote(0, c["server_rtp"]))
        callers.place(0, caller_port)
        call_id = self.srv.wait_counsellor("demo.counsellor",
                                           lambda c: c["state"] == "ringing" and c.get("call"), 20)["call"]
        offer = gen.offer(1)
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": offer})
        self.assertEqual(status, 200, body)
        gen.answer(1, body["sdp"])
        gen.wait_ready(1, timeout=10)
        gen.mark()

        # Wait (no fixed sleep) until each way has carried AFTER_WRAP packets sent after its sequence wrapped.
        deadline = time.monotonic() + 30
        report = gen.report()
        while time.monotonic() < deadline:
            if (report["to_caller"]["after_wrap_received"] >= AFTER_WRAP
                    and report["to_browser"]["after_wrap_received"] >= AFTER_WRAP):
                break
            time.sleep(0.2)
            report = gen.report()
        final = gen.stop()
        for way in ("to_caller", "to_browser"):
            self.assertGreaterEqual(final[way]["after_wrap_received"], AFTER_WRAP, (way, final))
            # On loopback every packet arrives; a few may still be in flight when the window closes.
            self.assertGreaterEqual(final[way]["received"], final[way]["sent"] - 3, (way, final))
        # The browser's packets after the wrap were authenticated by the server (they reached the caller, so
        # their rollover counter moved on); the server's SRTP reached the browser and authenticated there.
        self.assertGreater(final["to_caller"]["after_wrap_sent"], 0, final)
        self.assertEqual(final["srtp_refused"], {"auth": 0, "replay": 0, "malformed": 0}, final)
        drops = self.srv.browser_drops()
        for reason in ("srtp_auth", "srtcp_auth", "before_keys", "stun_wrong_credentials", "dtls_failed"):
            self.assertEqual(drops.get(reason, 0), drops_before.get(reason, 0), (reason, drops))

        status, _, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/hangup")
        self.assertEqual(status, 204)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up", 20)
        me.call("POST", "/api/v1/me/wrap-up-done")


if __name__ == "__main__":
    unittest.main()
