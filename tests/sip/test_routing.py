"""Routing through the real server: ring timeouts, CANCEL, breaks, a phone that vanishes, overflow."""
import time
import unittest

import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0


class RoutingCase(siptest.SipTestCase):
    def answering_phone(self, username, **kwargs):
        kwargs.setdefault("ring_ms", 300)
        phone = self.phone(username, pt=PCMU, fill=PHONE_FILL, send_seconds=30, **kwargs)
        self.srv.wait_registered(username)
        self.srv.wait_counsellor(username, lambda c: c["state"] == "available")
        return phone

    def wait_invite(self, phone, timeout):
        """Seconds until the phone's SIPp logged an INVITE (fails if none came within timeout)."""
        start = time.monotonic()
        self.assertTrue(self.got_invite(phone.uas, timeout=timeout),
                        f"no INVITE at the phone within {timeout} s\n--- server log\n{self.srv.log_tail()}")
        return time.monotonic() - start


@siptest.require_sipp
class RingingTest(RoutingCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 5}

    # 4 -----------------------------------------------------------------------------------------------
    def test_ring_no_answer_moves_to_the_next_counsellor(self):
        first = self.phone("demo.counsellor", scenario="phone_no_answer.xml")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        call = self.caller(digit="2", talk_ms=9000, pt=PCMU, fill=CALLER_FILL)
        self.wait_invite(first, 5)
        rang_at = time.monotonic()
        second = self.answering_phone("demo.welsh")
        self.ok(first.wait(15), "first phone (must get CANCEL after ring_timeout_s)")
        waited = time.monotonic() - rang_at
        self.assertGreater(waited, 3.5, "CANCEL came well before ring_timeout_s (5 s)")
        self.assertLess(waited, 9, "CANCEL came long after ring_timeout_s (5 s)")
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "break", timeout=5)
        self.assertEqual(entry.get("reason"), "missed_call", entry)
        self.ok(call.wait(), "caller")
        self.ok(second.wait(20), "second phone")
        self.assertGreater(second.rtp.received_fill(CALLER_FILL), 20, second.rtp.stats())
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 20, call.rtp.stats())
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.welsh"], contact)
        self.assertGreaterEqual(contact["call"]["queue_wait_s"], 4, contact)

    # 5 -----------------------------------------------------------------------------------------------
    def test_caller_hanging_up_while_the_phone_rings_cancels_the_ring(self):
        phone = self.phone("demo.counsellor", scenario="phone_no_answer.xml")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_hangup_in_queue.xml", digit="2", talk_ms=2500)
        self.wait_invite(phone, 5)
        rang_at = time.monotonic()
        live = self.srv.live()
        self.assertEqual(len(live["waiting"]), 1, live)
        self.assertEqual(live["waiting"][0]["ringing"], [self.srv.staff_ids["demo.counsellor"]], live)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(10), "phone (CANCEL, 200, 487, ACK)")
        self.assertLess(time.monotonic() - rang_at, 4.5, "the phone was cancelled by the ring timeout, not the hang-up")
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "abandoned",
                                        known=known)
        self.assertIsNone(contact.get("counsellor_id"), contact)
        # Not the counsellor's fault: no missed-call break.
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available", timeout=3)

    # 6 -----------------------------------------------------------------------------------------------
    def test_counsellor_on_break_is_not_rung_until_available_again(self):
        phone = self.answering_phone("demo.counsellor")
        self.srv.set_availability("demo.counsellor", "break")
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "break")
        self.assertEqual(entry.get("reason"), "chosen", entry)
        known = self.srv.contact_ids()
        call = self.caller(digit="2", talk_ms=9000, pt=PCMU, fill=CALLER_FILL)
        live = self.srv.wait_live(lambda lv: lv["waiting"], timeout=5)
        self.assertEqual(live["waiting"][0]["ringing"], [], live)
        self.assertFalse(self.got_invite(phone.uas, timeout=2), "a counsellor on break was rung")
        self.srv.set_availability("demo.counsellor", "available")
        self.wait_invite(phone, 3)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(20), "phone")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 20, phone.rtp.stats())
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 20, call.rtp.stats())
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.counsellor"], contact)
        self.assertGreaterEqual(contact["call"]["queue_wait_s"], 2, contact)

    # 11 ----------------------------------------------------------------------------------------------
    def test_phone_vanishing_while_ringing_moves_the_call_on(self):
        gone = self.phone("demo.counsellor", ring_ms=60000)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        call = self.caller(digit="2", talk_ms=9000, pt=PCMU, fill=CALLER_FILL)
        self.wait_invite(gone, 5)
        gone.uas.proc.kill()            # the phone dies mid-ring: no answer, no CANCEL response, nothing
        gone.uas.wait(5)
        second = self.answering_phone("demo.welsh")
        self.assertEqual(self.srv.options(), 200)
        self.wait_invite(second, 9)
        self.ok(call.wait(), "caller")
        self.ok(second.wait(20), "second phone")
        self.assertGreater(second.rtp.received_fill(CALLER_FILL), 20, second.rtp.stats())
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] != "ringing", timeout=5)
        self.assertEqual((entry["state"], entry.get("reason")), ("break", "missed_call"), entry)
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.welsh"], contact)
        self.assertEqual(self.srv.options(), 200)

    def test_phone_vanishing_while_ringing_with_nobody_else_leaves_the_call_queued(self):
        gone = self.phone("demo.counsellor", ring_ms=60000)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_hangup_in_queue.xml", digit="2", talk_ms=8000)
        self.wait_invite(gone, 5)
        gone.uas.proc.kill()
        gone.uas.wait(5)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "break", timeout=8)
        live = self.srv.wait_live(lambda lv: lv["waiting"] and not lv["waiting"][0]["ringing"], timeout=3)
        self.assertEqual(len(live["waiting"]), 1, live)
        self.ok(call.wait(), "caller (hangs up while still queued)")
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "abandoned",
                                        known=known)
        self.assertIsNone(contact.get("counsellor_id"), contact)
        self.assertEqual(self.srv.options(), 200)

    # A phone that unregisters is not a counsellor who can take calls. -----------------------------------
    def test_unregistering_the_phone_takes_the_counsellor_out_of_routing(self):
        phone = self.answering_phone("demo.counsellor")
        self.srv.unregister("demo.counsellor", phone)
        self.srv.wait_registered("demo.counsellor", registered=False)
        entry = self.srv.counsellor("demo.counsellor")
        self.assertNotEqual(entry["state"], "available",
                            f"a counsellor whose phone unregistered is still offered calls: {entry}")

    # A phone that goes away mid-call is not the counsellor choosing to stop. ----------------------------
    def test_a_phone_gone_during_a_call_leaves_the_counsellor_in_the_state_they_chose(self):
        phone = self.answering_phone("demo.counsellor", talk_ms=30000)
        call = self.caller(digit="2", talk_ms=6000, pt=PCMU, fill=CALLER_FILL)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call", timeout=15)
        self.srv.unregister("demo.counsellor", phone)
        entry = self.srv.wait_registered("demo.counsellor", registered=False)
        self.assertEqual(entry["state"], "on_call", entry)
        self.assertNotIn("after_call", entry, "the phone going away queued a state the counsellor never chose")
        self.ok(call.wait(), "caller")
        # wrap_up_s is 0 here: straight back to what they chose before the call.
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] != "on_call", timeout=10)
        self.assertEqual(entry["state"], "available", entry)
        self.assertFalse(entry["phone_registered"], entry)


@siptest.require_sipp
class OverflowTest(RoutingCase):
    @classmethod
    def setUpClass(cls):
        cls.partner_port = sh.free_port()
        cls.routing = {"wrap_up_s": 0, "ring_timeout_s": 5, "overflow_after_s": 10,
                       "overflow_to": f"sip:partner@127.0.0.1:{cls.partner_port}"}
        super().setUpClass()

    # 7 -----------------------------------------------------------------------------------------------
    def test_unanswered_call_overflows_to_the_partner_service(self):
        partner = self.track(sh.start_uas("phone_answer.xml", ring_ms=300, pt=PCMU, fill=PHONE_FILL,
                                          local_port=self.partner_port, send_seconds=30))
        known = self.srv.contact_ids()
        m0 = self.srv.metrics()
        started = time.monotonic()
        call = self.caller(digit="2", talk_ms=15000, pt=PCMU, fill=CALLER_FILL)
        self.srv.wait_live(lambda lv: lv["waiting"], timeout=5)
        self.assertTrue(self.got_invite(partner.uas, timeout=16),
                        "the partner service was never called\n" + self.srv.log_tail())
        waited = time.monotonic() - started
        self.assertGreater(waited, 9, "overflowed before overflow_after_s (10 s)")
        self.assertLess(waited, 14, "overflowed long after overflow_after_s (10 s)")
        self.assertIn("partner@", partner.uas.read("messages.log"))
        self.ok(call.wait(), "caller")
        self.ok(partner.wait(20), "partner (the server must BYE it when the caller hangs up)")
        self.assertGreater(partner.rtp.received_fill(CALLER_FILL), 20, partner.rtp.stats())
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 20, call.rtp.stats())
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "overflowed",
                                        known=known)
        self.assertIsNone(contact.get("counsellor_id"), contact)
        self.assertGreaterEqual(contact["call"]["queue_wait_s"], 9, contact)
        m1 = self.srv.metrics()
        # counters.hpp: calls_answered counts calls bridged to a counsellor or the overflow destination.
        self.assertEqual(m1["crisisline_calls_answered_total"] - m0["crisisline_calls_answered_total"], 1)
        self.assertEqual(m1["crisisline_calls_offered_total"] - m0["crisisline_calls_offered_total"], 1)
        self.assertEqual(self.srv.options(), 200)


if __name__ == "__main__":
    unittest.main()
