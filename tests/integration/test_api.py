"""The real crisisline binary over real HTTP: records, confidentiality, authorisation, bad input."""
import glob
import json
import os
import sqlite3
import subprocess
import time
import unittest

import harness

MARKER = "MARKER-7f3c9a-not-for-disk"
CALLER_NUMBER = "07700 900461"


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().init()
        d = cls.server.data_dir
        harness.run_cli(d, "staff", "add", "--username", "boot.admin", "--display-name", "Boot", "--roles", "admin",
                        env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        cls.server.start()
        cls.admin = cls.server.client().sign_in("boot.admin")
        status, body, _ = cls.admin.call("POST", "/api/v1/lines", {
            "id": "police", "name": "Police line (test)", "numbers": ["0808 157 0001"], "regions": ["national"]})
        assert status == 201, body
        status, body, _ = cls.admin.call("POST", "/api/v1/lines", {"id": "fire", "name": "Fire line (test)"})
        assert status == 201, body
        cls.granter = harness.line_manager(cls.server, cls.admin, ["police", "fire"])
        people = {
            "counsellor": ["counsellor"], "supervisor": ["supervisor", "counsellor"],
            "manager": ["service_manager"], "auditor": ["auditor"],
        }
        cls.clients = {}
        for name, roles in people.items():
            status, body, _ = cls.granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD,
                "roles": roles, "lines": ["police"]})
            assert status == 201, body
            cls.clients[name] = cls.server.client().sign_in(name)
        status, body, _ = cls.granter.call("POST", "/api/v1/staff", {
            "username": "fire.counsellor", "display_name": "F", "password": harness.PASSWORD,
            "roles": ["counsellor"], "lines": ["fire"]})
        assert status == 201, body
        cls.clients["fire"] = cls.server.client().sign_in("fire.counsellor")
        cls.counsellor = cls.clients["counsellor"]
        cls.supervisor = cls.clients["supervisor"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def new_contact(self, **extra):
        body = {"caller_role": "police_officer", "force": "cleveland_police", "themes": ["sleep_problems"],
                "addressed_as": f"Robin {MARKER}", "notes": f"notes {MARKER}", "caller_number": CALLER_NUMBER}
        body.update(extra)
        status, contact, _ = self.counsellor.call("POST", "/api/v1/lines/police/contacts", body)
        self.assertEqual(status, 201, contact)
        return contact

    def assert_error(self, status, body, expected_status, field=None):
        self.assertEqual(status, expected_status, body)
        self.assertIn("error", body)
        self.assertTrue(body["error"]["message"])
        if field is not None:
            self.assertEqual(body["error"]["field"], field, body)

    # --- records -----------------------------------------------------------------------------------------

    def test_contact_lifecycle_with_assessment_signposting_and_close(self):
        contact = self.new_contact()
        self.assertEqual(contact["status"], "open")
        self.assertEqual(contact["region"], "North East")
        self.assertNotIn("caller_number", contact)
        update = {"version": contact["version"], "assessment": {
            "desire": {"hopelessness": {"observation": "present", "note": "since the inquest"}},
            "capability": {"currently_intoxicated": {"observation": "absent"}},
            "buffers": {"social_supports": {"observation": "present"}},
            "formulation": "Distressed after critical incident; has supports.",
            "safety_plan": {"warning_signs": "not sleeping", "reasons_for_living": "my daughter"},
            "cause_for_concern": False, "imminent_risk": False},
            "signposting": [{"name": "Example Counselling Service (demo)"}], "actions": ["signposted"]}
        status, updated, _ = self.counsellor.call("PATCH", f"/api/v1/lines/police/contacts/{contact['id']}", update)
        self.assertEqual(status, 200, updated)
        self.assertEqual(updated["version"], contact["version"] + 1)
        # A stale version is refused rather than overwriting someone else's save.
        status, body, _ = self.counsellor.call("PATCH", f"/api/v1/lines/police/contacts/{contact['id']}",
                                               {"version": contact["version"], "notes": "stale"})
        self.assert_error(status, body, 409, "version")
        # Closing needs an outcome.
        status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/close",
                                               {"version": updated["version"]})
        self.assert_error(status, body, 400, "outcome")
        status, closed, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/close",
                                                 {"version": updated["version"], "outcome": "signposted"})
        self.assertEqual(status, 200, closed)
        self.assertEqual(closed["status"], "closed")
        self.assertIsNotNone(closed["talk_seconds"])
        # Wrapped up: the counsellor's need to know has ended; a supervisor of the line reads it for supervision.
        status, read, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{contact['id']}?purpose=wrap_up")
        self.assert_error(status, read, 403, "purpose")
        status, read, _ = self.supervisor.call("GET",
                                               f"/api/v1/lines/police/contacts/{contact['id']}?purpose=supervision")
        self.assertEqual(status, 200, read)
        self.assertEqual(read["assessment"]["desire"]["hopelessness"]["note"], "since the inquest")
        self.assertEqual(read["assessment"]["safety_plan"]["reasons_for_living"], "my daughter")
        for banned in ("risk_score", "risk_level", "risk_band"):
            self.assertNotIn(banned, json.dumps(read))

    def test_repeat_caller_count_uses_the_keyed_hash(self):
        first = self.new_contact(caller_number="+44 7700 900999")
        second = self.new_contact(caller_number="07700900999")
        self.assertEqual(second["repeat_calls_30d"], first["repeat_calls_30d"] + 1)

    def test_member_of_public_is_signposted_not_turned_away(self):
        contact = self.new_contact(caller_role="member_of_public")
        self.assertTrue(contact["member_of_public"])
        status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/close",
                                               {"version": contact["version"],
                                                "outcome": "member_of_public_signposted"})
        self.assert_error(status, body, 400, "signposting")
        status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/close", {
            "version": contact["version"], "outcome": "member_of_public_signposted",
            "signposting": [{"name": "Samaritans-style listening service (demo)"}]})
        self.assertEqual(status, 200, body)

    def test_follow_up_number_is_kept_encrypted_then_shredded(self):
        contact = self.new_contact()
        now = time.time()
        window = {"earliest": iso(now - 60), "latest": iso(now + 3600), "method": "phone",
                  "number": "07700 900777", "consent": True, "assigned_to": "pool"}
        status, body, _ = self.counsellor.call(
            "POST", f"/api/v1/lines/police/contacts/{contact['id']}/follow-ups", dict(window, consent=False))
        self.assert_error(status, body, 400, "consent")
        status, fu, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/follow-ups",
                                             window)
        self.assertEqual(status, 201, fu)
        self.assertEqual(fu["status"], "due")
        self.assertTrue(fu["number_on_file"])
        # A pool follow-up's details are nobody's until a counsellor claims it.
        status, detail, _ = self.counsellor.call("GET", f"/api/v1/lines/police/follow-ups/{fu['id']}")
        self.assert_error(status, detail, 403)
        status, claimed, _ = self.counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/claim")
        self.assertEqual((status, claimed["assigned_to"]), (200, self.counsellor.staff["id"]), claimed)
        status, detail, _ = self.counsellor.call("GET", f"/api/v1/lines/police/follow-ups/{fu['id']}")
        self.assertEqual(status, 200, detail)
        self.assertTrue(detail["number_masked"].endswith("777"))
        self.assertNotIn("7700900777", json.dumps(detail))
        for i in range(2):
            status, fu, _ = self.counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/attempts",
                                                 {"outcome": "no_answer"})
            self.assertEqual(status, 200, fu)
        self.assertEqual(fu["status"], "due")
        status, fu, _ = self.counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/attempts",
                                             {"outcome": "no_answer"})
        self.assertEqual(fu["status"], "unreachable")
        self.assertFalse(fu["number_on_file"], "closing a follow-up destroys the number")
        status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/follow-ups/{fu['id']}/attempts",
                                               {"outcome": "no_answer"})
        self.assert_error(status, body, 409)

    def test_escalation_is_recorded_flags_contact_and_is_audited(self):
        contact = self.new_contact()
        supervisor_id = self.supervisor.staff["id"]
        status, body, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/escalations", {
            "emergency_service": "ambulance", "reason": "imminent risk", "disclosed": "location",
            "supervisor_id": self.counsellor.staff["id"]})
        self.assert_error(status, body, 400, "supervisor_id")
        status, esc, _ = self.counsellor.call("POST", f"/api/v1/lines/police/contacts/{contact['id']}/escalations", {
            "emergency_service": "ambulance", "reason": f"imminent risk {MARKER}", "disclosed": "location",
            "supervisor_id": supervisor_id})
        self.assertEqual(status, 201, esc)
        status, listing, _ = self.supervisor.call("GET", "/api/v1/lines/police/escalations")
        self.assertEqual(status, 200)
        self.assertIn(esc["id"], [e["id"] for e in listing["escalations"]])
        self.assertNotIn(MARKER, json.dumps(listing), "the register shows no reasons")
        status, read, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{contact['id']}")
        self.assertTrue(read["imminent_risk"])
        status, audit, _ = self.clients["auditor"].call("GET", "/api/v1/audit?limit=1000")
        actions = [(e["action"], e["record_id"]) for e in audit["entries"]]
        self.assertIn(("escalation.create", esc["id"]), actions)

    def test_directory_crud_search_and_hsds_round_trip(self):
        service = {"organisation": "Example Org (test)", "name": "Example Bereavement Service (test)",
                   "description": "Support after a death by suicide", "eligibility": "Anyone bereaved",
                   "service_areas": ["North West"], "categories": ["bereavement_by_suicide"],
                   "languages": ["en"], "assured_date": "2026-01-10", "phone": "01632 960100"}
        status, created, _ = self.supervisor.call("POST", "/api/v1/lines/police/directory", service)
        self.assertEqual(status, 201, created)
        status, found, _ = self.counsellor.call(
            "GET", "/api/v1/lines/police/directory?need=bereavement_by_suicide&region=North%20West&q=death")
        self.assertEqual(status, 200, found)
        self.assertIn(created["id"], [s["id"] for s in found["services"]])
        # The second search is answered from the built index without touching storage: same answer.
        status, again, _ = self.counsellor.call(
            "GET", "/api/v1/lines/police/directory?need=bereavement_by_suicide&region=North%20West&q=death")
        self.assertEqual((status, again), (200, found))
        status, body, _ = self.clients["fire"].call("GET", "/api/v1/lines/police/directory?q=death")
        self.assert_error(status, body, 403)
        status, body, _ = self.counsellor.call("GET", "/api/v1/lines/police/directory?need=astrology")
        self.assert_error(status, body, 400, "need")
        status, exported, _ = self.supervisor.call("GET", "/api/v1/lines/police/hsds")
        self.assertEqual(status, 200)
        status, imported, _ = self.admin.call("POST", "/api/v1/lines/fire/hsds", raw_body=json.dumps(exported))
        self.assertEqual(status, 200, imported)
        self.assertGreaterEqual(imported["imported"], 1)
        status, body, _ = self.counsellor.call("POST", "/api/v1/lines/police/directory", service)
        self.assert_error(status, body, 403)

    def test_reports_are_aggregate_only_and_suppress_small_numbers(self):
        self.new_contact()
        month = time.strftime("%Y-%m", time.gmtime())
        for report in ("demand", "themes", "outcomes", "service_levels"):
            status, body, _ = self.clients["manager"].call("GET", f"/api/v1/lines/police/reports/{report}?period={month}")
            self.assertEqual(status, 200, body)
            text = json.dumps(body)
            self.assertNotIn(MARKER, text)
            self.assertNotIn("Robin", text)
            self.assertTrue(body["sections"])
            for section in body["sections"]:
                figures = list(section.get("items", [])) + [c for row in section.get("cells", []) for c in row]
                for f in figures:
                    if f.get("unit", "count") == "count":
                        self.assertTrue(f["suppressed"] or (f["value"] >= 10 and f["value"] % 5 == 0), (report, f))
        status, body, _ = self.clients["manager"].call("GET", "/api/v1/lines/police/statistics")
        self.assertEqual(status, 404, "the free-window statistics are gone")

    # --- authorisation ---------------------------------------------------------------------------------

    def test_each_role_is_denied_what_it_must_not_do(self):
        contact = self.new_contact()
        cid = contact["id"]
        denials = [
            ("admin reads contact content", self.admin, "GET", f"/api/v1/lines/police/contacts/{cid}", None),
            ("admin lists contacts", self.admin, "GET", "/api/v1/lines/police/contacts", None),
            ("admin reads audit", self.admin, "GET", "/api/v1/audit", None),
            ("manager reads contact", self.clients["manager"], "GET", f"/api/v1/lines/police/contacts/{cid}", None),
            ("manager lists follow-ups", self.clients["manager"], "GET", "/api/v1/lines/police/follow-ups", None),
            ("auditor reads contact", self.clients["auditor"], "GET", f"/api/v1/lines/police/contacts/{cid}", None),
            ("auditor manages staff", self.clients["auditor"], "GET", "/api/v1/staff", None),
            ("counsellor manages staff", self.counsellor, "POST", "/api/v1/staff", {"username": "x"}),
            ("counsellor reads audit", self.counsellor, "GET", "/api/v1/audit", None),
            ("counsellor reads escalation register", self.counsellor, "GET", "/api/v1/lines/police/escalations", None),
            ("counsellor reads reports", self.counsellor, "GET", "/api/v1/lines/police/reports/demand?period=2026-05",
             None),
            ("counsellor creates a line", self.counsellor, "POST", "/api/v1/lines", {"id": "x", "name": "x"}),
            ("other line's counsellor reads", self.clients["fire"], "GET", f"/api/v1/lines/police/contacts/{cid}",
             None),
            ("other line's counsellor writes", self.clients["fire"], "POST", "/api/v1/lines/police/contacts", {}),
        ]
        for name, client, method, path, body in denials:
            with self.subTest(name):
                status, reply, _ = client.call(method, path, body)
                self.assert_error(status, reply, 403)
        # The contact is not visible through another line's path either.
        status, reply, _ = self.clients["fire"].call("GET", f"/api/v1/lines/fire/contacts/{cid}")
        self.assert_error(status, reply, 404)

    def test_directory_is_for_those_who_signpost(self):
        path = "/api/v1/lines/police/directory?q=counselling"
        for who in ("manager", "auditor"):
            with self.subTest(who):
                status, reply, _ = self.clients[who].call("GET", path)
                self.assert_error(status, reply, 403)
        status, reply, _ = self.counsellor.call("GET", path)
        self.assertEqual(status, 200, reply)

    def test_metrics_need_the_bearer_token(self):
        for name, headers in [("no token", {}), ("wrong token", {"Authorization": "Bearer " + "0" * 64}),
                              ("a session is not enough", {"Cookie": self.counsellor.cookie})]:
            with self.subTest(name):
                status, headers_back, body = self.server.raw("GET", "/metrics", headers=headers)
                self.assertEqual(status, 401, body)
                self.assertIn("Bearer", headers_back.get("WWW-Authenticate", ""))
                self.assertNotIn(b"crisisline_", body)
        path = os.path.join(self.server.data_dir, "keys", "metrics.token")
        self.assertEqual(os.stat(path).st_mode & 0o077, 0, "the token file is the server's alone")
        status, text = self.server.metrics()
        self.assertEqual(status, 200)
        self.assertIn("crisisline_http_requests", text)

    def test_nobody_changes_their_own_roles_or_lines(self):
        me = self.admin.staff["id"]
        for body, field in (({"roles": ["admin", "counsellor"], "lines": ["police", "fire"]}, "roles"),
                            ({"lines": ["police", "fire"]}, "lines")):
            with self.subTest(body=body):
                status, reply, _ = self.admin.call("PATCH", f"/api/v1/staff/{me}", body)
                self.assert_error(status, reply, 403, field)
        status, mine, _ = self.admin.call("GET", f"/api/v1/staff/{me}")
        self.assertEqual(status, 200, mine)
        self.assertEqual((mine["roles"], mine["lines"]), (["admin"], []))
        # Still no content for them: the grant never happened.
        cid = self.new_contact()["id"]
        status, reply, _ = self.admin.call("GET", f"/api/v1/lines/police/contacts/{cid}?purpose=supervision")
        self.assert_error(status, reply, 403)
        # The rest of their own profile is theirs to change, also from the console's form, which sends their roles
        # and lines back as they are.
        status, reply, _ = self.admin.call("PATCH", f"/api/v1/staff/{me}", {"display_name": "Boot Admin"})
        self.assertEqual(status, 200, reply)
        status, reply, _ = self.admin.call("PATCH", f"/api/v1/staff/{me}",
                                           {"display_name": "Boot", "roles": ["admin"], "lines": []})
        self.assertEqual(status, 200, reply)

    def test_unauthenticated_and_csrf(self):
        status, _, _ = self.server.raw("GET", "/api/v1/lines/police/contacts")
        self.assertEqual(status, 401)
        status, reply, _ = self.counsellor.call("POST", "/api/v1/lines/police/contacts", {}, csrf=False)
        self.assert_error(status, reply, 403, "X-CSRF-Token")
        status, _, _ = self.server.raw("GET", "/api/v1/lines", headers={"Cookie": "crisisline_session=forged"})
        self.assertEqual(status, 401)

    def test_session_cookie_flags(self):
        client = self.server.client()
        status, body, headers = client.call("POST", "/api/v1/session",
                                            {"username": "boot.admin", "password": "wrong password here"})
        self.assert_error(status, body, 401)
        cookie_client = self.server.client()
        status, body, headers = cookie_client.call(
            "POST", "/api/v1/session", {"username": "manager", "password": harness.PASSWORD,
                                        "totp_code": harness.totp(self.clients["manager"].totp_secret,
                                                                  time.time() + 30)})
        self.assertEqual(status, 200, body)
        cookie = headers["Set-Cookie"]
        for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, cookie)

    # --- telephony configuration ---------------------------------------------------------------------------

    def test_sip_account_is_issued_by_an_admin_and_its_password_shown_once(self):
        sid = self.counsellor.staff["id"]
        path = f"/api/v1/staff/{sid}/sip-account"
        status, issued, _ = self.admin.call("PUT", path, {"sip_username": "counsellor.phone"})
        self.assertEqual(status, 200, issued)
        self.assertEqual(issued["sip_username"], "counsellor.phone")
        self.assertRegex(issued["password"], r"^[A-Za-z0-9]{20}$")
        status, staff, _ = self.admin.call("GET", f"/api/v1/staff/{sid}")
        self.assertEqual(status, 200, staff)
        self.assertEqual(staff["sip_username"], "counsellor.phone")
        status, listed, _ = self.admin.call("GET", "/api/v1/staff")
        by_id = {s["id"]: s for s in listed["staff"]}
        self.assertEqual(by_id[sid]["sip_username"], "counsellor.phone")
        self.assertIsNone(by_id[self.supervisor.staff["id"]]["sip_username"])
        for answer in (staff, listed):
            self.assertNotIn(issued["password"], json.dumps(answer), "the password is shown only when issued")
        db = os.path.join(self.server.data_dir, "crisisline.db")
        for path_on_disk in glob.glob(db + "*"):
            with open(path_on_disk, "rb") as f:
                self.assertNotIn(issued["password"].encode(), f.read(), path_on_disk)
        self.assertNotIn(issued["password"], self.server.log())

        denials = [("counsellor issues their own", self.counsellor, "PUT", {"sip_username": "mine"}),
                   ("supervisor issues", self.supervisor, "PUT", {"sip_username": "mine"}),
                   ("auditor revokes", self.clients["auditor"], "DELETE", None)]
        for name, client, method, body in denials:
            with self.subTest(name):
                status, reply, _ = client.call(method, path, body)
                self.assert_error(status, reply, 403)

        other = f"/api/v1/staff/{self.supervisor.staff['id']}/sip-account"
        for name, body, expected in [("upper case and a space", {"sip_username": "Bad Name"}, 400),
                                     ("too long", {"sip_username": "x" * 33}, 400),
                                     ("missing", {}, 400),
                                     ("another's", {"sip_username": "counsellor.phone"}, 409)]:
            with self.subTest(name):
                status, reply, _ = self.admin.call("PUT", other, body)
                self.assert_error(status, reply, expected, "sip_username")

        status, reply, _ = self.admin.call("DELETE", path)
        self.assertEqual(status, 204, reply)
        status, staff, _ = self.admin.call("GET", f"/api/v1/staff/{sid}")
        self.assertIsNone(staff["sip_username"])
        status, reply, _ = self.admin.call("DELETE", path)
        self.assert_error(status, reply, 404)

    def test_line_routing_has_defaults_and_bad_values_name_the_field(self):
        status, line, _ = self.admin.call("GET", "/api/v1/lines/police")
        self.assertEqual(status, 200, line)
        self.assertEqual(line["routing"]["strategy"], "longest_idle")
        self.assertEqual(line["routing"]["ring_timeout_s"], 20)
        status, reply, _ = self.admin.call("PATCH", "/api/v1/lines/fire", {"routing": {"ring_timeout_s": 4}})
        self.assert_error(status, reply, 400, "routing.ring_timeout_s")
        status, reply, _ = self.admin.call("PATCH", "/api/v1/lines/fire", {"routing": {"overflow_to": "nowhere"}})
        self.assert_error(status, reply, 400, "routing.overflow_to")
        status, line, _ = self.admin.call("PATCH", "/api/v1/lines/fire", {
            "routing": {"strategy": "ring_all", "overflow_after_s": None, "overflow_to": "line:police"}})
        self.assertEqual(status, 200, line)
        self.assertEqual(line["routing"]["strategy"], "ring_all")
        self.assertIsNone(line["routing"]["overflow_after_s"])
        status, again, _ = self.admin.call("GET", "/api/v1/lines/fire")
        self.assertEqual(again["routing"], line["routing"])

    # --- bad input -----------------------------------------------------------------------------------------

    def test_bad_input_gets_a_4xx_naming_the_field(self):
        path = "/api/v1/lines/police/contacts"
        cases = [
            ("malformed json", "{\"caller_role\": ", 400, ""),
            ("not an object", "[1, 2]", 400, ""),
            ("wrong type", json.dumps({"caller_role": 5}), 400, "caller_role"),
            ("unknown enum", json.dumps({"caller_role": "chief_constable"}), 400, "caller_role"),
            ("unknown field", json.dumps({"risk_score": 3}), 400, "risk_score"),
            ("over-long field", json.dumps({"addressed_as": "x" * 101}), 413, "addressed_as"),
            ("bad nested value", json.dumps({"assessment": {"intent": {"method_known": {"observation": "lots"}}}}),
             400, "assessment.intent.method_known.observation"),
            ("bad time", json.dumps({"arrived_at": "2026-02-30T00:00:00Z"}), 400, "arrived_at"),
            ("bad number", json.dumps({"caller_number": "call me maybe"}), 400, "caller_number"),
            ("year 0000", json.dumps({"arrived_at": "0000-01-01T00:00:00Z"}), 400, "arrived_at"),
            ("duplicate key", '{"notes": "first", "notes": "second"}', 400, "notes"),
            ("nested duplicate key", '{"assessment": {"intent": {}, "intent": {}}}', 400, "assessment.intent"),
        ]
        for name, raw, expected, field in cases:
            with self.subTest(name):
                status, reply, _ = self.counsellor.call("POST", path, raw_body=raw)
                self.assert_error(status, reply, expected, field)

    def test_oversized_body_unknown_route_and_wrong_method(self):
        status, reply, _ = self.counsellor.call("POST", "/api/v1/lines/police/contacts",
                                                raw_body=json.dumps({"notes": "x" * (2 << 20)}))
        self.assertEqual(status, 413, reply)
        status, reply, _ = self.counsellor.call("GET", "/api/v1/no-such-thing")
        self.assert_error(status, reply, 404)
        status, reply, headers = self.counsellor.call("DELETE", "/api/v1/lines")
        self.assert_error(status, reply, 405)
        self.assertIn("Allow", headers)

    def test_failed_request_leaves_nothing_half_written(self):
        status, before, _ = self.counsellor.call("GET", "/api/v1/lines/police/contacts?limit=500")
        status, reply, _ = self.counsellor.call("POST", "/api/v1/lines/police/contacts",
                                                {"caller_role": "police_staff", "answered_at": "2020-01-01T00:00:00Z",
                                                 "arrived_at": "2021-01-01T00:00:00Z"})
        self.assert_error(status, reply, 400, "answered_at")
        status, after, _ = self.counsellor.call("GET", "/api/v1/lines/police/contacts?limit=500")
        self.assertEqual(len(before["contacts"]), len(after["contacts"]))

    # --- confidentiality ------------------------------------------------------------------------------------

    def test_marker_never_reaches_disk_logs_or_metrics(self):
        contact = self.new_contact()
        status, read, _ = self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{contact['id']}")
        self.assertIn(MARKER, read["notes"], "the marker went in through the API and comes back decrypted")
        status, metrics = self.server.metrics()
        self.assertEqual(status, 200)
        self.assertNotIn(MARKER, metrics)
        files = glob.glob(os.path.join(self.server.data_dir, "crisisline.db*"))
        self.assertTrue(any(f.endswith("-wal") for f in files), files)
        digits = "7700900461".encode()
        for path in files:
            with open(path, "rb") as f:
                raw = f.read()
            self.assertNotIn(MARKER.encode(), raw, path)
            self.assertNotIn(b"Robin", raw, path)
            self.assertNotIn(b"cleveland_police", raw, f"{path}: the force is sealed, only its region is in clear")
            self.assertNotIn(digits, raw, path)
        self.assertNotIn(MARKER, self.server.log())
        self.assertNotIn("7700900461", self.server.log())

    def audit_entries_after(self, seq):
        status, audit, _ = self.clients["auditor"].call("GET", f"/api/v1/audit?from_seq={seq + 1}&limit=1000")
        self.assertEqual(status, 200, audit)
        return audit["entries"]

    def audit_head(self):
        status, verify, _ = self.clients["auditor"].call("GET", "/api/v1/audit/verify")
        self.assertEqual(status, 200, verify)
        return verify["entries"]

    def test_refused_requests_are_audited(self):
        contact = self.new_contact()
        head = self.audit_head()
        cid = contact["id"]
        # (client, method, path, body, the entry expected: action, record id, line, purpose)
        refusals = [
            (self.clients["manager"], "GET", f"/api/v1/lines/police/contacts/{cid}?purpose=supervision", None,
             ("contact.read_refused", cid, "police", "supervision")),
            (self.counsellor, "GET", "/api/v1/staff", None, ("access.refused", "GET /api/v1/staff", "", "")),
            (self.clients["fire"], "POST", "/api/v1/lines/police/contacts", {},
             ("access.refused", "POST /api/v1/lines/police/contacts", "police", "")),
            (self.admin, "GET", "/api/v1/audit", None, ("access.refused", "GET /api/v1/audit", "", "")),
            (self.clients["manager"], "GET", "/api/v1/lines/police/directory?q=x", None,
             ("access.refused", "GET /api/v1/lines/police/directory", "police", "")),
        ]
        for client, method, path, body, _ in refusals:
            status, reply, _ = client.call(method, path, body)
            self.assert_error(status, reply, 403)
        entries = self.audit_entries_after(head)
        for client, method, path, _, (action, record, line, purpose) in refusals:
            with self.subTest(path):
                mine = [e for e in entries if e["actor"] == client.staff["id"] and e["record_id"] == record]
                self.assertEqual([(e["action"], e["line_id"], e["purpose"]) for e in mine], [(action, line, purpose)],
                                 "one entry for each refusal, never two")
        self.assertNotIn(MARKER, json.dumps(entries))

    def test_every_content_read_is_audited_and_chain_verifies(self):
        contact = self.new_contact()
        self.counsellor.call("GET", f"/api/v1/lines/police/contacts/{contact['id']}?purpose=on_call")
        status, reply, _ = self.counsellor.call("GET",
                                                f"/api/v1/lines/police/contacts/{contact['id']}?purpose=curiosity")
        self.assert_error(status, reply, 400, "purpose")
        status, audit, _ = self.clients["auditor"].call("GET", "/api/v1/audit?limit=1000")
        reads = [e for e in audit["entries"] if e["action"] == "contact.read" and e["record_id"] == contact["id"]]
        self.assertEqual(len(reads), 1)
        self.assertEqual(reads[0]["actor"], self.counsellor.staff["id"])
        self.assertEqual(reads[0]["purpose"], "on_call")
        status, verify, _ = self.clients["auditor"].call("GET", "/api/v1/audit/verify")
        self.assertTrue(verify["ok"], verify)
        result = harness.run_cli(self.server.data_dir, "audit", "verify")
        self.assertIn("intact", result.stdout)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


if __name__ == "__main__":
    unittest.main()
