"""Dialogs, registrations, hold, unACKed answers, malformed INVITEs and admission control (issue 17, section 10).

The callers and phones here are rawsip Peers (a UDP socket each) with sip_harness RtpEndpoints for media, so a
test can send what SIPp cannot: a request inside someone else's dialog from a second address (127.0.0.2, which
no trunk admits), a digest answer captured and sent again, a 200 never ACKed, a malformed INVITE.
"""
import copy
import re
import subprocess
import time
import unittest

import rawsip
import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
PHONE_FILL = 0x55
PCMU = 0
OUTSIDER = "127.0.0.2"


def wait_until(predicate, timeout=10, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def others(rtp, *fills):
    """Audio packets received whose payload is none of `fills`: the server's own audio (hold, prompts)."""
    with rtp.lock:
        return sum(n for byte, n in rtp.by_first_byte.items() if byte not in fills)


class DialogCase(siptest.SipTestCase):
    routing = {"wrap_up_s": 0}

    def raw_phone(self, username="demo.counsellor"):
        """A registered phone that answers at once: (Peer, RtpEndpoint, Registration)."""
        rtp = self.track(sh.RtpEndpoint(fill=PHONE_FILL))
        peer = self.track(rawsip.Peer(self.srv.sip, answer_invites=True, rtp_port=rtp.port))
        reg = rawsip.Registration(peer, username, self.srv.sip_passwords[username])
        resp = reg.answer(reg.contact())
        self.assertEqual(resp.status, 200, resp.raw)
        self.addCleanup(self.srv.reset_counsellor, username)
        self.addCleanup(self.unregister_raw, username, reg.contact())
        self.srv.wait_counsellor(username, lambda c: c["state"] == "available" and c["phone_registered"])
        return peer, rtp, reg

    def unregister_raw(self, username, contact):
        # After tearDown has closed the test's own sockets: a fresh one.
        peer = rawsip.Peer(self.srv.sip)
        try:
            rawsip.Registration(peer, username, self.srv.sip_passwords[username]).answer(contact, expires="0")
        finally:
            peer.close()

    def raw_call(self, ip="127.0.0.1", digit="2", seconds=60):
        """A caller from the trunk's address, sending a tone once answered: (Peer, RtpEndpoint, Dialog)."""
        rtp = self.track(sh.RtpEndpoint(host=ip, fill=CALLER_FILL))
        peer = self.track(rawsip.Peer(self.srv.sip, ip=ip))
        resp, dialog = peer.invite(siptest.NUMBER, rtp.port)
        self.assertIsNotNone(resp, "no answer to the INVITE\n" + self.srv.log_tail())
        self.assertEqual(resp.status, 200, resp.raw)
        rtp.set_target(("127.0.0.1", rawsip.media_port(resp.body)))
        rtp.start_sending(seconds, digit=digit, pt=PCMU)
        return peer, rtp, dialog

    def bridged_call(self):
        phone, phone_rtp, reg = self.raw_phone()
        caller, caller_rtp, dialog = self.raw_call()
        invite = phone.wait_request("INVITE", timeout=15)
        self.assertIsNotNone(invite, "the phone never rang\n" + self.srv.log_tail())
        phone_rtp.set_target(("127.0.0.1", rawsip.media_port(invite.body)))
        phone_rtp.start_sending(60, pt=PCMU)
        self.assertTrue(wait_until(lambda: phone_rtp.received_fill(CALLER_FILL) > 20, 15), phone_rtp.stats())
        self.assertTrue(wait_until(lambda: caller_rtp.received_fill(PHONE_FILL) > 20, 10), caller_rtp.stats())
        return phone, phone_rtp, caller, caller_rtp, dialog

    def assert_still_talking(self, phone_rtp, caller_rtp, packets=50):
        heard_by_phone = phone_rtp.received_fill(CALLER_FILL)
        heard_by_caller = caller_rtp.received_fill(PHONE_FILL)
        self.assertTrue(wait_until(lambda: phone_rtp.received_fill(CALLER_FILL) > heard_by_phone + packets, 10),
                        "the counsellor stopped hearing the caller: " + str(phone_rtp.stats()))
        self.assertTrue(wait_until(lambda: caller_rtp.received_fill(PHONE_FILL) > heard_by_caller + packets, 10),
                        "the caller stopped hearing the counsellor: " + str(caller_rtp.stats()))

    def hang_up(self, caller, dialog, reason="completed"):
        resp = caller.transact(caller.in_dialog(dialog, "BYE"))
        self.assertIsNotNone(resp)
        self.assertEqual(resp.status, 200, resp.raw)
        return self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == reason)


@siptest.require_sipp
class ForgedRequestsTest(DialogCase):
    def test_reinvite_and_bye_from_another_address_are_refused_and_the_call_goes_on(self):
        phone, phone_rtp, caller, caller_rtp, dialog = self.bridged_call()
        outsider = self.track(rawsip.Peer(self.srv.sip, ip=OUTSIDER))
        outsider_rtp = self.track(sh.RtpEndpoint(host=OUTSIDER))
        m0 = self.srv.metrics()
        # The right Call-ID and tags, sent from an address no trunk admits.
        forged = copy.copy(dialog)
        resp = outsider.transact(outsider.in_dialog(forged, "INVITE", body=rawsip.sdp(OUTSIDER, outsider_rtp.port)))
        self.assertIsNotNone(resp, self.srv.log_tail())
        self.assertEqual(resp.status, 403, resp.raw)
        resp = outsider.transact(outsider.in_dialog(forged, "BYE"))
        self.assertEqual(resp.status, 403, resp.raw)
        self.assert_still_talking(phone_rtp, caller_rtp)
        self.assertEqual(outsider_rtp.received_total, 0, "the outsider heard the call: " + str(outsider_rtp.stats()))
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_sip_forged_requests_total"] - m0["crisisline_sip_forged_requests_total"], 2)
        self.assertIn("not that dialog's peer", self.srv.log())
        self.hang_up(caller, dialog)

    def test_bye_into_the_phone_leg_from_another_address_is_refused(self):
        phone, phone_rtp, caller, caller_rtp, dialog = self.bridged_call()
        phone_dialog = phone.wait_dialog()
        self.assertIsNotNone(phone_dialog)
        outsider = self.track(rawsip.Peer(self.srv.sip, ip=OUTSIDER))
        resp = outsider.transact(outsider.in_dialog(copy.copy(phone_dialog), "BYE"))
        self.assertEqual(resp.status, 403, resp.raw)
        self.assert_still_talking(phone_rtp, caller_rtp)
        # The counsellor's own phone hangs up: the call ends as completed.
        resp = phone.transact(phone.in_dialog(phone_dialog, "BYE"))
        self.assertEqual(resp.status, 200, resp.raw)
        self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") == "completed")
        self.assertIsNotNone(caller.wait_request("BYE", timeout=10), "the caller was not hung up")

    def test_bye_and_reinvite_for_another_callers_dialog_get_481(self):
        # Section 9: another caller on the same trunk, who knows the victim's Call-ID but not its tags.
        phone, phone_rtp, caller, caller_rtp, dialog = self.bridged_call()
        other = self.track(rawsip.Peer(self.srv.sip))
        guessed = copy.copy(dialog)
        guessed.local_tag = rawsip.token()
        for method, body in (("BYE", ""), ("INVITE", rawsip.sdp("127.0.0.1", 4000))):
            resp = other.transact(other.in_dialog(guessed, method, body=body))
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 481, f"{method}: {resp.raw}")
        self.assert_still_talking(phone_rtp, caller_rtp)
        self.hang_up(caller, dialog)


@siptest.require_sipp
class RegistrationTest(DialogCase):
    def test_a_replayed_digest_answer_is_refused_and_calls_still_ring_the_phone(self):
        real = self.track(sh.start_uas("phone_answer.xml", ring_ms=300, talk_ms=4000, pt=PCMU, fill=PHONE_FILL))
        peer = self.track(rawsip.Peer(self.srv.sip))
        reg = rawsip.Registration(peer, "demo.counsellor", self.srv.sip_passwords["demo.counsellor"])
        contact = reg.contact(port=real.uas.local_port)
        self.assertEqual(reg.answer(contact).status, 200)
        self.addCleanup(self.srv.reset_counsellor, "demo.counsellor")
        self.addCleanup(self.unregister_raw, "demo.counsellor", contact)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["phone_registered"] and c["state"] == "available")
        captured = reg.last
        attacker = self.track(rawsip.Peer(self.srv.sip, ip=OUTSIDER))

        cseq = [100]

        def replay(sender, new_contact, expires=None):
            # The captured answer as it was, but for another Contact: a new transaction (branch, CSeq), else
            # the server takes it for a retransmission or a loop (482).
            cseq[0] += 1
            text = re.sub(r"branch=z9hG4bK[0-9a-f]+", "branch=z9hG4bK" + rawsip.token(), captured)
            text = re.sub(r"CSeq: \d+ REGISTER", f"CSeq: {cseq[0]} REGISTER", text)
            text = re.sub(r"Contact: [^\r]+", "Contact: " + new_contact, text)
            if expires is not None:
                text = re.sub(r"Expires: [^\r]+", "Expires: " + expires, text)
            return sender.transact(text)

        spoofed = self.track(rawsip.Peer(self.srv.sip))  # the same address as the phone, another port
        for sender, new_contact, expires in ((attacker, f"<sip:demo.counsellor@{OUTSIDER}:{attacker.port}>", None),
                                             (spoofed, f"<sip:demo.counsellor@127.0.0.1:{spoofed.port}>", None),
                                             (spoofed, "*", "0")):
            resp = replay(sender, new_contact, expires)
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 401, f"replay with Contact {new_contact}: {resp.raw}")
            self.assertIn("stale=true", resp.header("www-authenticate"))
        self.assertTrue(self.srv.counsellor("demo.counsellor")["phone_registered"])
        # The real phone refreshes on the same nonce with the next count: accepted.
        self.assertEqual(reg.answer(contact, nc=2, fresh=False).status, 200)
        # A call rings the real phone, never the attacker.
        call = self.caller(digit="2", talk_ms=2000, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "caller")
        self.ok(real.wait(20), "the real phone")
        self.assertGreater(real.rtp.received_fill(CALLER_FILL), 20, real.rtp.stats())
        self.assertEqual(attacker.requests_of("INVITE") + spoofed.requests_of("INVITE"), [])

    def test_wrong_passwords_are_throttled_without_locking_out_the_phone(self):
        attacker = self.track(rawsip.Peer(self.srv.sip, ip=OUTSIDER))
        guess = rawsip.Registration(attacker, "demo.counsellor", "not-the-password")
        contact = guess.contact()
        m0 = self.srv.metrics()
        statuses = []
        for i in range(200):
            resp = attacker.transact(guess.message(contact))
            if resp is not None and resp.status == 401:
                params = rawsip.challenge_params(resp.header("www-authenticate"))
                auth = rawsip.digest_header("demo.counsellor", f"guess-{i}", params["realm"], params["nonce"],
                                            "REGISTER", guess.ruri)
                resp = attacker.transact(guess.message(contact, auth=auth))
            statuses.append(resp.status if resp else None)
            if resp is not None and resp.status == 503:
                self.assertRegex(resp.header("retry-after") or "", r"^\d+$")
        self.assertEqual(statuses.count(403), 10, statuses)
        self.assertEqual(statuses.count(503), 190, statuses)
        # Throttled: even the right password from that address is not tried.
        right = rawsip.Registration(attacker, "demo.counsellor", self.srv.sip_passwords["demo.counsellor"])
        resp = attacker.transact(right.message(right.contact()))
        self.assertEqual(resp.status, 503, resp.raw)
        m1 = self.srv.metrics()
        self.assertGreaterEqual(m1["crisisline_sip_registrations_refused_total"]
                                - m0["crisisline_sip_registrations_refused_total"], 201)
        # The counsellor's own phone, from its own address, registers and takes a call.
        phone = self.phone("demo.counsellor", ring_ms=300, pt=PCMU, fill=PHONE_FILL)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available")
        call = self.caller(digit="2", talk_ms=2000, pt=PCMU, fill=CALLER_FILL)
        self.ok(call.wait(), "caller")
        self.ok(phone.wait(20), "phone")

    def test_out_of_range_expires_is_clamped_or_refused_never_an_unregistration(self):
        phone, phone_rtp, reg = self.raw_phone()
        resp = reg.answer(reg.contact(), expires="4294967296")
        self.assertEqual(resp.status, 200, resp.raw)
        granted = int(re.search(r"expires=(\d+)", resp.header("contact")).group(1))
        self.assertGreater(granted, 3000)
        self.assertLessEqual(granted, 3600)  # registration_max_s
        self.assertTrue(self.srv.counsellor("demo.counsellor")["phone_registered"])
        for expires in ("-1", "soon"):
            resp = reg.answer(reg.contact(), expires=expires)
            self.assertEqual(resp.status, 400, f"Expires: {expires}: {resp.raw}")
            self.assertTrue(self.srv.counsellor("demo.counsellor")["phone_registered"], expires)
        resp = reg.answer("*", expires="300")
        self.assertEqual(resp.status, 400, "Contact: * needs Expires: 0 " + resp.raw)
        self.assertTrue(self.srv.counsellor("demo.counsellor")["phone_registered"])
        self.assertEqual(reg.answer("*", expires="0").status, 200)
        self.srv.wait_registered("demo.counsellor", registered=False)


@siptest.require_sipp
class HoldTest(DialogCase):
    telephony = {"rtp_timeout_s": 5}

    def hold(self, sender, dialog, direction, expect):
        resp = sender.transact(sender.in_dialog(dialog, "INVITE", body=rawsip.sdp(sender.ip, self._ports[sender],
                                                                                   direction, version=2)))
        self.assertIsNotNone(resp, self.srv.log_tail())
        self.assertEqual(resp.status, 200, resp.raw)
        self.assertEqual(rawsip.direction(resp.body), expect, resp.body)
        sender.ack(dialog)

    def held_beyond_the_rtp_timeout(self, holder_rtp, held_rtp):
        """The holder sends nothing and hears nothing; the held party hears hold audio for longer than
        rtp_timeout_s (5 s: 250 packets, plus the once-a-second check) and the call survives."""
        target = holder_rtp.target
        holder_rtp.target = None  # the holder sends no RTP at all
        self.assertTrue(wait_until(lambda: others(held_rtp, CALLER_FILL, PHONE_FILL) > 25, 5), held_rtp.stats())
        heard_by_holder = holder_rtp.received_total
        start = others(held_rtp, CALLER_FILL, PHONE_FILL)
        self.assertTrue(wait_until(lambda: others(held_rtp, CALLER_FILL, PHONE_FILL) > start + 400, 15),
                        "hold audio stopped (the call ended?): " + str(held_rtp.stats()) + self.srv.log_tail())
        self.assertLessEqual(holder_rtp.received_total - heard_by_holder, 2,
                             "the server kept sending to the leg that holds: " + str(holder_rtp.stats()))
        return target

    def test_caller_holds_with_sendonly_then_the_counsellor_with_inactive(self):
        phone, phone_rtp, caller, caller_rtp, dialog = self.bridged_call()
        self._ports = {caller: caller_rtp.port, phone: phone_rtp.port}
        # The caller holds (a=sendonly): the answer is recvonly; the counsellor hears the hold audio.
        self.hold(caller, dialog, "sendonly", "recvonly")
        target = self.held_beyond_the_rtp_timeout(caller_rtp, phone_rtp)
        self.hold(caller, dialog, "sendrecv", "sendrecv")
        caller_rtp.set_target(target)
        self.assert_still_talking(phone_rtp, caller_rtp)
        # The counsellor's phone holds (a=inactive): the answer is inactive; the caller hears the hold audio.
        phone_dialog = phone.wait_dialog()
        self.hold(phone, phone_dialog, "inactive", "inactive")
        target = self.held_beyond_the_rtp_timeout(phone_rtp, caller_rtp)
        self.hold(phone, phone_dialog, "sendrecv", "sendrecv")
        phone_rtp.set_target(target)
        self.assert_still_talking(phone_rtp, caller_rtp)
        self.hang_up(caller, dialog)

    def test_reinvite_without_sdp_is_answered_with_an_offer(self):
        phone, phone_rtp, caller, caller_rtp, dialog = self.bridged_call()
        resp = caller.transact(caller.in_dialog(dialog, "INVITE"))
        self.assertIsNotNone(resp)
        self.assertEqual(resp.status, 200, resp.raw)
        self.assertEqual(rawsip.direction(resp.body), "sendrecv", resp.body)
        port = rawsip.media_port(resp.body)
        self.assertIsNotNone(port, resp.body)
        caller.ack(dialog, body=rawsip.sdp("127.0.0.1", caller_rtp.port, version=3))
        caller_rtp.set_target(("127.0.0.1", port))
        self.assert_still_talking(phone_rtp, caller_rtp)
        self.hang_up(caller, dialog)


@siptest.require_sipp
class UnacknowledgedAnswerTest(DialogCase):
    def test_a_200_never_acked_is_not_bridged_and_is_recorded_failed(self):
        phone, phone_rtp, reg = self.raw_phone()
        rtp = self.track(sh.RtpEndpoint(fill=CALLER_FILL))
        caller = self.track(rawsip.Peer(self.srv.sip))
        known = self.srv.contact_ids()
        resp, dialog = caller.invite(siptest.NUMBER, rtp.port, ack=False)
        self.assertEqual(resp.status, 200, resp.raw)
        rtp.set_target(("127.0.0.1", rawsip.media_port(resp.body)))
        rtp.start_sending(40, pt=PCMU)  # media flows, but the 200 is never ACKed
        # Timer H (64 * T1 = 32 s) ends it; the record says it failed.
        contact = self.srv.wait_contact(lambda c: (c.get("call") or {}).get("end_reason") is not None,
                                        timeout=45, known=known)
        self.assertEqual(contact["call"]["end_reason"], "failed", contact)
        self.assertEqual(phone.requests_of("INVITE"), [], "a counsellor was rung for a call never ACKed")
        self.assertEqual(phone_rtp.received_fill(CALLER_FILL), 0)
        self.assertEqual(self.srv.counsellor("demo.counsellor")["state"], "available")


@siptest.require_sipp
class MalformedInviteTest(DialogCase):
    def invite(self, peer, drop=(), replace=None, extra=(), length=None):
        call_id = f"{rawsip.token()}@127.0.0.1"
        ruri = f"sip:{siptest.NUMBER}@127.0.0.1:{self.srv.sip_port}"
        headers = {"From": f"<sip:01632960000@127.0.0.1:{peer.port}>;tag={rawsip.token()}", "To": f"<{ruri}>",
                   "Call-ID": call_id, "CSeq": "1 INVITE", "Contact": f"<sip:caller@127.0.0.1:{peer.port}>",
                   "Max-Forwards": "70"}
        headers.update(replace or {})
        lines = [f"{k}: {v}" for k, v in headers.items() if k not in drop] + list(extra)
        body = rawsip.sdp("127.0.0.1", 4000)
        if length is not None:
            lines.append(f"Content-Length: {length}")
        return peer.transact(peer.request("INVITE", ruri, lines, body))

    def test_malformed_invites_get_the_status_rfc3261_requires(self):
        peer = self.track(rawsip.Peer(self.srv.sip))
        m0 = self.srv.metrics()
        cases = [("no To", dict(drop=["To"]), 400), ("no From", dict(drop=["From"]), 400),
                 ("no Call-ID", dict(drop=["Call-ID"]), 400), ("no CSeq", dict(drop=["CSeq"]), 400),
                 ("no Contact", dict(drop=["Contact"]), 400),
                 ("CSeq 2^32", dict(replace={"CSeq": "4294967296 INVITE"}), 400),
                 ("CSeq -1", dict(replace={"CSeq": "-1 INVITE"}), 400),
                 ("CSeq of BYE", dict(replace={"CSeq": "1 BYE"}), 400),
                 ("Content-Length too long", dict(length=5000), 400),
                 ("Content-Length too short", dict(length=10), 400),
                 ("Max-Forwards 0", dict(replace={"Max-Forwards": "0"}), 483),
                 ("Require unknown", dict(extra=["Require: frobnicate"]), 420)]
        answered = {}
        for what, kwargs, want in cases:
            resp = self.invite(peer, **kwargs)
            answered[what] = resp.status if resp else None
            if what == "Require unknown" and resp is not None:
                self.assertEqual(resp.header("unsupported"), "frobnicate")
        self.assertEqual(answered, {what: want for what, _, want in cases}, self.srv.log_tail())
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_offered_total"], m0["crisisline_calls_offered_total"])
        self.assertEqual(self.srv.options(), 200)
        self.assertTrue(self.srv.alive())

    def test_the_tcp_listen_backlog_takes_a_burst_of_connections(self):
        out = subprocess.run(["ss", "-Hltn", f"sport = :{self.srv.sip_port}"], capture_output=True, text=True).stdout
        backlogs = [int(line.split()[2]) for line in out.splitlines() if line.strip()]
        self.assertTrue(backlogs, out)
        self.assertGreaterEqual(min(backlogs), 128, out)


def answered(peer, rtp):
    """The status of a fresh INVITE from `peer` (None: no answer); an admitted call is hung up at once."""
    resp, dialog = peer.invite(siptest.NUMBER, rtp.port)
    if dialog is not None:
        peer.transact(peer.in_dialog(dialog, "BYE"))
    return resp.status if resp is not None else None


@siptest.require_sipp
class LineLimitTest(DialogCase):
    telephony = {"line_max_waiting": 2}

    def test_a_line_takes_no_more_waiting_callers_than_its_limit(self):
        known = self.srv.contact_ids()  # nobody is available: callers wait in the queue
        first = self.raw_call(digit=None)  # English after choice_wait_s
        second = self.raw_call(digit=None)
        rtp = self.track(sh.RtpEndpoint(fill=CALLER_FILL))
        peer = self.track(rawsip.Peer(self.srv.sip))
        resp, _ = peer.invite(siptest.NUMBER, rtp.port)
        self.assertEqual(resp.status, 503, resp.raw)
        self.assertRegex(resp.header("retry-after") or "", r"^\d+$")
        # One waiting caller hangs up: there is room again.
        self.hang_up(first[0], first[2], reason="abandoned")
        self.assertTrue(wait_until(lambda: answered(peer, rtp) == 200, 10, 0.3))
        second[0].transact(second[0].in_dialog(second[2], "BYE"))
        self.srv.wait_live(lambda live: not live["waiting"])
        new = [c for c in self.srv.contacts() if c["id"] not in known and c.get("channel") == "phone"]
        self.assertEqual(len(new), 3, new)  # first, second, and the one admitted after: none for the refused


@siptest.require_sipp
class AdmissionRateTest(DialogCase):
    telephony = {"trunk_calls_per_s": 5}

    def test_a_flood_of_invites_is_refused_at_once_and_writes_no_contacts(self):
        known = self.srv.contact_ids()
        m0 = self.srv.metrics()
        peer = self.track(rawsip.Peer(self.srv.sip))
        ruri = f"sip:{siptest.NUMBER}@127.0.0.1:{self.srv.sip_port}"
        sent = {}
        start = time.monotonic()
        for i in range(100):
            call_id = f"flood{i}-{rawsip.token()}"
            tag = rawsip.token()
            sent[call_id] = tag
            peer.send(peer.request("INVITE", ruri, [f"From: <sip:01632960000@127.0.0.1>;tag={tag}", f"To: <{ruri}>",
                                                    f"Call-ID: {call_id}", "CSeq: 1 INVITE",
                                                    f"Contact: <sip:flood@127.0.0.1:{peer.port}>", "Max-Forwards: 70"],
                                   rawsip.sdp("127.0.0.1", 4000 + 2 * i)))
        elapsed = time.monotonic() - start
        finals = {}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(finals) < len(sent):
            try:
                msg = peer.responses.get(timeout=0.1)
            except Exception:  # noqa: BLE001 - queue.Empty
                continue
            if msg.status >= 200:
                finals.setdefault(msg.header("call-id"), msg)
        self.assertEqual(len(finals), 100, f"unanswered INVITEs: {100 - len(finals)}")
        admitted = [cid for cid, m in finals.items() if m.status == 200]
        refused = [m for m in finals.values() if m.status == 503]
        self.assertEqual(len(admitted) + len(refused), 100)
        self.assertGreaterEqual(len(admitted), 1)
        self.assertLessEqual(len(admitted), 5 + int(5 * elapsed) + 1, (len(admitted), elapsed))
        for m in refused:
            self.assertRegex(m.header("retry-after") or "", r"^\d+$")
        # End the admitted ones properly (ACK, then BYE).
        for cid in admitted:
            m = finals[cid]
            target = re.search(r"<([^>]+)>", m.header("contact")).group(1)
            d = rawsip.Dialog(cid, "sip:01632960000@127.0.0.1", sent[cid], ruri, m.tag("to"), target, 1)
            peer.ack(d)
            peer.send(peer.in_dialog(d, "BYE"))
        m1 = self.srv.metrics()
        self.assertEqual(m1["crisisline_calls_offered_total"] - m0["crisisline_calls_offered_total"], len(admitted))
        self.assertEqual(m1["crisisline_calls_over_capacity_total"] - m0["crisisline_calls_over_capacity_total"],
                         len(refused))
        self.srv.wait_live(lambda live: not live["waiting"])
        wait_until(lambda: len([c for c in self.srv.contacts() if c["id"] not in known]) >= len(admitted), 5)
        new = [c for c in self.srv.contacts() if c["id"] not in known and c.get("channel") == "phone"]
        self.assertEqual(len(new), len(admitted), "a contact was written for a refused call")
        # Once the burst is over the trunk's calls are answered again.
        rtp = self.track(sh.RtpEndpoint(fill=CALLER_FILL))
        caller = self.track(rawsip.Peer(self.srv.sip))
        self.assertTrue(wait_until(lambda: answered(caller, rtp) == 200, 5, 0.3))


if __name__ == "__main__":
    unittest.main()
