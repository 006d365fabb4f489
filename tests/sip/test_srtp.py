"""SRTP keyed by SDES (issue 13): keys only ever over SIP over TLS.

- An INVITE whose SDP carries a=crypto (RTP/SAVP, or a=crypto on RTP/AVP) over UDP or TCP is refused with 488
  and a Warning saying why; no call is offered, no contact created, the key text is never logged.
- A plain call afterwards still works, and /metrics counts its legs as plain (not encrypted).
- Over TLS, a carrier with SRTP (srtp_peer.SrtpCaller: Debian's SIPp 3.6.1 here is built without TLS or SRTP)
  whose sequence numbers cross 65535 keeps its audio to a plain desk phone; a tampered and a replayed packet are
  dropped and counted and the call goes on; an offer with no suite the server speaks gets 488.
- Over TLS, baresip (modules srtp and TLS, mediaenc=srtp-mand) registered as a desk phone answers the SRTP
  carrier's call with audio both ways; a loopback capture of the media ports shows the caller's known payload on
  neither leg, every packet of both being SRTP; /metrics counts both legs as srtp and the call as encrypted.
"""
import base64
import os
import shutil
import struct
import subprocess
import tempfile
import time
import unittest

import sip_harness as sh
import siptest  # puts tests/integration on the path, for harness
from siptest import labelled


CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0
KEY_TEXT = "VEVTVC1LRVktbm90LWEtc2VjcmV0LXRlc3QtMDEy"  # the fixed test key in caller_crypto_488.xml


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
        self.assertEqual(labelled(after, "crisisline_calls_encrypted_total")
                         - labelled(before, "crisisline_calls_encrypted_total"), 0)
        self.assertIn("crisisline_calls_encrypted_total 0", after)
        for reason in ("auth", "replay", "malformed"):
            self.assertEqual(labelled(after, "crisisline_srtp_packets_dropped_total", reason=reason), 0, reason)


def udp_packets(path):
    """[(source port, destination port, UDP payload)] from a classic pcap of IPv4 (Ethernet, cooked or raw)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    skip = {1: 14, 113: 16, 276: 20, 101: 0, 228: 0, 0: 4}.get(link)
    out, at = [], 24
    while skip is not None and at + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        ip = frame[skip:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 0x0F) * 4:]
        if len(udp) < 8:
            continue
        sport, dport, length = struct.unpack("!HHH", udp[:6])
        out.append((sport, dport, udp[8:length]))
    return out


class Capture:
    """dumpcap on loopback for a UDP port range, into a classic pcap; stopped (and flushed) by stop()."""

    def __init__(self, lo, hi):
        self.dir = tempfile.mkdtemp(prefix="crisisline-srtp-capture-")
        self.path = os.path.join(self.dir, "media.pcap")
        self.proc = subprocess.Popen(["dumpcap", "-q", "-P", "-i", "lo", "-f", f"udp portrange {lo}-{hi}",
                                      "-w", self.path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not os.path.exists(self.path):
            if self.proc.poll() is not None:
                raise RuntimeError("dumpcap failed: " + self.proc.stderr.read().decode(errors="replace"))
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        return udp_packets(self.path)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def has_pattern(payload, fill=CALLER_FILL):
    return bytes([fill]) * 8 in payload[12:]


@siptest.require_sipp
class SdesOverTlsTest(siptest.TlsSipTestCase):
    tls_prefix = "sdes"

    @classmethod
    def configure(cls):
        cls.telephony = cls.tls_telephony()
        cls.routing = {"wrap_up_s": 0, "ring_timeout_s": 15}

    def test_an_srtp_carrier_past_the_sequence_wrap_keeps_its_audio_to_a_plain_phone_and_bad_packets_are_dropped(self):
        m0 = self.srv.server.metrics()[1]
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=PHONE_FILL)
        self.srv.wait_registered("demo.counsellor")
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        caller = self.srtp_caller()
        answer = caller.invite()
        self.assertIsNotNone(answer, "no answer to the SRTP INVITE over TLS:\n" + self.srv.log_tail())
        self.assertEqual(answer.status, 200, answer.raw)
        self.assertEqual(caller.answer_proto, "RTP/SAVP", answer.body)
        self.assertIsNotNone(caller.inbound, "the answer carries no a=crypto line of the offered suite")
        self.assertNotIn(base64.b64encode(caller.key).decode(), answer.body, "the server echoed our key")
        # From just below the wrap: the 36th packet is sequence 0 (rollover counter 1). Without the ROC every
        # packet after it would fail to authenticate and the phone would hear only the first 35.
        seq, sent, tampered, replayed = 65500, 0, False, False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and phone.rtp.received_fill(CALLER_FILL) < 150:
            data = caller.out.protect(caller.packet(seq, CALLER_FILL))
            caller.send_raw(data)
            if sent == 60 and not replayed:
                caller.send_raw(data)  # the same packet again: a replay
                replayed = True
            if sent == 80 and not tampered:
                forged = bytearray(caller.out.protect(caller.packet(seq + 1, 0x11)))
                forged[20] ^= 0x01  # one payload bit flipped after the tag was made
                caller.send_raw(bytes(forged))
                tampered = True
                seq += 1  # that sequence number was used (and refused)
            seq, sent = seq + 1, sent + 1
            time.sleep(0.02)  # the 20 ms media clock of a real sender, not a wait for a result
        self.assertGreater(seq, 65536 + 100, "the stream crossed the wrap")
        self.assertGreaterEqual(phone.rtp.received_fill(CALLER_FILL), 150,
                                f"the plain phone heard the SRTP caller only until the wrap: {phone.rtp.stats()}\n"
                                + self.srv.log_tail())
        self.assertFalse(any(b == 0x11 for b in phone.rtp.stats()["by_first_byte"]),
                         "the tampered packet was relayed")
        heard = caller.received_fill(PHONE_FILL)
        self.assertGreater(heard, 50, f"the caller decrypted {heard} packets of the phone's audio "
                           f"({caller.refused} refused)")
        self.assertEqual(caller.refused, 0, "the server sent SRTP that did not authenticate with its own key")
        m1 = self.srv.server.metrics()[1]
        drop = lambda reason: (labelled(m1, "crisisline_srtp_packets_dropped_total", reason=reason)  # noqa: E731
                               - labelled(m0, "crisisline_srtp_packets_dropped_total", reason=reason))
        self.assertEqual(drop("auth"), 1, "the tampered packet: dropped and counted")
        self.assertEqual(drop("replay"), 1, "the replayed packet: dropped and counted")
        self.assertEqual(labelled(m1, "crisisline_bridged_legs_total", leg="caller", encryption="srtp")
                         - labelled(m0, "crisisline_bridged_legs_total", leg="caller", encryption="srtp"), 1)
        final = caller.bye()
        self.assertIsNotNone(final)
        self.assertEqual(final.status, 200, final.raw)
        self.ok(phone.wait(20), "phone")
        self.assertNotIn(base64.b64encode(caller.key).decode(), self.srv.log(), "the caller's key reached the log")

    def test_an_srtp_offer_over_tls_with_no_suite_the_server_speaks_is_refused_488(self):
        caller = self.srtp_caller()
        answer = caller.invite(suite="AES_256_CM_HMAC_SHA1_80")
        self.assertIsNotNone(answer)
        self.assertEqual(answer.status, 488, answer.raw)
        self.assertIn("suite is not one this server speaks", answer.header("warning") or "", answer.raw)

    @unittest.skipUnless(sh.baresip_available() and shutil.which("dumpcap"), "needs baresip and dumpcap")
    def test_srtp_desk_phone_over_tls_answers_an_srtp_carrier_and_neither_leg_is_in_clear(self):
        user = "demo.counsellor"
        phone = sh.Baresip(user=user, registrar=("127.0.0.1", self.tls_port), password=self.srv.sip_passwords[user],
                           transport="tls", mediaenc="srtp-mand", cafile=self.ca.cert)
        self._cleanups_sip.append(phone)
        phone.start()
        self.assertTrue(phone.wait_registered(15), "baresip did not register over TLS:\n" + phone.output()[-3000:]
                        + "\n--- server log\n" + self.srv.log_tail())
        self.addCleanup(self.srv.reset_counsellor, user)
        self.srv.wait_counsellor(user, lambda c: c["state"] == "available" and c["phone_registered"])
        before = self.srv.server.metrics()[1]
        capture = Capture(*self.srv.rtp_ports)
        self.addCleanup(capture.close)
        caller = self.srtp_caller()
        answer = caller.invite()
        self.assertIsNotNone(answer, "no answer to the SRTP INVITE over TLS:\n" + self.srv.log_tail())
        self.assertEqual(answer.status, 200, answer.raw)
        seq, deadline = 1000, time.monotonic() + 30
        sounds = lambda: sum(1 for p in list(caller.received)  # noqa: E731
                             if len(p) > 12 and p[12] not in (0xFF, 0x7F, 0xD5, CALLER_FILL))
        while time.monotonic() < deadline and (sounds() < 100 or phone.received_audio_bytes() <= 16000):
            caller.send_raw(caller.out.protect(caller.packet(seq, CALLER_FILL)))
            seq += 1
            time.sleep(0.02)  # the 20 ms media clock of a real sender, not a wait for a result
        # baresip sends a 440 Hz sine: anything but the caller's own fill and G.711 silence.
        self.assertGreaterEqual(sounds(), 100, f"the caller decrypted no baresip audio ({caller.refused} refused)\n"
                                + phone.output()[-2000:] + "\n--- server log\n" + self.srv.log_tail())
        self.assertGreater(phone.received_audio_bytes(), 16000, "baresip decoded no audio:\n" + phone.output()[-3000:]
                           + "\n--- server log\n" + self.srv.log_tail(40))
        self.assertEqual(caller.refused, 0)
        final = caller.bye()
        self.assertEqual(final.status if final else None, 200)
        packets = capture.stop()

        lo, hi = phone.rtp_ports
        caller_port = caller.rtp.getsockname()[1]
        phone_leg = [p for s, d, p in packets if lo <= s <= hi or lo <= d <= hi]
        carrier_leg = [p for s, d, p in packets if caller_port in (s, d)]
        for name, leg in (("carrier", carrier_leg), ("phone", phone_leg)):
            self.assertGreater(len(leg), 100, f"the capture saw the {name}'s leg")
            self.assertEqual([p[:16].hex() for p in leg if has_pattern(p)], [],
                             f"the caller's audio crossed the {name}'s leg in clear")
            # Every packet there is SRTP: RTP version 2, a G.711 frame and an 80-bit tag (12 + 160 + 10).
            self.assertTrue(all(p[0] >> 6 == 2 for p in leg), name)
            self.assertGreater(sum(1 for p in leg if len(p) == 182), len(leg) * 0.9, (name, sorted({len(p) for p in leg})))
        # has_pattern does find the pattern in a clear packet of the caller (so the checks above can fail).
        self.assertTrue(has_pattern(caller.packet(1, CALLER_FILL)))

        after = self.srv.server.metrics()[1]
        delta = lambda **labels: (labelled(after, "crisisline_bridged_legs_total", **labels)  # noqa: E731
                                  - labelled(before, "crisisline_bridged_legs_total", **labels))
        self.assertEqual(delta(leg="answerer", encryption="srtp"), 1)
        self.assertEqual(delta(leg="caller", encryption="srtp"), 1)
        self.assertEqual(labelled(after, "crisisline_calls_encrypted_total")
                         - labelled(before, "crisisline_calls_encrypted_total"), 1)
        for reason in ("auth", "replay", "malformed"):
            self.assertEqual(labelled(after, "crisisline_srtp_packets_dropped_total", reason=reason)
                             - labelled(before, "crisisline_srtp_packets_dropped_total", reason=reason), 0, reason)
        log = self.srv.log()
        self.assertNotIn("inline:", log, "key material reached the log")


if __name__ == "__main__":
    unittest.main()
