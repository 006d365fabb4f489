"""What the server refuses and what it survives: 404/403/407/420/488, RFC 4475 torture messages."""
import unittest

import sip_harness as sh
import siptest
import torture

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0
TRUNK_USER = "carrier-b"
TRUNK_PASSWORD = "trunk-secret-9f2c"
# Linux answers for all of 127.0.0.0/8 on lo: a second "carrier" that no trunk's allow list names.
OTHER_IP = "127.0.0.2"


class RobustnessCase(siptest.SipTestCase):
    def expect(self, scenario, number=siptest.NUMBER, ip="127.0.0.1", auth=None):
        keys = {"number": number, "caller_id": "01632960000", "rtp_port": sh.free_rtp_port(ip),
                "media": "python", "talk_ms": 1000}
        return sh.run_sipp(scenario, self.srv.sip, keys, timeout_s=15, auth=auth, ip=ip)

    def assert_normal_call_works(self):
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=PHONE_FILL)
        self.srv.wait_registered("demo.counsellor")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        call = self.caller(digit="2", talk_ms=2500, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(20), "phone")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 20, phone.rtp.stats())
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 20, call.rtp.stats())


@siptest.require_sipp
class RefusalsTest(RobustnessCase):
    """127.0.0.1 is an allowed trunk address; a second trunk takes digest credentials from anywhere else."""
    routing = {"wrap_up_s": 0}
    trunks = [{"name": "loopback-test-carrier", "allow": ["127.0.0.1"]},
              {"name": "digest-carrier", "allow": [], "username": TRUNK_USER, "password": TRUNK_PASSWORD}]

    def test_refusals_then_options_and_a_normal_call(self):
        m0 = self.srv.metrics()
        self.ok(self.expect("caller_expect_404.xml", number="+441632960999"), "unknown number: 404")
        self.ok(self.expect("caller_expect_420.xml"), "Require: 100rel: 420 with Unsupported: 100rel")
        self.ok(self.expect("caller_bad_sdp_488.xml"), "malformed SDP: 488")
        self.ok(self.expect("caller_auth_expect_403.xml", ip=OTHER_IP, auth=(TRUNK_USER, "not-the-password")),
                "wrong trunk password: 407 then 403")
        self.ok(self.expect("caller_auth_expect_403.xml", ip=OTHER_IP, auth=("someone-else", TRUNK_PASSWORD)),
                "unknown trunk user: 407 then 403")
        # The right credentials are admitted: refused only because the number is not a line.
        self.ok(self.expect("caller_auth_expect_404.xml", number="+441632960999", ip=OTHER_IP,
                            auth=(TRUNK_USER, TRUNK_PASSWORD)), "right trunk credentials: 407 then 404")
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_offered_total"], m0["crisisline_calls_offered_total"])
        self.assertGreaterEqual(m1["crisisline_calls_refused_total"] - m0["crisisline_calls_refused_total"], 4)
        self.assertFalse(self.srv.live()["waiting"])
        self.assertEqual(self.srv.options(), 200)
        self.assertEqual(self.srv.options("tcp"), 200)
        self.assert_normal_call_works()

    def test_a_late_offer_whose_ack_brings_no_answer_is_ended(self):
        # INVITE without SDP is answered 200 with the server's offer; an ACK without an answer leaves nowhere
        # to send audio, so the server ends the call with BYE rather than keep a caller in silence.
        self.ok(self.expect("caller_late_offer_no_answer.xml"), "late offer, no answer in the ACK: 200, then BYE")
        self.srv.wait_live(lambda live: not live["waiting"])
        self.assertEqual(self.srv.options(), 200)


@siptest.require_sipp
class TortureTest(RobustnessCase):
    routing = {"wrap_up_s": 0}

    def test_rfc4475_messages_do_not_break_the_server(self):
        try:
            messages = torture.torture_messages()
        except Exception as e:  # noqa: BLE001 - any failure to fetch is the same failure for this test
            self.fail(f"could not load the RFC 4475 messages (npm pack {torture.NPM_SPEC}, or set $RFC4475_DIR "
                      f"/ $RFC4475_TXT): {e}")
        self.assertEqual(len(messages), 49)
        m0 = self.srv.metrics()
        dead = []
        answers = {}
        for name, message, valid in messages:
            answers[name] = torture.send_one("127.0.0.1", self.srv.sip_port, message, "udp", wait=0.15)
            if self.srv.options() != 200:
                dead.append(name)
            self.assertTrue(self.srv.alive(), f"the server exited after {name}:\n{self.srv.log_tail()}")
        self.assertEqual(dead, [], f"OPTIONS went unanswered after: {dead}\nanswers: {answers}\n"
                         + self.srv.log_tail())
        # None of them dials a line's number: no call may have been offered or queued.
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_offered_total"], m0["crisisline_calls_offered_total"])
        self.assertFalse(self.srv.live()["waiting"])
        # Most answers go to the messages' own Via hosts (RFC 3261 18.2.2), not back to this socket; those
        # that do come back: requests the RFC calls invalid must never be accepted (2xx).
        accepted = [n for n, m, valid in messages
                    if not valid and answers[n] is not None and 200 <= answers[n] < 300]
        self.assertEqual(accepted, [], f"invalid messages answered 2xx: {accepted} ({answers})")
        self.assert_normal_call_works()

    def test_unlisted_source_without_credentials_gets_403(self):
        m0 = self.srv.metrics()
        self.ok(self.expect("caller_expect_403.xml", ip=OTHER_IP), "INVITE from an address no trunk allows")
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_refused_total"] - m0["crisisline_calls_refused_total"], 1)
        self.assertEqual(m1["crisisline_calls_offered_total"], m0["crisisline_calls_offered_total"])


if __name__ == "__main__":
    unittest.main()
