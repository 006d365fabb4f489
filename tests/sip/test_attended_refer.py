"""Attended transfer from a desk phone (issue 16, "SIP interop"): REFER with Replaces (RFC 3515 + RFC 3891).

How a desk phone (Yealink, Polycom, baresip, Linphone) does it when crisisline is its only server: it holds the
caller's dialog A (re-INVITE sendonly), sends a new INVITE (dialog B) for the colleague's SIP username with its own
digest credentials, talks to the colleague, then sends REFER in A with Refer-To <...?Replaces=B> (or in B naming
A). The phone is a rawsip.Peer (SIPp cannot hold two dialogs of its own in one scenario), the caller and the
colleague are SIPp with Python RTP endpoints.

Audio is told apart by payload: the caller sends CALLER_FILL, the desk phone FIRST_FILL on A and DESK_FILL on B,
the colleague SECOND_FILL; packets whose payload is not one byte repeated are the server's hold audio.
"""
import re
import time
import urllib.parse

import rawsip
import sip_harness as sh
import siptest

CALLER_FILL = 0x2A
FIRST_FILL = 0x55
DESK_FILL = 0x77
SECOND_FILL = 0x66
PCMU = 0


wait_until = siptest.wait_until


def heard(rtp, fill):
    """Audio packets whose whole payload is `fill` repeated: that party's voice."""
    with rtp.lock:
        return rtp.uniform.get(fill, 0)


def music(rtp):
    """Audio packets whose payload is not one byte repeated: the server's hold audio, never a party."""
    with rtp.lock:
        return sum(rtp.by_first_byte.values()) - sum(rtp.uniform.values())


def bare_uri(value):
    """The URI of a From/To value (display name, angle brackets and parameters dropped)."""
    m = re.search(r"<([^>]+)>", value)
    return m.group(1) if m else value.split(";")[0].strip()


def replaces(call_id, to_tag, from_tag):
    """A Replaces header as a URI header value, escaped as phones send it (';', '=', '@' as %3B, %3D, %40)."""
    return "Replaces=" + urllib.parse.quote(f"{call_id};to-tag={to_tag};from-tag={from_tag}", safe="")


class DeskPhone:
    """demo.counsellor's desk phone: registers, answers the server's INVITE (dialog A, media on rtp_a), dials a
    colleague through the server (dialog B, media on rtp_b) and sends REFER."""

    def __init__(self, srv, username="demo.counsellor"):
        self.srv = srv
        self.username = username
        self.password = srv.sip_passwords[username]
        self.rtp_a = sh.RtpEndpoint(fill=FIRST_FILL)
        self.rtp_b = sh.RtpEndpoint(fill=DESK_FILL)
        self.peer = rawsip.Peer(srv.sip, answer_invites=True, rtp_port=self.rtp_a.port)
        self.reg = rawsip.Registration(self.peer, username, self.password)
        resp = self.reg.answer(self.reg.contact())
        assert resp is not None and resp.status == 200, resp
        self.rtp_a.start_sending(120, pt=PCMU, wait_target=120)  # once the server's first packet names the target
        self.sdp_version = 1

    def close(self):
        try:
            self.reg.answer(self.reg.contact(), expires="0")
        finally:
            self.peer.close()
            self.rtp_a.close()
            self.rtp_b.close()

    def dialog_a(self):
        """Our side of the server's call to this phone (dialog A), once it has come."""
        d = self.peer.wait_dialog()
        assert d is not None, "the server never rang the desk phone"
        return rawsip.Dialog(d.call_id, bare_uri(d.local_uri), d.local_tag, bare_uri(d.remote_uri), d.remote_tag,
                             d.target, d.cseq)

    def exchange(self, text, timeout):
        """Sends `text` (again every 0.5 s until answered) and returns every response to it up to the final one."""
        while not self.peer.responses.empty():
            self.peer.responses.get_nowait()
        branch = re.search(r"branch=([^;\s]+)", text).group(1)
        got, answered, next_send = [], False, 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not answered and time.monotonic() >= next_send:
                self.peer.send(text)
                next_send = time.monotonic() + 0.5
            try:
                msg = self.peer.responses.get(timeout=0.05)
            except Exception:  # queue.Empty
                continue
            if branch not in (msg.header("via") or ""):
                continue
            answered = True
            got.append(msg)
            if msg.status >= 200:
                return got
        return got

    def dial(self, user, timeout=30, password=None):
        """INVITE (dialog B) for sip:<user>@server, answering the server's 407 with this account's digest.
        Returns (every response to the authenticated INVITE, the Dialog when it was answered 200 and ACKed)."""
        host, port = self.srv.sip
        ip = self.peer.ip
        call_id, tag = f"{rawsip.token()}@{ip}", rawsip.token()
        local_uri, ruri = f"sip:{self.username}@{host}", f"sip:{user}@{host}:{port}"
        body = rawsip.sdp(ip, self.rtp_b.port)

        def invite(cseq, auth=None):
            headers = [f"From: <{local_uri}>;tag={tag}", f"To: <{ruri}>", f"Call-ID: {call_id}", f"CSeq: {cseq} INVITE",
                       f"Contact: <sip:{self.username}@{ip}:{self.peer.port}>", "Max-Forwards: 70",
                       "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, NOTIFY"] + ([auth] if auth else [])
            return self.peer.request("INVITE", ruri, headers, body)

        def ack(cseq, to):
            self.peer.send(self.peer.request("ACK", ruri, [f"From: <{local_uri}>;tag={tag}", f"To: {to}",
                                                           f"Call-ID: {call_id}", f"CSeq: {cseq} ACK",
                                                           "Max-Forwards: 70"]))

        challenge = self.peer.transact(invite(1))
        assert challenge is not None and challenge.status == 407, challenge
        ack(1, challenge.header("to"))
        params = rawsip.challenge_params(challenge.header("proxy-authenticate"))
        auth = rawsip.digest_header(self.username, password or self.password, params["realm"], params["nonce"],
                                    "INVITE", ruri).replace("Authorization:", "Proxy-Authorization:", 1)
        self.rtp_b.start_sending(90, pt=PCMU, wait_target=60)
        responses = self.exchange(invite(2, auth), timeout)
        assert responses, f"no answer to the INVITE for {user}"
        final = responses[-1]
        if final.status != 200:
            ack(2, final.header("to"))
            return responses, None
        m = re.search(r"<([^>]+)>", final.header("contact") or "")
        dialog = rawsip.Dialog(call_id, local_uri, tag, ruri, final.tag("to"), m.group(1) if m else ruri, 2)
        self.peer.ack(dialog)
        return responses, dialog

    def reinvite(self, dialog, direction):
        """Holds (sendonly) or resumes (sendrecv) dialog A from the phone."""
        self.sdp_version += 1
        resp = self.peer.transact(self.peer.in_dialog(
            dialog, "INVITE", body=rawsip.sdp(self.peer.ip, self.rtp_a.port, direction, self.sdp_version)))
        assert resp is not None and resp.status == 200, resp
        self.peer.ack(dialog)
        return resp

    def refer(self, dialog, replaces_value, target="demo.supervisor"):
        host = self.srv.sip[0]
        return self.peer.transact(self.peer.in_dialog(
            dialog, "REFER", extra=[f"Refer-To: <sip:{target}@{host}?{replaces_value}>",
                                    f"Referred-By: <sip:{self.username}@{host}>"]))

    def bye(self, dialog):
        return self.peer.transact(self.peer.in_dialog(dialog, "BYE"))

    def requests(self, method, call_id):
        return [r for r in self.peer.requests_of(method) if r.header("call-id") == call_id]


class AttendedCase(siptest.SipTestCase):
    routing = {"wrap_up_s": 0, "ring_timeout_s": 20}

    def setUp(self):
        super().setUp()
        self._desks = []

    def tearDown(self):
        for desk in self._desks:
            desk.close()
        if self._desks:
            self.srv.reset_counsellor("demo.counsellor")
        super().tearDown()

    def desk_phone(self):
        desk = DeskPhone(self.srv)
        self._desks.append(desk)
        self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "available" and c["phone_registered"])
        return desk

    def first_call(self):
        """The desk phone answers a caller (dialog A), audio both ways. Returns (desk, A, call, call id, known)."""
        desk = self.desk_phone()
        known = self.srv.contact_ids()
        call = self.caller(scenario="caller_await_bye.xml", digit="2", talk_ms=60000, pt=PCMU, fill=CALLER_FILL,
                           timeout_s=120)
        me = self.srv.wait_counsellor("demo.counsellor", lambda c: c["state"] == "on_call" and c.get("call"), 20)
        dialog_a = desk.dialog_a()
        wait_until("audio both ways on A", lambda: heard(call.rtp, FIRST_FILL) > 25
                   and heard(desk.rtp_a, CALLER_FILL) > 25)
        return desk, dialog_a, call, me["call"], known

    def colleague(self, **kwargs):
        phone = self.phone("demo.supervisor", pt=PCMU, fill=SECOND_FILL, send_seconds=90, **kwargs)
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available" and c["phone_registered"])
        return phone

    def my_consult(self):
        status, mine, _ = self.srv.sign_in("demo.counsellor").call("GET", "/api/v1/live")
        self.assertEqual(status, 200, mine)
        return (mine.get("me") or {}).get("consult")

    def events(self, *types):
        status, page, _ = self.srv.sign_in("demo.manager").call("GET", "/api/v1/live/events?after=0")
        self.assertEqual(status, 200, page)
        return [e for e in page["events"] if e["type"] in types]

    def audited(self, call_id):
        status, audit, _ = self.srv.sign_in("demo.auditor").call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        return [(e["action"], e.get("detail")) for e in audit["entries"]
                if e["action"].startswith("call.consult") and e["record_id"] == call_id]

    def consult_from_the_phone(self, desk, dialog_a, call, second):
        """The phone holds A and dials the colleague (B); once they answer, the phone and the colleague hear each
        other and the caller only the hold audio. Returns dialog B."""
        desk.reinvite(dialog_a, "sendonly")
        responses, dialog_b = desk.dial("demo.supervisor")
        self.assertEqual([r.status for r in responses][-1], 200, responses)
        self.assertIn(180, [r.status for r in responses], "no 180 Ringing before the colleague answered")
        self.assertTrue(self.got_invite(second.uas, timeout=10), "the colleague's phone never rang")
        colleague_id = self.srv.staff_ids["demo.supervisor"]
        wait_until("the consult connected", lambda: self.my_consult() == {"to": colleague_id, "state": "connected"})
        caller_heard = (heard(call.rtp, DESK_FILL), heard(call.rtp, SECOND_FILL), heard(call.rtp, FIRST_FILL))
        at_music = music(call.rtp)
        wait_until("the phone (B) and the colleague to hear each other, the caller the hold audio",
                   lambda: heard(desk.rtp_b, SECOND_FILL) > 50 and heard(second.rtp, DESK_FILL) > 50
                   and music(call.rtp) > at_music + 50, 15)
        self.assertEqual((heard(call.rtp, DESK_FILL), heard(call.rtp, SECOND_FILL)), caller_heard[:2],
                         "the caller heard the consult")
        self.assertEqual(caller_heard[1], 0, "the caller heard the colleague")
        self.assertEqual(heard(second.rtp, CALLER_FILL), 0, "the colleague heard the caller")
        self.assertEqual(heard(desk.rtp_b, CALLER_FILL), 0, "the phone's consult dialog heard the caller")
        self.assertEqual(self.srv.counsellor("demo.supervisor")["state"], "on_call")
        self.assertTrue(call.sipp.running(), "the caller was hung up")
        return dialog_b

    def assert_handed_to_the_colleague(self, desk, dialog_a, dialog_b, call, second, call_id, known, notify_in):
        """After the REFER: NOTIFY 200 in `notify_in`'s dialog, BYE on A and B, the caller and the colleague hear
        each other, one history from the counsellor to the colleague."""
        notify = wait_until("NOTIFY with the sipfrag", lambda: desk.requests("NOTIFY", notify_in.call_id), 10)[0]
        self.assertIn("refer", (notify.header("event") or "").lower(), notify.raw)
        self.assertIn("message/sipfrag", notify.header("content-type") or "", notify.raw)
        self.assertTrue(notify.body.startswith("SIP/2.0 200 OK"), notify.raw)
        self.assertTrue((notify.header("subscription-state") or "").startswith("terminated"), notify.raw)
        wait_until("BYE on A and on B", lambda: desk.requests("BYE", dialog_a.call_id)
                   and desk.requests("BYE", dialog_b.call_id), 10)
        wait_until("the caller to hear the colleague", lambda: heard(call.rtp, SECOND_FILL) > 30, 10)
        wait_until("the colleague to hear the caller", lambda: heard(second.rtp, CALLER_FILL) > 30, 10)
        self.assertEqual(heard(call.rtp, DESK_FILL), 0, "the caller heard the phone's consult dialog")
        self.assertTrue(call.sipp.running(), "the caller was hung up")
        colleague_id = self.srv.staff_ids["demo.supervisor"]
        handed = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                       known=known)
        self.assertEqual(handed["call"]["end_reason"], "transferred", handed)
        self.assertEqual(handed["counsellor_id"], self.srv.staff_ids["demo.counsellor"], handed)
        next_id = handed["call"]["continued_in"]
        carried = self.srv.wait_contact(lambda c: c["id"] == next_id and c.get("counsellor_id"), known=known)
        self.assertEqual(carried["counsellor_id"], colleague_id, carried)
        self.assertEqual(carried["call"]["continues"], call_id, carried)
        ours = [(e["type"], e["data"]) for e in self.events("call.consulting", "call.transferred")
                if e["data"]["call"] == call_id]
        self.assertEqual(ours, [("call.consulting", {"call": call_id, "to": colleague_id, "state": "ringing"}),
                                ("call.consulting", {"call": call_id, "to": colleague_id, "state": "connected"}),
                                ("call.transferred", {"call": call_id, "to": colleague_id, "consult": True,
                                                      "continued_in": next_id})], ours)
        audited = self.audited(call_id)
        self.assertEqual([a for a, _ in audited], ["call.consult_start", "call.consult_complete"], audited)
        for action, detail in audited:
            self.assertEqual((detail or {}).get("via"), "refer", (action, detail))
        self.ok(second.wait(40), "the colleague's phone (hangs up)")
        self.ok(call.wait(30), "the caller (the server's BYE after the colleague hung up)")


@siptest.require_sipp
class AttendedTransferTest(AttendedCase):
    def test_refer_in_the_callers_dialog_with_replaces_naming_the_consult_hands_the_caller_on(self):
        desk, dialog_a, call, call_id, known = self.first_call()
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=1000, talk_ms=20000)
        dialog_b = self.consult_from_the_phone(desk, dialog_a, call, second)
        # RFC 3891: to-tag is the server's own tag in B (it answered B), from-tag the phone's.
        resp = desk.refer(dialog_a, replaces(dialog_b.call_id, dialog_b.remote_tag, dialog_b.local_tag))
        self.assertIsNotNone(resp, "no answer to the REFER")
        self.assertEqual(resp.status, 202, resp.raw)
        self.assert_handed_to_the_colleague(desk, dialog_a, dialog_b, call, second, call_id, known, dialog_a)

    def test_refer_in_the_consult_dialog_with_replaces_naming_the_callers_dialog_hands_the_caller_on(self):
        desk, dialog_a, call, call_id, known = self.first_call()
        second = self.colleague(scenario="phone_answer_hangup.xml", ring_ms=500, talk_ms=20000)
        dialog_b = self.consult_from_the_phone(desk, dialog_a, call, second)
        # Some phones REFER in B, naming A: the server's tag in A is A's From tag (it dialled A).
        resp = desk.refer(dialog_b, replaces(dialog_a.call_id, dialog_a.remote_tag, dialog_a.local_tag))
        self.assertIsNotNone(resp, "no answer to the REFER")
        self.assertEqual(resp.status, 202, resp.raw)
        self.assert_handed_to_the_colleague(desk, dialog_a, dialog_b, call, second, call_id, known, dialog_b)


@siptest.require_sipp
class AttendedTransferRefusedTest(AttendedCase):
    def assert_back_with_the_counsellor(self, desk, dialog_a, call, call_id):
        desk.reinvite(dialog_a, "sendrecv")  # the phone takes the caller off hold
        at_caller, at_phone = heard(call.rtp, FIRST_FILL), heard(desk.rtp_a, CALLER_FILL)
        wait_until("audio both ways on A again", lambda: heard(call.rtp, FIRST_FILL) > at_caller + 50
                   and heard(desk.rtp_a, CALLER_FILL) > at_phone + 50, 10)
        self.assertIsNone(self.my_consult())
        entry = self.srv.counsellor("demo.counsellor")
        self.assertEqual((entry["state"], entry.get("call")), ("on_call", call_id), entry)

    def hang_up(self, desk, dialog_a, call, call_id, known):
        resp = desk.bye(dialog_a)
        self.assertEqual(resp.status if resp else None, 200, resp)
        self.ok(call.wait(30), "the caller (the server's BYE after the counsellor hung up)")
        ended = self.srv.wait_contact(lambda c: c["id"] == call_id and (c.get("call") or {}).get("end_reason"),
                                      known=known)
        self.assertEqual(ended["call"]["end_reason"], "completed", ended)

    def consult_ended(self, call_id):
        return [e["data"] for e in self.events("call.consult_ended") if e["data"]["call"] == call_id]

    def test_a_colleague_who_declines_gets_the_phone_486_and_the_caller_stays_with_the_counsellor(self):
        desk, dialog_a, call, call_id, known = self.first_call()
        second = self.colleague(scenario="phone_decline.xml", ring_ms=1000)
        desk.reinvite(dialog_a, "sendonly")
        responses, dialog_b = desk.dial("demo.supervisor")
        self.assertIsNone(dialog_b)
        self.assertEqual([r.status for r in responses][-1], 486, responses)
        self.ok(second.wait(20), "the colleague's phone (486)")
        colleague_id = self.srv.staff_ids["demo.supervisor"]
        wait_until("call.consult_ended", lambda: self.consult_ended(call_id), 10)
        self.assertEqual(self.consult_ended(call_id), [{"call": call_id, "to": colleague_id, "reason": "declined"}])
        self.assert_back_with_the_counsellor(desk, dialog_a, call, call_id)
        self.hang_up(desk, dialog_a, call, call_id, known)

    def test_unknown_replaces_get_481_and_the_phone_hanging_up_b_returns_the_caller_to_the_counsellor(self):
        desk, dialog_a, call, call_id, known = self.first_call()
        # No consult yet: a Replaces can name nothing.
        resp = desk.refer(dialog_a, replaces("no-such-call@127.0.0.1", "a", "b"))
        self.assertEqual(resp.status if resp else None, 481, resp)
        second = self.colleague(scenario="phone_answer.xml", ring_ms=500)
        dialog_b = self.consult_from_the_phone(desk, dialog_a, call, second)
        # Naming B with a wrong tag, or naming A from A itself: 481, and the consult goes on.
        for value in (replaces(dialog_b.call_id, dialog_b.remote_tag, "wrong"),
                      replaces(dialog_a.call_id, dialog_a.remote_tag, dialog_a.local_tag)):
            resp = desk.refer(dialog_a, value)
            self.assertEqual(resp.status if resp else None, 481, (value, resp))
        resp = desk.refer(dialog_a, "Replaces=" + urllib.parse.quote(f"{dialog_b.call_id};to-tag=x", safe=""))
        self.assertEqual(resp.status if resp else None, 400, resp)  # no from-tag
        colleague_id = self.srv.staff_ids["demo.supervisor"]
        self.assertEqual(self.my_consult(), {"to": colleague_id, "state": "connected"})
        self.assertEqual(desk.requests("NOTIFY", dialog_a.call_id), [])
        # The phone hangs up B before any REFER: the consult ends, the colleague gets BYE, the call is the
        # counsellor's as before.
        resp = desk.bye(dialog_b)
        self.assertEqual(resp.status if resp else None, 200, resp)
        self.ok(second.wait(20), "the colleague's phone (the server's BYE when the phone hung up B)")
        wait_until("call.consult_ended", lambda: self.consult_ended(call_id), 10)
        self.assertEqual(self.consult_ended(call_id), [{"call": call_id, "to": colleague_id, "reason": "cancelled"}])
        self.srv.wait_counsellor("demo.supervisor", lambda c: c["state"] == "available")  # not paused
        self.assert_back_with_the_counsellor(desk, dialog_a, call, call_id)
        self.assertEqual([a for a, _ in self.audited(call_id)], ["call.consult_start", "call.consult_cancel"])
        self.hang_up(desk, dialog_a, call, call_id, known)

    def test_a_phone_without_a_live_call_may_dial_nobody(self):
        desk = self.desk_phone()
        self.colleague(scenario="phone_answer.xml", ring_ms=500)
        responses, dialog = desk.dial("demo.supervisor")
        self.assertIsNone(dialog)
        final = responses[-1]
        self.assertEqual(final.status, 403, final.raw)
        self.assertIn("no call of yours is in progress", final.header("warning") or "", final.raw)
        self.assertEqual(self.srv.counsellor("demo.supervisor")["state"], "available")  # never rung
        responses, _ = desk.dial("demo.supervisor", password="not-the-password")
        self.assertEqual(responses[-1].status, 403, responses[-1].raw)

    def test_a_target_that_is_no_colleague_gets_403_and_an_unavailable_one_480_and_the_call_goes_on(self):
        desk, dialog_a, call, call_id, known = self.first_call()
        for user, status, warning in [("nobody.here", 403, "not a colleague"),
                                      ("+442079460000", 403, "not a colleague"),
                                      ("demo.counsellor", 403, "yourself"), ("demo.welsh", 480, "")]:
            responses, dialog = desk.dial(user)
            self.assertIsNone(dialog, user)
            final = responses[-1]
            self.assertEqual(final.status, status, (user, final.raw))
            self.assertIn(warning, final.header("warning") or "", (user, final.raw))
        self.assertEqual([e for e in self.events("call.consulting") if e["data"]["call"] == call_id], [])
        at_caller, at_phone = heard(call.rtp, FIRST_FILL), heard(desk.rtp_a, CALLER_FILL)
        wait_until("audio both ways on A still", lambda: heard(call.rtp, FIRST_FILL) > at_caller + 50
                   and heard(desk.rtp_a, CALLER_FILL) > at_phone + 50, 10)
        self.hang_up(desk, dialog_a, call, call_id, known)


if __name__ == "__main__":
    import unittest
    unittest.main()
