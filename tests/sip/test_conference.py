"""Three-party conference (issue 16): the counsellor adds a colleague or one of the line's external services.

Real peers: a SIPp carrier caller, SIPp counsellor phones, and for an external service a SIPp UAS listening at the
outbound trunk's address. Each party's RtpEndpoint sends PCMU frames of one byte repeated (its fill); the server
mixes 16-bit sums of the decoded frames, so a listener hearing two parties receives mixed(a, b) (as in
test_call_control's monitoring test). Each party is checked for hearing exactly the other two.
"""
import time

import sip_harness as sh
import siptest
from test_call_control import CALLER_FILL, PHONE_FILL, PCMU, CallControlCase, counts, mixed, since, wait_until

THIRD_FILL = 0x33


@siptest.require_sipp
class ConferenceTest(CallControlCase):
    @classmethod
    def setUpClass(cls):
        cls.carrier_port = sh.free_listen_port()
        cls.trunks = [{"name": "loopback-test-carrier", "allow": ["127.0.0.1"],
                       "outbound": f"127.0.0.1:{cls.carrier_port}"}]
        super().setUpClass()
        admin = cls.srv.sign_in("demo.admin")
        targets = [{"id": "ambulance", "name": "Ambulance (test, fictional)",
                    "uri": f"sip:999@127.0.0.1:{cls.carrier_port}", "kind": "emergency"},
                   {"id": "partner", "name": "Partner (test, fictional)",
                    "uri": f"sip:partner@127.0.0.1:{cls.carrier_port}", "kind": "partner"}]
        status, body, _ = admin.call("PATCH", f"/api/v1/lines/{siptest.LINE}", {"transfer_targets": targets})
        assert status == 200, body
        bad = [dict(targets[0], uri="tel:999")]
        status, body, _ = admin.call("PATCH", f"/api/v1/lines/{siptest.LINE}", {"transfer_targets": bad})
        assert status == 400 and body["error"]["field"] == "transfer_targets[0].uri", body

    # -- helpers
    def conference(self, call_id, method="POST", body=None, suffix=""):
        return self.srv.sign_in("demo.counsellor").call(method, f"/api/v1/session/calls/{call_id}/conference{suffix}",
                                                        body)

    def colleague(self):
        sup = self.phone("demo.supervisor", ring_ms=300, pt=PCMU, fill=THIRD_FILL, send_seconds=60)
        self.srv.wait_registered("demo.supervisor")
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")
        return sup

    def external(self, scenario="phone_answer.xml", talk_ms=60000):
        uas = sh.start_uas(scenario, ring_ms=300, talk_ms=talk_ms, pt=PCMU, fill=THIRD_FILL, send_seconds=60,
                           local_port=self.carrier_port, timeout_s=90)
        self.track(uas)
        return uas

    def my_conference(self):
        status, picture, _ = self.srv.sign_in("demo.counsellor").call("GET", "/api/v1/live")
        return (picture.get("me") or {}).get("conference") if status == 200 else None

    def wait_connected(self, call_id):
        self.assertTrue(wait_until(lambda: (self.my_conference() or {}).get("state") == "connected", 15),
                        f"never connected: {self.my_conference()}\n" + self.srv.log_tail())
        entry = self.active_entry(call_id)
        self.assertEqual(entry["conference"]["state"], "connected", entry)

    def window(self, rtps, ready):
        before = [counts(r) for r in rtps]
        deltas = None

        def check():
            nonlocal deltas
            deltas = [since(r, b) for r, b in zip(rtps, before)]
            return ready(*deltas)
        self.assertTrue(wait_until(check, 10), f"heard: {deltas}\n" + self.srv.log_tail(30))
        return deltas

    def assert_three_hear_each_other(self, call, phone, third):
        caller_hears, phone_hears, third_hears = (mixed(PHONE_FILL, THIRD_FILL), mixed(CALLER_FILL, THIRD_FILL),
                                                  mixed(CALLER_FILL, PHONE_FILL))
        c, p, t = self.window((call.rtp, phone.rtp, third.rtp),
                              lambda c, p, t: c.get(caller_hears, 0) > 50 and p.get(phone_hears, 0) > 50
                              and t.get(third_hears, 0) > 50)
        # Nobody hears themselves: a listener's own fill never comes back alone or in their mix.
        for delta, own, name in ((c, CALLER_FILL, "caller"), (p, PHONE_FILL, "counsellor"), (t, THIRD_FILL, "third")):
            self.assertLessEqual(delta.get(own, 0), 2, f"the {name} heard themselves: {delta}")

    def assert_plain_bridge(self, call, phone):
        c, p = self.window((call.rtp, phone.rtp), lambda c, p: c.get(PHONE_FILL, 0) > 50 and p.get(CALLER_FILL, 0) > 50)
        self.assertLessEqual(sum(n for b, n in c.items() if b != PHONE_FILL), 3, f"caller heard more: {c}")
        self.assertLessEqual(sum(n for b, n in p.items() if b != CALLER_FILL), 3, f"counsellor heard more: {p}")

    def audited(self, call_id):
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        assert status == 200, audit
        return [(a["action"], (a.get("detail") or {}).get("why")) for a in audit["entries"]
                if a.get("record_id") == call_id and a["action"].startswith("call.conference")]

    def consults_audited(self, call_id):
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        assert status == 200, audit
        return [a["action"] for a in audit["entries"]
                if a.get("record_id") == call_id and a["action"].startswith("call.consult")]

    # -- tests
    def test_no_conference_during_a_consult(self):
        phone, call, call_id, known = self.bridged()
        sup = self.colleague()
        supervisor = self.srv.staff_ids["demo.supervisor"]
        me = self.srv.sign_in("demo.counsellor")
        status, answer, _ = me.call("POST", f"/api/v1/session/calls/{call_id}/consult",
                                    {"to": f"counsellor:{supervisor}"})
        self.assertEqual(status, 202, answer)

        def refused():
            for to in ("external:partner", f"counsellor:{supervisor}"):
                status, answer, _ = self.conference(call_id, body={"to": to})
                self.assertEqual((status, answer["error"]["field"]), (409, "call"), (to, answer))
                self.assertIn("consulting a colleague", answer["error"]["message"], answer)
        refused()  # while the colleague's phone rings for the consult
        self.assertTrue(wait_until(lambda: (me.call("GET", "/api/v1/live")[1].get("me") or {}).get("consult", {})
                                   .get("state") == "connected", 15), "the consult never connected")
        refused()  # and while they talk
        self.assertIsNone(self.my_conference())
        self.assertNotIn("conference", self.active_entry(call_id))
        status, answer, _ = me.call("DELETE", f"/api/v1/session/calls/{call_id}/consult")
        self.assertEqual(status, 200, answer)
        self.ok(sup.wait(15), "the colleague's phone (the server must BYE it)")
        self.assert_plain_bridge(call, phone)
        # Each refused request is audited before it was refused; nothing rang, connected or ended.
        add = ("call.conference_add", None)
        self.assertTrue(wait_until(lambda: self.audited(call_id) == [add, add, add, add], 5), self.audited(call_id))
        self.assertEqual(self.consults_audited(call_id), ["call.consult_start", "call.consult_cancel"])
        self.hang_up(call)

    def test_a_colleague_joins_all_three_hear_each_other_then_is_dropped(self):
        phone, call, call_id, known = self.bridged()
        me = self.srv.staff_ids["demo.counsellor"]
        # Refusals before anything rings: a malformed target, an unknown service, themselves, a colleague whose
        # phone is not registered, someone not on the call, an unknown field.
        for body, status_wanted, field in (({"to": "ambulance"}, 400, "to"), ({"to": "external:nope"}, 400, "to"),
                                           ({"to": f"counsellor:{me}"}, 400, "to"),
                                           ({"to": "counsellor:" + self.srv.staff_ids["demo.supervisor"]}, 409, "to"),
                                           ({"to": "external:partner", "number": "1"}, 400, "number")):
            status, answer, _ = self.conference(call_id, body=body)
            self.assertEqual((status, answer["error"]["field"]), (status_wanted, field), (body, answer))
        status, answer, _ = self.srv.sign_in("demo.welsh").call(
            "POST", f"/api/v1/session/calls/{call_id}/conference", {"to": "external:partner"})
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)

        sup = self.colleague()
        supervisor = self.srv.staff_ids["demo.supervisor"]
        status, answer, _ = self.conference(call_id, body={"to": f"counsellor:{supervisor}"})
        self.assertEqual(status, 202, answer)
        self.assertEqual(answer["conference"]["to"], f"counsellor:{supervisor}", answer)
        self.wait_connected(call_id)
        self.assert_three_hear_each_other(call, phone, sup)

        # While conferenced: no monitoring, no hold, no transfer (409 naming the call).
        status, answer, _ = self.srv.sign_in("demo.supervisor").call(
            "POST", f"/api/v1/lines/{siptest.LINE}/calls/{call_id}/monitor", {"mode": "listen"})
        self.assertIn(status, (409,), answer)
        status, answer, _ = self.control("demo.counsellor", call_id, "hold")
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)
        status, answer, _ = self.conference(call_id, body={"to": "external:partner"})
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)
        # No consult (warm transfer) while conferenced: 409 saying why, and nothing rings.
        status, answer, _ = self.srv.sign_in("demo.counsellor").call(
            "POST", f"/api/v1/session/calls/{call_id}/consult", {"to": "counsellor:" + self.srv.staff_ids["demo.welsh"]})
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)
        self.assertIn("three-party conference", answer["error"]["message"], answer)
        self.assertEqual(self.my_conference(), {"to": f"counsellor:{supervisor}", "kind": "colleague",
                                                "state": "connected"})

        # Dropped: the colleague's phone gets BYE and the call is a plain relay again.
        status, answer, _ = self.conference(call_id, method="DELETE")
        self.assertEqual(status, 200, answer)
        self.assertIsNone(answer["conference"], answer)
        self.ok(sup.wait(15), "the colleague's phone (the server must BYE it)")
        self.assert_plain_bridge(call, phone)
        self.assertNotIn("conference", self.active_entry(call_id))
        # Every request is audited, the refused ones too (three reached telephony above, one while conferenced).
        add = ("call.conference_add", None)
        self.assertTrue(wait_until(lambda: self.audited(call_id) == [
            add, add, add, add, ("call.conference_connected", None), add, ("call.conference_drop", None),
            ("call.conference_ended", "dropped")], 5), self.audited(call_id))
        # The refused consult is audited too.
        self.assertEqual(self.consults_audited(call_id), ["call.consult_start"])
        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        told = [e["data"]["state"] for e in page["events"]
                if e["type"] == "call.conference" and e["data"].get("call") == call_id]
        self.assertEqual(told, ["ringing", "connected", "ended"], told)
        self.hang_up(call)

    def test_the_counsellor_leaves_the_caller_with_the_colleague(self):
        phone, call, call_id, known = self.bridged()
        sup = self.colleague()
        supervisor = self.srv.staff_ids["demo.supervisor"]
        status, answer, _ = self.conference(call_id, suffix="/leave")
        self.assertEqual((status, answer["error"]["field"]), (409, "call"), answer)  # no conference yet
        status, answer, _ = self.conference(call_id, body={"to": f"counsellor:{supervisor}"})
        self.assertEqual(status, 202, answer)
        self.wait_connected(call_id)
        self.assert_three_hear_each_other(call, phone, sup)
        status, answer, _ = self.conference(call_id, suffix="/leave")
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["state"], "left", answer)
        next_id = answer["continued_in"]
        self.ok(phone.wait(15), "the counsellor's phone (the server must BYE it)")
        # The caller and the colleague: a plain relay of the two.
        c, t = self.window((call.rtp, sup.rtp), lambda c, t: c.get(THIRD_FILL, 0) > 50 and t.get(CALLER_FILL, 0) > 50)
        self.assertLessEqual(sum(n for b, n in c.items() if b != THIRD_FILL), 3, c)
        self.srv.wait_counsellor("demo.supervisor", lambda s: s["state"] == "on_call" and s.get("call") == next_id)
        first = self.srv.wait_contact(lambda x: x["id"] == call_id and (x.get("call") or {}).get("end_reason")
                                      == "transferred", known=known, timeout=10)
        self.assertEqual(first["call"]["continued_in"], next_id, first)
        self.assertTrue(wait_until(lambda: ("call.conference_ended", "left") in self.audited(call_id), 5))
        self.hang_up(call)
        self.srv.wait_contact(lambda x: x["id"] == next_id and (x.get("call") or {}).get("end_reason") == "completed",
                              known=known, timeout=15)

    def test_an_emergency_service_only_after_an_escalation_never_sees_the_caller_number_and_hangs_up(self):
        phone, call, call_id, known = self.bridged()
        status, answer, _ = self.conference(call_id, body={"to": "external:ambulance"})
        self.assertEqual((status, answer["error"]["field"]), (409, "to"), answer)  # no escalation yet
        status, targets, _ = self.srv.sign_in("demo.counsellor").call(
            "GET", f"/api/v1/session/calls/{call_id}/transfer-targets")
        self.assertEqual(status, 200, targets)
        self.assertEqual({(e["to"], e["allowed"]) for e in targets["external"]},
                         {("external:ambulance", False), ("external:partner", True)}, targets)
        self.assertNotIn("127.0.0.1", str(targets["external"]), "a service's address is not for the desk")
        status, esc, _ = self.srv.sign_in("demo.counsellor").call(
            "POST", f"/api/v1/lines/{siptest.LINE}/contacts/{call_id}/escalations",
            {"emergency_service": "ambulance", "reason": "imminent risk (test)", "disclosed": "location",
             "supervisor_id": self.srv.staff_ids["demo.supervisor"]})
        self.assertEqual(status, 201, esc)

        service = self.external("phone_answer_hangup.xml", talk_ms=4000)
        status, answer, _ = self.conference(call_id, body={"to": "external:ambulance"})
        self.assertEqual(status, 202, answer)
        self.assertEqual(answer["conference"], {"to": "external:ambulance", "kind": "emergency", "state": "ringing"})
        self.assertTrue(service.uas.wait_log("INVITE", timeout=10), "the trunk never got the INVITE")
        self.wait_connected(call_id)
        self.assert_three_hear_each_other(call, phone, service)
        # What the service was sent: the line's name and number, nothing of the caller's.
        messages = service.uas.read("messages.log")
        self.assertIn("sip:999@127.0.0.1", messages)
        self.assertIn("From: \"Police Mental Health Crisis Line (demo)\" <sip:+448081570000@", messages)
        self.assertNotIn("01632960000", messages)
        self.assertNotIn("1632960000", messages)

        # The service hangs up after 4 s: back to a plain bridge between caller and counsellor.
        self.ok(service.uas.wait(20), "the emergency service's UAS")
        self.assertTrue(wait_until(lambda: self.my_conference() is None, 10), self.my_conference())
        self.assert_plain_bridge(call, phone)
        self.assertTrue(wait_until(lambda: ("call.conference_ended", "hung_up") in self.audited(call_id), 5),
                        self.audited(call_id))
        self.hang_up(call)

    def test_the_counsellor_leaves_the_caller_with_a_partner_service(self):
        phone, call, call_id, known = self.bridged()
        service = self.external("phone_answer.xml")
        status, answer, _ = self.conference(call_id, body={"to": "external:partner"})
        self.assertEqual(status, 202, answer)
        self.wait_connected(call_id)
        self.assert_three_hear_each_other(call, phone, service)
        status, answer, _ = self.conference(call_id, suffix="/leave")
        self.assertEqual(status, 200, answer)
        next_id = answer["continued_in"]
        self.ok(phone.wait(15), "the counsellor's phone (the server must BYE it)")
        c, t = self.window((call.rtp, service.rtp),
                           lambda c, t: c.get(THIRD_FILL, 0) > 50 and t.get(CALLER_FILL, 0) > 50)
        self.assertLessEqual(sum(n for b, n in c.items() if b != THIRD_FILL), 3, c)
        first = self.srv.wait_contact(lambda x: x["id"] == call_id and (x.get("call") or {}).get("end_reason")
                                      == "transferred", known=known, timeout=10)
        self.assertEqual(first["call"]["continued_in"], next_id, first)
        # The counsellor is free (wrap_up_s 0) while the caller still talks to the service.
        self.srv.wait_counsellor("demo.counsellor", lambda s: s["state"] == "available")
        self.hang_up(call)
        self.ok(service.uas.wait(15), "the partner service's UAS (the server must BYE it)")
        self.srv.wait_contact(lambda x: x["id"] == next_id and (x.get("call") or {}).get("end_reason") == "completed",
                              known=known, timeout=15)


if __name__ == "__main__":
    import unittest
    unittest.main()
