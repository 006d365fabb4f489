"""Call control from the console (issue 16): hold and resume; supervisor listen, coach and join. Real peers.

A SIPp carrier caller and a SIPp counsellor phone, their audio from sip_harness RtpEndpoints: the caller sends
PCMU frames filled with CALLER_FILL, the phone with PHONE_FILL (one byte repeated: a "uniform" payload). The
line's hold audio is music, so its frames are not uniform: at the caller, non-uniform packets are the hold
audio, and uniform PHONE_FILL packets are the counsellor. A monitoring supervisor's phone sends SUPERVISOR_FILL;
the server mixes 16-bit sums of the decoded frames, so a uniform payload of mixed(a, b) is a and b heard together.
"""
import time
import unittest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # G.711 mu-law in the standard library (Python 3.11)

import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
SUPERVISOR_FILL = 0x33
PCMU = 0


def mixed(*fills):
    """The mu-law byte of the sum of the decoded fills: what a listener hearing those parties receives."""
    total = None
    for fill in fills:
        pcm = audioop.ulaw2lin(bytes([fill]), 2)
        total = pcm if total is None else audioop.add(total, pcm, 2)
    return audioop.lin2ulaw(total, 2)[0]


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


class CallControlCase(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}
    telephony = {"rtp_timeout_s": 5}

    def bridged(self):
        """A caller bridged to demo.counsellor's phone; they hang up when the test says so (hang_up)."""
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=PHONE_FILL, send_seconds=60)
        self.srv.wait_registered("demo.counsellor")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_cue.xml", digit="2", talk_ms=40000, pt=PCMU, fill=CALLER_FILL, timeout_s=150)
        me = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call" and c.get("call"), 20)
        self.assertTrue(wait_until(lambda: call.rtp.received_fill(PHONE_FILL) > 25
                                   and phone.rtp.received_fill(CALLER_FILL) > 25, 10),
                        f"no audio both ways before hold: caller {call.rtp.stats()} phone {phone.rtp.stats()}")
        return phone, call, me["call"], known

    def hang_up(self, call):
        """The caller hangs up now, and their SIPp ends cleanly (the server answered the BYE)."""
        self.assertTrue(call.hang_up(), "the caller never took the cue to hang up\n" + self.srv.log_tail())
        self.ok(call.wait(20), "caller")

    def control(self, username, call_id, action):
        return self.srv.sign_in(username).call("POST", f"/api/v1/session/calls/{call_id}/{action}")

    def active_entry(self, call_id):
        for a in self.srv.live().get("active", []):
            if a["call"] == call_id:
                return a
        return None



@siptest.require_sipp
class HoldFromTheConsoleTest(CallControlCase):
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
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        controls = [(a["action"], a["actor"]) for a in audit["entries"]
                    if a.get("record_id") == call_id and a["action"].startswith("call.")]
        me = self.srv.staff_ids["demo.counsellor"]
        self.assertEqual(controls, [("call.hold", me), ("call.resume", me)], controls)

        self.hang_up(call)
        self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason") == "completed",
                              known=known, timeout=15)



def counts(rtp):
    with rtp.lock:
        return dict(rtp.by_first_byte)


def since(rtp, before):
    """Audio packets received by first byte since the snapshot `before` (counts)."""
    now = counts(rtp)
    return {b: n - before.get(b, 0) for b, n in now.items() if n - before.get(b, 0) > 0}


@siptest.require_sipp
class SupervisorMonitoringTest(CallControlCase):
    def monitor(self, line, call_id, mode, username="demo.supervisor"):
        return self.srv.sign_in(username).call("POST", f"/api/v1/lines/{line}/calls/{call_id}/monitor", {"mode": mode})

    def window(self, call, phone, sup, ready):
        """Snapshots now, then polls until ready(deltas) holds; returns the deltas (caller, phone, supervisor)."""
        before = [counts(r) for r in (call.rtp, phone.rtp, sup.rtp)]
        deltas = None

        def check():
            nonlocal deltas
            deltas = [since(r, b) for r, b in zip((call.rtp, phone.rtp, sup.rtp), before)]
            return ready(*deltas)
        self.assertTrue(wait_until(check, 10), f"caller, phone, supervisor heard: {deltas}")
        return deltas

    def others(self, delta, *allowed):
        return sum(n for b, n in delta.items() if b not in allowed)

    def test_listen_hears_both_coach_is_heard_by_the_counsellor_only_join_by_all_and_the_counsellor_is_told(self):
        phone, call, call_id, known = self.bridged()
        line = siptest.LINE
        # Refused: a counsellor who is not a supervisor; a mode that does not exist.
        status, body, _ = self.monitor(line, call_id, "listen", username="demo.welsh")
        self.assertEqual(status, 403, body)
        status, body, _ = self.monitor(line, call_id, "whisper")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["field"], "mode", body)
        status, body, _ = self.monitor(line, call_id, "listen")
        self.assertEqual(status, 503, body)  # the supervisor's phone is not registered yet
        self.assertEqual(body["error"]["field"], "supervisor", body)

        sup = self.phone("demo.supervisor", ring_ms=300, pt=PCMU, fill=SUPERVISOR_FILL, send_seconds=60)
        self.srv.wait_registered("demo.supervisor")
        status, body, _ = self.monitor(line, call_id, "listen")
        self.assertEqual(status, 200, body)
        self.assertEqual((body["mode"], body["state"]), ("listen", "ringing"), body)
        counsellor = self.srv.staff_ids["demo.counsellor"]
        supervisor = self.srv.staff_ids["demo.supervisor"]
        # The counsellor's own desk is told who is listening (no covert monitoring).
        mine = self.srv.sign_in("demo.counsellor")
        self.assertTrue(wait_until(lambda: (mine.call("GET", "/api/v1/live")[1]["me"].get("monitor") or {})
                                   .get("state") == "connected", 10), self.srv.log_tail())
        status, picture, _ = mine.call("GET", "/api/v1/live")
        self.assertEqual(picture["me"]["monitor"], {"supervisor": supervisor, "mode": "listen", "state": "connected"})

        both = mixed(CALLER_FILL, PHONE_FILL)
        # Listen: the supervisor hears caller and counsellor mixed; caller and counsellor only each other.
        c, p, s = self.window(call, phone, sup, lambda c, p, s: s.get(both, 0) > 50 and c.get(PHONE_FILL, 0) > 50
                              and p.get(CALLER_FILL, 0) > 50)
        self.assertLessEqual(self.others(c, PHONE_FILL), 2, f"the caller heard more than the counsellor: {c}")
        self.assertLessEqual(self.others(p, CALLER_FILL), 2, f"the counsellor heard more than the caller: {p}")

        # Coach: the counsellor also hears the supervisor; the caller still hears only the counsellor.
        status, body, _ = self.monitor(line, call_id, "coach")
        self.assertEqual((status, body.get("mode")), (200, "coach"), body)
        coached = mixed(CALLER_FILL, SUPERVISOR_FILL)
        c, p, s = self.window(call, phone, sup, lambda c, p, s: p.get(coached, 0) > 50 and s.get(both, 0) > 50
                              and c.get(PHONE_FILL, 0) > 50)
        self.assertLessEqual(self.others(c, PHONE_FILL), 3, f"the caller heard the coaching: {c}")

        # Join: everyone hears the other two.
        status, body, _ = self.monitor(line, call_id, "join")
        self.assertEqual((status, body.get("mode")), (200, "join"), body)
        heard_by_caller = mixed(PHONE_FILL, SUPERVISOR_FILL)
        self.window(call, phone, sup, lambda c, p, s: c.get(heard_by_caller, 0) > 50 and p.get(coached, 0) > 50
                    and s.get(both, 0) > 50)

        # Ended by the supervisor: a plain relay again, and the counsellor is told.
        status, body, _ = self.srv.sign_in("demo.supervisor").call("DELETE", f"/api/v1/lines/{line}/calls/{call_id}/monitor")
        self.assertEqual(status, 204, body)
        self.ok(sup.wait(15), "supervisor's phone (the server must BYE it)")
        c, p, s = self.window(call, phone, sup, lambda c, p, s: c.get(PHONE_FILL, 0) > 50 and p.get(CALLER_FILL, 0) > 50)
        self.assertLessEqual(self.others(c, PHONE_FILL), 3, c)
        self.assertLessEqual(self.others(p, CALLER_FILL), 3, p)
        status, picture, _ = mine.call("GET", "/api/v1/live")
        self.assertNotIn("monitor", picture["me"], picture["me"])

        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        told = [(e["data"]["mode"], e["data"]["state"]) for e in page["events"]
                if e["type"] == "call.monitor" and e["data"].get("call") == call_id]
        self.assertEqual(told, [("listen", "ringing"), ("listen", "connected"), ("coach", "connected"),
                                ("join", "connected"), ("join", "ended")], told)
        self.assertTrue(all(e["counsellor"] == counsellor for e in page["events"] if e["type"] == "call.monitor"))
        self.assertTrue(wait_until(lambda: self.audited(call_id) == [
            ("call.monitor_start", supervisor, "listen"), ("call.monitor_mode", supervisor, "coach"),
            ("call.monitor_mode", supervisor, "join"), ("call.monitor_end", supervisor, "join")], 5),
            self.audited(call_id))
        self.hang_up(call)

    def audited(self, call_id):
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        assert status == 200, audit
        out = []
        for a in audit["entries"]:
            if a.get("record_id") == call_id and a["action"].startswith("call.monitor"):
                out.append((a["action"], a["actor"], (a.get("detail") or {}).get("mode")))
        return out


if __name__ == "__main__":
    unittest.main()
