"""End to end calls through the real server: SIPp carrier callers, SIPp (and baresip) counsellor phones.

Audio is told apart by payload: the caller's RtpEndpoint sends PCMU frames filled with CALLER_FILL, the
phone's with PHONE_FILL (both legs agree PCMU, the first codec offered, so the relay passes payloads as
they are), and each end counts what it received by the payload's first byte. Prompts (greeting etc.)
are generated silence and do not count as the other party's audio.
"""
import os
import socket
import struct
import subprocess
import sys
import time
import unittest

import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
INTRUDER_FILL = 0x77
PCMU = 0


@siptest.require_sipp
class CallsTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}

    def answering_phone(self, username, **kwargs):
        kwargs.setdefault("ring_ms", 300)
        phone = self.phone(username, pt=PCMU, fill=PHONE_FILL, send_seconds=30, **kwargs)
        self.srv.wait_registered(username)
        self.srv.wait_counsellor(username, lambda c: c["state"] == "available")
        return phone

    # 1 -----------------------------------------------------------------------------------------------
    def test_answered_call_has_audio_both_ways_and_a_completed_contact(self):
        phone = self.answering_phone("demo.counsellor")
        known = self.srv.contact_ids()
        m0 = self.srv.metrics()
        call = self.caller(digit="2", talk_ms=4000, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(20), "phone (the server must BYE it when the caller hangs up)")
        to_caller = call.rtp.received_fill(PHONE_FILL)
        to_phone = phone.rtp.received_fill(CALLER_FILL)
        self.assertGreater(to_caller, 50, f"phone -> caller audio: caller {call.rtp.stats()}")
        self.assertGreater(to_phone, 50, f"caller -> phone audio: phone {phone.rtp.stats()}")

        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["channel"], "phone")
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.counsellor"], contact)
        self.assertTrue(contact.get("answered_at"), contact)
        self.assertTrue(contact.get("ended_at"), contact)
        self.assertLessEqual(contact["arrived_at"], contact["answered_at"])
        self.assertLessEqual(contact["answered_at"], contact["ended_at"])
        self.assertGreaterEqual(contact["call"]["talk_s"], 2, contact)
        self.assertLessEqual(contact["call"]["queue_wait_s"], 5, contact)

        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_offered_total"] - m0["crisisline_calls_offered_total"], 1)
        self.assertEqual(m1["crisisline_calls_answered_total"] - m0["crisisline_calls_answered_total"], 1)
        self.assertGreater(m1["crisisline_rtp_packets_relayed_total"] - m0["crisisline_rtp_packets_relayed_total"],
                           100)
        self.assertEqual(m1.get("crisisline_active_calls", 0), 0)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")

    # 1b ----------------------------------------------------------------------------------------------
    def test_a_late_offer_call_is_answered_with_an_offer_and_bridged_with_audio_both_ways(self):
        # Some carriers send INVITE without SDP: the server offers in its 200, the caller answers in the ACK.
        phone = self.answering_phone("demo.counsellor")
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_late_offer.xml", digit="2", talk_ms=4000, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "late-offer caller")
        self.ok(phone.wait(20), "phone")
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 50, f"phone -> caller: {call.rtp.stats()}")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 50, f"caller -> phone: {phone.rtp.stats()}")
        self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed", known=known)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")

    # 2 -----------------------------------------------------------------------------------------------
    def test_welsh_choice_rings_only_the_welsh_speaker(self):
        english = self.answering_phone("demo.counsellor")
        welsh = self.answering_phone("demo.welsh")
        known = self.srv.contact_ids()
        call = self.caller(digit="1", talk_ms=2500, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "Welsh caller")
        self.ok(welsh.wait(20), "demo.welsh's phone")
        self.assertGreater(welsh.rtp.received_fill(CALLER_FILL), 20, welsh.rtp.stats())
        self.assertFalse(self.got_invite(english.uas, timeout=0.5),
                         "the English-only phone was rung for a Welsh call:\n" + english.uas.read("logs.log"))
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.welsh"], contact)
        self.assertEqual(contact.get("language"), "cy", contact)

        # English (2): either may take it. demo.welsh's phone took its one call: give it a fresh one.
        welsh2 = self.answering_phone("demo.welsh")
        known = self.srv.contact_ids()
        call = self.caller(digit="2", talk_ms=2000, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "English caller")
        rung = [(name, p) for name, p in (("demo.counsellor", english), ("demo.welsh", welsh2))
                if self.got_invite(p.uas, timeout=0)]
        self.assertEqual(len(rung), 1, f"exactly one phone should have been rung, got {[n for n, _ in rung]}")
        name, taker = rung[0]
        self.ok(taker.wait(20), f"{name}'s phone")
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                        known=known)
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids[name], contact)

    # 3 -----------------------------------------------------------------------------------------------
    def test_caller_hanging_up_in_the_queue_is_abandoned(self):
        live = self.srv.live()
        self.assertFalse([c for c in live["counsellors"] if c["state"] == "available"], live)
        known = self.srv.contact_ids()
        m0 = self.srv.metrics()
        call = self.caller(scenario="caller_hangup_in_queue.xml", digit="2", talk_ms=3500)
        live = self.srv.wait_live(lambda lv: lv["waiting"], timeout=5)
        self.assertEqual(live["waiting"][0]["line"], siptest.LINE, live)
        self.assertEqual(live["queues"][siptest.LINE]["waiting"], 1, live)
        self.ok(call.wait(), "caller")
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "abandoned",
                                        known=known)
        self.assertGreater(contact["call"]["queue_wait_s"], 0, contact)
        self.assertIsNone(contact.get("counsellor_id"), contact)
        self.assertFalse(contact.get("answered_at"), contact)
        self.assertEqual(contact["status"], "closed", contact)
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_abandoned_total"] - m0["crisisline_calls_abandoned_total"], 1)
        self.assertEqual(m1["crisisline_calls_answered_total"] - m0["crisisline_calls_answered_total"], 0)
        self.srv.wait_live(lambda lv: not lv["waiting"] and lv["queues"][siptest.LINE]["waiting"] == 0)

    # 8 -----------------------------------------------------------------------------------------------
    def test_reinvite_hold_and_resume_on_a_bridged_call(self):
        phone = self.answering_phone("demo.counsellor")
        call = self.caller(scenario="caller_reinvite_hold.xml", digit="2", talk_ms=1500, send_seconds=8,
                           pt=PCMU, fill=CALLER_FILL)
        # Answered by the phone before the first re-INVITE (talk_ms after the server's answer).
        self.ok(call.wait(), "caller (hold: 200 with recvonly/inactive; resume; BYE)")
        self.ok(phone.wait(20), "phone")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 10, phone.rtp.stats())

    # 13 ----------------------------------------------------------------------------------------------
    def test_rtp_from_an_unexpected_source_is_ignored(self):
        phone = self.answering_phone("demo.counsellor")
        call = self.caller(digit="2", talk_ms=6000, pt=PCMU, fill=CALLER_FILL)
        self.assertTrue(phone.rtp.wait_received(20, timeout=10), f"no audio at the phone: {phone.rtp.stats()}")
        caller_leg = call.sipp.remote_rtp("ANSWERED", timeout=1)
        phone_leg = phone.uas.remote_rtp("INVITE", timeout=1)
        self.assertIsNotNone(caller_leg)
        self.assertIsNotNone(phone_leg)
        m0 = self.srv.metrics()
        before_phone = phone.rtp.received_fill(CALLER_FILL)
        before_caller = call.rtp.received_fill(PHONE_FILL)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as intruder:
            intruder.bind(("127.0.0.1", 0))
            frame = bytes([INTRUDER_FILL]) * 160
            for i in range(60):
                for target in (caller_leg, phone_leg):
                    hdr = struct.pack("!BBHII", 0x80, PCMU, 40000 + i, 1000 + 160 * i, 0x1BADB002)
                    intruder.sendto(hdr + frame, target)
                time.sleep(0.02)
        time.sleep(0.3)
        m1 = self.srv.metrics()
        self.assertEqual(phone.rtp.received_fill(INTRUDER_FILL), 0,
                         f"the phone heard injected RTP: {phone.rtp.stats()}")
        self.assertEqual(call.rtp.received_fill(INTRUDER_FILL), 0,
                         f"the caller heard injected RTP: {call.rtp.stats()}")
        self.assertGreaterEqual(m1["crisisline_rtp_packets_ignored_total"] - m0["crisisline_rtp_packets_ignored_total"],
                                100, "crisisline_rtp_packets_ignored_total did not count the injected packets")
        # The real streams carried on meanwhile.
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL) - before_phone, 30)
        self.assertGreater(call.rtp.received_fill(PHONE_FILL) - before_caller, 30)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(20), "phone")

    # 10 ----------------------------------------------------------------------------------------------
    @unittest.skipUnless(sh.baresip_available(), "baresip is not installed (Debian baresip-core)")
    def test_baresip_softphone_answers_with_audio_both_ways(self):
        user = "demo.counsellor"
        phone = sh.Baresip(user=user, registrar=self.srv.sip, password=self.srv.sip_passwords[user])
        self.track(phone)
        phone.start()
        self.assertTrue(phone.wait_registered(10), "baresip did not register:\n" + phone.output()[-3000:]
                        + "\n--- server log\n" + self.srv.log_tail())
        try:
            self.srv.wait_registered(user)
            self.srv.wait_counsellor(user, lambda c: c["state"] == "available")
            known = self.srv.contact_ids()
            call = self.caller(digit="2", talk_ms=4000, pt=PCMU, fill=CALLER_FILL)
            self.ok(call.wait(), "caller")
            # baresip sends a 440 Hz sine: anything but the caller's own fill and G.711 silence.
            heard = sum(n for b, n in call.rtp.stats()["by_first_byte"].items() if b not in (0xFF, 0x7F, 0xD5))
            self.assertGreater(heard, 50, f"caller heard no baresip audio: {call.rtp.stats()}\n"
                               + phone.output()[-2000:])
            time.sleep(0.5)
            self.assertGreater(phone.received_audio_bytes(), 8000,
                               "baresip received no audio:\n" + phone.output()[-3000:])
            contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed",
                                            known=known)
            self.assertEqual(contact["counsellor_id"], self.srv.staff_ids[user], contact)
        finally:
            phone.stop()
            sh.unregister_phone(self.srv.sip, user, self.srv.sip_passwords[user], phone.sip_port)
            self.srv.reset_counsellor(user)


if __name__ == "__main__":
    unittest.main()


@siptest.require_sipp
class OneMediaSocketTest(siptest.SipTestCase):
    """Every leg on one shared media socket (media_sockets = 1): two calls at once are told apart by the source
    address of their packets alone, and neither hears the other's counsellor."""
    routing = {"wrap_up_s": 0, "ring_timeout_s": 10}
    telephony = {"media_sockets": 1}

    def test_two_calls_on_one_socket_each_hear_only_their_own_counsellor(self):
        phone_fills = {"demo.counsellor": PHONE_FILL, "demo.welsh": 0x66}
        caller_fills = (CALLER_FILL, 0x3B)
        phones = {}
        for user, fill in phone_fills.items():
            phones[user] = self.phone(user, pt=PCMU, fill=fill, send_seconds=30, ring_ms=300)
            self.srv.wait_registered(user)
            self.srv.wait_counsellor(user, lambda c: c["state"] == "available")
        calls = [self.caller(digit="2", talk_ms=5000, pt=PCMU, fill=fill) for fill in caller_fills]
        for call, fill in zip(calls, caller_fills):
            self.ok(call.wait(), f"caller {fill:#x}")
        for user, phone in phones.items():
            self.ok(phone.wait(20), user)
        talked_to = {}
        for call, fill in zip(calls, caller_fills):
            heard = {user: call.rtp.received_fill(f) for user, f in phone_fills.items()}
            counsellors = [user for user, n in heard.items() if n > 30]
            self.assertEqual(len(counsellors), 1, f"caller {fill:#x} heard {heard}: {call.rtp.stats()}; phones "
                             f"{ {u: p.rtp.stats() for u, p in phones.items()} }\n--- server log\n{self.srv.log_tail()}")
            self.assertEqual(sum(heard.values()), heard[counsellors[0]],
                             f"caller {fill:#x} heard another call's counsellor: {heard}")
            talked_to[fill] = counsellors[0]
        self.assertEqual(len(set(talked_to.values())), 2, f"both calls went to one counsellor: {talked_to}")
        for fill, user in talked_to.items():
            other = [f for f in caller_fills if f != fill][0]
            stats = phones[user].rtp.stats()
            self.assertGreater(phones[user].rtp.received_fill(fill), 30, f"{user} did not hear its caller: {stats}")
            self.assertEqual(phones[user].rtp.received_fill(other), 0, f"{user} heard the other caller: {stats}")


@siptest.require_sipp
class TestCallScriptTest(siptest.SipTestCase):
    """scripts/test-call (`make call`) against the real server. A silent leg ends its call after 5 s here, so a
    test phone that stopped sending audio before --talk ran out would fail the call."""
    telephony = {"rtp_timeout_s": 5}

    def test_the_test_call_talks_as_long_as_asked_on_a_counsellors_phone_only(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "test-call")
        run = subprocess.run([sys.executable, script, "--data", self.srv.server.data_dir,
                              "--sip", f"127.0.0.1:{self.srv.sip_port}", "--talk", "45"],
                             capture_output=True, text=True, timeout=200)
        self.assertEqual(run.returncode, 0, f"{run.stdout}\n{run.stderr}\n--- server log\n{self.srv.log_tail()}")
        self.assertIn("answered by demo.counsellor's phone", run.stdout)
        self.assertNotIn("demo.supervisor", run.stdout)
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") is not None)
        self.assertEqual(contact["call"]["end_reason"], "completed", contact)
        self.assertGreaterEqual(contact["call"]["talk_s"], 40, contact)  # the old phone went silent at 30 s
        self.assertEqual(contact["counsellor_id"], self.srv.staff_ids["demo.counsellor"], contact)
        # The supervisor's phone never registered.
        self.assertFalse(self.srv.counsellor("demo.supervisor")["phone_registered"])

