"""Outbound follow-up call ("click to call") against the real server with SIPp peers.

The counsellor's phone (SIPp, registered) rings first; when it answers, the server dials the consented number
through the trunk's outbound address, where a SIPp UAS plays the person being called back. Audio must flow both
ways between them, the number must never appear in the API's answers, and an unanswered attempt must be
recorded on the follow-up.
"""
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import sip_harness as sh  # noqa: E402

NUMBER = "07700 900123"  # Ofcom's drama range: fictional


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


@unittest.skipUnless(sh.sipp_available(), "sipp (Debian sip-tester) is not installed")
class FollowUpCallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sip_port = sh.free_port()
        cls.carrier_port = sh.free_listen_port()
        cls.server = harness.Server(extra_args=["--sip-listen", f"127.0.0.1:{cls.sip_port}"])
        out = harness.run_cli(cls.server.data_dir, "init", "--demo").stdout
        cls.sip_passwords = sh.parse_sip_passwords(out)
        cls.passwords = dict(re.findall(r"^\s+(demo\.\w+)\s+.*password: (\S+)$", out, re.M))
        config = os.path.join(cls.server.data_dir, "crisisline.toml")
        with open(config) as f:
            text = f.read().split("[telephony]")[0]
        text += sh.telephony_config(cls.sip_port, choice_wait_s=1)
        text += f'outbound = "127.0.0.1:{cls.carrier_port}"\n'
        with open(config, "w") as f:
            f.write(text)
        cls.server.start()
        cls.counsellor = cls.server.client().sign_in("demo.counsellor", cls.passwords["demo.counsellor"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def follow_up(self):
        status, contact, _ = self.counsellor.call("POST", "/api/v1/lines/police/contacts",
                                                  {"caller_role": "police_officer"})
        self.assertEqual(status, 201, contact)
        now = time.time()
        status, fu, _ = self.counsellor.call(
            "POST", f"/api/v1/lines/police/contacts/{contact['id']}/follow-ups",
            {"earliest": iso(now - 60), "latest": iso(now + 3600), "method": "phone", "number": NUMBER,
             "consent": True, "assigned_to": "pool"})
        self.assertEqual(status, 201, fu)
        return fu["id"]

    def start_callee(self, scenario, **keys):
        rtp = sh.RtpEndpoint()
        values = {"rtp_port": rtp.port, "ring_ms": 300, "talk_ms": 3000, "decline_code": 486}
        values.update(keys)
        uas = sh.Sipp(scenario, None, values, local_port=self.carrier_port, timeout_s=60)
        uas.start()
        time.sleep(0.3)
        return uas, rtp

    def test_counsellor_then_number_bridged_with_audio_both_ways(self):
        fu = self.follow_up()
        phone = sh.register_phone(("127.0.0.1", self.sip_port), "demo.counsellor",
                                  self.sip_passwords["demo.counsellor"], ring_ms=300, talk_ms=15000)
        self.assertTrue(phone.registered)
        callee, callee_rtp = self.start_callee("phone_answer_hangup.xml", talk_ms=3000)
        try:
            status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu}/call")
            self.assertEqual(status, 202, body)
            self.assertNotIn("900123", str(body))
            invite = callee.wait_log("INVITE", timeout=15)
            self.assertIsNotNone(invite, "the outbound trunk never received the INVITE")
            # The number was dialled through the trunk, with the line's number as caller ID.
            messages = callee.read("messages.log")
            self.assertIn("+447700900123@127.0.0.1", messages)
            self.assertIn("From: \"Police Mental Health Crisis Line (demo)\" <sip:+448081570000@", messages)
            target = callee.remote_rtp("INVITE", timeout=5)
            if target:
                callee_rtp.set_target(target)
            callee_rtp.start_sending(3)
            result = callee.wait(timeout=30)
            self.assertTrue(result.ok, result.explain())
            self.assertGreater(callee_rtp.received_audio, 20, "the person called back heard nothing")
            self.assertGreater(phone.rtp.received_audio, 20, "the counsellor heard nothing")
        finally:
            callee.stop()
            callee_rtp.close()
            phone.close()
        # Connected: the counsellor records how it went; the server recorded no attempt of its own.
        status, detail, _ = self.counsellor.call("GET", f"/api/v1/lines/police/follow-ups/{fu}")
        self.assertEqual(status, 200, detail)
        self.assertEqual(detail["attempts"], [])
        self.assertNotIn("900123", str(detail).replace(detail.get("number_masked", ""), ""))

    def test_declined_number_is_recorded_as_an_attempt(self):
        fu = self.follow_up()
        phone = sh.register_phone(("127.0.0.1", self.sip_port), "demo.counsellor",
                                  self.sip_passwords["demo.counsellor"], ring_ms=300, talk_ms=15000)
        callee, callee_rtp = self.start_callee("phone_decline.xml", ring_ms=300)
        try:
            status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu}/call")
            self.assertEqual(status, 202, body)
            result = callee.wait(timeout=30)
            self.assertTrue(result.ok, result.explain())
            deadline = time.time() + 10
            attempts = []
            while time.time() < deadline and not attempts:
                status, detail, _ = self.counsellor.call("GET", f"/api/v1/lines/police/follow-ups/{fu}")
                attempts = detail.get("attempts", [])
                time.sleep(0.2)
            self.assertEqual([a["outcome"] for a in attempts], ["no_answer"])
        finally:
            callee.stop()
            callee_rtp.close()
            phone.close()

    def test_refused_without_a_registered_phone_or_for_another_role(self):
        fu = self.follow_up()
        # Nobody's phone is registered for demo.welsh; sign in and try.
        welsh = self.server.client().sign_in("demo.welsh", self.passwords["demo.welsh"])
        status, body, _ = welsh.call("POST", f"/api/v1/lines/police/follow-ups/{fu}/call")
        self.assertEqual(status, 503, body)
        manager = self.server.client().sign_in("demo.manager", self.passwords["demo.manager"])
        status, body, _ = manager.call("POST", f"/api/v1/lines/police/follow-ups/{fu}/call")
        self.assertEqual(status, 403, body)


if __name__ == "__main__":
    unittest.main()
