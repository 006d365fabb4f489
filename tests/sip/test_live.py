"""The live picture and the event bus, seen through the API while real SIP calls happen.

A supervisor watches /api/v1/live and /api/v1/live/events while a SIPp caller is queued, rung through to a
registered SIPp phone and hangs up: every step and every counsellor state change must appear, and the caller's
number must never appear anywhere in what is broadcast.
"""
import json
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

CALLER = "01632960123"  # Ofcom's drama range: fictional


@unittest.skipUnless(sh.sipp_available(), "sipp (Debian sip-tester) is not installed")
class LiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sip_port = sh.free_port()
        cls.server = harness.Server(extra_args=["--sip-listen", f"127.0.0.1:{cls.sip_port}"])
        out = harness.run_cli(cls.server.data_dir, "init", "--demo").stdout
        cls.sip_passwords = sh.parse_sip_passwords(out)
        cls.passwords = dict(re.findall(r"^\s+(demo\.\w+)\s+.*password: (\S+)$", out, re.M))
        config = os.path.join(cls.server.data_dir, "crisisline.toml")
        with open(config) as f:
            text = f.read().split("[telephony]")[0]
        with open(config, "w") as f:
            f.write(text + sh.telephony_config(cls.sip_port, choice_wait_s=1))
        cls.server.start()
        cls.supervisor = cls.server.client().sign_in("demo.supervisor", cls.passwords["demo.supervisor"])
        cls.counsellor = cls.server.client().sign_in("demo.counsellor", cls.passwords["demo.counsellor"])
        cls.admin = cls.server.client().sign_in("demo.admin", cls.passwords["demo.admin"])
        cls.auditor = cls.server.client().sign_in("demo.auditor", cls.passwords["demo.auditor"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def live(self, client):
        status, body, _ = client.call("GET", "/api/v1/live")
        self.assertEqual(status, 200, body)
        return body

    def me(self, client=None):
        return self.live(client or self.counsellor)["me"]

    def test_call_steps_and_state_changes_are_seen_live_without_the_number(self):
        start = self.supervisor.call("GET", "/api/v1/live/events")[1]["last_seq"]
        ws = harness.WebSocket(self.server.port, "/api/v1/events", cookie=self.supervisor.cookie)
        hello = ws.recv_json()
        self.assertEqual(hello["type"], "hello")
        self.assertIn("police", hello["live"]["queues"])
        self.assertIn("counsellors", hello["live"])
        # Without available_on_register the counsellor says they are ready themselves.
        status, body, _ = self.counsellor.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.me()["state"], "available")
        phone = sh.register_phone(("127.0.0.1", self.sip_port), "demo.counsellor",
                                  self.sip_passwords["demo.counsellor"], ring_ms=1500, talk_ms=15000)
        self.assertTrue(phone.registered)
        call = sh.place_call(("127.0.0.1", self.sip_port), digit="2", talk_ms=4000, caller_id=CALLER)
        try:
            seen_ringing = seen_on_call = False
            deadline = time.time() + 15
            while time.time() < deadline and not seen_on_call:
                live = self.live(self.supervisor)
                states = {c["counsellor"]: c["state"] for c in live["counsellors"]}
                mine = states.get(self.counsellor.staff["id"])
                seen_ringing = seen_ringing or mine == "ringing"
                seen_on_call = mine == "on_call"
                if seen_on_call:
                    self.assertEqual(len(live["active"]), 1, live)
                    self.assertEqual(live["active"][0]["counsellor"], self.counsellor.staff["id"])
                time.sleep(0.1)
            self.assertTrue(seen_ringing, "never saw the counsellor's phone ringing")
            self.assertTrue(seen_on_call, "never saw the counsellor on the call")
            self.assertTrue(call.wait(timeout=30).ok)
        finally:
            call.close()
            phone.close()
        time.sleep(0.5)
        self.assertEqual(self.me()["state"], "wrap_up")
        status, body, _ = self.counsellor.call("POST", "/api/v1/me/wrap-up-done")
        self.assertEqual(status, 204, body)
        self.assertEqual(self.me()["state"], "available")

        status, body, _ = self.supervisor.call("GET", f"/api/v1/live/events?after={start}")
        self.assertEqual(status, 200, body)
        types = [e["type"] for e in body["events"]]
        for expected in ("call.arrived", "call.queued", "call.ringing", "call.bridged", "call.ended",
                         "phone.registered", "counsellor.state"):
            self.assertIn(expected, types)
        states = [e["data"]["state"] for e in body["events"] if e["type"] == "counsellor.state"
                  and e.get("counsellor") == self.counsellor.staff["id"]]
        for expected in ("available", "ringing", "on_call", "wrap_up"):
            self.assertIn(expected, states)
        self.assertLess(states.index("ringing"), states.index("on_call"))
        self.assertLess(states.index("on_call"), states.index("wrap_up"))
        # The ring was timed inside the server (event to INVITE sent) and shows in /metrics.
        status, text = self.server.metrics()
        count = re.search(r"^crisisline_routing_seconds_count (\d+)", text, re.M)
        self.assertTrue(count and int(count.group(1)) >= 1, text[-2000:])
        everything = json.dumps(body) + json.dumps(self.live(self.supervisor))
        for fragment in (CALLER, CALLER[1:], "1632960123"):
            self.assertNotIn(fragment, everything)
        # The WebSocket carried the same events, in order, as they happened.
        pushed = []
        try:
            while True:
                pushed.append(ws.recv_json(timeout=1))
        except OSError:
            pass
        ws.close()
        self.assertEqual([e["seq"] for e in pushed], [e["seq"] for e in body["events"] if e["seq"] > hello["last_seq"]])
        ringing = [e for e in pushed if e["type"] == "call.ringing"]
        self.assertTrue(ringing and isinstance(ringing[0]["data"].get("repeat_count"), int), ringing)
        summaries = [e["data"]["waiting"] for e in pushed if e["type"] == "queue.summary" and e["line"] == "police"]
        self.assertIn(1, summaries, "the caller joining the queue")
        self.assertEqual(summaries[-1], 0, "the queue emptying when the call was answered")
        # The wallboard counts the call.
        status, today, _ = self.supervisor.call("GET", "/api/v1/lines/police/today")
        self.assertEqual(status, 200, today)
        self.assertGreaterEqual(today["offered"], 1)
        self.assertGreaterEqual(today["answered"], 1)
        # The counsellor sees only events about themselves, and the queue summary of their lines.
        mine = self.counsellor.call("GET", f"/api/v1/live/events?after={start}")[1]["events"]
        self.assertTrue(mine)
        self.assertTrue(all(e.get("counsellor") == self.counsellor.staff["id"] or e["type"] == "queue.summary"
                            for e in mine), mine)
        self.assertIn("queue.summary", [e["type"] for e in mine])
        live = self.live(self.counsellor)
        self.assertNotIn("counsellors", live)
        self.assertIn("police", live["queues"])

    def test_cause_for_concern_recorded_during_the_call_earns_the_longer_wrap_up(self):
        status, body, _ = self.counsellor.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        phone = sh.register_phone(("127.0.0.1", self.sip_port), "demo.counsellor",
                                  self.sip_passwords["demo.counsellor"], ring_ms=200, talk_ms=15000)
        call = sh.place_call(("127.0.0.1", self.sip_port), digit="2", talk_ms=5000, caller_id=CALLER)
        try:
            call_id = None
            deadline = time.time() + 10
            while time.time() < deadline and not call_id:
                me = self.me()
                call_id = me.get("call") if me and me["state"] == "on_call" else None
                time.sleep(0.1)
            self.assertTrue(call_id, "the counsellor was never on the call")
            status, contact, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{call_id}?purpose=on_call")
            self.assertEqual(status, 200, contact)
            status, contact, _ = self.counsellor.call("PATCH", f"/api/v1/lines/police/contacts/{call_id}", {
                "version": contact["version"],
                "assessment": {"cause_for_concern": True, "concern_reasons": "fictional test reasons"}})
            self.assertEqual(status, 200, contact)
            # A supervisor's picture flags the call in progress (flags only: the reasons stay sealed).
            flagged = None
            deadline = time.time() + 5
            while time.time() < deadline and not flagged:
                active = [a for a in self.live(self.supervisor)["active"] if a["call"] == call_id]
                flagged = active[0] if active and active[0]["cause_for_concern"] else None
                time.sleep(0.1)
            self.assertTrue(flagged, "the supervisor's live picture never flagged the call")
            self.assertFalse(flagged["imminent_risk"])
            self.assertNotIn("fictional test reasons", json.dumps(self.live(self.supervisor)))
            self.assertTrue(call.wait(timeout=30).ok)
        finally:
            call.close()
            phone.close()
        time.sleep(0.5)
        me = self.me()
        self.assertEqual(me["state"], "wrap_up")
        ends = time.mktime(time.strptime(me["wrap_up_ends"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        # The line's defaults: 60 s after an ordinary call, 300 s after one with cause for concern.
        self.assertGreater(ends - time.time(), 200, me)
        self.assertEqual(self.counsellor.call("POST", "/api/v1/me/wrap-up-done")[0], 204)

    def wait_me(self, predicate, timeout=15):
        deadline = time.time() + timeout
        me = None
        while time.time() < deadline:
            me = self.me()
            if me and predicate(me):
                return me
            time.sleep(0.1)
        self.fail(f"the counsellor never reached the expected state; last: {me}")

    def answered_call(self):
        """A call from CALLER answered on a fresh phone: (call, contact id)."""
        status, body, _ = self.counsellor.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 200, body)
        phone = sh.register_phone(("127.0.0.1", self.sip_port), "demo.counsellor",
                                  self.sip_passwords["demo.counsellor"], ring_ms=200, talk_ms=15000)
        self.assertTrue(phone.registered)
        self.addCleanup(self.retire_phone, phone)
        call = sh.place_call(("127.0.0.1", self.sip_port), digit="2", talk_ms=4000, caller_id=CALLER)
        self.addCleanup(call.close)
        me = self.wait_me(lambda m: m["state"] == "on_call" and m.get("call"))
        return call, me["call"]

    def retire_phone(self, phone):
        """Unregister and close a phone (after the test: unregistering takes its counsellor offline at once),
        so the other tests see their own phone register."""
        sh.unregister_phone(("127.0.0.1", self.sip_port), "demo.counsellor", self.sip_passwords["demo.counsellor"],
                            phone.uas.local_port)
        phone.close()

    def previous(self, client, contact_id):
        return client.call("GET", f"/api/v1/lines/police/contacts/{contact_id}/previous")

    def test_need_to_know_on_a_call_only_the_counsellor_on_it_opens_or_changes_its_contact(self):
        """The telephony rows of docs/security.md's need-to-know matrix, on a real call: the counsellor telephony
        shows on the call (and then wrapping it up) opens and changes its contact; another counsellor of the
        same line, who can see the id, is refused both, and each refusal is audited."""
        other = self.server.client().sign_in("demo.welsh", self.passwords["demo.welsh"])
        call, cid = self.answered_call()
        path = f"/api/v1/lines/police/contacts/{cid}"
        try:
            status, contact, _ = self.counsellor.call("GET", f"{path}?purpose=on_call")
            self.assertEqual(status, 200, contact)
            for purpose in ("on_call", "wrap_up", "follow_up", "escalation"):
                status, body, _ = other.call("GET", f"{path}?purpose={purpose}")
                self.assertEqual(status, 403, (purpose, body))
            status, body, _ = other.call("PATCH", path, {"version": contact["version"], "notes": "not yours"})
            self.assertEqual(status, 403, body)
            status, contact, _ = self.counsellor.call("PATCH", path, {"version": contact["version"],
                                                                      "notes": "fictional notes on the call"})
            self.assertEqual(status, 200, contact)
            self.assertTrue(call.wait(timeout=30).ok)
        finally:
            call.close()
        self.wait_me(lambda m: m["state"] == "wrap_up")
        status, contact, _ = self.counsellor.call("GET", f"{path}?purpose=wrap_up")
        self.assertEqual(status, 200, contact)
        self.assertEqual(contact["notes"], "fictional notes on the call")
        status, body, _ = other.call("GET", f"{path}?purpose=wrap_up")
        self.assertEqual(status, 403, body)
        status, audit, _ = self.auditor.call("GET", "/api/v1/audit?limit=1000")
        refused = {(e["action"], e["purpose"]) for e in audit["entries"]
                   if e["record_id"] == cid and e["actor"] == other.staff["id"]}
        self.assertIn(("contact.read_refused", "on_call"), refused)
        self.assertIn(("contact.read_refused", "wrap_up"), refused)
        self.assertIn(("contact.update_refused", "on_call"), refused)
        self.assertEqual(self.counsellor.call("POST", "/api/v1/me/wrap-up-done")[0], 204)

    def test_repeat_callers_earlier_contacts_are_shown_only_to_the_counsellor_on_the_call(self):
        # The first call: the counsellor records how the caller wishes to be addressed, then wraps up.
        call, first = self.answered_call()
        try:
            status, contact, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{first}?purpose=on_call")
            self.assertEqual(status, 200, contact)
            status, contact, _ = self.counsellor.call("PATCH", f"/api/v1/lines/police/contacts/{first}", {
                "version": contact["version"], "addressed_as": "Robin (fictional)",
                "assessment": {"safety_plan": {"reasons_for_living": "fictional reasons"}},
                "notes": "fictional private notes"})
            self.assertEqual(status, 200, contact)
            self.assertTrue(call.wait(timeout=30).ok)
        finally:
            call.close()
        self.wait_me(lambda m: m["state"] == "wrap_up")
        deadline = time.time() + 10
        while True:  # telephony records the call's end asynchronously (and raises the version)
            status, contact, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{first}?purpose=wrap_up")
            self.assertEqual(status, 200, contact)
            if (contact.get("call") or {}).get("end_reason") or time.time() > deadline:
                break
            time.sleep(0.2)
        status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{first}/close", {
            "version": contact["version"], "caller_role": "police_officer", "outcome": "support_given"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.counsellor.call("POST", "/api/v1/me/wrap-up-done")[0], 204)

        # The same number calls again, and the same counsellor answers.
        call, second = self.answered_call()
        try:
            self.assertNotEqual(second, first)
            status, body, _ = self.previous(self.counsellor, second)
            self.assertEqual(status, 200, body)
            ids = [p["id"] for p in body["previous"]]
            self.assertEqual(ids[0], first, body)
            self.assertNotIn(second, ids)
            earlier = body["previous"][0]
            self.assertEqual(earlier["addressed_as"], "Robin (fictional)")
            self.assertEqual(earlier["safety_plan"], {"reasons_for_living": "fictional reasons"})
            self.assertEqual(earlier["outcome"], "support_given")
            self.assertEqual(earlier["counsellor_display_name"], "Sam (demo counsellor)")
            for key in ("arrived_at", "ended_at", "language", "caller_role", "themes", "cause_for_concern",
                        "imminent_risk", "follow_up_plan", "signposting"):
                self.assertIn(key, earlier)
            self.assertNotIn("fictional private notes", json.dumps(body))
            for fragment in (CALLER, CALLER[1:]):
                self.assertNotIn(fragment, json.dumps(body))
            # Need to know: another counsellor (the supervisor also counsels), not on this call, is refused,
            # and so is anyone asking about a call that is not theirs.
            status, body, _ = self.previous(self.supervisor, second)
            self.assertEqual(status, 403, body)
            self.assertIn("only to the counsellor on the call", body["error"]["message"])
            self.assertEqual(self.previous(self.counsellor, first)[0], 403)
            self.assertEqual(self.previous(self.admin, second)[0], 403)
            self.assertTrue(call.wait(timeout=30).ok)
        finally:
            call.close()
        # Wrapping up the call still counts; once the wrap-up is done, the earlier contacts are gone from view.
        self.wait_me(lambda m: m["state"] == "wrap_up")
        status, body, _ = self.previous(self.counsellor, second)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["previous"][0]["id"], first)
        self.assertEqual(self.counsellor.call("POST", "/api/v1/me/wrap-up-done")[0], 204)
        status, body, _ = self.previous(self.counsellor, second)
        self.assertEqual(status, 403, body)

        # Every view is in the audit log: ids and a purpose, no content.
        entries, from_seq = [], 1
        while True:
            status, page, _ = self.auditor.call("GET", f"/api/v1/audit?from_seq={from_seq}&limit=1000")
            self.assertEqual(status, 200, page)
            entries += page["entries"]
            if len(page["entries"]) < 1000:
                break
            from_seq = page["entries"][-1]["seq"] + 1
        audit = {"entries": entries}
        views = [e for e in audit["entries"] if e["purpose"] == "repeat_caller" and e["record_id"] == first]
        self.assertEqual(len(views), 2, views)
        for e in views:
            self.assertEqual((e["actor"], e["action"], e["line_id"], e["record_type"]),
                             (self.counsellor.staff["id"], "contact.read", "police", "contact"))
        self.assertNotIn("Robin", json.dumps(audit))

    def test_roles_and_bad_input(self):
        status, body, _ = self.admin.call("GET", "/api/v1/live")
        self.assertEqual(status, 403, body)
        status, body, _ = self.supervisor.call("PUT", "/api/v1/me/availability", {"state": "dancing"})
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["field"], "state")
        status, body, _ = self.counsellor.call("PUT", "/api/v1/me/availability", {"state": "on_call"})
        self.assertEqual(status, 400, body)
        status, body, _ = self.admin.call("PUT", "/api/v1/me/availability", {"state": "available"})
        self.assertEqual(status, 403, body)
        status, body, _ = self.supervisor.call("GET", "/api/v1/live/events?after=x")
        self.assertEqual(status, 400, body)


if __name__ == "__main__":
    unittest.main()
