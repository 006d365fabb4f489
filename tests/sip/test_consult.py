"""Warm transfer (consult) from the console (issue 16), against the real server with real SIPp callers and phones.

The counsellor on a call consults a colleague of the line: the caller is held (hears the hold audio, nothing of
either), the colleague's phone rings, and once it answers the counsellor and the colleague hear each other and
nobody hears the caller. Completed, the caller carries on with the colleague (the first phone gets BYE, the first
contact ends "transferred" and names the next); cancelled, unanswered or hung up by the colleague, the call is the
counsellor's again and the caller hears them.

Audio is told apart by payload (as test_transfer.py): the caller sends CALLER_FILL, the first counsellor's phone
FIRST_FILL, the colleague's SECOND_FILL; packets whose payload is not one byte repeated are the hold audio.
"""
import siptest
from test_transfer import CALLER_FILL, FIRST_FILL, SECOND_FILL, TransferCase, music, wait_until


def heard(rtp, fill):
    """Audio packets whose whole payload is `fill` repeated: that party's voice (hold audio may start with it)."""
    with rtp.lock:
        return rtp.uniform.get(fill, 0)


class ConsultCase(TransferCase):
    def consult(self, username, call_id, body):
        return self.srv.sign_in(username).call("POST", f"/api/v1/session/calls/{call_id}/consult", body)

    def complete(self, username, call_id):
        return self.srv.sign_in(username).call("POST", f"/api/v1/session/calls/{call_id}/consult/complete")

    def cancel(self, username, call_id):
        return self.srv.sign_in(username).call("DELETE", f"/api/v1/session/calls/{call_id}/consult")

    def my_consult(self, username="demo.counsellor"):
        status, mine, _ = self.srv.sign_in(username).call("GET", "/api/v1/live")
        self.assertEqual(status, 200, mine)
        return (mine.get("me") or {}).get("consult")

    def start_consult(self, call, call_id, second):
        """Consults demo.supervisor; returns their staff id once their phone has answered."""
        colleague_id = self.srv.staff_ids["demo.supervisor"]
        status, answer, _ = self.consult("demo.counsellor", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 202, answer)
        self.assertEqual((answer["state"], answer["held"]), ("ringing", True), answer)
        self.assertTrue(self.got_invite(second.uas, timeout=10), "the colleague's phone never rang")
        at_music = music(call.rtp)
        wait_until("hold audio at the caller while the colleague's phone rings", lambda: music(call.rtp) > at_music + 20,
                   5)
        return colleague_id

    def assert_consulting(self, call, first, second, colleague_id):
        """Connected: the counsellor and the colleague hear each other; the caller hears only the hold audio."""
        wait_until("the consult connected", lambda: self.my_consult() == {"to": colleague_id, "state": "connected"})
        caller_heard = (heard(call.rtp, FIRST_FILL), heard(call.rtp, SECOND_FILL))
        first_heard_caller = heard(first.rtp, CALLER_FILL)
        at_music, at_first, at_second = music(call.rtp), first.rtp.received_fill(SECOND_FILL), \
            second.rtp.received_fill(FIRST_FILL)
        wait_until("the counsellor and the colleague to hear each other, and the caller the hold audio",
                   lambda: first.rtp.received_fill(SECOND_FILL) > at_first + 50
                   and second.rtp.received_fill(FIRST_FILL) > at_second + 50 and music(call.rtp) > at_music + 50, 10)
        self.assertEqual((heard(call.rtp, FIRST_FILL), heard(call.rtp, SECOND_FILL)), caller_heard,
                         "the caller heard the counsellor or the colleague during the consult")
        self.assertEqual(caller_heard[1], 0, "the caller heard the colleague")
        self.assertEqual(heard(first.rtp, CALLER_FILL), first_heard_caller,
                         "the counsellor heard the caller during the consult")
        self.assertEqual(heard(second.rtp, CALLER_FILL), 0, "the colleague heard the caller")
        colleague = self.srv.counsellor("demo.supervisor")
        self.assertEqual(colleague["state"], "on_call", colleague)
        self.assertTrue(call.sipp.running(), "the caller was hung up")

    def assert_back_with_the_counsellor(self, call, first, call_id):
        heard_first, heard_caller = call.rtp.received_fill(FIRST_FILL), first.rtp.received_fill(CALLER_FILL)
        wait_until("audio both ways again", lambda: call.rtp.received_fill(FIRST_FILL) > heard_first + 50
                   and first.rtp.received_fill(CALLER_FILL) > heard_caller + 50, 10)
        entry = self.srv.counsellor("demo.counsellor")
        self.assertEqual((entry["state"], entry.get("call")), ("on_call", call_id), entry)
        self.assertIsNone(self.my_consult())
        status, mine, _ = self.srv.sign_in("demo.counsellor").call("GET", "/api/v1/live")
        self.assertFalse(mine["me"]["held"], mine["me"])

    def audited(self, call_id):
        """The consult actions audited on the call, oldest first (refused requests are audited too)."""
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        return [e["action"] for e in audit["entries"]
                if e["action"].startswith("call.consult") and e["record_id"] == call_id]


@siptest.require_sipp
class ConsultCompletedTest(ConsultCase):
    routing = {"wrap_up_s": 60, "ring_timeout_s": 20}

    def test_the_counsellor_consults_then_joins_the_caller_to_the_colleague_and_leaves(self):
        first, call, call_id, known = self.first_call()
        # The colleague answers after 1 s and hangs up 25 s later (the caller then gets BYE).
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=1000, talk_ms=25000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.srv.staff_ids["demo.supervisor"]

        # Refusals, each naming the field; none changes the call.
        for body, status_wanted, field in [({}, 400, "to"), ({"to": "line:police"}, 400, "to"),
                                           ({"to": "counsellor:"}, 400, "to"),
                                           ({"to": "counsellor:st_nobody"}, 400, "to"),
                                           ({"to": "counsellor:" + self.srv.staff_ids["demo.counsellor"]}, 400, "to"),
                                           ({"to": "counsellor:" + self.srv.staff_ids["demo.welsh"]}, 409, "to"),
                                           ({"to": "counsellor:" + colleague_id, "x": 1}, 400, "x")]:
            status, answer, _ = self.consult("demo.counsellor", call_id, body)
            self.assertEqual(status, status_wanted, (body, answer))
            self.assertEqual(answer["error"]["field"], field, (body, answer))
        status, answer, _ = self.consult("demo.welsh", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)  # not their call
        status, answer, _ = self.consult("demo.manager", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 403, answer)
        for status, answer, _ in (self.complete("demo.counsellor", call_id), self.cancel("demo.counsellor", call_id)):
            self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)  # no consult yet

        self.start_consult(call, call_id, second)
        status, answer, _ = self.complete("demo.counsellor", call_id)
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)  # still ringing
        status, answer, _ = self.transfer("demo.counsellor", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 409, answer)  # no blind transfer during a consult
        self.assert_consulting(call, first, second, colleague_id)

        # Completed: the first phone gets BYE, the caller and the colleague hear each other.
        status, done, _ = self.complete("demo.counsellor", call_id)
        self.assertEqual(status, 200, done)
        self.assertEqual(done["state"], "completed", done)
        next_id = done["continued_in"]
        self.ok(first.wait(20), "the first counsellor's phone (the server's BYE after the consult)")
        wait_until("the colleague to hear the caller", lambda: second.rtp.received_fill(CALLER_FILL) > 30)
        wait_until("the caller to hear the colleague", lambda: call.rtp.received_fill(SECOND_FILL) > 30)
        self.assertTrue(call.sipp.running(), "the caller was hung up")

        # One history: the first contact ends "transferred" and names the next, the colleague's.
        handed = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                       known=known)
        self.assertEqual(handed["call"]["end_reason"], "transferred", handed)
        self.assertEqual(handed["call"]["continued_in"], next_id, handed)
        self.assertEqual(handed["counsellor_id"], self.srv.staff_ids["demo.counsellor"], handed)
        carried = self.srv.wait_contact(lambda c: c["id"] == next_id and c.get("counsellor_id"), known=known)
        self.assertEqual(carried["counsellor_id"], colleague_id, carried)
        self.assertEqual(carried["call"]["continues"], call_id, carried)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up" and c.get("wrapping_up") == call_id)
        self.assertEqual(self.srv.counsellor("demo.supervisor").get("call"), next_id)

        # The live feed (ids only) and the audit log.
        ours = [(e["type"], e["data"]) for e in self.events("call.consulting", "call.transferred")
                if e["data"]["call"] == call_id]
        self.assertEqual(ours, [("call.consulting", {"call": call_id, "to": colleague_id, "state": "ringing"}),
                                ("call.consulting", {"call": call_id, "to": colleague_id, "state": "connected"}),
                                ("call.transferred", {"call": call_id, "to": colleague_id, "consult": True,
                                                      "continued_in": next_id})], ours)
        audited = self.audited(call_id)  # the refused requests above among them
        self.assertEqual(audited[-1], "call.consult_complete", audited)
        self.assertIn("call.consult_start", audited[:-1], audited)
        self.ok(second.wait(40), "the colleague's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE after the colleague hung up)")

    def test_the_counsellor_hanging_up_mid_consult_leaves_the_caller_with_the_colleague(self):
        # The first phone hangs up 12 s after answering, while the colleague is on the line (as a desk phone's
        # attended transfer by hanging up); the colleague hangs up 20 s after answering.
        first, call, call_id, known = self.first_call(scenario="phone_answer_hangup.xml", talk_ms=12000)
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=500, talk_ms=20000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.start_consult(call, call_id, second)
        self.assert_consulting(call, first, second, colleague_id)
        self.ok(first.wait(20), "the first counsellor's phone (hangs up mid-consult)")
        wait_until("the caller to hear the colleague", lambda: heard(call.rtp, SECOND_FILL) > 30, 10)
        wait_until("the colleague to hear the caller", lambda: heard(second.rtp, CALLER_FILL) > 30, 10)
        handed = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                       known=known)
        self.assertEqual(handed["call"]["end_reason"], "transferred", handed)
        carried = self.srv.wait_contact(lambda c: c["id"] == handed["call"]["continued_in"] and c.get("counsellor_id"),
                                        known=known)
        self.assertEqual(carried["counsellor_id"], colleague_id, carried)
        self.ok(second.wait(40), "the colleague's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE after the colleague hung up)")


@siptest.require_sipp
class ConsultReturnsToTheCounsellorTest(ConsultCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 20}

    def test_cancelled_the_colleague_gets_bye_and_the_caller_hears_the_counsellor_again(self):
        # The first phone hangs up 25 s after answering: after the consult and the return to the caller.
        first, call, call_id, known = self.first_call(scenario="phone_answer_hangup.xml", talk_ms=25000)
        second = self.colleague(scenario="phone_answer.xml", ring_ms=1000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.start_consult(call, call_id, second)
        self.assert_consulting(call, first, second, colleague_id)

        status, back, _ = self.cancel("demo.counsellor", call_id)
        self.assertEqual(status, 200, back)
        self.assertEqual((back["state"], back["held"]), ("cancelled", False), back)
        self.ok(second.wait(20), "the colleague's phone (the server's BYE when the consult is cancelled)")
        self.assert_back_with_the_counsellor(call, first, call_id)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")  # not paused
        ended = [e["data"] for e in self.events("call.consult_ended") if e["data"]["call"] == call_id]
        self.assertEqual(ended, [{"call": call_id, "to": colleague_id, "reason": "cancelled"}], ended)
        self.assertEqual(self.audited(call_id), ["call.consult_start", "call.consult_cancel"])
        self.ok(first.wait(40), "the first counsellor's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE)")
        self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason") == "completed",
                              known=known)

    def test_the_colleague_hanging_up_mid_consult_returns_the_caller_to_the_counsellor(self):
        first, call, call_id, known = self.first_call(scenario="phone_answer_hangup.xml", talk_ms=30000)
        # The colleague answers after 0.5 s and hangs up 8 s later, mid-consult.
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=500, talk_ms=8000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.start_consult(call, call_id, second)
        self.assert_consulting(call, first, second, colleague_id)
        self.ok(second.wait(20), "the colleague's phone (hangs up mid-consult)")
        wait_until("call.consult_ended", lambda: [e for e in self.events("call.consult_ended")
                                                  if e["data"]["call"] == call_id])
        ended = [e["data"] for e in self.events("call.consult_ended") if e["data"]["call"] == call_id]
        self.assertEqual(ended, [{"call": call_id, "to": colleague_id, "reason": "colleague_hung_up"}], ended)
        self.assert_back_with_the_counsellor(call, first, call_id)
        self.assertTrue(call.sipp.running() and first.uas.running(), "a party was hung up")
        self.ok(first.wait(40), "the first counsellor's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE)")

    def test_a_refer_with_replaces_naming_no_dialog_of_ours_gets_481_and_the_call_goes_on(self):
        # Replaces naming a dialog crisisline does not have (the phone never dialled the colleague through it):
        # 481 (RFC 3891), nothing changes. The attended transfer itself is test_attended_refer.py's.
        first, call, call_id, known = self.first_call(
            scenario="phone_refer_replaces.xml", talk_ms=2000, keys={"refer_to": "sip:demo.supervisor@127.0.0.1"})
        self.ok(first.wait(20), "the first phone (481 to its REFER with Replaces, then it hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE after the counsellor hung up)")
        ended = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                      known=known)
        self.assertEqual(ended["call"]["end_reason"], "completed", ended)
        self.assertEqual([e for e in self.events("call.transferring", "call.consulting") if e["data"]["call"] == call_id],
                         [])


@siptest.require_sipp
class ConsultUnansweredTest(ConsultCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 5}

    def test_a_colleague_who_does_not_answer_leaves_the_call_with_the_counsellor(self):
        first, call, call_id, known = self.first_call(scenario="phone_answer_hangup.xml", talk_ms=25000)
        second = self.colleague(scenario="phone_no_answer.xml")
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.start_consult(call, call_id, second)
        self.assertEqual(self.my_consult(), {"to": colleague_id, "state": "ringing"})
        # The ring times out: CANCEL to the colleague, and the call is the first counsellor's again.
        self.ok(second.wait(20), "the colleague's phone (CANCEL after the ring timeout)")
        wait_until("call.consult_ended", lambda: [e for e in self.events("call.consult_ended")
                                                  if e["data"]["call"] == call_id], 10)
        ended = [e["data"] for e in self.events("call.consult_ended") if e["data"]["call"] == call_id]
        self.assertEqual(ended, [{"call": call_id, "to": colleague_id, "reason": "no_answer"}], ended)
        self.assert_back_with_the_counsellor(call, first, call_id)
        colleague = self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "break")
        self.assertEqual(colleague.get("reason"), "missed_call", colleague)
        self.ok(first.wait(40), "the first counsellor's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE)")

    def test_a_colleague_who_declines_leaves_the_call_with_the_counsellor(self):
        first, call, call_id, known = self.first_call(scenario="phone_answer_hangup.xml", talk_ms=20000)
        second = self.colleague(scenario="phone_decline.xml", ring_ms=1000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.start_consult(call, call_id, second)
        self.ok(second.wait(20), "the colleague's phone (486 Busy Here)")
        wait_until("call.consult_ended", lambda: [e for e in self.events("call.consult_ended")
                                                  if e["data"]["call"] == call_id], 10)
        ended = [e["data"] for e in self.events("call.consult_ended") if e["data"]["call"] == call_id]
        self.assertEqual(ended, [{"call": call_id, "to": colleague_id, "reason": "declined"}], ended)
        self.assert_back_with_the_counsellor(call, first, call_id)
        self.ok(first.wait(40), "the first counsellor's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE)")


if __name__ == "__main__":
    import unittest
    unittest.main()
