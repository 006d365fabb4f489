"""Blind transfer from the console (issue 16), against the real server with real SIPp callers and phones.

The counsellor on a call hands it to a colleague of the line (whose phone rings while the caller hears the hold
audio; unanswered, the call comes back to the first counsellor) or to a line's queue (at the front). The first
counsellor's phone gets BYE, their contact ends "transferred" and names the contact the caller carries on in,
which names it back: the handler history is that chain of linked contacts.

Audio is told apart by payload (see test_calls.py): the caller sends CALLER_FILL, the first counsellor's phone
FIRST_FILL, the colleague's SECOND_FILL; packets whose payload is not one byte repeated are the hold audio.
"""
import json
import os
import sqlite3

import siptest
from siptest import wait_until

CALLER_FILL = 0x2A
FIRST_FILL = 0x55
SECOND_FILL = 0x66
PCMU = 0


def music(rtp):
    """Audio packets whose payload is not one byte repeated: the server's hold audio, never a party."""
    with rtp.lock:
        return sum(rtp.by_first_byte.values()) - sum(rtp.uniform.values())


class TransferCase(siptest.SipTestCase):
    def first_call(self, **kwargs):
        """demo.counsellor's phone answers a caller; audio both ways. Returns (phone, call, call id, known)."""
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=FIRST_FILL, send_seconds=90, **kwargs)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=60000, pt=PCMU, fill=CALLER_FILL,
                           timeout_s=120)
        me = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call" and c.get("call"), 20)
        wait_until("audio both ways", lambda: call.rtp.received_fill(FIRST_FILL) > 25
                   and phone.rtp.received_fill(CALLER_FILL) > 25)
        return phone, call, me["call"], known

    def colleague(self, **kwargs):
        """demo.supervisor (a counsellor of the line too), registered (and so available, unless rung at once)."""
        phone = self.phone("demo.supervisor", pt=PCMU, fill=SECOND_FILL, send_seconds=90, **kwargs)
        self.srv.wait_registered("demo.supervisor")
        return phone

    def transfer(self, username, call_id, body):
        return self.srv.sign_in(username).call("POST", f"/api/v1/session/calls/{call_id}/transfer", body)

    def events(self, *types):
        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, page)
        return [e for e in page["events"] if e["type"] in types]

    def contact_row(self, contact_id):
        """A contact's line and coded facts, read from the database (any line, which no one API reader sees)."""
        db = sqlite3.connect(os.path.join(self.srv.server.data_dir, "crisisline.db"), timeout=30)
        try:
            row = db.execute("SELECT line_id, facts_json FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        finally:
            db.close()
        return None if row is None else (row[0], json.loads(row[1]))


@siptest.require_sipp
class TransferToAColleagueWhoAnswersTest(TransferCase):
    routing = {"wrap_up_s": 60, "ring_timeout_s": 20}

    def test_the_colleague_answers_the_caller_talks_to_them_and_the_first_phone_gets_bye(self):
        first, call, call_id, known = self.first_call()
        # The colleague's phone rings 2 s, answers, and hangs up 10 s later (the caller then gets BYE).
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=2000, talk_ms=10000)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.srv.staff_ids["demo.supervisor"]

        # Refusals, each naming the field; none changes the call.
        for body, status_wanted, field in [({}, 400, "to"), ({"to": "demo.supervisor"}, 400, "to"),
                                           ({"to": "counsellor:"}, 400, "to"),
                                           ({"to": "counsellor:st_nobody"}, 400, "to"),
                                           ({"to": "counsellor:" + self.srv.staff_ids["demo.counsellor"]}, 400, "to"),
                                           ({"to": "counsellor:" + self.srv.staff_ids["demo.welsh"]}, 409, "to"),
                                           ({"to": "line:no-such-line"}, 400, "to"),
                                           ({"to": "counsellor:" + colleague_id, "x": 1}, 400, "x")]:
            status, answer, _ = self.transfer("demo.counsellor", call_id, body)
            self.assertEqual(status, status_wanted, (body, answer))
            self.assertEqual(answer["error"]["field"], field, (body, answer))
        status, answer, _ = self.transfer("demo.welsh", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 409, answer)  # not their call
        self.assertEqual(answer["error"]["field"], "call", answer)
        status, answer, _ = self.transfer("demo.manager", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 403, answer)

        # The colleagues the desk offers: the available colleague of the line, and the lines.
        status, targets, _ = self.srv.sign_in("demo.counsellor").call(
            "GET", f"/api/v1/session/calls/{call_id}/transfer-targets")
        self.assertEqual(status, 200, targets)
        self.assertEqual([c["to"] for c in targets["counsellors"]], ["counsellor:" + colleague_id], targets)
        self.assertIn("line:police", [line["to"] for line in targets["lines"]], targets)

        status, answer, _ = self.transfer("demo.counsellor", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 202, answer)
        self.assertEqual(answer["state"], "ringing", answer)
        # While the colleague's phone rings: the caller hears the hold audio, the first counsellor nothing.
        self.assertTrue(self.got_invite(second.uas, timeout=10), "the colleague's phone never rang")
        at_music = music(call.rtp)
        wait_until("hold audio at the caller", lambda: music(call.rtp) > at_music + 20, 5)
        me = self.srv.counsellor("demo.counsellor")
        self.assertEqual(me["state"], "on_call", me)

        # Answered: the first phone gets BYE, the caller and the colleague hear each other.
        self.ok(first.wait(20), "the first counsellor's phone (the server's BYE after the transfer)")
        wait_until("the colleague to hear the caller", lambda: second.rtp.received_fill(CALLER_FILL) > 30)
        wait_until("the caller to hear the colleague", lambda: call.rtp.received_fill(SECOND_FILL) > 30)
        self.assertTrue(call.sipp.running(), "the caller was hung up")

        # The contacts: one history, linked both ways, each counsellor's own.
        handed = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                       known=known)
        self.assertEqual(handed["call"]["end_reason"], "transferred", handed)
        self.assertEqual(handed["status"], "open", "the first counsellor wraps their contact up")
        self.assertEqual(handed["counsellor_id"], self.srv.staff_ids["demo.counsellor"], handed)
        next_id = handed["call"]["continued_in"]
        carried = self.srv.wait_contact(lambda c: c["id"] == next_id and c.get("counsellor_id"), known=known)
        self.assertEqual(carried["counsellor_id"], colleague_id, carried)
        self.assertEqual(carried["call"]["continues"], call_id, carried)
        self.assertEqual(carried["arrived_at"], handed["arrived_at"], "one caller, one arrival")
        first_state = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up")
        self.assertEqual(first_state.get("wrapping_up"), call_id, first_state)
        self.assertNotIn("after_call", first_state, "a transfer is no failure: available after the wrap-up")

        # The live feed: ids only.
        ours = self.events("call.transferring", "call.transferred")
        self.assertEqual([e["type"] for e in ours], ["call.transferring", "call.transferred"], ours)
        self.assertEqual(ours[0]["data"], {"call": call_id, "to": colleague_id}, ours)
        self.assertEqual(ours[1]["data"], {"call": call_id, "to": colleague_id, "continued_in": next_id}, ours)
        ended = [e for e in self.events("call.ended") if e["data"].get("call") == call_id]
        self.assertEqual(ended[0]["data"]["reason"], "transferred", ended)
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        entries = [e for e in audit["entries"] if e["action"] == "call.transfer" and e["record_id"] == call_id]
        self.assertGreaterEqual(len(entries), 1, "the transfer is in the audit log")
        self.ok(second.wait(30), "the colleague's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE after the colleague hung up)")


@siptest.require_sipp
class TransferToAColleagueWhoDoesNotAnswerTest(TransferCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 5}

    def test_an_unanswered_transfer_gives_the_call_back_to_the_first_counsellor(self):
        # The first phone hangs up 25 s after answering: after the transfer has rung out and the call is back.
        first, call, call_id, known = self.first_call(scenario="phone_answer_hangup.xml", talk_ms=25000)
        second = self.colleague(scenario="phone_no_answer.xml")
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        colleague_id = self.srv.staff_ids["demo.supervisor"]
        status, answer, _ = self.transfer("demo.counsellor", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 202, answer)
        self.assertTrue(self.got_invite(second.uas, timeout=10), "the colleague's phone never rang")
        at_music = music(call.rtp)
        wait_until("hold audio at the caller", lambda: music(call.rtp) > at_music + 20, 5)
        entry = self.srv.counsellor("demo.counsellor")
        status, mine, _ = self.srv.sign_in("demo.counsellor").call("GET", "/api/v1/live")
        self.assertEqual(mine["me"].get("transfer"), {"to": colleague_id, "state": "ringing"}, mine["me"])
        status, again, _ = self.transfer("demo.counsellor", call_id, {"to": "counsellor:" + colleague_id})
        self.assertEqual(status, 409, again)  # one transfer at a time

        # The ring times out (4 s): CANCEL to the colleague, and the call is the first counsellor's again.
        self.ok(second.wait(20), "the colleague's phone (CANCEL after the ring timeout)")
        failed = wait_until("call.transfer_failed", lambda: self.events("call.transfer_failed"), 10)
        self.assertEqual(failed[0]["data"], {"call": call_id, "to": colleague_id, "reason": "no_answer"}, failed)
        heard_first = call.rtp.received_fill(FIRST_FILL)
        heard_caller = first.rtp.received_fill(CALLER_FILL)
        wait_until("audio both ways again", lambda: call.rtp.received_fill(FIRST_FILL) > heard_first + 50
                   and first.rtp.received_fill(CALLER_FILL) > heard_caller + 50, 10)
        entry = self.srv.counsellor("demo.counsellor")
        self.assertEqual((entry["state"], entry.get("call")), ("on_call", call_id), entry)
        colleague = self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "break")
        self.assertEqual(colleague.get("reason"), "missed_call", colleague)
        self.assertTrue(call.sipp.running() and first.uas.running(), "a party was hung up")
        self.assertNotIn(call_id, [c["id"] for c in self.srv.contacts() if (c.get("call") or {}).get("end_reason")])
        self.ok(first.wait(40), "the first counsellor's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE)")
        ended = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                      known=known)
        self.assertEqual(ended["call"]["end_reason"], "completed", ended)


@siptest.require_sipp
class TransferToAQueueTest(TransferCase):
    routing = {"wrap_up_s": 60, "ring_timeout_s": 20}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.srv.sign_in("demo.admin")
        for line in ("fire", "ambulance"):
            status, body, _ = admin.call("POST", "/api/v1/lines", {"id": line, "name": f"{line.title()} line (test)"})
            assert status == 201, body
        # The police line's overflow sister line is the ambulance line (the change reloads telephony).
        status, body, _ = admin.call("PATCH", "/api/v1/lines/police", {"routing": {"overflow_to": "line:ambulance"}})
        assert status == 200, body

    def test_the_caller_goes_to_the_front_of_a_queue_and_on_along_a_chain_of_contacts(self):
        first, call, call_id, known = self.first_call()
        # Another caller already waits on the line (nobody else is available).
        waiting = self.caller(digit="2", talk_ms=60000, pt=PCMU, fill=CALLER_FILL, timeout_s=120)
        self.srv.wait_live(lambda live: len(live["waiting"]) == 1, 20)

        status, answer, _ = self.transfer("demo.counsellor", call_id, {"to": "line:fire"})
        self.assertEqual(status, 403, answer)  # neither the sister line nor theirs
        self.assertEqual(answer["error"]["field"], "to", answer)

        # Back to the line's own queue: at the front, ahead of the caller who was waiting.
        status, answer, _ = self.transfer("demo.counsellor", call_id, {"to": "line:police"})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["state"], "queued", answer)
        next_id = answer["continued_in"]
        self.ok(first.wait(20), "the first counsellor's phone (the server's BYE after the transfer)")
        live = self.srv.wait_live(lambda live: len(live["waiting"]) == 2, 10)
        self.assertEqual(live["waiting"][0]["call"], next_id, live["waiting"])
        self.assertEqual(live["waiting"][0]["position"], 1, live["waiting"])
        at_music = music(call.rtp)
        wait_until("hold audio while queued", lambda: music(call.rtp) > at_music + 20, 5)

        # The next counsellor is rung for the transferred caller first, and answers.
        second = self.colleague(scenario="phone_answer.xml", ring_ms=300)
        wait_until("the caller to hear the next counsellor", lambda: call.rtp.received_fill(SECOND_FILL) > 30)
        carried = self.srv.wait_contact(lambda c: c["id"] == next_id and c.get("counsellor_id"), known=known)
        self.assertEqual(carried["call"]["continues"], call_id, carried)
        handed = self.srv.wait_contact(lambda c: c["id"] == call_id, known=known)
        self.assertEqual(handed["call"]["end_reason"], "transferred", handed)
        self.assertEqual(handed["call"]["continued_in"], next_id, handed)

        # The second counsellor hands the caller to the sister line's queue: a third contact, on that line.
        status, answer, _ = self.transfer("demo.supervisor", next_id, {"to": "line:ambulance"})
        self.assertEqual(status, 200, answer)
        third_id = answer["continued_in"]
        self.ok(second.wait(20), "the second counsellor's phone (BYE)")
        row = wait_until("the third contact", lambda: self.contact_row(third_id), 10)
        self.assertEqual(row[0], "ambulance", row)
        self.assertEqual(row[1]["call"]["continues"], next_id, row)
        self.assertTrue(call.sipp.running(), "the caller was hung up")
        at_music = music(call.rtp)
        wait_until("hold audio on the sister line's queue", lambda: music(call.rtp) > at_music + 20, 5)
        transferred = self.events("call.transferred")
        self.assertEqual([e["data"] for e in transferred],
                         [{"call": call_id, "to_line": "police", "continued_in": next_id},
                          {"call": next_id, "to_line": "ambulance", "continued_in": third_id}], transferred)
        waiting.close()


@siptest.require_sipp
class ReferFromADeskPhoneTest(TransferCase):
    """A desk phone's own transfer button: REFER inside the counsellor's dialog, by the console's path."""
    routing = {"wrap_up_s": 0, "ring_timeout_s": 20}

    def test_refer_to_a_colleague_transfers_with_notify_sipfrag(self):
        # The first phone sends REFER 5 s after answering; the colleague answers 1 s after ringing.
        first, call, call_id, known = self.first_call(
            scenario="phone_answer_refer.xml", talk_ms=5000, keys={"refer_to": "sip:demo.supervisor@127.0.0.1"})
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=1000, talk_ms=8000)
        wait_until("the caller to hear the colleague", lambda: call.rtp.received_fill(SECOND_FILL) > 30, 30)
        self.ok(first.wait(20), "the first phone (202, NOTIFY 100 then 200, then the server's BYE)")
        frags = [line for line in first.uas.log_lines("NOTIFY")]
        self.assertTrue(any("NOTIFY1 SIP/2.0 100 Trying" in f for f in frags), frags)
        self.assertTrue(any("NOTIFY2 SIP/2.0 200 OK" in f for f in frags), frags)
        handed = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                       known=known)
        self.assertEqual(handed["call"]["end_reason"], "transferred", handed)
        carried = self.srv.wait_contact(lambda c: c["id"] == handed["call"]["continued_in"] and c.get("counsellor_id"),
                                        known=known)
        self.assertEqual(carried["counsellor_id"], self.srv.staff_ids["demo.supervisor"], carried)
        self.ok(second.wait(30), "the colleague's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE)")

    def test_refer_to_a_target_outside_the_rules_gets_403_and_the_call_goes_on(self):
        first, call, call_id, known = self.first_call(
            scenario="phone_refer_refused.xml", talk_ms=2000, keys={"refer_to": "sip:+442079460000@127.0.0.1"})
        self.ok(first.wait(20), "the first phone (403 to its REFER, then it hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE after the counsellor hung up)")
        ended = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                      known=known)
        self.assertEqual(ended["call"]["end_reason"], "completed", ended)
        self.assertIn("neither a colleague nor a line: 403", self.srv.log())


if __name__ == "__main__":
    import unittest
    unittest.main()
