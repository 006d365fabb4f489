"""Never lose the caller because of the counsellor's connection (issue 12), against the real server with real
SIPp callers and phones: a counsellor's desk phone whose audio stops mid-call, and a browser phone whose tab's live
feed closes, each interrupt the call instead of ending it. The caller keeps hearing the server (the reconnecting
prompt, then hold audio), goes back to the front of the queue and is answered by the next counsellor with audio
both ways; the first counsellor's contact ends "interrupted" and stays open for their wrap-up, linked to the
contact the caller carries on in; and the first counsellor is not ready afterwards.

Audio is told apart by payload (see test_calls.py): the caller sends CALLER_FILL, the first phone FIRST_FILL, the
second SECOND_FILL; anything else the caller receives is the server's own audio.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import sip_harness as sh  # noqa: E402
import siptest  # noqa: E402
from siptest import wait_until  # noqa: E402

CALLER_FILL = 0x2A
FIRST_FILL = 0x55
SECOND_FILL = 0x66
PCMU = 0
TAB = "tab-requeue-0001"


def server_audio(rtp):
    """Audio packets the caller received that are no party's fill: the server's own prompts and hold audio."""
    with rtp.lock:
        return sum(n for byte, n in rtp.by_first_byte.items() if byte not in (CALLER_FILL, FIRST_FILL, SECOND_FILL))


class RequeueCase(siptest.SipTestCase):
    def second_counsellor(self):
        """demo.supervisor (a counsellor on the line too) on a phone that rings 2 s, so the caller is heard
        waiting first, then answers, sends SECOND_FILL and hangs up 10 s later."""
        phone = self.phone("demo.supervisor", scenario="phone_answer_hangup.xml", pt=PCMU, fill=SECOND_FILL,
                           send_seconds=60, ring_ms=2000, talk_ms=10000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available" and c["phone_registered"])
        return phone

    def assert_carried_on(self, call, second, interrupted_at_audio, first_counsellor, known):
        """After the interruption: server audio to the caller, then the second counsellor with audio both ways;
        the two contacts linked; the first counsellor wrapping up, then not ready."""
        interrupted = self.srv.wait_contact(
            lambda c: (c.get("call") or {}).get("end_reason") == "interrupted", timeout=20, known=known)
        self.assertEqual(interrupted["status"], "open", "the first counsellor's contact stays open for wrap-up")
        self.assertEqual(interrupted["counsellor_id"], self.srv.staff_ids[first_counsellor], interrupted)
        carried_id = interrupted["call"]["continued_in"]
        # The second counsellor answers; until then the caller heard the server (prompt, then hold audio).
        wait_until("the second counsellor to hear the caller", lambda: second.rtp.received_fill(CALLER_FILL) > 30)
        wait_until("the caller to hear the second counsellor", lambda: call.rtp.received_fill(SECOND_FILL) > 30)
        self.assertGreater(server_audio(call.rtp) - interrupted_at_audio, 50,
                           f"the caller heard nothing while requeued: {call.rtp.stats()}")
        self.assertTrue(call.sipp.running(), "the caller was hung up")
        carried = self.srv.wait_contact(lambda c: c["id"] == carried_id and c.get("counsellor_id"), known=known)
        self.assertEqual(carried["counsellor_id"], self.srv.staff_ids["demo.supervisor"], carried)
        self.assertEqual(carried["call"]["continues"], interrupted["id"], carried)
        self.assertEqual(carried["arrived_at"], interrupted["arrived_at"], "the wait counts from the first arrival")
        # The first counsellor wraps up their contact, then is not ready (not rung until they say so).
        first = self.srv.wait_counsellor(first_counsellor, lambda c: c["state"] == "wrap_up")
        self.assertEqual(first.get("wrapping_up"), interrupted["id"], first)
        self.assertEqual(first.get("after_call"), "break", first)
        status, _, _ = self.srv.sign_in(first_counsellor).call("POST", "/api/v1/me/wrap-up-done")
        self.assertIn(status, (200, 204))
        first = self.srv.wait_counsellor(first_counsellor, lambda c: c["state"] == "break")
        self.assertEqual(first.get("reason"), "phone_failed", first)
        self.assertEqual(self.srv.metrics().get("crisisline_calls_interrupted_total"), 1.0)
        # The second counsellor hangs up: the caller gets the server's BYE, as after any call.
        self.ok(second.wait(30), "the second counsellor's phone")
        self.ok(call.wait(30), "the caller (the server's BYE after the second counsellor hung up)")
        return interrupted, carried


@siptest.require_sipp
class DeskPhoneGoesSilentTest(RequeueCase):
    telephony = {"counsellor_media_timeout_s": 3}

    def test_a_desk_phone_that_goes_silent_mid_call_requeues_the_caller_at_the_front(self):
        # The first counsellor's phone sends audio for 4 s from the ring on, then nothing (its line went dead).
        first = self.phone("demo.counsellor", pt=PCMU, fill=FIRST_FILL, send_seconds=4, ring_ms=300, talk_ms=60000)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=40000, pt=PCMU, fill=CALLER_FILL)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call", timeout=20)
        wait_until("the caller to hear the first counsellor", lambda: call.rtp.received_fill(FIRST_FILL) > 20)
        second = self.second_counsellor()
        at = server_audio(call.rtp)
        self.ok(first.wait(20), "the first phone (the server must BYE it when it interrupts the call)")
        self.assert_carried_on(call, second, at, "demo.counsellor", known)
        self.assertIn("the counsellor's side sent no audio", self.srv.log())


@siptest.require_sipp
class CallerNeverHearsDeadAirTest(RequeueCase):
    telephony = {"counsellor_media_timeout_s": 10}

    def test_the_caller_hears_hold_audio_as_soon_as_the_counsellors_audio_stops(self):
        # The counsellor's phone sends audio for 4 s from the ring on, then nothing. Long before the 10 s media
        # timeout carries the caller on, the caller hears the server's hold audio instead of silence.
        self.phone("demo.counsellor", pt=PCMU, fill=FIRST_FILL, send_seconds=4, ring_ms=300, talk_ms=60000)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=40000, pt=PCMU, fill=CALLER_FILL)
        wait_until("the caller to hear the counsellor", lambda: call.rtp.received_fill(FIRST_FILL) > 20)
        interrupted = self.srv.metrics().get("crisisline_calls_interrupted_total", 0.0)
        at = server_audio(call.rtp)
        wait_until("the server's hold audio at the caller", lambda: server_audio(call.rtp) - at > 50, timeout=15)
        self.assertEqual(self.srv.metrics().get("crisisline_calls_interrupted_total", 0.0), interrupted,
                         "the hold audio came only with the interruption, not in the gap before it")
        self.assertEqual(self.srv.counsellor("demo.counsellor")["state"], "on_call")
        # Then the timeout carries the caller on as before; the counsellor wraps up.
        wait_until("the caller carried on", lambda: self.srv.metrics().get(
            "crisisline_calls_interrupted_total", 0.0) == interrupted + 1, timeout=20)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up", 10)
        status, _, _ = self.srv.sign_in("demo.counsellor").call("POST", "/api/v1/me/wrap-up-done")
        self.assertIn(status, (200, 204))


@siptest.require_sipp
class BrowserTabFeedClosesTest(RequeueCase):
    # Long enough that only the tab's feed closing can interrupt the call (the answer below is SDP only: no
    # ICE or media ever follows it).
    telephony = {"counsellor_media_timeout_s": 60, "available_on_register": True}

    OFFER = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
             "m=audio 9 UDP/TLS/RTP/SAVPF 0 8 126\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Ab12\r\n"
             "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 "
             + ":".join(["AB"] * 32) + "\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
             "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n")

    def test_the_browser_tabs_feed_closing_mid_call_requeues_the_caller(self):
        me = self.srv.sign_in("demo.counsellor")
        feed = self.srv.server.websocket(f"/api/v1/events?tab={TAB}", cookie=me.cookie)
        self.assertEqual(feed.recv_json()["type"], "hello")
        status, body, _ = me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})
        self.assertEqual(status, 200, body)
        status, body, _ = me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=40000, pt=PCMU, fill=CALLER_FILL)
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "ringing" and c.get("call"), 20)
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{entry['call']}/answer", {"sdp": self.OFFER})
        self.assertEqual(status, 200, body)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call")
        second = self.second_counsellor()
        # A feed of another tab closing changes nothing; this tab's closing does, after the grace.
        other = self.srv.server.websocket("/api/v1/events?tab=tab-somewhere-else", cookie=me.cookie)
        other.recv_json()
        other.close()
        at = server_audio(call.rtp)
        feed.close()
        # Within the grace (a reload) the tab still holds the phone and the call goes on.
        entry = self.srv.counsellor("demo.counsellor")
        self.assertEqual((entry["state"], entry["phone_registered"]), ("on_call", True), entry)
        self.assert_carried_on(call, second, at, "demo.counsellor", known)
        self.assertFalse(self.srv.counsellor("demo.counsellor")["phone_registered"], "the dead tab still holds the phone")
        self.assertIn("the counsellor's side lost its browser tab", self.srv.log())
        # A bad tab in the feed's address is refused, naming the field.
        refused = self.srv.server.websocket("/api/v1/events?tab=bad%20tab", cookie=me.cookie)
        self.assertEqual((refused.status, refused.body["error"]["field"]), (400, "tab"), refused.body)


@siptest.require_sipp
class DeadFeedKeepsNoPhoneTest(RequeueCase):
    telephony = BrowserTabFeedClosesTest.telephony

    def test_a_tab_whose_feed_is_gone_cannot_keep_the_phone_by_renewing_it(self):
        # The tab cannot hear a ring while its feed is gone: renewing the phone does not keep it past the grace,
        # it cannot take the phone again until its feed is back, and then it can.
        me = self.srv.sign_in("demo.counsellor")
        feed = self.srv.server.websocket(f"/api/v1/events?tab={TAB}", cookie=me.cookie)
        self.assertEqual(feed.recv_json()["type"], "hello")
        self.assertEqual(me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})[0], 200)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"])
        feed.close()
        renewals = []

        def lapsed():
            # The console renews every 15 s; here as fast as the test polls, which would keep any hold alive.
            renewals.append(me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB}))
            return not self.srv.counsellor("demo.counsellor")["phone_registered"]
        wait_until("the phone to go although the dead tab kept renewing it", lapsed, timeout=20, interval=0.3)
        self.assertEqual(renewals[0][0], 200, renewals[0])  # within the grace a renewal is still taken
        status, body, _ = me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})
        self.assertEqual((status, body["error"]["field"]), (409, "tab"), body)
        self.assertIn("live feed is not connected", body["error"]["message"])
        self.assertFalse(self.srv.counsellor("demo.counsellor")["phone_registered"])
        # Its feed back: the tab holds the phone again.
        again = self.srv.server.websocket(f"/api/v1/events?tab={TAB}", cookie=me.cookie)
        self.addCleanup(again.close)
        self.assertEqual(again.recv_json()["type"], "hello")
        status, body, _ = wait_until("the hold taken once the feed is back", lambda: (
            lambda r: r if r[0] == 200 else None)(me.call("PUT", "/api/v1/session/phone",
                                                          {"mode": "browser", "tab": TAB})))
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"])
        self.assertEqual(me.call("PUT", "/api/v1/session/phone", {"mode": "desk", "tab": TAB})[0], 200)


@siptest.require_sipp
class SignedOutMidCallTest(RequeueCase):
    telephony = BrowserTabFeedClosesTest.telephony
    OFFER = BrowserTabFeedClosesTest.OFFER

    def test_signing_out_mid_call_ends_the_tabs_hold_and_requeues_the_caller(self):
        # A signed-out session cannot keep a call: its feed is closed by the server (4401), the grace passes with
        # no feed back, and the caller is carried on to the next counsellor; the old session can do nothing more.
        me = self.srv.sign_in("demo.counsellor")
        feed = self.srv.server.websocket(f"/api/v1/events?tab={TAB}", cookie=me.cookie)
        self.assertEqual(feed.recv_json()["type"], "hello")
        self.assertEqual(me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})[0], 200)
        self.assertEqual(me.call("PUT", "/api/v1/me/availability", {"state": "available"})[0], 200)
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=40000, pt=PCMU, fill=CALLER_FILL)
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "ringing" and c.get("call"), 20)
        call_id = entry["call"]
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": self.OFFER})
        self.assertEqual(status, 200, body)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call")
        second = self.second_counsellor()
        at = server_audio(call.rtp)
        self.assertIn(me.call("DELETE", "/api/v1/session")[0], (200, 204))
        # The next sign-in (for the wrap-up below) is a new session with the same authenticator.
        self.srv.totp["demo.counsellor"] = (me.totp_secret, me.last_step)
        del self.srv.clients["demo.counsellor"]
        with self.assertRaises(harness.WebSocketClosed) as closed:
            while True:
                feed.recv(timeout=10)
        self.assertEqual(closed.exception.code, 4401)
        for method, path, body in (("POST", f"/api/v1/session/phone/calls/{call_id}/hangup", None),
                                   ("POST", f"/api/v1/session/calls/{call_id}/hold", None),
                                   ("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB})):
            self.assertEqual(me.call(method, path, body)[0], 401, path)
        self.assert_carried_on(call, second, at, "demo.counsellor", known)
        self.assertFalse(self.srv.counsellor("demo.counsellor")["phone_registered"])


if __name__ == "__main__":
    unittest.main()
