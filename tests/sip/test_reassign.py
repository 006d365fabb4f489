"""Reassign a waiting caller (issue 16), against the real server with real SIPp callers and phones.

A supervisor of the line offers a waiting caller to a counsellor they choose, ahead of the routing order
(`POST /api/v1/lines/{line}/calls/{call}/offer`): that counsellor's phone rings for that caller next, while the
caller keeps their place in the queue. Unanswered or declined, the caller is still where they were and routing
goes on as before.

The chosen counsellor's phone is a rawsip.Peer left ringing (180, then a 486 when the test declines, or the
server's CANCEL), so the test decides what it does with each INVITE; the colleague who answers afterwards is a
SIPp phone.
"""

import rawsip
import siptest
from siptest import wait_until

PCMU = 0
CALLER_FILL = 0x2A


class RingingPhone:
    """A desk phone that rings and waits for the test: registered for `username` from a rawsip.Peer."""

    def __init__(self, srv, username):
        self.peer = rawsip.Peer(srv.sip, ring_invites=True)
        self.registration = rawsip.Registration(self.peer, username, srv.sip_passwords[username])
        answer = self.registration.answer(self.registration.contact(), expires="300")
        assert answer is not None and answer.status == 200, answer

    def invites(self):
        return [r for r in self.peer.requests_of("INVITE") if r.tag("to") is None]

    def close(self):
        self.registration.answer(self.registration.contact(), expires="0")
        self.peer.close()


@siptest.require_sipp
class OfferAWaitingCallerTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 30}

    def offer(self, username, call_id, body, line=siptest.LINE):
        return self.srv.sign_in(username).call("POST", f"/api/v1/lines/{line}/calls/{call_id}/offer", body)

    def events(self, *types):
        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, page)
        return [e for e in page["events"] if e["type"] in types]

    def waiting(self):
        return self.srv.live()["waiting"]

    def test_the_chosen_counsellor_rings_for_the_second_caller_who_keeps_their_place_when_declined(self):
        ids = self.srv.staff_ids
        x = ids["demo.counsellor"]
        phone = RingingPhone(self.srv, "demo.counsellor")
        self.addCleanup(phone.close)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])

        # Two callers wait; routing rings X for the first (X's phone rings and is left ringing).
        first = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=90000, pt=PCMU, fill=CALLER_FILL, timeout_s=150)
        wait_until("X's phone to ring for the first caller", lambda: len(phone.invites()) == 1)
        second = self.caller(digit="2", talk_ms=90000, pt=PCMU, fill=CALLER_FILL, timeout_s=150)
        live = self.srv.wait_live(lambda live: len(live["waiting"]) == 2, 20)
        c1, c2 = live["waiting"][0]["call"], live["waiting"][1]["call"]
        self.assertEqual(live["waiting"][0]["ringing"], [x], live["waiting"])
        first_invite = phone.invites()[0].header("call-id")

        # Whom the wallboard offers for the second caller: X (ringing for the first: an offer takes them off it).
        status, targets, _ = self.srv.sign_in("demo.supervisor").call(
            "GET", f"/api/v1/lines/{siptest.LINE}/calls/{c2}/offer-targets")
        self.assertEqual(status, 200, targets)
        self.assertEqual(targets["counsellors"], [{"counsellor": x, "name": "Sam (demo counsellor)",
                                                    "state": "ringing"}], targets)

        # Refusals, each naming the field; none changes the queue.
        for body, wanted, field in [({}, 400, "counsellor"), ({"counsellor": 7}, 400, "counsellor"),
                                    ({"counsellor": "st_nobody"}, 400, "counsellor"),
                                    ({"counsellor": ids["demo.welsh"]}, 409, "counsellor"),  # phone not registered
                                    ({"counsellor": x, "x": 1}, 400, "x")]:
            status, answer, _ = self.offer("demo.supervisor", c2, body)
            self.assertEqual(status, wanted, (body, answer))
            self.assertEqual(answer["error"]["field"], field, (body, answer))
        status, answer, _ = self.offer("demo.supervisor", "ct_nobody", {"counsellor": x})
        self.assertEqual((status, answer["error"]["field"]), (404, "call"), answer)
        status, answer, _ = self.offer("demo.counsellor", c2, {"counsellor": x})
        self.assertEqual(status, 403, answer)  # a counsellor, not a supervisor
        status, answer, _ = self.offer("demo.manager", c2, {"counsellor": x})
        self.assertEqual(status, 403, answer)
        self.assertEqual([w["call"] for w in self.waiting()], [c1, c2])

        # The offer: X's ring for the first caller stops (CANCEL), X's phone rings for the second.
        status, answer, _ = self.offer("demo.supervisor", c2, {"counsellor": x})
        self.assertEqual(status, 202, answer)
        self.assertEqual(answer, {"call": c2, "line": siptest.LINE, "counsellor": x, "state": "ringing"}, answer)
        wait_until("X's phone to ring for the second caller", lambda: len(phone.invites()) == 2)
        wait_until("the CANCEL of the first ring", lambda: phone.peer.requests_of("CANCEL"))
        self.assertEqual(phone.peer.requests_of("CANCEL")[0].header("call-id"), first_invite)
        second_invite = phone.invites()[1].header("call-id")
        live = self.srv.wait_live(lambda live: [w.get("offered_to") for w in live["waiting"]] == [None, x], 10)
        self.assertEqual([(w["call"], w["position"], w["ringing"]) for w in live["waiting"]],
                         [(c1, 1, []), (c2, 2, [x])], live["waiting"])
        me = self.srv.counsellor("demo.counsellor")
        self.assertEqual((me["state"], me.get("call")), ("ringing", c2), me)
        ringing = [e for e in self.events("call.ringing") if e["counsellor"] == x]
        self.assertEqual([e["data"]["call"] for e in ringing], [c1, c2], ringing)
        offered = self.events("call.offered")
        self.assertEqual([(e["counsellor"], e["data"]) for e in offered],
                         [(x, {"call": c2, "supervisor": ids["demo.supervisor"]})], offered)
        status, again, _ = self.offer("demo.supervisor", c2, {"counsellor": x})
        self.assertEqual((status, again["error"]["field"]), (409, "call"), again)  # one offer at a time

        # X declines: the second caller is still second, X is paused as for any declined ring.
        self.assertTrue(phone.peer.decline(second_invite), "the offer's INVITE was not ringing")
        x_state = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "break")
        self.assertEqual(x_state.get("reason"), "phone_failed", x_state)
        live = self.srv.wait_live(lambda live: all("offered_to" not in w for w in live["waiting"]), 10)
        self.assertEqual([(w["call"], w["position"]) for w in live["waiting"]], [(c1, 1), (c2, 2)], live["waiting"])
        ended = wait_until("call.offer_ended", lambda: self.events("call.offer_ended"), 10)
        self.assertEqual([(e["counsellor"], e["data"]) for e in ended],
                         [(x, {"call": c2, "reason": "declined"})], ended)
        self.assertTrue(first.sipp.running() and second.sipp.running(), "a caller was hung up")
        # An unavailable counsellor (X, on a break now) is refused.
        status, answer, _ = self.offer("demo.supervisor", c2, {"counsellor": x})
        self.assertEqual((status, answer["error"]["field"]), (409, "counsellor"), answer)

        # Routing goes on in queue order: the next counsellor to be free is rung for the first caller.
        # (Their phone hangs up after 3 s: the first caller gets BYE.)
        colleague = self.phone("demo.supervisor", scenario="phone_answer_hangup.xml", ring_ms=300, talk_ms=3000,
                               pt=PCMU, fill=0x66, send_seconds=10)
        active = self.srv.wait_live(lambda live: len(live["active"]) == 1, 20)["active"][0]
        self.assertEqual((active["call"], active["counsellor"]), (c1, ids["demo.supervisor"]), active)
        live = self.srv.live()
        self.assertEqual([(w["call"], w["position"]) for w in live["waiting"]], [(c2, 1)], live["waiting"])
        self.ok(colleague.wait(30), "the colleague's phone (answers, hangs up)")
        self.ok(first.wait(30), "the first caller (the server's BYE)")

        # Every offer is in the audit log, as the supervisor's, refused ones too.
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        entries = [e for e in audit["entries"] if e["action"] == "call.offer" and e["record_id"] == c2]
        self.assertGreaterEqual(len(entries), 3, entries)
        self.assertTrue(all(e["actor"] == ids["demo.supervisor"] for e in entries), entries)
        second.close()


@siptest.require_sipp
class OfferToAnotherLinesCounsellorTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 30}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo.welsh no longer serves the police line (taking a line away applies at once; telephony reloads).
        admin = cls.srv.sign_in("demo.admin")
        status, body, _ = admin.call("PATCH", f"/api/v1/staff/{cls.srv.staff_ids['demo.welsh']}", {"lines": []})
        assert status == 200 and body["lines"] == [], body
        cls.srv.restart()  # telephony reads the staff at start

    def test_a_counsellor_who_does_not_serve_the_line_is_refused(self):
        ids = self.srv.staff_ids
        caller = self.caller(digit="2", talk_ms=60000, pt=PCMU, fill=CALLER_FILL, timeout_s=120)
        call_id = self.srv.wait_live(lambda live: len(live["waiting"]) == 1, 20)["waiting"][0]["call"]
        # Registered (the 200 is the binding), though /live no longer shows them to the line's supervisors.
        phone = self.track(self.srv.register("demo.welsh", ring_ms=300, pt=PCMU, fill=0x55, send_seconds=30))
        self.addCleanup(self.srv.unregister, "demo.welsh", phone)
        status, answer, _ = self.srv.sign_in("demo.supervisor").call(
            "POST", f"/api/v1/lines/{siptest.LINE}/calls/{call_id}/offer", {"counsellor": ids["demo.welsh"]})
        self.assertEqual((status, answer["error"]["field"]), (403, "counsellor"), answer)
        status, targets, _ = self.srv.sign_in("demo.supervisor").call(
            "GET", f"/api/v1/lines/{siptest.LINE}/calls/{call_id}/offer-targets")
        self.assertEqual((status, targets["counsellors"]), (200, []), targets)
        self.assertFalse(self.got_invite(phone.uas), "another line's counsellor was rung")
        live = self.srv.live()
        self.assertEqual([(w["call"], w["position"]) for w in live["waiting"]], [(call_id, 1)], live["waiting"])
        caller.close()


if __name__ == "__main__":
    import unittest
    unittest.main()
