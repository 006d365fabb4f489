"""Separation of duties for administrators (issue 17 section 4), against the real binary over HTTP.

A grant that gives access to contact content (counsellor or supervisor on a line) by an administrator who is
not also the service manager of that line waits for a second administrator; every staff change is audited with
roles and lines before and after, inside the keyed chain; the line's supervisors see new content readers
announced on the live feed. All people and lines here are fictional test data.
"""
import json
import os
import sqlite3
import time
import unittest

import harness
from test_audit import Insider, sha256_chain_hash


def add_cli_admin(server, username, roles=("admin",)):
    out = harness.run_cli(server.data_dir, "staff", "add", "--username", username, "--display-name", username.title(),
                          "--roles", ",".join(roles), env={"CRISISLINE_PASSWORD": harness.PASSWORD})
    return out.stdout.split("(")[1].split(")")[0]


def wait_for(condition, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Floor:
    """A server with three lines, administrators of each kind and the lines' supervisors."""

    def __init__(self, config=""):
        self.server = harness.Server().init()
        if config:
            self.server.write_config(config)
        add_cli_admin(self.server, "boot.admin")
        add_cli_admin(self.server, "ann.admin")
        add_cli_admin(self.server, "ben.admin")
        self.server.start()
        self.c = {name: self.server.client().sign_in(name) for name in ("boot.admin", "ann.admin", "ben.admin")}
        for line in ("police", "fire", "ambulance"):
            status, body, _ = self.c["boot.admin"].call("POST", "/api/v1/lines", {"id": line, "name": f"{line} (test)"})
            assert status == 201, body
        # No content role: made directly by anyone.
        self.sm = self.create(self.c["boot.admin"], "sam.manager", ["admin", "service_manager"], ["police", "fire"])
        assert self.sm[0] == 201, self.sm
        self.c["sam.manager"] = self.server.client().sign_in("sam.manager")
        # The service manager of police and fire grants content roles on them directly.
        for name, line in (("sup.police", "police"), ("sup.fire", "fire")):
            status, body = self.create(self.c["sam.manager"], name, ["supervisor"], [line])
            assert status == 201, body
            self.c[name] = self.server.client().sign_in(name)
        status, body = self.create(self.c["boot.admin"], "aud.itor", ["auditor"], [])
        assert status == 201, body
        self.c["aud.itor"] = self.server.client().sign_in("aud.itor")

    def create(self, who, username, roles, lines):
        status, body, _ = who.call("POST", "/api/v1/staff", {
            "username": username, "display_name": username.title() + " (fictional)", "password": harness.PASSWORD,
            "roles": roles, "lines": lines})
        return status, body

    def staff(self, username):
        status, body, _ = self.c["boot.admin"].call("GET", "/api/v1/staff")
        assert status == 200, body
        return next((s for s in body["staff"] if s["username"] == username), None)

    def change(self, change_id):
        status, body, _ = self.c["ben.admin"].call("GET", "/api/v1/staff/changes")
        assert status == 200, body
        return next(c for c in body["changes"] if c["id"] == change_id)

    def audit(self, action):
        status, body, _ = self.c["aud.itor"].call("GET", f"/api/v1/audit?action={action}&limit=1000")
        assert status == 200, body
        return body["entries"]

    def close(self):
        self.server.close()


class TwoPersonRuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.floor = Floor()
        cls.c = cls.floor.c

    @classmethod
    def tearDownClass(cls):
        cls.floor.close()

    def test_a_grant_by_an_admin_who_is_not_service_manager_waits_for_a_second_admin(self):
        f = self.floor
        status, body = f.create(self.c["ann.admin"], "new.counsellor", ["counsellor"], ["police"])
        self.assertEqual(status, 202, body)
        self.assertEqual(body["status"], "pending_approval")
        change = body["change"]
        self.assertEqual(change["kind"], "create")
        self.assertEqual(change["status"], "pending")
        self.assertEqual(change["after"]["roles"], ["counsellor"])
        self.assertEqual(change["after"]["lines"], ["police"])
        self.assertEqual(change["grants"], [{"role": "counsellor", "line": "police"}])
        self.assertNotIn("password", json.dumps(change))
        # Nothing took effect: no account, no sign-in.
        self.assertIsNone(f.staff("new.counsellor"))
        status, _, _ = f.server.client().call("POST", "/api/v1/session",
                                               {"username": "new.counsellor", "password": harness.PASSWORD})
        self.assertEqual(status, 401)

        status, refused, _ = self.c["ann.admin"].call("POST", f"/api/v1/staff/changes/{change['id']}/approve")
        self.assertEqual(status, 403, refused)
        self.assertIn("second administrator", refused["error"]["message"])
        self.assertIsNone(f.staff("new.counsellor"))

        status, approved, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{change['id']}/approve")
        self.assertEqual(status, 200, approved)
        self.assertEqual(approved["change"]["status"], "approved")
        self.assertEqual(approved["change"]["decided_by"], self.c["ben.admin"].staff["id"])
        counsellor = f.server.client().sign_in("new.counsellor")
        status, body, _ = counsellor.call("GET", "/api/v1/lines/police/contacts")
        self.assertEqual(status, 200, body)
        # Decided once only.
        status, again, _ = self.c["boot.admin"].call("POST", f"/api/v1/staff/changes/{change['id']}/approve")
        self.assertEqual(status, 409, again)

    def test_adding_a_line_to_a_counsellor_waits_and_gives_no_access_until_approved(self):
        f = self.floor
        status, body = f.create(self.c["sam.manager"], "moving.counsellor", ["counsellor"], ["police"])
        self.assertEqual(status, 201, body)
        who = f.server.client().sign_in("moving.counsellor")
        status, body, _ = self.c["ann.admin"].call("PATCH", f"/api/v1/staff/{body['id']}",
                                                    {"lines": ["police", "fire"]})
        self.assertEqual(status, 202, body)
        self.assertEqual(body["change"]["before"]["lines"], ["police"])
        self.assertEqual(body["change"]["after"]["lines"], ["police", "fire"])
        self.assertEqual(body["change"]["grants"], [{"role": "counsellor", "line": "fire"}])
        self.assertEqual(f.staff("moving.counsellor")["lines"], ["police"])
        status, _, _ = who.call("GET", "/api/v1/lines/fire/contacts")
        self.assertEqual(status, 403)
        status, approved, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 200, approved)
        self.assertEqual(approved["staff"]["lines"], ["police", "fire"])
        status, listed, _ = who.call("GET", "/api/v1/lines/fire/contacts")
        self.assertEqual(status, 200, listed)

    def test_the_subject_of_a_change_may_not_approve_it(self):
        f = self.floor
        status, made = f.create(self.c["boot.admin"], "cara.admin", ["admin"], [])
        self.assertEqual(status, 201, made)
        cara = f.server.client().sign_in("cara.admin")
        status, body, _ = self.c["ann.admin"].call("PATCH", f"/api/v1/staff/{made['id']}",
                                                    {"roles": ["admin", "counsellor"], "lines": ["police"]})
        self.assertEqual(status, 202, body)
        status, refused, _ = cara.call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 403, refused)
        self.assertEqual(f.staff("cara.admin")["roles"], ["admin"])
        status, approved, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 200, approved)

    def test_a_rejected_change_never_takes_effect(self):
        f = self.floor
        status, body = f.create(self.c["ann.admin"], "turned.down", ["supervisor"], ["fire"])
        self.assertEqual(status, 202, body)
        change_id = body["change"]["id"]
        status, refused, _ = self.c["ann.admin"].call("POST", f"/api/v1/staff/changes/{change_id}/reject")
        self.assertEqual(status, 403, refused)
        status, rejected, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{change_id}/reject")
        self.assertEqual(status, 200, rejected)
        self.assertEqual(rejected["change"]["status"], "rejected")
        status, late, _ = self.c["boot.admin"].call("POST", f"/api/v1/staff/changes/{change_id}/approve")
        self.assertEqual(status, 409, late)
        self.assertIsNone(f.staff("turned.down"))
        self.assertEqual(f.change(change_id)["status"], "rejected")

    def test_approval_after_the_account_changed_is_refused(self):
        f = self.floor
        status, made = f.create(self.c["sam.manager"], "changed.since", ["counsellor"], ["police"])
        self.assertEqual(status, 201, made)
        status, body, _ = self.c["ann.admin"].call("PATCH", f"/api/v1/staff/{made['id']}", {"lines": ["police", "fire"]})
        self.assertEqual(status, 202, body)
        status, renamed, _ = self.c["boot.admin"].call("PATCH", f"/api/v1/staff/{made['id']}",
                                                        {"display_name": "Renamed (fictional)"})
        self.assertEqual(status, 200, renamed)
        status, refused, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 409, refused)
        self.assertIn("changed since", refused["error"]["message"])
        self.assertEqual(f.staff("changed.since")["lines"], ["police"])

    def test_the_service_manager_of_the_line_grants_directly_but_not_on_another_line(self):
        f = self.floor
        status, body = f.create(self.c["sam.manager"], "direct.grant", ["counsellor"], ["fire"])
        self.assertEqual(status, 201, body)
        self.assertEqual(body["lines"], ["fire"])
        status, body = f.create(self.c["sam.manager"], "other.line", ["counsellor"], ["ambulance"])
        self.assertEqual(status, 202, body)
        self.assertIsNone(f.staff("other.line"))

    def test_changes_that_read_no_content_apply_at_once(self):
        f = self.floor
        status, body = f.create(self.c["ann.admin"], "plain.auditor", ["auditor"], ["police"])
        self.assertEqual(status, 201, body)
        status, patched, _ = self.c["ann.admin"].call("PATCH", f"/api/v1/staff/{body['id']}", {"disabled": True})
        self.assertEqual(status, 200, patched)
        self.assertTrue(patched["disabled"])

    def test_only_administrators_see_and_decide_changes(self):
        for name in ("sup.police", "aud.itor"):
            status, body, _ = self.c[name].call("GET", "/api/v1/staff/changes")
            self.assertEqual(status, 403, body)
        status, body = self.floor.create(self.c["ann.admin"], "asked.for", ["counsellor"], ["police"])
        self.assertEqual(status, 202, body)
        status, refused, _ = self.c["sup.police"].call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 403, refused)
        status, missing, _ = self.c["ben.admin"].call("POST", "/api/v1/staff/changes/sc_nothing/approve")
        self.assertEqual(status, 404, missing)

    def test_every_staff_change_is_audited_with_what_changed_and_no_secret(self):
        f = self.floor
        status, made = f.create(self.c["sam.manager"], "audited.one", ["counsellor"], ["police"])
        self.assertEqual(status, 201, made)
        sid = made["id"]
        status, _, _ = self.c["boot.admin"].call("PATCH", f"/api/v1/staff/{sid}", {"roles": ["counsellor", "auditor"]})
        self.assertEqual(status, 200)
        status, _, _ = self.c["boot.admin"].call("PATCH", f"/api/v1/staff/{sid}", {"disabled": True})
        self.assertEqual(status, 200)
        status, asked, _ = self.c["ann.admin"].call("PATCH", f"/api/v1/staff/{sid}", {"disabled": False})
        self.assertEqual(status, 202, asked)  # enabling a counsellor gives access again
        status, _, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{asked['change']['id']}/reject")
        self.assertEqual(status, 200)
        status, asked2, _ = self.c["ann.admin"].call("PATCH", f"/api/v1/staff/{sid}", {"disabled": False})
        self.assertEqual(status, 202, asked2)
        status, _, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{asked2['change']['id']}/approve")
        self.assertEqual(status, 200)

        def detail_of(action, **match):
            entries = [e for e in f.audit(action) if e["record_id"] == sid]
            self.assertTrue(entries, action)
            for key, value in match.items():
                entries = [e for e in entries if e["detail"].get(key) == value]
            self.assertTrue(entries, (action, match))
            return entries[-1]["detail"]

        created = detail_of("staff.create")
        self.assertIsNone(created["before"])
        self.assertEqual(created["after"], {"roles": ["counsellor"], "lines": ["police"], "disabled": False})
        updated = detail_of("staff.update")
        self.assertEqual(updated["before"]["roles"], ["counsellor"])
        self.assertEqual(updated["after"]["roles"], ["counsellor", "auditor"])
        disabled = detail_of("staff.disable")
        self.assertEqual((disabled["before"]["disabled"], disabled["after"]["disabled"]), (False, True))
        requested = detail_of("staff.change.request", change=asked["change"]["id"])
        self.assertEqual(requested["grants"], [{"role": "counsellor", "line": "police"}])
        rejected = detail_of("staff.change.reject", change=asked["change"]["id"])
        self.assertEqual(rejected["requested_by"], self.c["ann.admin"].staff["id"])
        approved = detail_of("staff.change.approve", change=asked2["change"]["id"])
        self.assertEqual((approved["before"]["disabled"], approved["after"]["disabled"]), (True, False))
        self.assertEqual(approved["after"]["lines"], ["police"])
        status, everything, _ = self.c["aud.itor"].call("GET", "/api/v1/audit?limit=1000")
        text = json.dumps([e["detail"] for e in everything["entries"]])
        self.assertIn("roles", text)
        for secret in ("password", "argon2", "totp", harness.PASSWORD):
            self.assertNotIn(secret, text)


class AnnouncementTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.floor = Floor()
        cls.c = cls.floor.c

    @classmethod
    def tearDownClass(cls):
        cls.floor.close()

    def events(self, who, after=0):
        status, body, _ = self.c[who].call("GET", f"/api/v1/live/events?after={after}")
        self.assertEqual(status, 200, body)
        return [e for e in body["events"] if e["type"].startswith("announcement.")]

    def test_the_lines_supervisors_see_a_new_content_reader_and_no_one_else(self):
        f = self.floor
        status, body = f.create(self.c["ann.admin"], "new.reader", ["counsellor"], ["police"])
        self.assertEqual(status, 202, body)
        status, approved, _ = self.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 200, approved)
        reader = approved["staff"]["id"]

        seen = wait_for(lambda: [e for e in self.events("sup.police") if e["data"].get("staff_id") == reader],
                        "the announcement on the police supervisor's live feed")
        event = seen[0]
        self.assertEqual(event["type"], "announcement.added")
        self.assertEqual(event["line"], "police")
        self.assertEqual(event["data"]["role"], "counsellor")
        self.assertEqual(event["data"]["display_name"], "New.Reader (fictional)")
        self.assertIn("at", event["data"])
        self.assertFalse([e for e in self.events("sup.fire") if e["data"].get("staff_id") == reader])

        status, listed, _ = self.c["sup.police"].call("GET", "/api/v1/lines/police/announcements")
        self.assertEqual(status, 200, listed)
        mine = [a for a in listed["announcements"] if a["staff_id"] == reader]
        self.assertEqual(len(mine), 1, listed)
        for name in ("sup.fire", "sam.manager", "ben.admin", "new.reader"):
            client = self.c.get(name) or f.server.client().sign_in(name)
            status, refused, _ = client.call("GET", "/api/v1/lines/police/announcements")
            self.assertEqual(status, 403, (name, refused))
        status, fire, _ = self.c["sup.fire"].call("GET", "/api/v1/lines/fire/announcements")
        self.assertEqual(status, 200, fire)
        self.assertFalse([a for a in fire["announcements"] if a["staff_id"] == reader])

        status, _, _ = self.c["sup.fire"].call("POST", f"/api/v1/lines/police/announcements/{mine[0]['id']}/acknowledge")
        self.assertEqual(status, 403)
        status, body, _ = self.c["sup.police"].call("POST", f"/api/v1/lines/police/announcements/{mine[0]['id']}/acknowledge")
        self.assertEqual(status, 204, body)
        status, listed, _ = self.c["sup.police"].call("GET", "/api/v1/lines/police/announcements")
        self.assertFalse([a for a in listed["announcements"] if a["id"] == mine[0]["id"]])
        acknowledged = [e for e in f.audit("announcement.acknowledge") if e["record_id"] == mine[0]["id"]]
        self.assertEqual(len(acknowledged), 1)

    def test_the_wallboards_websocket_carries_the_announcement_to_that_lines_supervisors_only(self):
        f = self.floor
        sockets = {}
        for name in ("sup.police", "sup.fire"):
            ws = harness.WebSocket(f.server.port, "/api/v1/events", cookie=self.c[name].cookie)
            self.addCleanup(ws.close)
            self.assertEqual(ws.status, 101)
            self.assertEqual(ws.recv_json()["type"], "hello")
            sockets[name] = ws
        ids = {}
        for username, line in (("ws.police", "police"), ("ws.fire", "fire")):
            status, body = f.create(self.c["sam.manager"], username, ["counsellor"], [line])
            self.assertEqual(status, 201, body)
            ids[line] = body["id"]

        def next_announcement(ws):
            while True:
                event = ws.recv_json()
                if event["type"].startswith("announcement."):
                    return event

        police = next_announcement(sockets["sup.police"])
        self.assertEqual((police["type"], police["line"], police["data"]["staff_id"], police["data"]["role"]),
                         ("announcement.added", "police", ids["police"], "counsellor"))
        # Events arrive in publication order: the fire supervisor's first announcement is the later, fire one,
        # so the police one never reached them.
        fire = next_announcement(sockets["sup.fire"])
        self.assertEqual((fire["line"], fire["data"]["staff_id"]), ("fire", ids["fire"]))
        self.assertNotIn("notes", json.dumps(police))

    def test_a_direct_grant_by_the_service_manager_is_announced_too(self):
        status, body = self.floor.create(self.c["sam.manager"], "fire.reader", ["supervisor"], ["fire"])
        self.assertEqual(status, 201, body)
        status, listed, _ = self.c["sup.fire"].call("GET", "/api/v1/lines/fire/announcements")
        self.assertEqual([(a["role"], a["line"]) for a in listed["announcements"] if a["staff_id"] == body["id"]],
                         [("supervisor", "fire")])
        self.assertFalse([e for e in self.events("sup.police") if e["data"].get("staff_id") == body["id"]])

    def test_a_grant_made_at_the_servers_shell_is_audited_and_announced(self):
        # The shell (crisisline staff add) is outside the two-person rule, as docs/security.md says: whoever runs
        # it holds the database and its keys already. What it grants is still audited and announced.
        out = harness.run_cli(self.floor.server.data_dir, "staff", "add", "--username", "shell.reader",
                              "--display-name", "Shell Reader (fictional)", "--roles", "counsellor",
                              "--lines", "fire", env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        reader = out.stdout.split("(")[1].split(")")[0]
        status, listed, _ = self.c["sup.fire"].call("GET", "/api/v1/lines/fire/announcements")
        self.assertEqual(status, 200, listed)
        self.assertEqual([(a["role"], a["line"]) for a in listed["announcements"] if a["staff_id"] == reader],
                         [("counsellor", "fire")])
        created = [e for e in self.floor.audit("staff.create") if e["record_id"] == reader]
        self.assertEqual(len(created), 1, created)
        self.assertEqual(created[0]["actor"], "system")
        self.assertEqual(created[0]["detail"]["after"]["lines"], ["fire"])


class ExpiryTest(unittest.TestCase):
    def test_a_change_not_decided_in_time_expires(self):
        floor = Floor(config="[staff]\nchange_approval_s = 2\n")
        self.addCleanup(floor.close)
        status, body = floor.create(floor.c["ann.admin"], "too.late", ["counsellor"], ["police"])
        self.assertEqual(status, 202, body)
        change_id = body["change"]["id"]
        wait_for(lambda: floor.change(change_id)["status"] == "expired", "the change to expire")
        status, refused, _ = floor.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{change_id}/approve")
        self.assertEqual(status, 409, refused)
        self.assertIn("expired", refused["error"]["message"])
        self.assertIsNone(floor.staff("too.late"))
        # The daily purge removes the password hash the lapsed create held for its approval.
        floor.server.stop()
        db_path = os.path.join(floor.server.data_dir, "crisisline.db")

        def held():
            db = sqlite3.connect(db_path)
            try:
                return db.execute("SELECT password_hash FROM staff_changes WHERE id = ?", (change_id,)).fetchone()[0]
            finally:
                db.close()

        self.assertTrue(held().startswith("$argon2id$"))
        result = harness.run_cli(floor.server.data_dir, "purge")
        self.assertIn("1 lapsed staff changes cleared", result.stdout)
        self.assertEqual(held(), "")


class DetailInTheChainTest(unittest.TestCase):
    def test_audit_verify_passes_and_a_tampered_detail_breaks_it(self):
        floor = Floor()
        self.addCleanup(floor.close)
        status, body = floor.create(floor.c["ann.admin"], "chained.one", ["counsellor"], ["police"])
        self.assertEqual(status, 202, body)
        status, approved, _ = floor.c["ben.admin"].call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 200, approved)
        floor.server.stop()
        d = floor.server.data_dir
        result = harness.run_cli(d, "audit", "verify", "--checkpoint", os.path.join(d, "audit-checkpoints"))
        self.assertIn("audit log intact", result.stdout)
        with Insider(d) as db:
            row = next(r for r in db.rows() if r["action"] == "staff.change.approve")
            detail = json.loads(row["detail"])
            self.assertEqual(detail["after"]["roles"], ["counsellor"])
            detail["after"]["roles"] = ["auditor"]  # hide that a content role was given
            db.db.execute("UPDATE audit_log SET detail = ? WHERE seq = ?", (json.dumps(detail), row["seq"]))
        result = harness.run_cli(d, "audit", "verify", check=False)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn(f"entry {row['seq']}:", result.stderr)

    def test_a_database_from_before_the_detail_column_upgrades_and_its_entries_verify_as_before(self):
        server = harness.Server().init()
        self.addCleanup(server.close)
        d = server.data_dir
        add_cli_admin(server, "old.admin")
        add_cli_admin(server, "other.admin")
        # What crisisline before schema version 5 left: no detail column, no pending changes or announcements,
        # a plain SHA-256 chain, no audit key yet.
        with Insider(d) as db:
            latest = db.db.execute("PRAGMA user_version").fetchone()[0]
            db.rewrite([dict(r, detail="") for r in db.rows()], sha256_chain_hash)
            old = db.rows()
            db.db.execute("ALTER TABLE audit_log DROP COLUMN detail")
            db.db.execute("DROP TABLE staff_changes")
            db.db.execute("DROP TABLE announcements")
            # And what later versions added (6: the rota's shifts; 7: the encryption policy columns; 8: the sealed
            # force of each contact; 9: the upgrades of stored data done).
            db.db.execute("DROP TABLE shifts")
            db.db.execute("ALTER TABLE trunks DROP COLUMN encryption")
            db.db.execute("ALTER TABLE sip_accounts DROP COLUMN encryption")
            db.db.execute("ALTER TABLE contacts DROP COLUMN force_sealed")
            db.db.execute("DROP TABLE upgrades_done")
            db.db.execute("PRAGMA user_version = 4")
        for name in ("audit.key", "audit-unkeyed-until"):
            os.remove(os.path.join(d, "keys", name))
        server.start()
        admin = server.client().sign_in("old.admin")
        other = server.client().sign_in("other.admin")
        status, body, _ = admin.call("POST", "/api/v1/lines", {"id": "police", "name": "Police (test)"})
        self.assertEqual(status, 201, body)
        status, body, _ = admin.call("POST", "/api/v1/staff", {
            "username": "after.upgrade", "display_name": "After (fictional)", "password": harness.PASSWORD,
            "roles": ["counsellor"], "lines": ["police"]})
        self.assertEqual(status, 202, body)
        status, approved, _ = other.call("POST", f"/api/v1/staff/changes/{body['change']['id']}/approve")
        self.assertEqual(status, 200, approved)
        server.stop()
        result = harness.run_cli(d, "audit", "verify", "--checkpoint", os.path.join(d, "audit-checkpoints"))
        self.assertIn("audit log intact", result.stdout)
        with Insider(d) as db:
            rows = db.rows()
            self.assertEqual(db.db.execute("PRAGMA user_version").fetchone()[0], latest)
        self.assertEqual([(r["seq"], r["hash"], r["detail"]) for r in rows[:len(old)]],
                         [(r["seq"], r["hash"], "") for r in old])
        self.assertTrue(any(r["action"] == "staff.change.approve" and r["detail"] for r in rows[len(old):]))


if __name__ == "__main__":
    unittest.main()
