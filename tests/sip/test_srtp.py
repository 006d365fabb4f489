"""SRTP keyed by SDES (issue 13): keys only ever over SIP over TLS.

- An INVITE whose SDP carries a=crypto (RTP/SAVP, or a=crypto on RTP/AVP) over UDP or TCP is refused with 488
  and a Warning saying why; no call is offered, no contact created, the key text is never logged.
- A plain call afterwards still works, and /metrics counts its legs as plain (not encrypted).
"""
import re
import unittest

import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0
KEY_TEXT = "VEVTVC1LRVktbm90LWEtc2VjcmV0LXRlc3QtMDEy"  # the fixed test key in caller_crypto_488.xml


def labelled(text, name, **labels):
    """The value of one labelled series in a /metrics text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rpartition(" ")[2])
    return 0.0


@siptest.require_sipp
class SdesOverPlaintextTest(siptest.SipTestCase):
    routing = {"wrap_up_s": 0}

    def offer(self, proto, transport):
        keys = {"number": siptest.NUMBER, "caller_id": "01632960000", "rtp_port": sh.free_rtp_port(),
                "proto": proto}
        return sh.run_sipp("caller_crypto_488.xml", self.srv.sip, keys, timeout_s=15, transport=transport)

    def test_keys_on_plaintext_sip_are_refused_with_a_warning(self):
        m0 = self.srv.metrics()
        known = self.srv.contact_ids()
        for proto, transport in (("RTP/SAVP", "u1"), ("RTP/SAVP", "t1"), ("RTP/AVP", "u1")):
            self.ok(self.offer(proto, transport), f"a=crypto on {proto} over {transport}: 488 with a Warning")
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_offered_total"], m0["crisisline_calls_offered_total"])
        self.assertEqual(m1["crisisline_calls_refused_total"] - m0["crisisline_calls_refused_total"], 3)
        self.assertEqual(self.srv.contact_ids() - known, set(), "a refused offer left a contact")
        self.assertFalse(self.srv.live()["waiting"])
        log = self.srv.log()
        self.assertIn("exchanged only over SIP over TLS; this came over UDP", log)
        self.assertIn("exchanged only over SIP over TLS; this came over TCP", log)
        self.assertIn("loopback-test-carrier", log, "the refusal's log line names the trunk")
        self.assertNotIn(KEY_TEXT, log, "key text reached the log")
        self.assertNotIn(KEY_TEXT[:16], log, "key text reached the log")

    def test_a_plain_call_is_counted_as_plain_on_both_legs(self):
        before = self.srv.server.metrics()[1]
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=PHONE_FILL)
        self.srv.wait_registered("demo.counsellor")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        call = self.caller(digit="2", talk_ms=2500, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(20), "phone")
        self.assertGreater(phone.rtp.received_fill(CALLER_FILL), 20, phone.rtp.stats())
        self.assertGreater(call.rtp.received_fill(PHONE_FILL), 20, call.rtp.stats())
        after = self.srv.server.metrics()[1]
        for leg in ("caller", "answerer"):
            self.assertEqual(labelled(after, "crisisline_bridged_legs_total", leg=leg, encryption="plain")
                             - labelled(before, "crisisline_bridged_legs_total", leg=leg, encryption="plain"), 1,
                             leg)
            self.assertEqual(labelled(after, "crisisline_bridged_legs_total", leg=leg, encryption="srtp"), 0, leg)
        self.assertEqual(labelled(after, "crisisline_calls_encrypted_total"), 0)
        for reason in ("auth", "replay", "malformed"):
            self.assertEqual(labelled(after, "crisisline_srtp_packets_dropped_total", reason=reason), 0, reason)


if __name__ == "__main__":
    unittest.main()
