"""The browser phone's signalling through the API, against the real server with a real SIPp caller: one tab
holds the phone (a second is refused, then may take over), routing rings it like a registered phone, bad
offers and answers from the wrong person are refused with the field and reason, a declined ring counts as a
missed call, nothing works without the session and its CSRF header, and the console's call-quality reports
reach the supervisor's live picture. The media itself (ICE, DTLS-SRTP) is
tested with Chromium in tests/e2e/browser_phone.test.mjs.
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import sip_harness as sh  # noqa: E402
import siptest  # noqa: E402

TAB_A = "tab-aaaa-1111"
TAB_B = "tab-bbbb-2222"

# The shape of a browser's audio offer (fictional values).
OFFER = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 0 8 126\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Ab12\r\n"
         "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 "
         + ":".join(["AB"] * 32) + "\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
         "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n")


@unittest.skipUnless(sh.sipp_available(), "sipp (Debian sip-tester) is not installed")
class BrowserPhoneTest(siptest.SipTestCase):
    telephony = {"available_on_register": False}

    def hold(self, client, tab, take_over=None, mode="browser"):
        body = {"mode": mode, "tab": tab}
        if take_over is not None:
            body["take_over"] = take_over
        return client.call("PUT", "/api/v1/session/phone", body)

    def ringing_call(self, username, timeout=20):
        entry = self.srv.wait_counsellor(username, lambda c: c["state"] == "ringing" and c.get("call"), timeout)
        return entry["call"]

    def test_one_tab_holds_the_phone_and_routing_rings_it(self):
        me = self.srv.sign_in("demo.counsellor")
        status, body, _ = self.hold(me, TAB_A)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["expires_s"], 45)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"])
        status, body, _ = self.hold(me, TAB_B)
        self.assertEqual((status, body["error"]["field"]), (409, "tab"), body)
        status, body, _ = self.hold(me, TAB_B, take_over=True)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["taken_over_from"], TAB_A)
        # The old tab giving it up changes nothing: it no longer holds it.
        status, _, _ = self.hold(me, TAB_A, mode="desk")
        self.assertEqual(status, 200)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"])

        status, body, _ = me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        call = self.caller(talk_ms=20000, digit="2")
        call_id = self.ringing_call("demo.counsellor")

        # Someone else cannot answer it, nor can a broken offer; the reasons name the field.
        other = self.srv.sign_in("demo.supervisor")  # a counsellor too, on the line, but not rung
        status, body, _ = other.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 409, body)
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer",
                                  {"sdp": OFFER.replace("a=rtcp-mux\r\n", "")})
        self.assertEqual((status, body["error"]["field"]), (400, "sdp"), body)
        self.assertIn("rtcp-mux", body["error"]["message"])
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER},
                                  csrf=False)
        self.assertEqual(status, 403, body)
        status, body, _ = me.call("POST", "/api/v1/session/phone/calls/ct_nosuchcall/answer", {"sdp": OFFER})
        self.assertEqual(status, 404, body)
        # A counsellor of another line cannot take it either: 403, whatever their browser is doing.
        admin = self.srv.sign_in("demo.admin")
        status, body, _ = admin.call("POST", "/api/v1/lines", {"id": "fire", "name": "Fire line (test)"})
        self.assertEqual(status, 201, body)
        granter = harness.line_manager(self.srv.server, admin, ["fire"])
        status, body, _ = granter.call("POST", "/api/v1/staff", {
            "username": "fire.counsellor", "display_name": "Fire counsellor (test)", "password": harness.PASSWORD,
            "roles": ["counsellor"], "lines": ["fire"]})
        self.assertEqual(status, 201, body)
        fire = self.srv.server.client().sign_in("fire.counsellor")
        status, body, _ = fire.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 403, body)

        # The answer: ICE-lite, passive DTLS, the server's own credentials and one host candidate.
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 200, body)
        sdp = body["sdp"]
        for line in ("a=ice-lite", "a=setup:passive", "a=rtcp-mux", "UDP/TLS/RTP/SAVPF", "typ host"):
            self.assertIn(line, sdp)
        self.assertNotIn(":".join(["AB"] * 32), sdp)  # the server's fingerprint, not the browser's
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call")
        # Answering twice is refused; hanging up ends the call for the caller too, and wrap-up follows.
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 409, body)
        status, _, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/hangup")
        self.assertEqual(status, 204)
        self.ok(call.wait(30), "the caller's call")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up")
        me.call("POST", "/api/v1/me/wrap-up-done")
        me.call("PUT", "/api/v1/me/availability", {"state": "offline"})
        self.hold(me, TAB_B, mode="desk")
        self.srv.wait_counsellor("demo.counsellor", lambda c: not c["phone_registered"])

    def test_the_desk_phone_is_kept_aside_while_a_tab_holds_the_phone_and_rings_again_after(self):
        desk = self.phone("demo.counsellor", ring_ms=300, talk_ms=2000)
        me = self.srv.sign_in("demo.counsellor")
        self.assertEqual(self.hold(me, TAB_A)[0], 200)
        # The desk phone refreshes its registration as phones do: the tab keeps the phone.
        refresh = sh.run_sipp("phone_register.xml", self.srv.sip,
                              {"sipuser": "demo.counsellor", "contact_port": desk.uas.local_port, "expires": 300},
                              auth=("demo.counsellor", self.srv.sip_passwords["demo.counsellor"]), timeout_s=15)
        self.ok(refresh, "the desk phone's refresh")
        me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        call = self.caller(talk_ms=30000, digit="2")
        call_id = self.ringing_call("demo.counsellor")
        self.assertFalse(self.got_invite(desk.uas), "the desk phone rang although a browser tab holds the phone")
        status, _, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/hangup")  # declined in the tab
        self.assertEqual(status, 204)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "break")

        # "Use my desk phone": it rings at once, with no new registration, and takes the waiting caller.
        self.assertEqual(self.hold(me, TAB_A, mode="desk")[0], 200)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"])
        me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertTrue(self.got_invite(desk.uas, timeout=20), "the desk phone was not rung after the tab let go")
        self.ok(call.wait(60), "the caller's call, answered on the desk phone")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up", 20)
        me.call("POST", "/api/v1/me/wrap-up-done")

    def test_a_declined_ring_is_a_missed_call_and_a_signed_out_session_can_do_nothing(self):
        me = self.srv.server.client().sign_in("demo.welsh", self.srv.passwords["demo.welsh"])
        self.assertEqual(self.hold(me, TAB_A)[0], 200)
        me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.caller(talk_ms=15000, digit="2")
        call_id = self.ringing_call("demo.welsh")
        status, _, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/hangup")
        self.assertEqual(status, 204)
        entry = self.srv.wait_counsellor("demo.welsh", lambda c: c["state"] == "break")
        self.assertEqual(entry.get("reason"), "phone_failed")

        status, _, _ = me.call("DELETE", "/api/v1/session")
        self.assertIn(status, (200, 204))
        for method, path, body in (("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB_A}),
                                   ("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER}),
                                   ("POST", f"/api/v1/session/phone/calls/{call_id}/hangup", None)):
            status, _, _ = me.call(method, path, body)
            self.assertEqual(status, 401, path)

    def test_bad_requests_name_the_field(self):
        me = self.srv.sign_in("demo.counsellor")
        for body, field in (({"mode": "phone", "tab": TAB_A}, "mode"), ({"mode": "browser", "tab": "short"}, "tab"),
                            ({"mode": "browser", "tab": "bad tab with spaces"}, "tab"),
                            ({"mode": "browser", "tab": TAB_A, "extra": 1}, "extra")):
            status, reply, _ = me.call("PUT", "/api/v1/session/phone", body)
            self.assertEqual((status, reply["error"]["field"]), (400, field), (body, reply))
        manager = self.srv.sign_in("demo.manager")  # takes no calls
        status, _, _ = manager.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB_A})
        self.assertEqual(status, 403)


QUALITY = {"loss_percent": 0.4, "jitter_ms": 12.5, "rtt_ms": 35, "grade": "good"}


@unittest.skipUnless(sh.sipp_available(), "sipp (Debian sip-tester) is not installed")
class BrowserCallQualityTest(siptest.SipTestCase):
    """The console's call-quality reports: taken from the counsellor the call is connected to only, each bad
    field named, kept as their latest and shown to the line's supervisor in /api/v1/live."""
    # The answer here is SDP only (no ICE, no media): keep the call up while the test reports on it.
    telephony = {"available_on_register": False, "counsellor_media_timeout_s": 120, "rtp_timeout_s": 120}

    def quality_path(self, call_id):
        return f"/api/v1/session/phone/calls/{call_id}/quality"

    def supervisor_sees(self, counsellor_id, predicate, timeout=10):
        supervisor = self.srv.sign_in("demo.supervisor")
        deadline = time.monotonic() + timeout
        entry = None
        while time.monotonic() < deadline:
            status, live, _ = supervisor.call("GET", "/api/v1/live")
            self.assertEqual(status, 200, live)
            entry = next((c for c in live["counsellors"] if c["counsellor"] == counsellor_id), None)
            if entry is not None and predicate(entry):
                return entry
            time.sleep(0.1)
        raise AssertionError(f"the supervisor's /live never showed it; last entry: {entry}")

    def test_the_counsellor_on_the_call_reports_its_quality_and_the_supervisor_sees_it(self):
        me = self.srv.sign_in("demo.counsellor")
        my_id = self.srv.staff_ids["demo.counsellor"]
        self.assertEqual(me.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB_A})[0], 200)
        entry = self.supervisor_sees(my_id, lambda c: c["phone_registered"])
        self.assertTrue(entry["browser_phone"], entry)
        self.assertNotIn("call_quality", entry)
        me.call("PUT", "/api/v1/me/availability", {"state": "available"})
        call = self.caller(scenario="caller_await_bye.xml", talk_ms=60000, digit="2")
        call_id = self.srv.wait_counsellor("demo.counsellor",
                                           lambda c: c["state"] == "ringing" and c.get("call"), 20)["call"]
        # Ringing is not connected: nothing to report on yet.
        status, body, _ = me.call("POST", self.quality_path(call_id), QUALITY)
        self.assertEqual((status, body["error"]["field"]), (409, "call"), body)
        status, body, _ = me.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 200, body)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call")
        before = self.srv.metrics().get("crisisline_browser_call_quality_reports_total", 0)

        status, body, _ = me.call("POST", self.quality_path(call_id), QUALITY)
        self.assertEqual(status, 204, body)
        entry = self.supervisor_sees(my_id, lambda c: "call_quality" in c)
        quality = entry["call_quality"]
        self.assertEqual({k: quality[k] for k in ("call", "grade", "loss_percent", "jitter_ms", "rtt_ms")},
                         {"call": call_id, **QUALITY})
        self.assertEqual(set(quality), {"call", "grade", "loss_percent", "jitter_ms", "rtt_ms", "at"})
        # The latest report wins; a round trip the browser does not know is null.
        worse = {"loss_percent": 4, "jitter_ms": 20, "rtt_ms": None, "grade": "poor"}
        self.assertEqual(me.call("POST", self.quality_path(call_id), worse)[0], 204)
        entry = self.supervisor_sees(my_id, lambda c: c["call_quality"]["grade"] == "poor")
        self.assertIsNone(entry["call_quality"]["rtt_ms"])
        self.assertEqual(entry["call_quality"]["loss_percent"], 4)
        self.assertEqual(self.srv.metrics()["crisisline_browser_call_quality_reports_total"], before + 2)
        # Each grade change went on the live feed, with ids and numbers only.
        status, events, _ = self.srv.sign_in("demo.supervisor").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, events)
        grades = [e["data"]["grade"] for e in events["events"]
                  if e["type"] == "phone.quality" and e["data"]["call"] == call_id]
        self.assertEqual(grades, ["good", "poor"])

        # Each bad field is named.
        for change, field in ((dict(loss_percent=101), "loss_percent"), (dict(loss_percent=-0.5), "loss_percent"),
                              (dict(loss_percent="2"), "loss_percent"), (dict(jitter_ms=60001), "jitter_ms"),
                              (dict(jitter_ms=None), "jitter_ms"), (dict(rtt_ms=-1), "rtt_ms"),
                              (dict(rtt_ms="fast"), "rtt_ms"), (dict(grade="great"), "grade"),
                              (dict(mos=4.2), "mos")):
            status, body, _ = me.call("POST", self.quality_path(call_id), {**QUALITY, **change})
            self.assertEqual((status, body["error"]["field"]), (400, field), (change, body))
        # Nobody else reports on this call: another counsellor (409, not theirs), a manager (403), no such
        # call (404), and nothing without the CSRF header or the session.
        other = self.srv.sign_in("demo.supervisor")
        status, body, _ = other.call("POST", self.quality_path(call_id), QUALITY)
        self.assertEqual((status, body["error"]["field"]), (409, "call"), body)
        status, _, _ = self.srv.sign_in("demo.manager").call("POST", self.quality_path(call_id), QUALITY)
        self.assertEqual(status, 403)
        status, _, _ = me.call("POST", self.quality_path("ct_nosuchcall"), QUALITY)
        self.assertEqual(status, 404)
        status, _, _ = me.call("POST", self.quality_path(call_id), QUALITY, csrf=False)
        self.assertEqual(status, 403)
        status, _, _ = self.srv.server.client().call("POST", self.quality_path(call_id), QUALITY)
        self.assertEqual(status, 401)
        # None of those changed what the supervisor sees.
        self.assertEqual(self.supervisor_sees(my_id, lambda c: True)["call_quality"]["grade"], "poor")

        self.assertEqual(me.call("POST", f"/api/v1/session/phone/calls/{call_id}/hangup")[0], 204)
        self.ok(call.wait(30), "the caller's call")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up")
        me.call("POST", "/api/v1/me/wrap-up-done")
        me.call("PUT", "/api/v1/me/availability", {"state": "offline"})
        me.call("PUT", "/api/v1/session/phone", {"mode": "desk", "tab": TAB_A})
        entry = self.supervisor_sees(my_id, lambda c: not c["phone_registered"])
        self.assertFalse(entry["browser_phone"])
        self.assertNotIn("call_quality", entry)  # shown for a browser phone only


@unittest.skipUnless(sh.sipp_available(), "sipp (Debian sip-tester) is not installed")
class MonitorFromTheBrowserTest(siptest.SipTestCase):
    """A supervisor whose phone is their browser tab listens, coaches or joins there (issue 16 + 12): the
    monitoring rings the tab (call.monitor with "browser": true), which answers with its offer by the browser
    phone's own path; a tab that never answers, or answers and then sends no ICE consent, ends the monitoring.
    The media (DTLS-SRTP into the mix) is tested with Chromium in tests/e2e/browser_phone_monitor.test.mjs."""
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}
    telephony = {"rtp_timeout_s": 5}

    def monitor_events(self, call_id):
        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, page)
        return [e for e in page["events"] if e["type"] == "call.monitor" and e["data"]["call"] == call_id]

    def audit(self, call_id):
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        return [(e["action"], (e.get("detail") or {}).get("why")) for e in audit["entries"]
                if e["action"].startswith("call.monitor") and e["record_id"] == call_id]

    def monitor(self, sup, call_id, mode):
        return sup.call("POST", f"/api/v1/lines/{siptest.LINE}/calls/{call_id}/monitor", {"mode": mode})

    def test_the_tab_is_rung_answers_with_its_offer_and_a_silent_or_absent_tab_ends_the_monitoring(self):
        self.phone("demo.counsellor", ring_ms=300, talk_ms=60000, send_seconds=60)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        call = self.caller(talk_ms=60000, digit="2", send_seconds=60)
        call_id = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call" and c.get("call"),
                                           20)["call"]
        counsellor = self.srv.staff_ids["demo.counsellor"]
        sup = self.srv.sign_in("demo.supervisor")
        status, body, _ = sup.call("PUT", "/api/v1/session/phone", {"mode": "browser", "tab": TAB_A})
        self.assertEqual(status, 200, body)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["phone_registered"] and c["browser_phone"])

        # Rung in the browser, not refused: the answer to the request says so, and so does the live feed.
        status, body, _ = self.monitor(sup, call_id, "listen")
        self.assertEqual(status, 200, body)
        self.assertEqual((body["state"], body["browser"]), ("ringing", True), body)
        ringing = self.monitor_events(call_id)
        self.assertEqual([(e["counsellor"], e["data"]["state"], e["data"]["browser"]) for e in ringing],
                         [(counsellor, "ringing", True)], ringing)
        # Only the supervisor rung may answer it; a broken offer is refused naming the field.
        welsh = self.srv.sign_in("demo.welsh")
        status, body, _ = welsh.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 409, body)
        status, body, _ = sup.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer",
                                   {"sdp": OFFER.replace("a=rtcp-mux\r\n", "")})
        self.assertEqual((status, body["error"]["field"]), (400, "sdp"), body)
        status, body, _ = sup.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 200, body)
        for line in ("a=ice-lite", "a=setup:passive", "UDP/TLS/RTP/SAVPF"):
            self.assertIn(line, body["sdp"])
        entry = self.srv.wait_live(lambda live: any(a.get("monitor", {}).get("state") == "connected"
                                                    for a in live["active"]), 5)["active"][0]
        self.assertEqual(entry["monitor"]["supervisor"], self.srv.staff_ids["demo.supervisor"], entry)
        status, mine, _ = self.srv.sign_in("demo.counsellor").call("GET", "/api/v1/live")
        self.assertEqual(mine["me"]["monitor"]["state"], "connected", mine["me"])  # never covert
        # Hung up from the tab: ended, audited.
        status, _, _ = sup.call("POST", f"/api/v1/session/phone/calls/{call_id}/hangup")
        self.assertEqual(status, 204)
        self.srv.wait_live(lambda live: all("monitor" not in a for a in live["active"]), 5)

        # Answered, then no ICE consent from the tab (this test never sends a check): over within rtp_timeout_s.
        self.assertEqual(self.monitor(sup, call_id, "coach")[0], 200)
        status, body, _ = sup.call("POST", f"/api/v1/session/phone/calls/{call_id}/answer", {"sdp": OFFER})
        self.assertEqual(status, 200, body)
        self.srv.wait_live(lambda live: all("monitor" not in a for a in live["active"]), 15)
        # Rung and never answered: over too, and not audited (nothing was heard).
        self.assertEqual(self.monitor(sup, call_id, "join")[0], 200)
        self.srv.wait_live(lambda live: any("monitor" in a for a in live["active"]), 5)
        self.srv.wait_live(lambda live: all("monitor" not in a for a in live["active"]), 15)
        states = [e["data"]["state"] for e in self.monitor_events(call_id)]
        self.assertEqual(states, ["ringing", "connected", "ended"] * 2 + ["ringing", "ended"], states)
        self.assertEqual(self.audit(call_id), [("call.monitor_start", None), ("call.monitor_end", "supervisor_hung_up"),
                                               ("call.monitor_start", None), ("call.monitor_end", "supervisor_gone")])
        self.assertTrue(call.sipp.running(), "the caller was hung up")
        sup.call("PUT", "/api/v1/session/phone", {"mode": "desk", "tab": TAB_A})
        call.close()  # silent from now: the server ends the call after rtp_timeout_s
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] != "on_call", 20)


if __name__ == "__main__":
    unittest.main()
