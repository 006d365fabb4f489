"""The console's server side over real HTTP and a real WebSocket: live events (GET /api/v1/events), the
supervisor's wallboard (GET /api/v1/lines/{line}/today) and the public page (GET /api/v1/public/lines/{line}).
No SIP side here (tests/sip/test_live.py covers telephony's events), so the events are the Api's own."""
import datetime
import io
import glob
import json
import os
import socket
import sqlite3
import time
import unittest
import wave

import harness

MARKER = "MARKER-31d7-console-not-for-events"


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().init()
        harness.run_cli(cls.server.data_dir, "staff", "add", "--username", "boot.admin", "--display-name", "Boot",
                        "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        cls.server.start()
        cls.admin = cls.server.client().sign_in("boot.admin")
        for line in ({"id": "police", "name": "Police line (test)", "numbers": ["0808 157 0001"],
                      "regions": ["national"], "hours": "24/7/365", "audience": "police officers and staff"},
                     {"id": "fire", "name": "Fire line (test)"}):
            status, body, _ = cls.admin.call("POST", "/api/v1/lines", line)
            assert status == 201, body
        cls.granter = harness.line_manager(cls.server, cls.admin, ["police", "fire"])
        people = {"counsellor": (["counsellor"], ["police"]), "supervisor": (["supervisor", "counsellor"], ["police"]),
                  "manager": (["service_manager"], ["police"]), "fire": (["counsellor"], ["fire"]),
                  "watcher": (["supervisor"], ["police"])}
        cls.clients = {}
        for name, (roles, lines) in people.items():
            status, body, _ = cls.granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD,
                "roles": roles, "lines": lines})
            assert status == 201, body
            cls.clients[name] = cls.server.client().sign_in(name)
        cls.counsellor = cls.clients["counsellor"]
        cls.supervisor = cls.clients["supervisor"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def events(self, client, path="/api/v1/events", **kw):
        return harness.WebSocket(self.server.port, path, cookie=client.cookie if client else None, **kw)

    def new_contact(self):
        status, contact, _ = self.counsellor.call("POST", "/api/v1/lines/police/contacts", {
            "caller_role": "police_officer", "notes": f"notes {MARKER}"})
        self.assertEqual(status, 201, contact)
        return contact

    def next_of_type(self, ws, wanted, timeout=10):
        """The next event of type `wanted`, skipping others."""
        while True:
            event = ws.recv_json(timeout)
            if event["type"] == wanted:
                return event

    def test_without_sip_there_are_no_trunks(self):
        status, body, _ = self.admin.call("GET", "/api/v1/telephony/trunks")
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"telephony": False, "trunks": []})

    # --- GET /api/v1/events -----------------------------------------------------------------------------------

    def test_hello_then_escalation_and_flags_events_without_content(self):
        ws = self.events(self.supervisor)
        self.assertEqual(ws.status, 101)
        hello = ws.recv_json()
        self.assertEqual(hello["type"], "hello")
        self.assertIsNone(hello["live"], "no telephony on this server")
        self.assertEqual(hello["missed"], [])
        self.assertIsInstance(hello["last_seq"], int)
        fire_ws = self.events(self.clients["fire"])
        self.assertEqual(fire_ws.recv_json()["type"], "hello")

        contact = self.new_contact()
        status, esc, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/escalations", {
            "emergency_service": "ambulance", "reason": f"imminent risk {MARKER}", "disclosed": f"where {MARKER}",
            "supervisor_id": self.supervisor.staff["id"]})
        self.assertEqual(status, 201, esc)
        raised = self.next_of_type(ws, "escalation.raised")
        self.assertEqual(raised["line"], "police")
        self.assertEqual(raised["counsellor"], self.counsellor.staff["id"])
        self.assertEqual(raised["data"], {"contact": contact["id"], "escalation": esc["id"],
                                          "supervisor": self.supervisor.staff["id"]})
        self.assertGreater(raised["seq"], hello["last_seq"])

        status, read, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{contact['id']}")
        status, patched, _ = self.counsellor.call("PATCH", f"/api/v1/lines/police/contacts/{contact['id']}", {
            "version": read["version"], "assessment": {"cause_for_concern": True, "concern_reasons": "fictional"}})
        self.assertEqual(status, 200, patched)
        flags = self.next_of_type(ws, "contact.flags")
        self.assertEqual(flags["data"], {"contact": contact["id"], "cause_for_concern": True, "imminent_risk": True})
        self.assertEqual(flags["counsellor"], self.counsellor.staff["id"])
        # A change that leaves the flags alone publishes nothing.
        status, again, _ = self.counsellor.call("PATCH", f"/api/v1/lines/police/contacts/{contact['id']}", {
            "version": patched["version"], "notes": "more notes"})
        self.assertEqual(status, 200, again)
        with self.assertRaises(socket.timeout):
            self.next_of_type(ws, "contact.flags", timeout=1.5)
        # Another line's counsellor heard nothing of it.
        with self.assertRaises(socket.timeout):
            fire_ws.recv(timeout=0.5)
        ws.close()
        fire_ws.close()

        # Reconnecting with ?after= resynchronises: the hello carries what was missed.
        again_ws = self.events(self.supervisor, f"/api/v1/events?after={hello['last_seq']}")
        resync = again_ws.recv_json()
        types = [e["type"] for e in resync["missed"]]
        self.assertIn("escalation.raised", types)
        self.assertIn("contact.flags", types)
        self.assertTrue(all(e["seq"] <= resync["last_seq"] for e in resync["missed"]))
        self.assertNotIn(MARKER, json.dumps(resync))
        # The counsellor who raised it sees it too (it is about them); the REST resync agrees.
        mine_ws = self.events(self.counsellor, f"/api/v1/events?after={hello['last_seq']}")
        mine = mine_ws.recv_json()
        mine_ws.close()
        self.assertIn("escalation.raised", [e["type"] for e in mine["missed"]])
        status, body, _ = self.supervisor.call("GET", f"/api/v1/live/events?after={hello['last_seq']}")
        self.assertEqual(status, 200, body)
        self.assertEqual([e["seq"] for e in body["events"]], [e["seq"] for e in resync["missed"]])
        again_ws.close()

    def test_refusals_are_plain_http_errors(self):
        ws = self.events(None)
        self.assertEqual(ws.status, 401)
        self.assertEqual(ws.body["error"]["code"], "unauthenticated")
        ws = self.events(self.admin)
        self.assertEqual(ws.status, 403)
        ws = self.events(self.supervisor, origin="https://evil.example")
        self.assertEqual(ws.status, 403)
        self.assertEqual(ws.body["error"]["field"], "Origin")
        ws = self.events(self.supervisor, origin=f"http://127.0.0.1:{self.server.port}")
        self.assertEqual(ws.status, 101)
        ws.close()
        ws = self.events(self.supervisor, "/api/v1/events?after=minus-one")
        self.assertEqual(ws.status, 400)
        status, body, _ = self.supervisor.call("GET", "/api/v1/events")
        self.assertEqual(status, 426, body)
        self.assertEqual(body["error"]["code"], "upgrade_required")

    def test_signing_out_closes_the_socket(self):
        watcher = self.clients["watcher"]
        ws = self.events(watcher)
        self.assertEqual(ws.recv_json()["type"], "hello")
        status, _, _ = watcher.call("DELETE", "/api/v1/session")
        self.assertEqual(status, 204)
        with self.assertRaises(harness.WebSocketClosed) as closed:
            while True:
                ws.recv(timeout=5)
        self.assertEqual(closed.exception.code, 4401)

    # --- GET /api/v1/lines/{line}/today -------------------------------------------------------------------------

    def test_today_counts_todays_phone_calls(self):
        now_ms = int(time.time() * 1000)
        midnight = int(datetime.datetime.now(datetime.timezone.utc).replace(
            hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)
        start = max(midnight, now_ms - 3_600_000)

        def call(cid, arrived, wait_ms, counsellor, reason, line="police"):
            facts = {"channel": "phone", "call": {"end_reason": reason}}
            answered = None if wait_ms is None else arrived + wait_ms
            return (line, cid, "closed", arrived, answered, arrived + 200_000, counsellor, "", json.dumps(facts),
                    b"k", b"c", 1, arrived, arrived)

        rows = [call("ct_t1", start + 1, 4_000, "st_a", "completed"),
                call("ct_t2", start + 2, 30_000, "st_a", "completed"),
                call("ct_t3", start + 3, 75_000, "st_b", "completed"),
                call("ct_t4", start + 4, None, "", "abandoned"),
                call("ct_t5", start + 5, 130_000, "", "overflowed"),
                call("ct_t6", midnight - 60_000, 1_000, "st_a", "completed"),  # yesterday
                call("ct_t7", start + 6, 1_000, "st_a", "completed", "fire")]
        db = sqlite3.connect(os.path.join(self.server.data_dir, "crisisline.db"), timeout=30)
        with db:
            db.executemany("INSERT INTO contacts (line_id, id, status, arrived_at, answered_at, ended_at, "
                           "counsellor_id, caller_hash, facts_json, wrapped_key, ciphertext, version, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.close()

        status, today, _ = self.supervisor.call("GET", "/api/v1/lines/police/today")
        self.assertEqual(status, 200, today)
        self.assertEqual(today["from"], datetime.datetime.fromtimestamp(midnight / 1000, datetime.timezone.utc)
                         .strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        self.assertEqual((today["offered"], today["answered"], today["abandoned"], today["overflowed"]), (5, 3, 1, 1))
        self.assertEqual((today["answered_within_20s"], today["answered_within_60s"]), (1, 2))
        self.assertAlmostEqual(today["answer_rate"], 3 / 5)
        self.assertAlmostEqual(today["average_speed_of_answer_s"], (4 + 30 + 75) / 3)
        self.assertAlmostEqual(today["service_level_20s"], 1 / 5)
        self.assertAlmostEqual(today["service_level_60s"], 2 / 5)
        self.assertIsInstance(today["follow_ups_overdue"], int)
        self.assertEqual(set(today), {"from", "offered", "answered", "abandoned", "overflowed", "answer_rate",
                                      "average_speed_of_answer_s", "answered_within_20s", "answered_within_60s",
                                      "service_level_20s", "service_level_60s", "follow_ups_overdue"})
        status, managed, _ = self.clients["manager"].call("GET", "/api/v1/lines/police/today")
        self.assertEqual((status, managed["offered"]), (200, 5))
        status, fire, _ = self.granter.call("POST", "/api/v1/staff", {
            "username": "fire.supervisor", "display_name": "F", "password": harness.PASSWORD,
            "roles": ["supervisor"], "lines": ["fire"]})
        self.assertEqual(status, 201, fire)
        fire_supervisor = self.server.client().sign_in("fire.supervisor")
        status, fire_today, _ = fire_supervisor.call("GET", "/api/v1/lines/fire/today")
        self.assertEqual((status, fire_today["offered"], fire_today["answered_within_20s"]), (200, 1, 1))
        for who in (self.counsellor, self.admin, fire_supervisor):
            status, body, _ = who.call("GET", "/api/v1/lines/police/today")
            self.assertEqual(status, 403, body)

    # --- GET /api/v1/public/lines/{line} -------------------------------------------------------------------------

    def test_public_line_shows_the_page_and_nothing_else(self):
        status, _, payload = self.server.raw("GET", "/api/v1/public/lines/police")
        self.assertEqual(status, 200)
        line = json.loads(payload)
        self.assertEqual(line, {"id": "police", "name": "Police line (test)", "name_cy": "", "numbers": line["numbers"],
                                "hours": "24/7/365", "always_open": True, "languages": ["en", "cy"],
                                "regions": ["national"], "audience": "police officers and staff", "audience_cy": ""})
        self.assertEqual(len(line["numbers"]), 1)
        status, _, payload = self.server.raw("GET", "/api/v1/public/lines/no-such-line")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(payload)["error"]["code"], "not_found")


if __name__ == "__main__":
    unittest.main()


TRUNK_PASSWORD = "trunk-secret-5a91c2-never-in-the-browser"
TRUNK_USERNAME = "carrier-user-7d3e"


def wav_bytes(rate=8000, channels=1, width=2, seconds=1.0):
    """A WAV written by Python's own wave module: a quiet square wave, nothing the server wrote."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        frames = int(rate * seconds)
        sample = (b"\x00\x08" if width == 2 else b"\x90") * channels
        quiet = (b"\x00\xf8" if width == 2 else b"\x70") * channels
        w.writeframes(b"".join(sample if (i // 20) % 2 else quiet for i in range(frames)))
    return buf.getvalue()


class TelephonySetupTest(unittest.TestCase):
    """The administration's Telephony page: trunks from crisisline.toml (no secrets) and prompt recordings."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(extra_args=["--sip-listen", f"127.0.0.1:{harness.free_port()}"]).init()
        d = cls.server.data_dir
        with open(os.path.join(d, "crisisline.toml"), "a") as f:
            f.write(f'\n[[telephony.trunk]]\nname = "digest-carrier"\nusername = "{TRUNK_USERNAME}"\n'
                    f'password = "{TRUNK_PASSWORD}"\noutbound = "127.0.0.1:5099"\n')
        os.makedirs(os.path.join(d, "prompts"), exist_ok=True)
        with open(os.path.join(d, "prompts", "greeting_en.wav"), "wb") as f:
            f.write(wav_bytes(seconds=2.0))
        harness.run_cli(d, "staff", "add", "--username", "boot.admin", "--display-name", "Boot", "--roles", "admin",
                        env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        cls.server.start()
        cls.admin = cls.server.client().sign_in("boot.admin")
        status, body, _ = cls.admin.call("POST", "/api/v1/lines", {"id": "police", "name": "Police line (test)"})
        assert status == 201, body
        granter = harness.line_manager(cls.server, cls.admin, ["police"])
        cls.clients = {}
        for name, roles in {"counsellor": ["counsellor"], "auditor": ["auditor"]}.items():
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD,
                "roles": roles, "lines": ["police"]})
            assert status == 201, body
            cls.clients[name] = cls.server.client().sign_in(name)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def put_wav(self, client, name, data, content_type="audio/wav"):
        headers = {"Content-Type": content_type, "Cookie": client.cookie, "X-CSRF-Token": client.csrf}
        status, _, payload = self.server.raw("PUT", f"/api/v1/prompts/{name}", data, headers)
        return status, json.loads(payload.decode()) if payload else None

    def get_wav(self, client, name):
        status, headers, payload = self.server.raw("GET", f"/api/v1/prompts/{name}", None, {"Cookie": client.cookie})
        return status, headers, payload

    def test_trunks_are_listed_without_their_secrets(self):
        status, body, _ = self.admin.call("GET", "/api/v1/telephony/trunks")
        self.assertEqual(status, 200, body)
        self.assertTrue(body["telephony"])
        by_name = {t["name"]: t for t in body["trunks"]}
        self.assertEqual(by_name["loopback-test-carrier"],
                         {"name": "loopback-test-carrier", "allow": ["127.0.0.1"], "username": "", "digest": False,
                          "outbound": "", "encryption": "preferred", "tls_verified": False, "source": "config"})
        self.assertEqual(by_name["digest-carrier"],
                         {"name": "digest-carrier", "allow": [], "username": TRUNK_USERNAME, "digest": True,
                          "outbound": "127.0.0.1:5099", "encryption": "preferred", "tls_verified": False,
                          "source": "config"})
        self.assertNotIn(TRUNK_PASSWORD, json.dumps(body))
        status, body, _ = self.clients["counsellor"].call("GET", "/api/v1/telephony/trunks")
        self.assertEqual(status, 403, body)

    def test_admin_adds_changes_and_removes_a_trunk_and_its_password_never_comes_back(self):
        secret = "console-trunk-secret-41c7e0"
        status, made, _ = self.admin.call("POST", "/api/v1/telephony/trunks", {
            "name": "carrier-b", "allow": ["192.0.2.7", "::0001"], "username": "carrier-b-user", "password": secret,
            "outbound": "192.0.2.7:5060"})
        self.assertEqual(status, 201, made)
        self.assertEqual(made, {"name": "carrier-b", "allow": ["192.0.2.7", "::1"], "username": "carrier-b-user",
                                "digest": True, "outbound": "192.0.2.7:5060", "encryption": "preferred",
                                "tls_verified": False, "source": "console"})
        status, listed, _ = self.admin.call("GET", "/api/v1/telephony/trunks")
        self.assertIn(made, listed["trunks"])
        self.assertNotIn(secret, json.dumps(listed))

        # A change keeps what it does not name; a new user name needs a new password.
        status, changed, _ = self.admin.call("PUT", "/api/v1/telephony/trunks/carrier-b", {"allow": ["192.0.2.8"]})
        self.assertEqual(status, 200, changed)
        self.assertEqual((changed["allow"], changed["username"], changed["digest"]),
                         (["192.0.2.8"], "carrier-b-user", True))
        status, err, _ = self.admin.call("PUT", "/api/v1/telephony/trunks/carrier-b", {"username": "other-user"})
        self.assertEqual((status, err["error"]["field"]), (400, "password"), err)
        # The encryption policy: one of three words, stored and shown.
        status, err, _ = self.admin.call("PUT", "/api/v1/telephony/trunks/carrier-b", {"encryption": "mostly"})
        self.assertEqual((status, err["error"]["field"]), (400, "encryption"), err)
        status, changed, _ = self.admin.call("PUT", "/api/v1/telephony/trunks/carrier-b", {"encryption": "required"})
        self.assertEqual((status, changed["encryption"]), (200, "required"), changed)

        # Bad input names the field, and nothing changes.
        for body, field in [({"name": "carrier-c", "allow": ["carrier.example"]}, "allow[0]"),
                            ({"name": "carrier c", "allow": ["192.0.2.9"]}, "name"),
                            ({"name": "carrier-c"}, "allow"),
                            ({"name": "carrier-c", "allow": "192.0.2.9"}, "allow"),
                            ({"name": "carrier-c", "username": "u", "password": "short"}, "password"),
                            ({"name": "carrier-c", "allow": ["192.0.2.9"], "outbound": "nowhere"}, "outbound"),
                            ({"name": "carrier-c", "allow": ["192.0.2.9"], "secret": "x"}, "secret"),
                            ({"name": "carrier-b", "allow": ["192.0.2.9"]}, "name")]:
            status, err, _ = self.admin.call("POST", "/api/v1/telephony/trunks", body)
            self.assertIn(status, (400, 409), (body, err))
            self.assertEqual(err["error"]["field"], field, (body, err))
        status, listed, _ = self.admin.call("GET", "/api/v1/telephony/trunks")
        self.assertNotIn("carrier-c", [t["name"] for t in listed["trunks"]])

        # The trunks of crisisline.toml are changed only there.
        for method, path, body in [("PUT", "/api/v1/telephony/trunks/digest-carrier", {"allow": ["192.0.2.1"]}),
                                   ("DELETE", "/api/v1/telephony/trunks/digest-carrier", None),
                                   ("POST", "/api/v1/telephony/trunks", {"name": "digest-carrier",
                                                                         "allow": ["192.0.2.1"]})]:
            status, err, _ = self.admin.call(method, path, body)
            self.assertEqual((status, err["error"]["field"]), (409, "name"), (method, err))
        status, err, _ = self.clients["counsellor"].call("POST", "/api/v1/telephony/trunks",
                                                         {"name": "sneaky", "allow": ["192.0.2.66"]})
        self.assertEqual(status, 403, err)

        for path in glob.glob(os.path.join(self.server.data_dir, "crisisline.db*")):
            with open(path, "rb") as f:
                self.assertNotIn(secret.encode(), f.read(), path)
        self.assertNotIn(secret, self.server.log())

        status, _, _ = self.admin.call("DELETE", "/api/v1/telephony/trunks/carrier-b")
        self.assertEqual(status, 204)
        status, err, _ = self.admin.call("DELETE", "/api/v1/telephony/trunks/carrier-b")
        self.assertEqual(status, 404, err)
        status, audit, _ = self.clients["auditor"].call("GET", "/api/v1/audit?limit=1000")
        trail = [e["action"] for e in audit["entries"] if e["record_id"] == "carrier-b"]
        self.assertEqual(trail, ["trunk.create", "trunk.update", "trunk.update", "trunk.delete"])

    def test_admin_lists_uploads_listens_to_and_restores_a_prompt(self):
        status, body, _ = self.admin.call("GET", "/api/v1/prompts")
        self.assertEqual(status, 200, body)
        prompts = {p["name"]: p for p in body["prompts"]}
        self.assertEqual(len(prompts), 34)
        self.assertTrue(prompts["greeting_en"]["present"])
        self.assertAlmostEqual(prompts["greeting_en"]["seconds"], 2.0, places=2)
        self.assertFalse(prompts["greeting_en"]["fallback"])
        self.assertIn("You have reached", prompts["greeting_en"]["text"])
        self.assertEqual(prompts["hold"]["text"], "hold audio (no words)")
        self.assertTrue(prompts["hold"]["fallback"], "no hold.wav at start: the running set generated it")
        self.assertIsNone(prompts["hold"]["seconds"])
        self.assertFalse(body["restart_needed"])
        status, _, _ = self.get_wav(self.admin, "hold")
        self.assertEqual(status, 404)

        recording = wav_bytes(seconds=1.5)
        status, reply = self.put_wav(self.admin, "greeting_en", recording)
        self.assertEqual(status, 200, reply)
        self.assertFalse(reply["restart_needed"], "the running telephony takes the recording for the next call")
        status, headers, payload = self.get_wav(self.admin, "greeting_en")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "audio/wav")
        self.assertEqual(payload, recording)
        previous = os.path.join(self.server.data_dir, "prompts", "greeting_en.wav.previous")
        with open(previous, "rb") as f:
            self.assertEqual(f.read(), wav_bytes(seconds=2.0), "the replaced file is kept")
        status, body, _ = self.admin.call("GET", "/api/v1/prompts")
        listed = {p["name"]: p for p in body["prompts"]}["greeting_en"]
        self.assertAlmostEqual(listed["seconds"], 1.5, places=2)
        self.assertFalse(body["restart_needed"])
        status, reply = self.put_wav(self.admin, "hold", wav_bytes(seconds=3.0))
        self.assertEqual(status, 200, reply)
        status, body, _ = self.admin.call("GET", "/api/v1/prompts")
        self.assertFalse({p["name"]: p for p in body["prompts"]}["hold"]["fallback"],
                         "the running telephony now plays the recording, not generated audio")

        status, reply, _ = self.admin.call("DELETE", "/api/v1/prompts/greeting_en")
        self.assertEqual(status, 200, reply)
        status, _, payload = self.get_wav(self.admin, "greeting_en")
        self.assertEqual(payload, wav_bytes(seconds=2.0), "the previous recording is back")
        status, reply, _ = self.admin.call("DELETE", "/api/v1/prompts/number_3_cy")
        self.assertEqual(status, 404, reply)

        status, audit, _ = self.clients["auditor"].call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        actions = [(e["action"], e["record_type"], e["record_id"]) for e in audit["entries"]]
        self.assertIn(("prompt.replace", "prompt", "greeting_en"), actions)
        self.assertIn(("prompt.restore", "prompt", "greeting_en"), actions)

    def test_bad_recordings_are_refused_saying_why(self):
        cases = [("44.1 kHz", wav_bytes(rate=44100), "44100 Hz"),
                 ("stereo", wav_bytes(channels=2), "2 channels"),
                 ("8-bit", wav_bytes(width=1), "8-bit"),
                 ("too short", wav_bytes(seconds=0.1), "0.1 s"),
                 ("not audio", b"hello, this is text", "must be 8 kHz mono 16-bit PCM WAV"),
                 ("truncated", wav_bytes()[:4000], "cut short")]
        for name, data, says in cases:
            with self.subTest(name):
                status, reply = self.put_wav(self.admin, "welsh_choice", data)
                self.assertEqual(status, 400, reply)
                self.assertEqual(reply["error"]["field"], "body")
                self.assertIn(says, reply["error"]["message"])
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "prompts", "welsh_choice.wav")))
        status, reply = self.put_wav(self.admin, "welsh_choice", wav_bytes(), content_type="application/json")
        self.assertEqual(status, 400, reply)
        status, reply = self.put_wav(self.admin, "not_a_prompt", wav_bytes())
        self.assertEqual(status, 404, reply)

    def test_staff_who_are_not_administrators_are_refused(self):
        counsellor = self.clients["counsellor"]
        status, body, _ = counsellor.call("GET", "/api/v1/prompts")
        self.assertEqual(status, 403, body)
        status, reply = self.put_wav(counsellor, "hold", wav_bytes())
        self.assertEqual(status, 403, reply)
        status, _, _ = self.get_wav(counsellor, "greeting_en")
        self.assertEqual(status, 403)
        status, reply, _ = counsellor.call("DELETE", "/api/v1/prompts/greeting_en")
        self.assertEqual(status, 403, reply)
