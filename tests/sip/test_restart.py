"""Telephony after a crash: the server is killed with SIGKILL (nothing is hung up, nothing is flushed but what
was committed) and started again on the same data and ports.

- Phones' registrations are kept in the database, so a new call rings a phone that never registered again.
- Calls in progress at the crash are ended at start with the reason "server_restart" and the time last known:
  the answered one stays open for its counsellor's wrap-up (who is in wrap-up), the queued one is closed; the
  supervisor's contact list shows both.
"""
import time
import unittest

import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0


@siptest.require_sipp
class RestartTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 120, "ring_timeout_s": 10}

    def crash_and_restart(self):
        """kill -9, then start again on the same HTTP and SIP ports and data; waits until SIP answers."""
        srv = self.srv
        srv.server.proc.kill()
        srv.server.proc.wait(timeout=10)
        srv.server.start(port=srv.server.port)
        srv.wait_sip()

    def answering_phone(self, username, **kwargs):
        phone = self.phone(username, pt=PCMU, fill=PHONE_FILL, send_seconds=60, ring_ms=300, **kwargs)
        self.srv.wait_registered(username)
        self.srv.wait_counsellor(username, lambda c: c["state"] == "available")
        return phone

    def test_after_kill_9_a_new_call_rings_the_phone_that_never_registered_again(self):
        phone = self.answering_phone("demo.counsellor")
        gone = self.answering_phone("demo.welsh")
        self.srv.unregister("demo.welsh", gone)  # unregistered before the crash: must stay so after it
        self.srv.wait_registered("demo.welsh", registered=False)
        self.assertFalse(self.got_invite(phone.uas), "nothing rang before the crash")
        self.crash_and_restart()
        # The REGISTER's SIPp process has long exited: the phone does not register again. The server must
        # know it anyway, at once.
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"], timeout=5)
        self.assertEqual(entry["state"], "available", entry)
        welsh = self.srv.counsellor("demo.welsh")
        self.assertFalse(welsh["phone_registered"], welsh)
        self.assertEqual(welsh["state"], "offline", welsh)

        known = self.srv.contact_ids()
        call = self.caller(digit="2", talk_ms=4000, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "caller")
        self.assertTrue(self.got_invite(phone.uas), "the restored phone was rung")
        self.ok(phone.wait(20), "phone (answered, then the server's BYE when the caller hung up)")
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 50, f"phone -> caller: {call.rtp.stats()}")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 50, f"caller -> phone: {phone.rtp.stats()}")
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.counsellor"], contact)

    def test_calls_in_progress_at_kill_9_are_ended_for_wrap_up_and_shown_to_the_supervisor(self):
        self.answering_phone("demo.counsellor")
        known = self.srv.contact_ids()
        talking = self.caller(digit="2", talk_ms=120000, pt=PCMU, fill=CALLER_FILL)
        answered = self.srv.wait_contact(lambda c: c.get("answered_at") and not c.get("ended_at"), known=known,
                                         timeout=20)
        # A second caller waits: the only counsellor is on the first call.
        waiting = self.caller(digit="2", talk_ms=120000, pt=PCMU, fill=CALLER_FILL)
        self.srv.wait_live(lambda live: len(live["waiting"]) >= 1, timeout=20)
        queued = self.srv.wait_contact(lambda c: c["id"] != answered["id"] and not c.get("ended_at"), known=known)
        self.assertTrue(talking.sipp.running() and waiting.sipp.running())

        self.crash_and_restart()
        # Left as the crash left them, these contacts would stay "open" with no end for ever.
        ended = self.srv.wait_contact(lambda c: c["id"] == answered["id"] and c.get("ended_at"), timeout=5)
        self.assertEqual(ended["call"]["end_reason"], "server_restart", ended)
        self.assertEqual(ended["status"], "open", "its counsellor wraps it up")
        self.assertEqual(ended["counsellor_id"], self.srv.staff_ids["demo.counsellor"], ended)
        self.assertGreaterEqual(ended["ended_at"], ended["answered_at"], ended)
        closed = self.srv.wait_contact(lambda c: c["id"] == queued["id"] and c.get("ended_at"), timeout=5)
        self.assertEqual(closed["call"]["end_reason"], "server_restart", closed)
        self.assertEqual(closed["status"], "closed", "nobody answered it: nobody wraps it up")
        self.assertFalse(closed.get("counsellor_id"), closed)
        # The counsellor is in wrap-up for it, not rung for new calls straight away.
        entry = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "wrap_up", timeout=5)
        self.assertTrue(entry.get("wrap_up_ends"), entry)
        # The counsellor's own view: the contact is theirs to complete.
        status, body, _ = self.srv.sign_in("demo.counsellor").call(
            "GET", f"/api/v1/lines/{siptest.LINE}/contacts?status=open&limit=500")
        self.assertEqual(status, 200, body)
        self.assertIn(answered["id"], [c["id"] for c in body["contacts"]])


if __name__ == "__main__":
    unittest.main()
