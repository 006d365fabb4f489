"""Need to know, against the real binary over HTTP: every tie to a contact x every purpose (and a change),
asserted against the matrix in docs/security.md, which this test reads; every refusal is in the audit log."""
import os
import re
import time
import unittest

import harness

MARKER = "MARKER-need-to-know"
PURPOSES = ["on_call", "wrap_up", "follow_up", "supervision", "escalation"]
SECURITY_MD = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "security.md")
# Rows that need a call in progress: records_test NeedToKnowTest and tests/sip/test_live.py walk them.
TELEPHONY_ROWS = {"on_the_call", "wrapping_up"}


def matrix():
    """The need-to-know matrix of docs/security.md: {tie: {column: bool}}."""
    with open(SECURITY_MD) as f:
        text = f.read()
    start = text.index("<!-- need-to-know matrix")
    rows = {}
    header = None
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.strip("`") for c in cells[1:]]
            continue
        if set(cells[0]) <= set("-"):
            continue
        tie = re.match(r"`([a-z_]+)`", cells[0]).group(1)
        assert all(c in ("yes", "no") for c in cells[1:]), line
        rows[tie] = dict(zip(header, (c == "yes" for c in cells[1:])))
    assert header == PURPOSES + ["change"], header
    return rows


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class NeedToKnowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().init()
        harness.run_cli(cls.server.data_dir, "staff", "add", "--username", "boot.admin", "--display-name", "Boot",
                        "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        cls.server.start()
        admin = cls.server.client().sign_in("boot.admin")
        for line in ("police", "fire"):
            status, body, _ = admin.call("POST", "/api/v1/lines", {"id": line, "name": f"{line} line (test)"})
            assert status == 201, body
        people = {
            "own": (["counsellor"], "police"), "esc": (["counsellor"], "police"),
            "unrelated": (["counsellor"], "police"), "holder": (["counsellor"], "police"),
            "claimer": (["counsellor"], "police"), "pooler": (["counsellor"], "police"),
            "closedfu": (["counsellor"], "police"), "named_sup": (["supervisor"], "police"),
            "plain_sup": (["supervisor"], "police"), "fire_c": (["counsellor"], "fire"),
            "fire_s": (["supervisor"], "fire"), "manager": (["service_manager"], "police"),
            "auditor": (["auditor"], "police"),
        }
        cls.c = {"admin": admin}
        granter = harness.line_manager(cls.server, admin, ["police", "fire"])
        for name, (roles, line) in people.items():
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD,
                "roles": roles, "lines": [line]})
            assert status == 201, body
            cls.c[name] = cls.server.client().sign_in(name)
        own, esc = cls.c["own"], cls.c["esc"]
        cls.contacts = {}
        # A: open, own's. B: closed, own's. C: esc's, escalated naming named_sup, closed. D: own's, with
        # follow-ups assigned to holder, claimed by claimer, left in the pool, and closedfu's cancelled; closed.
        for key, who in (("A", own), ("B", own), ("C", esc), ("D", own)):
            cls.contacts[key] = cls.record(who)
        status, body, _ = esc.call("POST", f"/api/v1/lines/police/contacts/{cls.contacts['C']}/escalations", {
            "emergency_service": "ambulance", "reason": "risk to life", "disclosed": "location",
            "supervisor_id": cls.c["named_sup"].staff["id"]})
        assert status == 201, body
        d = cls.contacts["D"]
        cls.follow_ups = {}
        for key, to in (("holder", cls.c["holder"].staff["id"]), ("claimed", "pool"), ("pool", "pool"),
                        ("closedfu", cls.c["closedfu"].staff["id"])):
            now = time.time()
            status, fu, _ = own.call("POST", f"/api/v1/lines/police/contacts/{d}/follow-ups", {
                "earliest": iso(now - 60), "latest": iso(now + 3600), "method": "phone", "number": "07700 900777",
                "consent": True, "assigned_to": to})
            assert status == 201, fu
            cls.follow_ups[key] = fu["id"]
        status, body, _ = cls.c["claimer"].call("POST", f"/api/v1/lines/police/follow-ups/{cls.follow_ups['claimed']}/claim")
        assert status == 200 and body["assigned_to"] == cls.c["claimer"].staff["id"], body
        status, body, _ = cls.c["closedfu"].call("POST", f"/api/v1/lines/police/follow-ups/{cls.follow_ups['closedfu']}/cancel")
        assert status == 200, body
        for key, who in (("B", own), ("C", esc), ("D", own)):
            cls.close(who, cls.contacts[key])
        everyone = ["A", "B", "C", "D"]
        # tie -> (person, the contacts they have that tie to)
        cls.ties = {
            "own_open": ("own", ["A"]), "own_closed": ("own", ["B"]), "unrelated": ("unrelated", everyone),
            "pool_follow_up": ("pooler", ["D"]), "holds_follow_up": ("holder", ["D"]),
            "claimed_follow_up": ("claimer", ["D"]), "closed_follow_up": ("closedfu", ["D"]),
            "raised_escalation": ("esc", ["C"]), "named_supervisor": ("named_sup", ["C"]),
            "supervisor": ("plain_sup", everyone), "other_line_counsellor": ("fire_c", everyone),
            "other_line_supervisor": ("fire_s", everyone), "admin": ("admin", everyone),
            "service_manager": ("manager", everyone), "auditor": ("auditor", everyone),
        }

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    @classmethod
    def record(cls, who):
        status, contact, _ = who.call("POST", "/api/v1/lines/police/contacts", {
            "caller_role": "police_officer", "force": "cleveland_police", "themes": ["sleep_problems"],
            "notes": f"notes {MARKER}"})
        assert status == 201, contact
        return contact["id"]

    @classmethod
    def close(cls, who, contact_id):
        status, body, _ = cls.c["plain_sup"].call("GET", f"/api/v1/lines/police/contacts/{contact_id}?purpose=supervision")
        assert status == 200, body
        status, body, _ = who.call("POST", f"/api/v1/lines/police/contacts/{contact_id}/close",
                                   {"version": body["version"], "outcome": "signposted"})
        assert status == 200, body

    def supervised(self, contact_id):
        status, body, _ = self.c["plain_sup"].call("GET", f"/api/v1/lines/police/contacts/{contact_id}?purpose=supervision")
        self.assertEqual(status, 200, body)
        return body

    def audit(self):
        status, audit, _ = self.c["auditor"].call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, audit)
        return {(e["actor"], e["action"], e["record_id"], e["purpose"]) for e in audit["entries"]}

    def test_the_matrix_names_every_tie_this_test_walks(self):
        rows = matrix()
        self.assertEqual(set(rows), set(self.ties) | TELEPHONY_ROWS,
                         "docs/security.md and this test must list the same ties")

    def test_every_tie_and_purpose_reads_as_the_matrix_says_and_every_refusal_is_audited(self):
        rows = matrix()
        walked = []
        for tie, (person, keys) in self.ties.items():
            client = self.c[person]
            for key in keys:
                cid = self.contacts[key]
                for purpose in PURPOSES:
                    allowed = rows[tie][purpose]
                    with self.subTest(tie=tie, contact=key, purpose=purpose, allowed=allowed):
                        status, body, _ = client.call("GET", f"/api/v1/lines/police/contacts/{cid}?purpose={purpose}")
                        if allowed:
                            self.assertEqual(status, 200, body)
                            self.assertIn(MARKER, body["notes"])
                        else:
                            self.assertEqual(status, 403, body)
                            self.assertNotIn(MARKER, str(body))
                        walked.append((client.staff["id"], "contact.read" if allowed else "contact.read_refused",
                                       cid, purpose))
        trail = self.audit()
        for entry in walked:
            with self.subTest(audit=entry):
                self.assertIn(entry, trail)

    def test_only_the_ties_the_matrix_allows_change_a_contact(self):
        rows = matrix()
        for tie, (person, keys) in self.ties.items():
            client = self.c[person]
            for key in keys:
                cid = self.contacts[key]
                with self.subTest(tie=tie, contact=key, allowed=rows[tie]["change"]):
                    before = self.supervised(cid)
                    text = f"overwritten by {person}"
                    status, body, _ = client.call("PATCH", f"/api/v1/lines/police/contacts/{cid}",
                                                  {"version": before["version"], "notes": text})
                    after = self.supervised(cid)
                    if rows[tie]["change"]:
                        self.assertEqual(status, 200, body)
                        self.assertEqual(after["notes"], text)
                        # Put it back for the read walk.
                        status, body, _ = client.call("PATCH", f"/api/v1/lines/police/contacts/{cid}",
                                                      {"version": after["version"], "notes": f"notes {MARKER}"})
                        self.assertEqual(status, 200, body)
                    else:
                        # The contact's own counsellor hears that it is closed; anyone else is refused.
                        own = before["counsellor_id"] == client.staff["id"] and before["status"] == "closed"
                        self.assertEqual(status, 409 if own else 403, body)
                        self.assertEqual(after["notes"], before["notes"], "nothing was overwritten")
                        self.assertEqual(after["version"], before["version"])

    def test_no_one_but_the_handling_counsellor_schedules_closes_or_escalates(self):
        a = self.contacts["A"]
        now = time.time()
        attempts = [
            ("follow-ups", {"earliest": iso(now - 60), "latest": iso(now + 3600), "method": "phone",
                            "number": "07700 900111", "consent": True}),
            ("escalations", {"emergency_service": "police", "reason": "x", "disclosed": "y",
                             "supervisor_id": self.c["plain_sup"].staff["id"]}),
            ("close", {"version": 1, "outcome": "signposted"}),
        ]
        for person in ("unrelated", "plain_sup", "holder"):
            for path, body in attempts:
                if person == "plain_sup" and path == "close":
                    continue  # a supervisor of the line may close a contact (test_a_supervisor_closes_...)
                with self.subTest(person=person, path=path):
                    status, reply, _ = self.c[person].call("POST", f"/api/v1/lines/police/contacts/{a}/{path}", body)
                    self.assertEqual(status, 403, reply)
        self.assertEqual(self.supervised(a)["status"], "open")

    def test_a_supervisor_of_the_line_closes_a_contact_left_open_audited_as_theirs(self):
        status, fresh, _ = self.c["own"].call("POST", "/api/v1/lines/police/contacts", {"caller_role": "not_said"})
        self.assertEqual(status, 201, fresh)
        status, closed, _ = self.c["plain_sup"].call("POST", f"/api/v1/lines/police/contacts/{fresh['id']}/close",
                                                     {"version": fresh["version"], "outcome": "signposted"})
        self.assertEqual(status, 200, closed)
        self.assertEqual(closed["status"], "closed")
        status, audit, _ = self.c["auditor"].call("GET", f"/api/v1/audit?record_id={fresh['id']}&limit=100")
        self.assertEqual(status, 200, audit)
        closes = [e["actor"] for e in audit["entries"] if e["action"] == "contact.close"]
        self.assertEqual(closes, [self.c["plain_sup"].staff["id"]])

    def test_a_follow_ups_details_are_for_its_holder_and_supervisors(self):
        fus = self.follow_ups
        cases = [
            ("holder", fus["holder"], 200), ("claimer", fus["claimed"], 200), ("plain_sup", fus["holder"], 200),
            ("pooler", fus["pool"], 403), ("unrelated", fus["holder"], 403), ("holder", fus["claimed"], 403),
            ("own", fus["holder"], 403),
        ]
        for person, fu, expected in cases:
            with self.subTest(person=person, follow_up=fu):
                status, body, _ = self.c[person].call("GET", f"/api/v1/lines/police/follow-ups/{fu}")
                self.assertEqual(status, expected, body)
                if expected == 403:
                    self.assertNotIn("number_masked", body)
                    self.assertIn((self.c[person].staff["id"], "follow_up.read_refused", fu, "follow_up"),
                                  self.audit())
        # A follow-up someone else holds cannot be claimed away from them.
        status, body, _ = self.c["unrelated"].call("POST", f"/api/v1/lines/police/follow-ups/{fus['holder']}/claim")
        self.assertEqual(status, 409, body)
        status, body, _ = self.c["plain_sup"].call("POST", f"/api/v1/lines/police/follow-ups/{fus['pool']}/claim")
        self.assertEqual(status, 403, body)


if __name__ == "__main__":
    unittest.main()
