"""The audit log against an insider who can write the database file but holds no audit key.

Each tampering case of issue 17 is done to a real data directory the way such an insider would (sqlite3 on the
file, dropping and recreating the append-only triggers as needed, recomputing the chain as the old plain SHA-256
chain or with a key of their own), and `crisisline audit verify` must refuse it.
"""
import hashlib
import hmac
import os
import sqlite3
import struct
import time
import unittest

import harness

GENESIS = "0" * 64
FIELDS = ("actor", "action", "line_id", "record_type", "record_id", "purpose", "prev_hash")


def field(value):
    data = value.encode()
    return struct.pack(">Q", len(data)) + data


def canonical(domain, row):
    """An entry with a detail (what changed, schema version 5 on) is hashed under domain + "+detail" with the
    detail as a last field; one without exactly as before the detail existed."""
    detail = row.get("detail") or ""
    out = field(domain + ("+detail" if detail else "")) + struct.pack(">Q", row["seq"]) + struct.pack(">Q", row["at"])
    for name in FIELDS:
        out += field(row[name])
    if detail:
        out += field(detail)
    return out


INSERT = ("INSERT INTO audit_log (seq, at, actor, action, line_id, record_type, record_id, purpose, prev_hash, hash, "
          "detail) VALUES (:seq, :at, :actor, :action, :line_id, :record_type, :record_id, :purpose, :prev_hash, "
          ":hash, :detail)")


def sha256_chain_hash(row):
    """The chain as crisisline wrote it before it was keyed (and as anyone can recompute it)."""
    return hashlib.sha256(canonical("crisisline.audit.v1", row)).hexdigest()


def own_key_hash(row, key=b"k" * 32):
    """A forger's keyed chain: the right construction, with a key that is not the service's."""
    return hmac.new(key, canonical("crisisline.audit.v2", row), hashlib.sha256).hexdigest()


def add_staff(server, username, roles):
    """A member of staff with no line yet (the lines are made through the API); returns their id."""
    out = harness.run_cli(server.data_dir, "staff", "add", "--username", username, "--display-name", username.title(),
                          "--roles", ",".join(roles), env={"CRISISLINE_PASSWORD": harness.PASSWORD})
    return out.stdout.split("(")[1].split(")")[0]


class Insider:
    """Direct access to the database file, as someone with a copy of it (or write access to it) has."""

    def __init__(self, data_dir):
        self.path = os.path.join(data_dir, "crisisline.db")

    def __enter__(self):
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.triggers = [r["sql"] for r in
                         self.db.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'")]
        self.db.execute("BEGIN")
        for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'").fetchall():
            self.db.execute(f"DROP TRIGGER {name}")
        return self

    def rows(self):
        return [dict(r) for r in self.db.execute("SELECT * FROM audit_log ORDER BY seq")]

    def rewrite(self, rows, hash_fn):
        """Replaces the whole log with `rows`, renumbered and rechained with `hash_fn`."""
        self.db.execute("DELETE FROM audit_log")
        prev = GENESIS
        for i, row in enumerate(rows, start=1):
            row = dict(row, seq=i, prev_hash=prev)
            row.setdefault("detail", "")
            row["hash"] = hash_fn(row)
            self.db.execute(INSERT, row)
            prev = row["hash"]

    leave_triggers_dropped = False

    def __exit__(self, exc_type, *_):
        if exc_type is not None:
            self.db.execute("ROLLBACK")
            self.db.close()
            return
        if not self.leave_triggers_dropped:
            for sql in self.triggers:
                self.db.execute(sql)  # put back exactly as they were, so only the chain can tell
        self.db.execute("COMMIT")
        self.db.close()


class AuditTamperingTest(unittest.TestCase):
    """One data directory per test, with entries by several people and a server that checkpointed them."""

    def setUp(self):
        self.server = harness.Server(extra_args=["--audit-checkpoint-s", "1"]).init()
        d = self.server.data_dir
        self.ids = {}
        for name in ("alex.admin", "sam.admin", "jo.admin"):
            self.ids[name] = add_staff(self.server, name, ["admin"])
        self.server.start()
        self.clients = {name: self.server.client().sign_in(name) for name in self.ids}
        status, body, _ = self.clients["alex.admin"].call("POST", "/api/v1/lines", {"id": "police", "name": "Police"})
        self.assertEqual(status, 201, body)
        for i, name in enumerate(("sam.admin", "jo.admin", "alex.admin", "sam.admin")):
            status, body, _ = self.clients[name].call("POST", "/api/v1/lines", {"id": f"line-{i}", "name": f"L{i}"})
            self.assertEqual(status, 201, body)
        self.checkpoints = os.path.join(d, "audit-checkpoints")
        self.server.stop()  # the last checkpoint is written on the way out
        with Insider(d) as db:
            self.entries = len(db.rows())
        self.wait_for_checkpoint(self.entries)
        self.assertEqual(harness.run_cli(d, "audit", "verify", "--checkpoint", self.checkpoints).returncode, 0)

    def tearDown(self):
        self.server.close()

    def wait_for_checkpoint(self, seq, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(self.checkpoints):
                with open(self.checkpoints) as f:
                    if any(f" seq={seq} " in line for line in f):
                        return
            time.sleep(0.05)
        self.fail(f"no checkpoint of seq {seq} in {self.checkpoints}")

    def verify(self, *args):
        return harness.run_cli(self.server.data_dir, "audit", "verify", *args, check=False)

    def assert_refused(self, result, *words):
        self.assertEqual(result.returncode, 1, result.stdout)
        for word in words:
            self.assertIn(word, result.stderr)

    def test_an_edited_middle_entry_is_detected(self):
        with Insider(self.server.data_dir) as db:
            db.db.execute("UPDATE audit_log SET actor = ? WHERE seq = 4", (self.ids["jo.admin"],))
        self.assert_refused(self.verify(), "entry 4:", "altered")

    def test_a_removed_middle_entry_is_detected(self):
        with Insider(self.server.data_dir) as db:
            db.db.execute("DELETE FROM audit_log WHERE seq = 5")
        self.assert_refused(self.verify(), "entry 5:", "removed")

    def test_the_last_entries_deleted_are_detected_by_a_checkpoint(self):
        with Insider(self.server.data_dir) as db:
            db.db.execute("DELETE FROM audit_log WHERE seq > ?", (self.entries - 3,))
        # The chain alone cannot tell: a shorter chain is a valid chain.
        self.assertEqual(self.verify().returncode, 0)
        result = self.verify("--checkpoint", self.checkpoints)
        self.assert_refused(result, f"entry {self.entries - 2}:", f"recorded {self.entries} entries", "were removed")
        # The same checkpoints as they went to the log stream serve as well.
        self.assert_refused(self.verify("--checkpoint", self.server.log_path), "were removed")

    def test_one_persons_entries_deleted_and_the_chain_recomputed_are_detected(self):
        sam = self.ids["sam.admin"]
        with Insider(self.server.data_dir) as db:
            rows = db.rows()
        kept = [r for r in rows if r["actor"] != sam]
        self.assertLess(len(kept), len(rows))
        for hash_fn in (sha256_chain_hash, own_key_hash):
            with self.subTest(hash_fn.__name__):
                with Insider(self.server.data_dir) as db:
                    db.rewrite(kept, hash_fn)
                self.assert_refused(self.verify(), "entry 1:", "audit key")
                self.assert_refused(self.verify("--checkpoint", self.checkpoints), "entry 1:")

    def test_entries_reattributed_and_the_chain_recomputed_are_detected(self):
        sam, jo = self.ids["sam.admin"], self.ids["jo.admin"]
        with Insider(self.server.data_dir) as db:
            rows = db.rows()
            first = next(r["seq"] for r in rows if r["actor"] == sam)
            db.rewrite([dict(r, actor=jo if r["actor"] == sam else r["actor"]) for r in rows], sha256_chain_hash)
        self.assert_refused(self.verify(), "entry 1:", "audit key")
        self.assertGreater(first, 1)

    def test_dropped_triggers_are_detected(self):
        with Insider(self.server.data_dir) as db:
            db.leave_triggers_dropped = True
        result = self.verify()
        self.assert_refused(result, "append-only triggers")
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_chained"):
            self.assertIn(f"trigger {name} is missing", result.stderr)

    def test_a_checkpoint_file_edited_to_hide_the_removal_is_refused(self):
        with Insider(self.server.data_dir) as db:
            db.db.execute("DELETE FROM audit_log WHERE seq > ?", (self.entries - 1,))
        with open(self.checkpoints) as f:
            lines = f.read().splitlines()
        with open(self.checkpoints, "w") as f:
            f.write("\n".join(l.replace(f" seq={self.entries} ", f" seq={self.entries - 1} ") for l in lines) + "\n")
        self.assert_refused(self.verify("--checkpoint", self.checkpoints), "not signed with this audit key")


class AuditApiTest(unittest.TestCase):
    """What the auditor's console page uses: filtered entries, the last checkpoint, verification."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(extra_args=["--audit-checkpoint-s", "1"]).init()
        cls.ids = {name: add_staff(cls.server, name, roles) for name, roles in
                   (("lee.auditor", ["auditor"]), ("pat.admin", ["admin"]))}
        cls.server.start()
        cls.auditor = cls.server.client().sign_in("lee.auditor")
        cls.admin = cls.server.client().sign_in("pat.admin")
        status, body, _ = cls.admin.call("POST", "/api/v1/lines", {"id": "police", "name": "Police"})
        assert status == 201, body
        cls.checkpoints = os.path.join(cls.server.data_dir, "audit-checkpoints")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def last_seq(self):
        status, page, _ = self.auditor.call("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, page)
        return page["entries"][-1]["seq"]

    def wait_for_checkpoint(self, seq, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, body, _ = self.auditor.call("GET", "/api/v1/audit/checkpoint")
            self.assertEqual(status, 200, body)
            if body["checkpoint"] and body["checkpoint"]["seq"] >= seq:
                return body
            time.sleep(0.05)
        self.fail(f"no checkpoint reached seq {seq}")

    def test_entries_filter_by_who_and_action_and_page_on(self):
        status, page, _ = self.auditor.call(
            "GET", f"/api/v1/audit?actor={self.ids['pat.admin']}&action=line.create")
        self.assertEqual(status, 200, page)
        self.assertEqual([(e["actor"], e["action"], e["record_id"]) for e in page["entries"]],
                         [(self.ids["pat.admin"], "line.create", "police")])
        self.assertIsNone(page["next_from_seq"])
        status, first, _ = self.auditor.call("GET", "/api/v1/audit?action=staff.create&limit=1")
        self.assertEqual([e["record_id"] for e in first["entries"]], [self.ids["lee.auditor"]])
        status, second, _ = self.auditor.call(
            "GET", f"/api/v1/audit?action=staff.create&limit=1&from_seq={first['next_from_seq']}")
        self.assertEqual([e["record_id"] for e in second["entries"]], [self.ids["pat.admin"]])
        status, none, _ = self.auditor.call("GET", "/api/v1/audit?since=2099-01-01T00:00:00Z")
        self.assertEqual(none["entries"], [])

    def test_bad_filters_get_a_clear_error(self):
        for query, field in (("since=yesterday", "since"), ("from_seq=0", "from_seq"), ("limit=5000", "limit"),
                             ("actor=" + "x" * 201, "actor")):
            status, body, _ = self.auditor.call("GET", f"/api/v1/audit?{query}")
            self.assertIn(status, (400, 413), body)
            self.assertEqual(body["error"]["field"], field, body)

    def test_only_auditors_read_the_log(self):
        for path in ("/api/v1/audit", "/api/v1/audit/checkpoint", "/api/v1/audit/verify"):
            status, body, _ = self.admin.call("GET", path)
            self.assertEqual(status, 403, (path, body))

    def test_the_last_checkpoint_and_verification_against_it(self):
        seq = self.last_seq()
        answer = self.wait_for_checkpoint(seq)
        self.assertRegex(answer["checkpoint"]["head_hash"], "^[0-9a-f]{64}$")
        self.assertGreaterEqual(answer["count"], 1)
        status, verify, _ = self.auditor.call("GET", "/api/v1/audit/verify")
        self.assertEqual(status, 200, verify)
        self.assertTrue(verify["ok"], verify)
        self.assertTrue(verify["guards_ok"])
        self.assertGreaterEqual(verify["checkpoint"]["seq"], seq)
        self.assertGreaterEqual(verify["checkpoints_held"], 1)

    def test_verification_against_checkpoints_the_auditor_brings(self):
        self.wait_for_checkpoint(self.last_seq())
        with open(self.checkpoints) as f:
            text = f.read()
        status, verify, _ = self.auditor.call("POST", "/api/v1/audit/verify", {"checkpoints": text})
        self.assertEqual(status, 200, verify)
        self.assertTrue(verify["ok"], verify)
        last = text.splitlines()[-1]
        forged = last.replace(" seq=", " seq=1", 1)
        for body, words in (({"checkpoints": forged}, "not signed with this audit key"),
                            ({"checkpoints": "nothing here"}, "holds no checkpoint"),
                            ({"checkpoints": last.replace(" mac=", " mac=zz")}, "mac"),
                            ({}, "")):
            status, reply, _ = self.auditor.call("POST", "/api/v1/audit/verify", body)
            self.assertEqual(status, 400, reply)
            self.assertEqual(reply["error"]["field"], "checkpoints", reply)
            self.assertIn(words, reply["error"]["message"])


class AuditUpgradeTest(unittest.TestCase):
    """A data directory made before the chain was keyed keeps working, and its old entries stay protected."""

    def test_an_old_data_directory_is_upgraded_in_place(self):
        server = harness.Server()
        self.addCleanup(server.close)
        d = server.data_dir
        harness.run_cli(d, "init")
        harness.run_cli(d, "staff", "add", "--username", "old.admin", "--display-name", "Old", "--roles", "admin",
                        env={"CRISISLINE_PASSWORD": harness.PASSWORD})
        # Make it what an older crisisline left: a plain SHA-256 chain with no details, no audit key, no boundary.
        with Insider(d) as db:
            db.rewrite([dict(r, detail="") for r in db.rows()], sha256_chain_hash)
            old_entries = len(db.rows())
        self.assertGreater(old_entries, 0)
        for name in ("audit.key", "audit-unkeyed-until"):
            os.remove(os.path.join(d, "keys", name))

        server.start()  # the first open upgrades
        admin = server.client().sign_in("old.admin")
        status, body, _ = admin.call("POST", "/api/v1/lines", {"id": "police", "name": "Police"})
        self.assertEqual(status, 201, body)
        server.stop()
        self.assertEqual(os.stat(os.path.join(d, "keys", "audit.key")).st_mode & 0o777, 0o600)
        with open(os.path.join(d, "keys", "audit-unkeyed-until")) as f:
            self.assertEqual(f.read().strip(), str(old_entries))
        result = harness.run_cli(d, "audit", "verify", "--checkpoint", os.path.join(d, "audit-checkpoints"))
        self.assertIn("audit log intact", result.stdout)

        # The old entries are sealed by the first keyed one: rewriting them, even recomputing the old chain, shows.
        with Insider(d) as db:
            rows = db.rows()
            rows[0]["actor"] = "someone-else"
            db.rewrite(rows[:old_entries], sha256_chain_hash)
            for row in rows[old_entries:]:
                db.db.execute(INSERT, row)
        result = harness.run_cli(d, "audit", "verify", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"entry {old_entries + 1}:", result.stderr)

    def test_a_keyed_log_without_its_key_refuses_to_start(self):
        server = harness.Server().init()
        self.addCleanup(server.close)
        os.remove(os.path.join(server.data_dir, "keys", "audit.key"))
        result = harness.run_cli(server.data_dir, "audit", "verify", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("restore audit.key", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(server.data_dir, "keys", "audit.key")))


if __name__ == "__main__":
    unittest.main()
