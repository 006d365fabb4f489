"""Call control from the console (issue 16): hold and resume, with real peers.

A SIPp carrier caller and a SIPp counsellor phone, their audio from sip_harness RtpEndpoints: the caller sends
PCMU frames filled with CALLER_FILL, the phone with PHONE_FILL (one byte repeated: a "uniform" payload). The
line's hold audio is music, so its frames are not uniform: at the caller, non-uniform packets are the hold
audio, and uniform PHONE_FILL packets are the counsellor.
"""
import time
import unittest

import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0


def wait_until(predicate, timeout=10, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def music(rtp):
    """Audio packets whose payload is not one byte repeated: the server's hold audio, never a fill."""
    with rtp.lock:
        return sum(rtp.by_first_byte.values()) - sum(rtp.uniform.values())


@siptest.require_sipp
class HoldFromTheConsoleTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}
    telephony = {"rtp_timeout_s": 5}

    def bridged(self):
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=PHONE_FILL, send_seconds=60)
        self.srv.wait_registered("demo.counsellor")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        known = self.srv.contact_ids()
        call = self.caller(digit="2", talk_ms=40000, pt=PCMU, fill=CALLER_FILL, timeout_s=90)
        me = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call" and c.get("call"), 20)
        self.assertTrue(wait_until(lambda: call.rtp.received_fill(PHONE_FILL) > 25
                                   and phone.rtp.received_fill(CALLER_FILL) > 25, 10),
                        f"no audio both ways before hold: caller {call.rtp.stats()} phone {phone.rtp.stats()}")
        return phone, call, me["call"], known

    def control(self, username, call_id, action):
        return self.srv.sign_in(username).call("POST", f"/api/v1/session/calls/{call_id}/{action}")

    def active_entry(self, call_id):
        for a in self.srv.live().get("active", []):
            if a["call"] == call_id:
                return a
        return None

    def test_hold_plays_hold_audio_to_the_caller_survives_the_rtp_timeout_and_resume_restores_both_ways(self):
        phone, call, call_id, known = self.bridged()

        # Refusals: nobody else holds this call; an unknown call; not a counsellor; no CSRF header.
        status, body, _ = self.control("demo.welsh", call_id, "hold")
        self.assertEqual(status, 409, body)
        self.assertEqual(body["error"]["field"], "call", body)
        status, body, _ = self.control("demo.counsellor", "ct_no_such_call", "hold")
        self.assertEqual(status, 404, body)
        status, body, _ = self.control("demo.supervisor", call_id, "hold")
        self.assertEqual(status, 409, body)  # a counsellor too, but not on this call
        status, body, _ = self.control("demo.manager", call_id, "hold")
        self.assertEqual(status, 403, body)
        status, body, _ = self.srv.sign_in("demo.counsellor").call(
            "POST", f"/api/v1/session/calls/{call_id}/hold", csrf=False)
        self.assertEqual(status, 403, body)
        status, body, _ = self.srv.sign_in("demo.counsellor").call(
            "POST", f"/api/v1/session/calls/{call_id}/hold", {"surprise": 1})
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["field"], "surprise", body)
        self.assertFalse(self.active_entry(call_id)["held"], "a refused hold held the call")

        # Hold: the caller hears the hold audio and nothing of the counsellor; the counsellor hears nothing.
        status, body, _ = self.control("demo.counsellor", call_id, "hold")
        self.assertEqual(status, 200, body)
        self.assertTrue(body["held"], body)
        self.assertTrue(wait_until(lambda: music(call.rtp) > 10, 5), f"no hold audio: {call.rtp.stats()}")
        heard_counsellor = call.rtp.received_fill(PHONE_FILL)
        heard_caller = phone.rtp.received_fill(CALLER_FILL)
        music_at_hold = music(call.rtp)
        # The counsellor's phone goes quiet on hold (as a muted phone would), longer than rtp_timeout_s (5 s):
        # 350 frames of hold audio is 7 s.
        phone_target = phone.rtp.target
        phone.rtp.target = None
        self.assertTrue(wait_until(lambda: music(call.rtp) > music_at_hold + 350, 15),
                        "hold audio stopped (the call ended?): " + str(call.rtp.stats()) + self.srv.log_tail())
        self.assertLessEqual(call.rtp.received_fill(PHONE_FILL) - heard_counsellor, 3,
                             "the caller heard the counsellor while on hold: " + str(call.rtp.stats()))
        self.assertLessEqual(phone.rtp.received_fill(CALLER_FILL) - heard_caller, 3,
                             "the counsellor heard the caller while on hold: " + str(phone.rtp.stats()))
        entry = self.active_entry(call_id)
        self.assertTrue(entry["held"], entry)
        self.assertGreaterEqual(entry["held_ms"], 5000, entry)
        status, mine, _ = self.srv.sign_in("demo.counsellor").call("GET", "/api/v1/live")
        self.assertEqual(status, 200, mine)
        self.assertTrue(mine["me"]["held"], mine["me"])

        # Resume: two-way relay again, and the hold audio stops.
        phone.rtp.set_target(phone_target)
        status, body, _ = self.control("demo.counsellor", call_id, "resume")
        self.assertEqual(status, 200, body)
        self.assertFalse(body["held"], body)
        heard_counsellor = call.rtp.received_fill(PHONE_FILL)
        heard_caller = phone.rtp.received_fill(CALLER_FILL)
        self.assertTrue(wait_until(lambda: call.rtp.received_fill(PHONE_FILL) > heard_counsellor + 50
                                   and phone.rtp.received_fill(CALLER_FILL) > heard_caller + 50, 10),
                        f"no audio both ways after resume: caller {call.rtp.stats()} phone {phone.rtp.stats()}")
        music_after = music(call.rtp)
        self.assertTrue(wait_until(lambda: call.rtp.received_fill(PHONE_FILL) > heard_counsellor + 100, 10))
        self.assertLessEqual(music(call.rtp) - music_after, 3, "hold audio went on after resume")
        self.assertFalse(self.active_entry(call_id)["held"])

        # The live feed said held and resumed (ids only); the audit log has both, by the counsellor.
        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, page)
        ours = [e for e in page["events"] if e["type"] in ("call.held", "call.resumed")
                and e.get("data", {}).get("call") == call_id]
        self.assertEqual([e["type"] for e in ours], ["call.held", "call.resumed"], ours)
        for e in ours:
            self.assertEqual(e["counsellor"], self.srv.staff_ids["demo.counsellor"], e)
            self.assertLessEqual(set(e["data"]), {"call", "held_ms"}, e)
        status, audit, _ = self.auditor().call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        controls = [(a["action"], a["actor"]) for a in audit["entries"]
                    if a.get("record_id") == call_id and a["action"].startswith("call.")]
        me = self.srv.staff_ids["demo.counsellor"]
        self.assertEqual(controls, [("call.hold", me), ("call.resume", me)], controls)

        self.ok(call.wait(60), "caller")
        self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason") == "completed",
                              known=known, timeout=15)

    def auditor(self):
        return self.srv.sign_in("demo.auditor")


if __name__ == "__main__":
    unittest.main()
