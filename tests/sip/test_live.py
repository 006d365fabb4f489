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
        status, _, metrics = self.server.raw("GET", "/metrics")
        text = metrics.decode()
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
