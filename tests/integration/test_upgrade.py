"""The upgrade to schema version 8 against the real binary: contacts written before it hold their force only in
their sealed content, and `serve` seals it on its own in the background at start, so that the monthly demand report
counts them by force. Once only (a second start changes nothing), never a shredded or force-less contact, each one
audited, one log line of counts and nothing of any contact. All people and contacts here are fictional test data.
"""
import os
import sqlite3
import time
import unittest

import harness

LINE = "police"
MONTH = "2026-11"
FORCES = ("cleveland_police", "durham_constabulary", "northumbria_police")
DONE = "upgrade: sealed the force of"


def wait_for(condition, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class ForceUpgradeTest(unittest.TestCase):
    def setUp(self):
        self.server = harness.Server().init()
        self.addCleanup(self.server.close)
        harness.run_cli(self.server.data_dir, "staff", "add", "--username", "boot.admin", "--display-name", "Boot",
                        "--roles", "admin", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        self.server.start()
        admin = self.server.client().sign_in("boot.admin")
        status, body, _ = admin.call("POST", "/api/v1/lines", {"id": LINE, "name": "Police (test)"})
        self.assertEqual(status, 201, body)
        granter = harness.line_manager(self.server, admin, [LINE])
        for name, roles in (("counsellor", ["counsellor"]), ("supervisor", ["supervisor"])):
            status, body, _ = granter.call("POST", "/api/v1/staff", {
                "username": name, "display_name": name.title(), "password": harness.PASSWORD, "roles": roles,
                "lines": [LINE]})
            self.assertEqual(status, 201, body)
        self.counsellor = self.server.client().sign_in("counsellor")

    def add_contact(self, day, force=None):
        body = {"arrived_at": f"{MONTH}-{day:02d}T10:00:00Z", "caller_role": "police_officer",
                "notes": "FICTIONAL test contact"}
        if force:
            body["force"] = force
        status, created, _ = self.counsellor.call("POST", f"/api/v1/lines/{LINE}/contacts", body)
        self.assertEqual(status, 201, created)
        return created["id"]

    def database(self):
        db = sqlite3.connect(os.path.join(self.server.data_dir, "crisisline.db"), isolation_level=None)
        self.addCleanup(db.close)
        return db

    def north_east(self):
        supervisor = self.server.client().sign_in("supervisor")
        status, report, _ = supervisor.call("GET", f"/api/v1/lines/{LINE}/reports/demand?period={MONTH}")
        self.assertEqual(status, 200, report)
        section = next(s for s in report["sections"] if s["name"] == "contacts_by_force")
        group = next(g for g in section["groups"] if g["key"] == "North East")
        return {f["key"]: f["value"] for f in group["items"]}

    def upgrade_lines(self):
        return [line for line in self.server.log().splitlines() if "upgrade:" in line]

    def test_contacts_from_before_version_8_are_counted_by_force_after_one_start(self):
        ids = [self.add_contact(1 + i, force) for force in FORCES for i in range(8)]
        shredded = self.add_contact(20, "cleveland_police")
        without_force = self.add_contact(21)
        self.server.stop()
        # What crisisline before schema version 8 left: no sealed force beside the content. One contact's content
        # has since been shredded (both sealed columns empty).
        db = self.database()
        db.execute("UPDATE contacts SET force_sealed = x''")
        db.execute("DELETE FROM upgrades_done")  # schema version 9 finds contacts: the upgrade is to do
        db.execute("UPDATE contacts SET wrapped_key = x'', ciphertext = x'' WHERE id = ?", (shredded,))
        versions = dict(db.execute("SELECT id, version FROM contacts").fetchall())

        started = len(self.upgrade_lines())  # the first start's: nothing to do
        self.server.start()
        line = wait_for(lambda: [l for l in self.upgrade_lines()[started:] if DONE in l], "the upgrade's log line")
        self.assertEqual(len(line), 1, line)
        self.assertIn(f"{DONE} 24 contacts written before schema version 8 (1 name no force, 0 could not be opened)",
                      line[0])
        self.assertEqual(self.north_east(), {"cleveland_police": 10, "durham_constabulary": 10,
                                             "northumbria_police": 10, "not_recorded": None},
                         "8 of each, rounded to 10; the shredded and the force-less contact are 2: suppressed")
        rows = dict(db.execute("SELECT id, force_sealed FROM contacts").fetchall())
        self.assertTrue(all(len(rows[i]) == len(rows[ids[0]]) > 0 for i in ids), "each one sealed, all alike long")
        self.assertEqual((rows[shredded], rows[without_force]), (b"", b""))
        self.assertEqual(dict(db.execute("SELECT id, version FROM contacts").fetchall()), versions,
                         "no version moved: a counsellor's open contact is not disturbed")
        audited = db.execute("SELECT actor, record_id, purpose FROM audit_log WHERE action = 'contact.seal_force'")
        self.assertEqual(sorted(audited.fetchall()), sorted(("system", i, "upgrade") for i in ids))
        for force in FORCES:
            self.assertNotIn(force, "\n".join(self.upgrade_lines()))
        self.assertEqual(db.execute("SELECT name FROM upgrades_done").fetchall(), [("force_sealed",)],
                         "recorded done, once the pass went through every contact")

        # A second start reads nothing: not even the force-less contact is opened again.
        self.server.stop()
        started = len(self.upgrade_lines())
        self.server.start()
        again = wait_for(lambda: self.upgrade_lines()[started:], "the second start's log line")
        self.assertEqual(len(again), 1, again)
        self.assertIn("upgrade: the force of contacts written before schema version 8 was sealed before; nothing read",
                      again[0])
        self.assertIn('"level":"debug"', again[0], "nothing to say above debug")
        self.assertEqual(dict(db.execute("SELECT id, force_sealed FROM contacts").fetchall()), rows)
        self.assertEqual(db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'contact.seal_force'")
                         .fetchone()[0], len(ids))
        self.server.stop()
        result = harness.run_cli(self.server.data_dir, "audit", "verify")
        self.assertIn("audit log intact", result.stdout)


if __name__ == "__main__":
    unittest.main()
